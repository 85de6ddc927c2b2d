//! `stats`: GetServiceStatistics over a whole year, for one agency and for
//! all, each also for one procedure with `--procedure`, called `--repeat`
//! times each, one after the other; with `--database-url`, each compared
//! with a scan of the dossier rows (the figures' definition).

use std::time::{Duration, Instant};

use chrono::Utc;
use eiso_platform::scope::Scope;
use eiso_procedures::Counting;
use eiso_procedures::statistics::count;
use eiso_proto::eiso::procedures::v1::{GetServiceStatisticsRequest, LocalDate, ServiceStatistics};
use eiso_proto::tonic::transport::Channel;
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};

use crate::report::Spread;
use crate::session;
use crate::session::{Session, call_error};

/// One query's timings and answer.
#[derive(Debug)]
pub struct Query {
    /// `units/{id}`, or empty for all agencies.
    pub agency: String,
    /// `procedures/{code}`, or empty for all procedures.
    pub procedure: String,
    pub timings: Vec<Duration>,
    pub figures: ServiceStatistics,
    /// The same figures counted by a scan of the dossier rows, if asked.
    pub scan: Option<Scan>,
}

/// A scan of every dossier row of the query's period, read straight from
/// the database: how long it took, and whether it counted what the service
/// answered.
#[derive(Debug)]
pub struct Scan {
    pub time: Duration,
    pub equal: bool,
}

fn figures_json(s: &ServiceStatistics) -> Value {
    json!({
        "received": s.received,
        "early": s.early,
        "on_time": s.on_time,
        "late": s.late,
        "in_progress": s.in_progress,
        "overdue": s.overdue,
        "ended_otherwise": s.ended_otherwise,
        "on_time_rate": s.on_time_rate,
        "online_share": s.online_share,
        "digitised_rate": s.digitised_rate,
        "satisfaction_rate": s.satisfaction_rate,
        "rated": s.rated,
        "period": s.period.map(|p| json!({
            "carried_over": p.carried_over,
            "received": p.received,
            "to_handle": p.to_handle,
            "finished_early": p.finished_early,
            "finished_on_time": p.finished_on_time,
            "finished_late": p.finished_late,
            "finished_not_returned": p.finished_not_returned,
            "withdrawn_or_stopped": p.withdrawn_or_stopped,
            "in_progress_within_time": p.in_progress_within_time,
            "in_progress_overdue": p.in_progress_overdue,
        })),
    })
}

impl Query {
    fn label(&self) -> String {
        let agency = if self.agency.is_empty() {
            "all agencies".to_string()
        } else {
            format!("agency {}", self.agency)
        };
        if self.procedure.is_empty() {
            agency
        } else {
            format!("{agency}, {}", self.procedure)
        }
    }

    pub fn to_json(&self) -> Value {
        json!({
            "agency": self.agency,
            "procedure": self.procedure,
            "calls": self.timings.len(),
            "latency_ms": Spread::of(&self.timings).map(Spread::to_json),
            "timings_ms": self.timings.iter().map(|d| d.as_secs_f64() * 1000.0).collect::<Vec<_>>(),
            "figures": figures_json(&self.figures),
            "scan": self.scan.as_ref().map(|s| json!({
                "ms": s.time.as_secs_f64() * 1000.0,
                "equal": s.equal,
            })),
        })
    }

    pub fn to_text(&self) -> String {
        let s = &self.figures;
        let mut text = format!(
            "GetServiceStatistics, {} ({} calls):\n",
            self.label(),
            self.timings.len()
        );
        if let Some(spread) = Spread::of(&self.timings) {
            text += &format!("  latency: {}\n", spread.to_text());
        }
        if let Some(scan) = &self.scan {
            text += &format!(
                "  a scan of the dossier rows: {:.1} ms, {}\n",
                scan.time.as_secs_f64() * 1000.0,
                if scan.equal {
                    "the same figures"
                } else {
                    "DIFFERENT figures"
                }
            );
        }
        text += &format!(
            "  received {}; early {}, on time {}, late {}; in progress {}, overdue {}; withdrawn or stopped {}; rated {}\n",
            s.received, s.early, s.on_time, s.late, s.in_progress, s.overdue, s.ended_otherwise, s.rated
        );
        text += &format!(
            "  on-time rate {:.1}%, online share {:.1}%, digitised results {:.1}%, satisfaction {:.1}%\n",
            s.on_time_rate * 100.0,
            s.online_share * 100.0,
            s.digitised_rate * 100.0,
            s.satisfaction_rate * 100.0
        );
        if let Some(p) = &s.period {
            text += &format!(
                "  period: carried over {}, received {}, to handle {}; finished early {}, on time {}, late {}; \
                 withdrawn or stopped {}; in progress at the end {} within time, {} overdue\n",
                p.carried_over,
                p.received,
                p.to_handle,
                p.finished_early,
                p.finished_on_time,
                p.finished_late,
                p.withdrawn_or_stopped,
                p.in_progress_within_time,
                p.in_progress_overdue
            );
        }
        text
    }
}

/// Calls GetServiceStatistics `repeat` times for each agency in `agencies`
/// (empty: all), for the year `year`: for every procedure, then for
/// `procedure` alone when it is not empty.
pub async fn run(
    channel: &Channel,
    session: &Session,
    agencies: &[String],
    procedure: &str,
    year: i32,
    repeat: u32,
    database: Option<&DatabaseConnection>,
) -> anyhow::Result<Vec<Query>> {
    let mut client = session::dossiers(session, channel.clone());
    let mut queries = Vec::new();
    let procedures: &[&str] = if procedure.is_empty() { &[""] } else { &["", procedure] };
    for (agency, procedure) in agencies.iter().flat_map(|a| procedures.iter().map(move |p| (a, *p))) {
        let request = GetServiceStatisticsRequest {
            agency: agency.clone(),
            procedure: procedure.to_string(),
            start_date: Some(LocalDate { year, month: 1, day: 1 }),
            end_date: Some(LocalDate {
                year,
                month: 12,
                day: 31,
            }),
            group_by: 0,
        };
        let mut timings = Vec::new();
        let mut figures = ServiceStatistics::default();
        for _ in 0..repeat {
            let started = Instant::now();
            figures = client
                .get_service_statistics(request.clone())
                .await
                .map_err(|status| call_error("GetServiceStatistics failed", &status))?
                .into_inner();
            timings.push(started.elapsed());
        }
        let scan = match database {
            Some(db) => {
                let started = Instant::now();
                let scanned = count(db, Counting::Scan, &request, &Scope::Everywhere, Utc::now())
                    .await
                    .map_err(|e| anyhow::anyhow!("the scan failed: {e}"))?;
                Some(Scan {
                    time: started.elapsed(),
                    equal: scanned == figures,
                })
            }
            None => None,
        };
        queries.push(Query {
            agency: agency.clone(),
            procedure: procedure.to_string(),
            timings,
            figures,
            scan,
        });
    }
    Ok(queries)
}
