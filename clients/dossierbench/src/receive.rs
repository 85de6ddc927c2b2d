//! `receive`: N clients, each on its own connection, receive M dossiers in
//! total through ReceiveDossier; every request is generated beforehand, so the
//! clock measures the server (and the network stack), not the generator.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use anyhow::bail;
use eiso_benchkit::rate::Rate;
use eiso_proto::eiso::procedures::v1::{Applicant, Channel, DossierStatus, ReceiveDossierRequest, ReceivedDocument};
use eiso_proto::tonic::transport;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use crate::people;
use crate::report::Measured;
use crate::session::{Session, call_error};
use crate::spread;

/// Shares of the agencies, first to third, when there are several.
pub const AGENCY_WEIGHTS: [f64; 3] = [0.60, 0.25, 0.15];

/// An index into `weights` (normalised over the first `n`).
pub fn weighted(rng: &mut impl Rng, n: usize) -> usize {
    let weights = &AGENCY_WEIGHTS[..n.clamp(1, AGENCY_WEIGHTS.len())];
    let total: f64 = weights.iter().sum();
    let mut pick = rng.random_range(0.0..total);
    for (i, w) in weights.iter().enumerate() {
        if pick < *w {
            return i;
        }
        pick -= w;
    }
    0
}

/// How a dossier comes in: about 30% online, 5% by post, the rest at the counter.
pub fn channel(rng: &mut impl Rng) -> Channel {
    let x: f64 = rng.random();
    if x < 0.30 {
        Channel::Online
    } else if x < 0.35 {
        Channel::Postal
    } else {
        Channel::Direct
    }
}

fn request(rng: &mut impl Rng, agencies: &[String], procedure: &str) -> ReceiveDossierRequest {
    let a = people::application(rng);
    ReceiveDossierRequest {
        agency: agencies[weighted(rng, agencies.len()).min(agencies.len() - 1)].clone(),
        procedure: format!("procedures/{procedure}"),
        applicant: Some(Applicant {
            full_name: a.full_name,
            id_number: a.id_number,
            phone: a.phone,
            address: a.address,
            email: a.email,
            r#type: eiso_proto::eiso::procedures::v1::ApplicantType::Citizen as i32,
        }),
        summary: a.summary,
        channel: channel(rng) as i32,
        documents: a
            .documents
            .iter()
            .map(|(display_name, copy_kind, sets)| ReceivedDocument {
                display_name: display_name.to_string(),
                copy_kind: *copy_kind,
                sets: *sets,
            })
            .collect(),
        request_id: uuid::Uuid::new_v4().to_string(),
        dossier_sets: 1,
    }
}

/// The measured part of a run.
#[derive(Debug)]
pub struct ReceiveRun {
    pub calls: Measured,
    pub seed: u64,
    pub agencies: Vec<String>,
    pub distinct_codes: usize,
    pub first_code: String,
    pub last_code: String,
    /// `dossiers/{id}` of every dossier received, warm-up first.
    pub names: Vec<String>,
}

impl ReceiveRun {
    pub fn to_json(&self) -> Value {
        let mut json = json!({
            "seed": self.seed,
            "agencies": self.agencies,
            "distinct_codes": self.distinct_codes,
            "all_codes_distinct": self.distinct_codes == self.received(),
            "first_code": self.first_code,
            "last_code": self.last_code,
        });
        let call = "eiso.procedures.v1.DossierService/ReceiveDossier";
        self.calls.add_json(&mut json, call, "dossiers_per_second");
        json
    }

    /// The dossiers received, the warm-up's with the measured ones.
    fn received(&self) -> usize {
        self.calls.rate.count as usize + self.calls.warmup
    }

    pub fn to_text(&self) -> String {
        let mut text = self.calls.to_text("ReceiveDossier", "dossiers");
        text += &format!(
            "  codes: {} distinct of {} received (with {} warm-up), {} … {}\n",
            self.distinct_codes,
            self.received(),
            self.calls.warmup,
            self.first_code,
            self.last_code
        );
        text
    }
}

/// What one client got: latency, code and name of each call.
type Calls = Vec<(Duration, String, String)>;

