//! The live data behind the plans' targets, answered in process by the
//! procedures and quality services' public library APIs.

use chrono::NaiveDate;
use eiso_plans::measures::{Coverage, Measures, ServiceFigures};
use eiso_platform::links::Answer;
use eiso_platform::{CallContext, ServiceResult};
use eiso_procedures::Procedures;
use eiso_proto::eiso::procedures::v1 as procs;
use eiso_quality::Quality;

pub struct ServiceMeasures {
    pub procedures: Procedures,
    pub quality: Quality,
    /// The national portal's sync, when one is configured.
    pub sync: Option<eiso_sync::delivery::Delivery>,
}

/// `rate` × `whole`, as the count it was computed from.
fn count(rate: f64, whole: i64) -> i64 {
    (rate * whole as f64).round() as i64
}

impl ServiceMeasures {
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

impl Measures for ServiceMeasures {
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
            let Some(sync) = &self.sync else {
                return Ok(None);
            };
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
            Ok(Some(sync.synced_received(agency_unit, from, to).await?))
        })
    }
}
