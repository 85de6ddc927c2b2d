//! The live data behind the plans' targets: dossier statistics and the
//! published procedures from procedures, the portal's sync count from sync,
//! inspection coverage from quality (always in this process with plans).
//! Procedures and sync are asked in process through their public library
//! APIs, or over gRPC from the process that hosts them
//! ([`remote::RemoteProcedures`], [`remote::RemoteSync`]); what the targets
//! take from the answers is [`ServiceMeasures`], once for both.

pub mod remote;

use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use eiso_plans::measures::{Coverage, ServiceFigures};
use eiso_platform::links::Answer;
use eiso_platform::{CallContext, ServiceResult};
use eiso_procedures::Procedures;
use eiso_proto::eiso::procedures::v1 as procs;
use eiso_remote::Upstream;

/// What [`ServiceMeasures`] answers and takes, for callers that do not
/// depend on plans and quality themselves (tests).
pub use eiso_plans::measures::Measures;
pub use eiso_quality::Quality;
pub use remote::{RemoteProcedures, RemoteSync};

/// What plans and quality read of the procedures service's figures,
/// unchecked: their callers checked the caller's access to the unit asked
/// about (over gRPC, they are asked as the service identity).
pub trait ProcedureFigures: Send + Sync + 'static {
    /// The statistics of `agency`'s dossiers over the days `start` to `end`
    /// (inclusive), every procedure together.
    fn statistics(
        &self,
        agency: &str,
        start: NaiveDate,
        end: NaiveDate,
    ) -> impl Future<Output = ServiceResult<procs::ServiceStatistics>> + Send;

    fn list_procedures(
        &self,
        request: procs::ListProceduresRequest,
    ) -> impl Future<Output = ServiceResult<procs::ListProceduresResponse>> + Send;
}

impl ProcedureFigures for Procedures {
    async fn statistics(
        &self,
        agency: &str,
        start: NaiveDate,
        end: NaiveDate,
    ) -> ServiceResult<procs::ServiceStatistics> {
        Procedures::statistics(self, agency, start, end).await
    }

    async fn list_procedures(
        &self,
        request: procs::ListProceduresRequest,
    ) -> ServiceResult<procs::ListProceduresResponse> {
        Procedures::list_procedures(self, request).await
    }
}

/// Where the portal's sync count comes from.
pub enum SyncCount {
    /// No portal in this deployment: the measure has no data.
    None,
    /// The sync of this process.
    InProcess(eiso_sync::delivery::Delivery),
    /// The sync of another process.
    Remote(RemoteSync),
}

impl SyncCount {
    /// Of the dossiers `agency` received in [`from`, `to`), those the portal
    /// has up to date; `None` when no portal is configured.
    async fn synced(&self, agency: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> ServiceResult<Option<i64>> {
        match self {
            Self::None => Ok(None),
            Self::InProcess(sync) => Ok(Some(sync.synced_received(agency, from, to).await?)),
            Self::Remote(sync) => sync.synced(agency, from, to).await,
        }
    }
}

/// [`Measures`] over the procedures' figures `P`, the sync count and this
/// process's quality service.
pub struct ServiceMeasures<P> {
    procedures: P,
    quality: Quality,
    sync: SyncCount,
}

impl ServiceMeasures<Procedures> {
    /// Everything in this process; `sync` when a portal is configured.
    pub fn in_process(procedures: Procedures, quality: Quality, sync: Option<eiso_sync::delivery::Delivery>) -> Self {
        let sync = match sync {
            Some(sync) => SyncCount::InProcess(sync),
            None => SyncCount::None,
        };
        Self::new(procedures, quality, sync)
    }
}

impl ServiceMeasures<RemoteProcedures> {
    /// Procedures and the portal sync in other processes (which may be one
    /// process), asked as the service identity; quality here. Without a
    /// portal there, sync answers that it is not configured: no data.
    pub fn remote(quality: Quality, procedures: Arc<Upstream>, sync: Arc<Upstream>) -> Self {
        Self::new(
            RemoteProcedures::new(procedures),
            quality,
            SyncCount::Remote(RemoteSync::new(sync)),
        )
    }
}

impl<P: ProcedureFigures> ServiceMeasures<P> {
    pub fn new(procedures: P, quality: Quality, sync: SyncCount) -> Self {
        Self {
            procedures,
            quality,
            sync,
        }
    }
}

/// `rate` × `whole`, as the count it was computed from.
fn count(rate: f64, whole: i64) -> i64 {
    (rate * whole as f64).round() as i64
}

impl<P: ProcedureFigures> ServiceMeasures<P> {
    async fn statistics(&self, unit: &str, start: NaiveDate, end: NaiveDate) -> ServiceResult<Option<ServiceFigures>> {
        let stats = self.procedures.statistics(unit, start, end).await?;
        // The period as the reporting forms count it. Satisfaction and
        // digitised results are of the dossiers received in the period: the
        // outcome is set when a dossier is completed, so the completed ones
        // are those with an outcome; satisfied and digitised come back as
        // rates of whole counts and are turned back into those counts.
        let period = stats.period.unwrap_or_default();
        let completed = stats.early + stats.on_time + stats.late;
        Ok(Some(ServiceFigures {
            carried_over: period.carried_over,
            received: period.received,
            early: period.finished_early,
            on_time: period.finished_on_time,
            late: period.finished_late,
            withdrawn_or_stopped: period.withdrawn_or_stopped,
            in_progress: period.in_progress_within_time,
            overdue: period.in_progress_overdue,
            completed,
            digitised: count(stats.digitised_rate, completed),
            rated: stats.rated,
            satisfied: count(stats.satisfaction_rate, stats.rated),
        }))
    }