/// Sends `requests` over `channels`, one task per channel, each taking the
/// next request when its previous call returns.
async fn send(
    channels: &[transport::Channel],
    counter: &Session,
    requests: Vec<ReceiveDossierRequest>,
) -> anyhow::Result<(Duration, Calls)> {
    spread::over_channels(channels, counter, requests, |mut client, request| async move {
        let begun = Instant::now();
        let dossier = client
            .receive_dossier(request)
            .await
            .map_err(|status| call_error("ReceiveDossier failed", &status))?
            .into_inner();
        let latency = begun.elapsed();
        if dossier.status != DossierStatus::Received as i32 || dossier.due_time.is_none() {
            bail!(
                "{} came back with status {} and due time {:?}",
                dossier.code,
                dossier.status,
                dossier.due_time
            );
        }
        Ok((latency, dossier.code, dossier.name))
    })
    .await
}

/// `<agency code>-YYMMDD-XXXX`.
fn well_formed(code: &str) -> bool {
    let mut parts = code.rsplitn(3, '-');
    let sequence = parts.next().unwrap_or_default();
    let day = parts.next().unwrap_or_default();
    let agency = parts.next().unwrap_or_default();
    !agency.is_empty()
        && day.len() == 6
        && day.bytes().all(|b| b.is_ascii_digit())
        && sequence.len() >= 4
        && sequence.bytes().all(|b| b.is_ascii_digit())
}

pub struct Plan<'a> {
    pub channels: &'a [transport::Channel],
    pub counter: &'a Session,
    pub agencies: &'a [String],
    pub procedure: &'a str,
    pub count: usize,
    pub warmup: usize,
    pub seed: u64,
}

pub async fn run(plan: Plan<'_>) -> anyhow::Result<ReceiveRun> {
    let mut rng = StdRng::seed_from_u64(plan.seed);
    let mut generate = |n: usize| {
        (0..n)
            .map(|_| request(&mut rng, plan.agencies, plan.procedure))
            .collect::<Vec<_>>()
    };
    let warmup_requests = generate(plan.warmup);
    let requests = generate(plan.count);

    let mut codes: Vec<String> = Vec::with_capacity(plan.warmup + plan.count);
    let mut names: Vec<String> = Vec::with_capacity(plan.warmup + plan.count);
    if plan.warmup > 0 {
        let (_, calls) = send(plan.channels, plan.counter, warmup_requests).await?;
        for (_, code, name) in calls {
            codes.push(code);
            names.push(name);
        }
    }
    let (elapsed, calls) = send(plan.channels, plan.counter, requests).await?;
    let latencies: Vec<Duration> = calls.iter().map(|(latency, _, _)| *latency).collect();
    for (_, code, name) in calls {
        codes.push(code);
        names.push(name);
    }

    if let Some(bad) = codes.iter().find(|code| !well_formed(code)) {
        bail!("dossier code `{bad}` is not <agency code>-YYMMDD-XXXX");
    }
    let distinct = codes.iter().collect::<HashSet<_>>().len();
    if distinct != codes.len() {
        bail!("{} dossiers received but only {distinct} distinct codes", codes.len());
    }
    let mut sorted = codes.clone();
    sorted.sort();
    Ok(ReceiveRun {
        calls: Measured {
            clients: plan.channels.len(),
            warmup: plan.warmup,
            rate: Rate {
                count: plan.count as u64,
                elapsed,
                latencies,
            },
        },
        seed: plan.seed,
        agencies: plan.agencies.to_vec(),
        distinct_codes: distinct,
        first_code: sorted.first().cloned().unwrap_or_default(),
        last_code: sorted.last().cloned().unwrap_or_default(),
        names,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dossier_codes() {
        assert!(well_formed("UBND-DANGLAM-251126-0001"));
        assert!(well_formed("PGD-250310-12345"));
        assert!(!well_formed("PGD-2503-0001"));
        assert!(!well_formed("250310-0001"));
    }

    #[test]
    fn agencies_are_weighted() {
        let mut rng = StdRng::seed_from_u64(1);
        let mut counts = [0usize; 3];
        for _ in 0..10_000 {
            counts[weighted(&mut rng, 3)] += 1;
        }
        assert!(counts[0] > counts[1] && counts[1] > counts[2], "{counts:?}");
        assert_eq!(weighted(&mut rng, 1), 0);
    }
}
