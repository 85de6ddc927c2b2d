//! The tonic adapter of `eiso.sync.v1.SyncService`.

use eiso_proto::eiso::sync::v1::sync_service_server::SyncService;
use eiso_proto::eiso::sync::v1::*;

use crate::service::Sync;

eiso_platform::grpc_service! {
    /// `eiso.sync.v1.SyncService`.
    pub struct SyncApi(sync: Sync);

    impl SyncService for SyncApi {
        rpc get_dossier_sync(GetDossierSyncRequest) -> DossierSync => call get_dossier_sync;
        rpc list_dossier_syncs(ListDossierSyncsRequest) -> ListDossierSyncsResponse => call list_dossier_syncs;
        rpc resend_dossier_sync(ResendDossierSyncRequest) -> DossierSync => call resend_dossier_sync;
        rpc get_sync_status(GetSyncStatusRequest) -> SyncStatus => call get_sync_status;
        rpc count_synced_dossiers(CountSyncedDossiersRequest) -> CountSyncedDossiersResponse
            => call count_synced_dossiers;
    }
}