    async fn published(&self, unit: &str) -> ServiceResult<Option<(i64, i64)>> {
        let mut published = 0;
        let mut total = 0;
        let mut page_token = String::new();
        loop {
            let page = self
                .procedures
                .list_procedures(procs::ListProceduresRequest {
                    filter: format!("agency = \"{}\"", unit.replace('"', "")),
                    page_size: 1000,
                    page_token: page_token.clone(),
                    ..Default::default()
                })
                .await?;
            for procedure in &page.procedures {
                match procs::procedure::State::try_from(procedure.state) {
                    Ok(procs::procedure::State::Withdrawn) => {}
                    Ok(procs::procedure::State::Published) => {
                        published += 1;
                        total += 1;
                    }
                    _ => total += 1,
                }
            }
            if page.next_page_token.is_empty() {
                break;
            }
            page_token = page.next_page_token;
        }
        Ok(Some((published, total)))
    }
}

impl<P: ProcedureFigures> Measures for ServiceMeasures<P> {
    fn service_statistics<'a>(
        &'a self,
        _ctx: &'a CallContext,
        agency_unit: &'a str,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Answer<'a, Option<ServiceFigures>> {
        Box::pin(self.statistics(agency_unit, start, end))
    }

    fn inspection_coverage<'a>(
        &'a self,
        _ctx: &'a CallContext,
        unit: &'a str,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Answer<'a, Option<Coverage>> {
        Box::pin(async move {
            let coverage = self.quality.inspection_coverage(unit, start, end).await?;
            Ok(Some(Coverage {
                inspected: coverage.inspected,
                population: coverage.population,
            }))
        })
    }

    fn procedures_published<'a>(&'a self, _ctx: &'a CallContext, unit: &'a str) -> Answer<'a, Option<(i64, i64)>> {
        Box::pin(self.published(unit))
    }

    fn dossiers_synced<'a>(
        &'a self,
        _ctx: &'a CallContext,
        agency_unit: &'a str,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Answer<'a, Option<i64>> {
        Box::pin(async move {
            if matches!(self.sync, SyncCount::None) {
                return Ok(None);
            }
            // The local days from `start` to `end` inclusive, as instants.
            let midnight = |day: NaiveDate| {
                use chrono::TimeZone;
                eiso_platform::aip::time::TIME_ZONE
                    .from_local_datetime(&day.and_time(chrono::NaiveTime::MIN))
                    .earliest()
                    .map(|t| t.with_timezone(&chrono::Utc))
            };
            let (Some(from), Some(to)) = (midnight(start), end.succ_opt().and_then(midnight)) else {
                return Ok(Some(0));
            };
            self.sync.synced(agency_unit, from, to).await
        })
    }
}
