//! `transitions`: dossiers moved on through HandOverDossier, per second. The
//! dossiers are received first (with the same clients, a receipt rate of its
//! own), then each is handed over from the counter's intake to step 2 (step
//! = 1), to the leader, by N clients each on its own connection; the clock
//! runs over the hand-overs only.

use std::time::{Duration, Instant};

use anyhow::bail;
use eiso_benchkit::rate::Rate;
use eiso_proto::eiso::procedures::v1::{DossierStatus, HandOverDossierRequest};
use eiso_proto::tonic::transport;
use serde_json::{Value, json};

use crate::report::Measured;
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
    pub calls: Measured,
}

impl TransitionRun {
    pub fn to_json(&self) -> Value {
        let mut json = json!({"transition": "received (intake, step 1) -> in progress (step 2)"});
        let call = "eiso.procedures.v1.DossierService/HandOverDossier";
        self.calls.add_json(&mut json, call, "transitions_per_second");
        json
    }

    pub fn to_text(&self) -> String {
        self.calls.to_text("HandOverDossier", "transitions")
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
        calls: Measured {
            clients: plan.channels.len(),
            warmup,
            rate: Rate {
                count: measured.len() as u64,
                elapsed,
                latencies,
            },
        },
    })
}
