//! `stats`: GetServiceStatistics over a whole year, for one agency and for
//! all, called `--repeat` times each, one after the other.

use std::time::{Duration, Instant};

use eiso_proto::eiso::procedures::v1::{GetServiceStatisticsRequest, LocalDate, ServiceStatistics};
use eiso_proto::tonic::transport::Channel;
use serde_json::{Value, json};

use crate::report::Spread;
use crate::session::{Session, call_error};

/// One query's timings and answer.
#[derive(Debug)]
pub struct Query {
    /// `units/{id}`, or empty for all agencies.
    pub agency: String,
    pub timings: Vec<Duration>,
    pub figures: ServiceStatistics,
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
    })
}

impl Query {
    fn label(&self) -> String {
        if self.agency.is_empty() {
            "all agencies".to_string()
        } else {
            format!("agency {}", self.agency)
        }
    }

    pub fn to_json(&self) -> Value {
        json!({
            "agency": self.agency,
            "calls": self.timings.len(),
            "latency_ms": Spread::of(&self.timings).map(Spread::to_json),
            "timings_ms": self.timings.iter().map(|d| d.as_secs_f64() * 1000.0).collect::<Vec<_>>(),
            "figures": figures_json(&self.figures),
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
        text
    }
}

/// Calls GetServiceStatistics `repeat` times for each agency in `agencies`
/// (empty: all), for the year `year`.
pub async fn run(
    channel: &Channel,
    session: &Session,
    agencies: &[String],
    year: i32,
    repeat: u32,
) -> anyhow::Result<Vec<Query>> {
    let mut client = session.dossiers(channel.clone());
    let mut queries = Vec::new();
    for agency in agencies {
        let request = GetServiceStatisticsRequest {
            agency: agency.clone(),
            procedure: String::new(),
            start_date: Some(LocalDate { year, month: 1, day: 1 }),
            end_date: Some(LocalDate {
                year,
                month: 12,
                day: 31,
            }),
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
        queries.push(Query {
            agency: agency.clone(),
            timings,
            figures,
        });
    }
    Ok(queries)
}
