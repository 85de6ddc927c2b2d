//! The procedures service's figures and the portal sync's count over gRPC,
//! from the process that hosts them, for plans and quality in another
//! process (issue 13). Asked as this process's service identity: in process
//! they are unchecked reads for callers that plans and quality checked
//! already.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use eiso_platform::ServiceResult;
use eiso_platform::aip::time::{proto_date, timestamp};
use eiso_proto::eiso::procedures::v1 as procs;
use eiso_proto::eiso::procedures::v1::dossier_service_client::DossierServiceClient;
use eiso_proto::eiso::procedures::v1::procedure_service_client::ProcedureServiceClient;
use eiso_proto::eiso::sync::v1 as sync;
use eiso_proto::eiso::sync::v1::sync_service_client::SyncServiceClient;
use eiso_remote::Upstream;

use super::ProcedureFigures;
use crate::links::remote::{Caller, call};

/// The procedures service of another process.
pub struct RemoteProcedures {
    upstream: Arc<Upstream>,
}

impl RemoteProcedures {
    pub fn new(upstream: Arc<Upstream>) -> Self {
        Self { upstream }
    }
}

impl ProcedureFigures for RemoteProcedures {
    async fn statistics(
        &self,
        agency: &str,
        start: NaiveDate,
        end: NaiveDate,
    ) -> ServiceResult<procs::ServiceStatistics> {
        let request = procs::GetServiceStatisticsRequest {
            agency: agency.to_string(),
            procedure: String::new(),
            start_date: Some(proto_date(start)),
            end_date: Some(proto_date(end)),
            group_by: procs::StatisticsGroup::Unspecified as i32,
        };
        call(
            &self.upstream,
            Caller::Service,
            "/eiso.procedures.v1.DossierService/GetServiceStatistics",
            request,
            |channel, request| async move { DossierServiceClient::new(channel).get_service_statistics(request).await },
        )
        .await
    }

    async fn list_procedures(
        &self,
        request: procs::ListProceduresRequest,
    ) -> ServiceResult<procs::ListProceduresResponse> {
        call(
            &self.upstream,
            Caller::Service,
            "/eiso.procedures.v1.ProcedureService/ListProcedures",
            request,
            |channel, request| async move { ProcedureServiceClient::new(channel).list_procedures(request).await },
        )
        .await
    }
}

/// The portal sync of another process.
pub struct RemoteSync {
    upstream: Arc<Upstream>,
}

impl RemoteSync {
    pub fn new(upstream: Arc<Upstream>) -> Self {
        Self { upstream }
    }

    /// Of the dossiers `agency` received in [`from`, `to`), those the portal
    /// has up to date; `None` when that process has no portal configured.
    pub async fn synced(&self, agency: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> ServiceResult<Option<i64>> {
        let request = sync::CountSyncedDossiersRequest {
            agency: agency.to_string(),
            start_time: Some(timestamp(from)),
            end_time: Some(timestamp(to)),
        };
        let counted = call(
            &self.upstream,
            Caller::Service,
            "/eiso.sync.v1.SyncService/CountSyncedDossiers",
            request,
            |channel, request| async move { SyncServiceClient::new(channel).count_synced_dossiers(request).await },
        )
        .await?;
        Ok(counted.configured.then_some(counted.synced_dossiers))
    }
}
