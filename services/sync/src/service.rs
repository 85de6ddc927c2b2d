//! `eiso.sync.v1.SyncService`: each dossier's sync state, seen and re-sent
//! within the units the caller's roles cover (a dossier's state belongs to
//! its agency), and the sync as a whole for a root-level reader. Without a
//! portal configured there is nothing to see and nothing to send.

use std::sync::Arc;

use chrono::Utc;
use eiso_platform::aip::list::{Listing, Spec};
use eiso_platform::aip::names;
use eiso_platform::aip::time::{required_instant, timestamp};
use eiso_platform::directory::Directory;
use eiso_platform::outward;
use eiso_platform::scope::{self, Scope};
use eiso_platform::{CallContext, Journal, ServiceError, ServiceResult, Violations};
use eiso_proto::eiso::sync::v1 as pb;

use crate::delivery::{Delivery, STREAM};
use crate::store::{self, DossierSync, State};

/// The sync as the API serves it.
#[derive(Clone)]
pub struct Sync {
    delivery: Option<Delivery>,
    directory: Arc<dyn Directory>,
    portal_url: String,
}

/// ListDossierSyncs: by state and agency, in dossier order.
const LIST: Spec = Spec::new(&["state", "agency"], &[], "");

fn instant(us: i64) -> Option<eiso_proto::prost_types::Timestamp> {
    chrono::DateTime::from_timestamp_micros(us).map(timestamp)
}

fn to_proto(sync: DossierSync) -> pb::DossierSync {
    let waiting = matches!(sync.state, State::Pending | State::Failing);
    pb::DossierSync {
        name: format!("{}/sync", sync.dossier),
        dossier: sync.dossier,
        code: sync.code,
        agency: sync.agency,
        state: match sync.state {
            State::Pending => pb::dossier_sync::State::Pending,
            State::Synced => pb::dossier_sync::State::Synced,
            State::Failing => pb::dossier_sync::State::Failing,
            State::Parked => pb::dossier_sync::State::Parked,
        } as i32,
        seen_sequence: sync.seen_sequence,
        synced_sequence: sync.synced_sequence,
        attempts: sync.attempts,
        last_error: sync.last_error,
        last_attempt_time: sync.last_attempt_us.and_then(instant),
        next_attempt_time: if waiting { instant(sync.next_attempt_us) } else { None },
        pending_since_time: sync.pending_since_us.and_then(instant),
    }
}

/// The dossier of `dossiers/{id}/sync`.
fn dossier_of(name: &str) -> ServiceResult<String> {
    let dossier = name.strip_suffix("/sync").unwrap_or_default();
    let id = eiso_platform::aip::names::parse(dossier, "dossiers", "name")
        .map_err(|_| ServiceError::invalid("name", "expected `dossiers/{id}/sync`"))?;
    Ok(format!("dossiers/{id}"))
}

impl Sync {
    pub fn new(delivery: Option<Delivery>, directory: Arc<dyn Directory>, portal_url: &str) -> Self {
        Self {
            delivery,
            directory,
            portal_url: portal_url.to_string(),
        }
    }

    /// One dossier's state, checked against the caller's scope.
    async fn find(&self, ctx: &CallContext, name: &str) -> ServiceResult<(Delivery, DossierSync)> {
        let dossier = dossier_of(name)?;
        let Some(delivery) = &self.delivery else {
            return Err(ServiceError::NotFound(name.to_string()));
        };
        let sync = store::get(delivery.db(), &dossier)
            .await?
            .ok_or_else(|| ServiceError::NotFound(name.to_string()))?;
        scope::authorize(self.directory.as_ref(), ctx, &sync.agency, name).await?;
        Ok((delivery.clone(), sync))
    }

    pub async fn get_dossier_sync(
        &self,
        ctx: &CallContext,
        request: pb::GetDossierSyncRequest,
    ) -> ServiceResult<pb::DossierSync> {
        Ok(to_proto(self.find(ctx, &request.name).await?.1))
    }

