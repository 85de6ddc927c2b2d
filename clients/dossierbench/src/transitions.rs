//! `transitions`: dossiers moved on through HandOverDossier, per second. The
//! dossiers are received first (with the same clients, a receipt rate of its
//! own), then each is handed over from the counter's intake to step 2 (step
//! = 1), to the leader, by N clients each on its own connection; the clock
//! runs over the hand-overs only.

use std::time::{Duration, Instant};

use anyhow::bail;
use eiso_proto::eiso::procedures::v1::{DossierStatus, HandOverDossierRequest};
use eiso_proto::tonic::transport;
use serde_json::{Value, json};

use crate::report::Latency;
use crate::session::{Session, call_error};
use crate::spread;

pub struct Plan<'a> {
    pub channels: &'a [transport::Channel],
    pub counter: &'a Session,
    /// `users/{id}` the dossiers are handed to.
    pub receiver: &'a str,
    /// The dossiers, the warm-up's first.
    pub dossiers: &'a [String],
    pub warmup: usize,
}

#[derive(Debug)]
pub struct TransitionRun {
    pub clients: usize,
    pub count: usize,
    pub warmup: usize,
    pub elapsed: Duration,
    pub latencies: Vec<Duration>,
}

impl TransitionRun {
    pub fn per_second(&self) -> f64 {
        self.count as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    pub fn to_json(&self) -> Value {
        json!({
            "call": "eiso.procedures.v1.DossierService/HandOverDossier",
            "transition": "received (intake, step 1) -> in progress (step 2)",
            "clients": self.clients,
            "count": self.count,
            "warmup": self.warmup,
            "seconds": self.elapsed.as_secs_f64(),
            "transitions_per_second": self.per_second(),
            "latency_ms": Latency::of(&self.latencies).map(Latency::to_json),
        })
    }

    pub fn to_text(&self) -> String {
        let mut text = format!(
            "HandOverDossier: {} dossiers by {} clients in {:.2} s = {:.1} transitions/s\n",
            self.count,
            self.clients,
            self.elapsed.as_secs_f64(),
            self.per_second()
        );
        if let Some(latency) = Latency::of(&self.latencies) {
            text += &format!("  latency: {}\n", latency.to_text());
        }
        text
    }
}

/// Hands over each of `dossiers`, one task per channel, each taking the next
/// dossier when its previous call returns; the latency of each call.
async fn send(
    channels: &[transport::Channel],
    counter: &Session,
    receiver: &str,
    dossiers: &[String],
) -> anyhow::Result<(Duration, Vec<Duration>)> {
    let receiver = receiver.to_string();
    spread::over_channels(channels, counter, dossiers.to_vec(), move |mut client, name| {
        let receiver = receiver.clone();
        async move {
            let begun = Instant::now();
            let dossier = client
                .hand_over_dossier(HandOverDossierRequest {
                    name: name.clone(),
                    step: 1,
                    receiver: receiver.clone(),
                    note: "Đủ hồ sơ, chuyển thẩm định".to_string(),
                })
                .await
                .map_err(|status| call_error(&format!("HandOverDossier {name} failed"), &status))?
                .into_inner();
            let latency = begun.elapsed();
            if dossier.status != DossierStatus::InProgress as i32
                || dossier.current_step != 1
                || dossier.assignee != receiver
            {
                bail!(
                    "{} came back with status {}, step {} and assignee {}",
                    dossier.code,
                    dossier.status,
                    dossier.current_step,
                    dossier.assignee
                );
            }
            Ok(latency)
        }
    })
    .await
}

pub async fn run(plan: Plan<'_>) -> anyhow::Result<TransitionRun> {
    let warmup = plan.warmup.min(plan.dossiers.len());
    let (first, measured) = plan.dossiers.split_at(warmup);
    if !first.is_empty() {
        send(plan.channels, plan.counter, plan.receiver, first).await?;
    }
    let (elapsed, latencies) = send(plan.channels, plan.counter, plan.receiver, measured).await?;
    Ok(TransitionRun {
        clients: plan.channels.len(),
        count: measured.len(),
        warmup,
        elapsed,
        latencies,
    })
}
