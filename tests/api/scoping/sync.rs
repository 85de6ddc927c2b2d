//! The cases of the portal sync: the sync state of the dossier received at
//! S1 (the scoping server runs with the portal's simulator).

use eiso_proto::eiso::sync::v1::*;
use eiso_tests::TestServer;

use super::Case;
use crate::{listed, unary};

#[derive(Debug, Clone, Default)]
pub struct Fixture {
    /// `dossiers/{id}/sync` of the dossier received at S1.
    pub dossier_sync: String,
}

/// Waits until the sync has taken in the dossier received at S1.
pub async fn fixture(server: &TestServer, setup: &str, dossier: &str) -> Fixture {
    let name = format!("{dossier}/sync");
    for _ in 0..400 {
        if server
            .sync(setup)
            .get_dossier_sync(GetDossierSyncRequest { name: name.clone() })
            .await
            .is_ok()
        {
            return Fixture { dossier_sync: name };
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the sync did not take in {dossier}");
}

pub fn cases() -> Vec<Case> {
    vec![
        Case {
            method: "/eiso.sync.v1.SyncService/GetDossierSync",
            run: unary!(sync, get_dossier_sync, |c| GetDossierSyncRequest {
                name: c.fixture.sync.dossier_sync.clone(),
            }),
        },
        Case {
            method: "/eiso.sync.v1.SyncService/ListDossierSyncs",
            run: listed!(
                sync,
                list_dossier_syncs,
                |c| ListDossierSyncsRequest::default(),
                c.fixture.sync.dossier_sync.clone()
            ),
        },
        Case {
            // Not parked: FAILED_PRECONDITION past the gates.
            method: "/eiso.sync.v1.SyncService/ResendDossierSync",
            run: unary!(sync, resend_dossier_sync, |c| ResendDossierSyncRequest {
                name: c.fixture.sync.dossier_sync.clone(),
            }),
        },
        Case {
            // S1's agency, over every year a request may name.
            method: "/eiso.sync.v1.SyncService/CountSyncedDossiers",
            run: unary!(sync, count_synced_dossiers, |c| CountSyncedDossiersRequest {
                agency: c.units.s1.clone(),
                start_time: Some(eiso_proto::prost_types::Timestamp { seconds: 0, nanos: 0 }),
                end_time: Some(eiso_proto::prost_types::Timestamp {
                    seconds: 4_102_444_800,
                    nanos: 0,
                }),
            }),
        },
        Case {
            method: "/eiso.sync.v1.SyncService/GetSyncStatus",
            run: unary!(sync, get_sync_status, |c| GetSyncStatusRequest {}),
        },
    ]
}