    pub async fn list_dossier_syncs(
        &self,
        ctx: &CallContext,
        request: pb::ListDossierSyncsRequest,
    ) -> ServiceResult<pb::ListDossierSyncsResponse> {
        let listing = Listing::parse(&LIST, request.page_size, &request.page_token, &request.filter, "")?;
        let conditions = outward::list_conditions(&listing, pb::dossier_sync::State::from_str_name)?;
        let Some(delivery) = &self.delivery else {
            return Ok(pb::ListDossierSyncsResponse::default());
        };
        let conditions = outward::in_scope(self.directory.as_ref(), ctx, conditions).await?;
        let mut rows = store::page(delivery.db(), conditions, listing.offset, listing.fetch()).await?;
        let next_page_token = listing.finish(&mut rows);
        Ok(pb::ListDossierSyncsResponse {
            dossier_syncs: rows.into_iter().map(to_proto).collect(),
            next_page_token,
        })
    }

    pub async fn resend_dossier_sync(
        &self,
        ctx: &CallContext,
        request: pb::ResendDossierSyncRequest,
    ) -> ServiceResult<pb::DossierSync> {
        let (delivery, sync) = self.find(ctx, &request.name).await?;
        let journal = Journal::new(delivery.db().clone());
        let mut tx = journal.begin(ctx).await?;
        if !store::resend(tx.txn(), &sync.dossier, Utc::now().timestamp_micros()).await? {
            return Err(ServiceError::precondition(
                "NOT_PARKED",
                request.name.clone(),
                format!("{} is not parked: it is delivered as it comes", request.name),
            ));
        }
        tx.audit_resource(&request.name);
        tx.commit().await?;
        let sync = store::get(delivery.db(), &sync.dossier)
            .await?
            .ok_or_else(|| ServiceError::NotFound(request.name.clone()))?;
        Ok(to_proto(sync))
    }

    pub async fn get_sync_status(
        &self,
        ctx: &CallContext,
        _request: pb::GetSyncStatusRequest,
    ) -> ServiceResult<pb::SyncStatus> {
        scope::require_root(self.directory.as_ref(), ctx).await?;
        let Some(delivery) = &self.delivery else {
            return Ok(pb::SyncStatus::default());
        };
        let (pending, synced, parked) = store::counts(delivery.db()).await?;
        Ok(pb::SyncStatus {
            configured: true,
            portal_url: self.portal_url.clone(),
            pending_dossiers: pending,
            synced_dossiers: synced,
            parked_dossiers: parked,
            oldest_pending_time: store::oldest_pending_us(delivery.db()).await?.and_then(instant),
            cursor: store::cursor(delivery.db(), STREAM).await?,
        })
    }

    /// CountSyncedDossiers: of the dossiers `agency` received in the period,
    /// those the portal has up to date. The agency must exist and the roles
    /// of the caller's method must cover it (PERMISSION_DENIED otherwise, as
    /// for the statistics of an agency: units are no secret); without a
    /// portal, nothing is synchronised (after the same checks).
    pub async fn count_synced_dossiers(
        &self,
        ctx: &CallContext,
        request: pb::CountSyncedDossiersRequest,
    ) -> ServiceResult<pb::CountSyncedDossiersResponse> {
        let mut violations = Violations::new();
        if let Err(error) = names::parse(&request.agency, "units", "agency") {
            violations.absorb(error);
        }
        let mut time = |value: Option<&eiso_proto::prost_types::Timestamp>, field: &str| {
            required_instant(value, field)
                .map_err(|error| violations.absorb(error))
                .ok()
        };
        let start = time(request.start_time.as_ref(), "start_time");
        let end = time(request.end_time.as_ref(), "end_time");
        if let (Some(start), Some(end)) = (start, end)
            && end <= start
        {
            violations.add("end_time", "must be after start_time");
        }
        violations.check()?;
        let (Some(start), Some(end)) = (start, end) else {
            return Err(ServiceError::internal("checked times are missing"));
        };
        let agency = request.agency;
        if self.directory.unit(&agency).await?.is_none() {
            return Err(ServiceError::NotFound(format!("agency {agency}")));
        }
        if !Scope::of_method(self.directory.as_ref(), ctx).await?.covers(&agency) {
            return Err(ServiceError::PermissionDenied(format!(
                "agency: {agency} is outside the units your role covers"
            )));
        }
        let Some(delivery) = &self.delivery else {
            return Ok(pb::CountSyncedDossiersResponse::default());
        };
        Ok(pb::CountSyncedDossiersResponse {
            configured: true,
            synced_dossiers: delivery.synced_received(&agency, start, end).await?,
        })
    }
}
