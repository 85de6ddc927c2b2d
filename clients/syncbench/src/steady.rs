//! `--steady R --seconds S`: the sync's lag through the real server under a
//! steady load. The `eiso-server` binary runs on a fresh database and
//! delivers to the portal's simulator (in this process); `--clients`
//! connections receive dossiers at the counter at R receipts a second for S
//! seconds, each receipt at its own slot of the schedule (a receipt that
//! starts more than 100 ms after its slot is counted late). Every receipt's
//! lag is the time from ReceiveDossier's answer to the simulator holding the
//! dossier (polled every 20 ms); GetSyncStatus is sampled every second for
//! the sync's own account (now minus its oldest change not delivered). After
//! the load: the time until every receipt is at the portal.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use eiso_benchkit::percentile::Percentiles;
use eiso_benchkit::{Session, call_error};
use eiso_portal_sim::Simulator;
use eiso_proto::eiso::identity::v1::{CreateUserRequest, Role, RoleBinding, UnitKind, User};
use eiso_proto::eiso::procedures::v1::dossier_service_client::DossierServiceClient;
use eiso_proto::eiso::procedures::v1::procedure_service_client::ProcedureServiceClient;
use eiso_proto::eiso::procedures::v1::{
    Applicant, ApplicantType, CopyKind, CreateProcedureRequest, ProcedureLevel, ProcedureVersion, ProcessingTime,
    PublishProcedureVersionRequest, ReceiveDossierRequest, ReceivedDocument, processing_time,
};
use eiso_proto::eiso::sync::v1::GetSyncStatusRequest;
use eiso_proto::eiso::sync::v1::sync_service_client::SyncServiceClient;
use eiso_proto::tonic::transport::Channel;

use crate::server::{Portal, Server};

const PORTAL_USERNAME: &str = "bench";
const PORTAL_PASSWORD: &str = "bench-password";
const PORTAL_AGENCY: &str = "000.31.H31";
const PROCEDURE: &str = "2.002481";
const CLERK: &str = "mot.cua.bench";
/// A receipt that starts later than this after its slot is late.
const LATE: Duration = Duration::from_millis(100);
/// How often the simulator is looked at for the receipts not there yet.
const POLL: Duration = Duration::from_millis(20);
/// How long the sync may take to deliver the last receipts.
const DRAIN_DEADLINE: Duration = Duration::from_secs(300);

/// What `--steady` runs.
pub struct Plan<'a> {
    pub binary: &'a std::path::Path,
    pub database_url: Option<&'a str>,
    pub rate: u32,
    pub seconds: u64,
    pub clients: usize,
    pub interval_seconds: u64,
}

/// Receipts acknowledged and not yet seen at the portal: code, when acknowledged.
type Waiting = Mutex<VecDeque<(String, Instant)>>;

/// One receipt as its client saw it.
struct Receipt {
    /// How long after its slot it started.
    start_delay: Duration,
    latency: Duration,
}

/// The agency, its counter clerk and the published procedure; the clerk's session.
async fn set_up(channel: &Channel, admin: &Session) -> anyhow::Result<(String, Session)> {
    let mut identity = admin.identity(channel.clone());
    let (agency, _) = eiso_benchkit::unit(
        &mut identity,
        "UBND-DANGLAM",
        "Ủy ban nhân dân phường Đằng Lâm",
        UnitKind::Commune,
    )
    .await?;
    let password = uuid::Uuid::new_v4().simple().to_string();
    identity
        .create_user(CreateUserRequest {
            user: Some(User {
                username: CLERK.into(),
                display_name: "Nguyễn Thị Thu Hà (một cửa)".into(),
                role_bindings: vec![RoleBinding {
                    role: Role::CounterStaff as i32,
                    unit: agency.clone(),
                }],
                ..Default::default()
            }),
            password: password.clone(),
            request_id: String::new(),
        })
        .await
        .map_err(|status| call_error("cannot create the clerk", &status))?;
    let mut catalogue = ProcedureServiceClient::with_interceptor(channel.clone(), admin.bearer());
    let created = catalogue
        .create_procedure(CreateProcedureRequest {
            code: PROCEDURE.into(),
            version: Some(ProcedureVersion {
                display_name: "Chuyển trường đối với học sinh trung học cơ sở".into(),
                field: "Giáo dục trung học".into(),
                level: ProcedureLevel::Commune as i32,
                agency: agency.clone(),
                processing_time: Some(ProcessingTime {
                    budget: Some(processing_time::Budget::WorkingDays(3)),
                }),
                ..Default::default()
            }),
            request_id: String::new(),
        })
        .await
        .map_err(|status| call_error("cannot create the procedure", &status))?
        .into_inner();
    let version = created.version.context("CreateProcedure returned no version")?.name;
    catalogue
        .publish_procedure_version(PublishProcedureVersionRequest { name: version })
        .await
        .map_err(|status| call_error("cannot publish the procedure", &status))?;
    let clerk = Session::login(channel, CLERK, &password).await?;
    Ok((agency, clerk))
}

fn receipt(agency: &str, number: u64) -> ReceiveDossierRequest {
    ReceiveDossierRequest {
        agency: agency.to_string(),
        procedure: format!("procedures/{PROCEDURE}"),
        applicant: Some(Applicant {
            full_name: format!("Công dân {number}"),
            id_number: format!("031204{number:06}"),
            phone: "0912 345 678".into(),
            address: "Số 5, phường Đằng Lâm, Hải Phòng".into(),
            email: String::new(),
            r#type: ApplicantType::Citizen as i32,
        }),
        summary: "Xin chuyển trường cho con".into(),
        documents: vec![ReceivedDocument {
            display_name: "Đơn xin chuyển trường".into(),
            copy_kind: CopyKind::Original as i32,
            sets: 1,
        }],
        request_id: uuid::Uuid::new_v4().to_string(),
        ..Default::default()
    }
}

/// One client: takes the next slot of the schedule, waits for it, receives
/// a dossier, hands its code to the lag watcher.
async fn client(
    channel: Channel,
    clerk: Session,
    agency: String,
    schedule: Arc<Schedule>,
    waiting: Arc<Waiting>,
) -> anyhow::Result<Vec<Receipt>> {
    let mut dossiers = DossierServiceClient::with_interceptor(channel, clerk.bearer());
    let mut receipts = Vec::new();
    loop {
        let slot = schedule.next.fetch_add(1, Ordering::SeqCst);
        let Some(due) = schedule.due(slot) else {
            return Ok(receipts);
        };
        tokio::time::sleep_until(due.into()).await;
        let started = Instant::now();
        let dossier = dossiers
            .receive_dossier(receipt(&agency, slot))
            .await
            .map_err(|status| call_error("ReceiveDossier failed", &status))?
            .into_inner();
        let acknowledged = Instant::now();
        waiting
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push_back((dossier.code, acknowledged));
        receipts.push(Receipt {
            start_delay: started.saturating_duration_since(due),
            latency: acknowledged - started,
        });
    }
}

/// Slot n is due at `start + n / rate`; there are `total`.
struct Schedule {
    start: Instant,
    rate: u32,
    total: u64,
    next: AtomicU64,
}

impl Schedule {
    fn due(&self, slot: u64) -> Option<Instant> {
        (slot < self.total).then(|| self.start + Duration::from_secs_f64(slot as f64 / f64::from(self.rate)))
    }
}

/// Until `done` and nothing waits: takes off `waiting` the receipts the
/// simulator holds, with their lag. Returns the lags and when the last one
/// arrived.
async fn watch_portal(
    simulator: Arc<Simulator>,
    waiting: Arc<Waiting>,
    done: tokio::sync::watch::Receiver<bool>,
) -> (Vec<Duration>, Option<Instant>) {
    let mut lags = Vec::new();
    let mut last = None;
    loop {
        let now = Instant::now();
        let pending: Vec<(String, Instant)> = waiting
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .drain(..)
            .collect();
        let mut still = VecDeque::new();
        for (code, acknowledged) in pending {
            if simulator.dossier(&code).is_some() {
                lags.push(now.saturating_duration_since(acknowledged));
                last = Some(now);
            } else {
                still.push_back((code, acknowledged));
            }
        }
        let empty = still.is_empty();
        {
            let mut waiting = waiting.lock().unwrap_or_else(PoisonError::into_inner);
            // Receipts acknowledged meanwhile go after the older ones.
            still.extend(waiting.drain(..));
            *waiting = still;
        }
        if *done.borrow() && empty && waiting.lock().unwrap_or_else(PoisonError::into_inner).is_empty() {
            return (lags, last);
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Every second until `done`: seconds since the run started, dossiers
/// pending, and the sync's lag (now minus its oldest change not delivered).
async fn sample_status(
    channel: Channel,
    admin: Session,
    mut done: tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<Vec<(f64, i64, f64)>> {
    let mut sync = SyncServiceClient::with_interceptor(channel, admin.bearer());
    let started = Instant::now();
    let mut samples = Vec::new();
    loop {
        let status = sync
            .get_sync_status(GetSyncStatusRequest {})
            .await
            .map_err(|status| call_error("GetSyncStatus failed", &status))?
            .into_inner();
        let now_us = chrono::Utc::now().timestamp_micros();
        let lag = status.oldest_pending_time.map_or(0.0, |t| {
            let oldest_us = t.seconds * 1_000_000 + i64::from(t.nanos) / 1000;
            (now_us - oldest_us).max(0) as f64 / 1e6
        });
        samples.push((started.elapsed().as_secs_f64(), status.pending_dossiers, lag));
        tokio::select! {
            _ = done.wait_for(|done| *done) => return Ok(samples),
            () = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
    }
}

fn quantiles(values: &[Duration]) -> String {
    match Percentiles::of(values) {
        Some(p) => format!(
            "p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
            p.ms(0.5),
            p.ms(0.99),
            p.ms(1.0)
        ),
        None => "none".into(),
    }
}

pub async fn run(plan: Plan<'_>) -> anyhow::Result<()> {
    if plan.rate == 0 || plan.seconds == 0 || plan.clients == 0 {
        bail!("--steady, --seconds and --clients must be above 0");
    }
    let simulator = Arc::new(
        Simulator::start(eiso_portal_sim::Config::default().with_account(
            PORTAL_USERNAME,
            PORTAL_PASSWORD,
            PORTAL_AGENCY,
        ))
        .await?,
    );
    let url = simulator.url();
    let server = Server::start(
        plan.binary,
        plan.database_url,
        &Portal {
            url: &url,
            username: PORTAL_USERNAME,
            password: PORTAL_PASSWORD,
            agency_code: PORTAL_AGENCY,
            interval_seconds: plan.interval_seconds,
        },
    )
    .await?;
    let outcome = measure(&plan, &server, simulator.clone()).await;
    if outcome.is_err() {
        eprintln!("--- the server's log (last lines) ---\n{}", server.log_tail());
    }
    server.stop().await?;
    outcome
}

async fn measure(plan: &Plan<'_>, server: &Server, simulator: Arc<Simulator>) -> anyhow::Result<()> {
    let control = server.connect().await?;
    let admin = Session::login(&control, "admin", &server.admin_password).await?;
    let (agency, clerk) = set_up(&control, &admin).await?;

    let total = u64::from(plan.rate) * plan.seconds;
    let waiting: Arc<Waiting> = Arc::default();
    let (done_tx, done) = tokio::sync::watch::channel(false);
    let watcher = tokio::spawn(watch_portal(simulator.clone(), waiting.clone(), done.clone()));
    let sampler = tokio::spawn(sample_status(control.clone(), admin, done));
    let mut channels = Vec::new();
    for _ in 0..plan.clients {
        channels.push(server.connect().await?);
    }
    let schedule = Arc::new(Schedule {
        start: Instant::now() + Duration::from_millis(200),
        rate: plan.rate,
        total,
        next: AtomicU64::new(0),
    });
    let tasks: Vec<_> = channels
        .into_iter()
        .map(|channel| {
            tokio::spawn(client(
                channel,
                clerk.clone(),
                agency.clone(),
                schedule.clone(),
                waiting.clone(),
            ))
        })
        .collect();
    let mut receipts = Vec::new();
    for task in tasks {
        receipts.extend(task.await.context("a client panicked")??);
    }
    let load_ended = Instant::now();
    let load = load_ended.saturating_duration_since(schedule.start);
    let rss_at_end = server.rss_mib();
    done_tx.send_replace(true);
    let (lags, last_arrival) = tokio::time::timeout(DRAIN_DEADLINE, watcher)
        .await
        .context("the sync did not deliver every receipt in time")?
        .context("the lag watcher panicked")?;
    let samples = sampler.await.context("the status sampler panicked")??;
    let drain = last_arrival.map_or(Duration::ZERO, |t| t.saturating_duration_since(load_ended));

    let late = receipts.iter().filter(|r| r.start_delay > LATE).count();
    let latest_start = receipts.iter().map(|r| r.start_delay).max().unwrap_or_default();
    let latencies: Vec<Duration> = receipts.iter().map(|r| r.latency).collect();
    let sampled_lag = samples.iter().map(|(_, _, lag)| *lag).fold(0.0, f64::max);
    let sampled_pending = samples.iter().map(|(_, pending, _)| *pending).max().unwrap_or(0);
    let held = simulator.dossiers().len();
    let counters = simulator.counters();
    println!("backend                 {}", crate::backend(plan.database_url));
    println!(
        "load                    {} receipts/s for {} s by {} clients, delivery every {} s",
        plan.rate, plan.seconds, plan.clients, plan.interval_seconds
    );
    println!(
        "received                {} in {:.1} s = {:.1} receipts/s; {late} started over {} ms late (latest {:.0} ms)",
        receipts.len(),
        load.as_secs_f64(),
        receipts.len() as f64 / load.as_secs_f64().max(1e-9),
        LATE.as_millis(),
        latest_start.as_secs_f64() * 1000.0
    );
    println!("receipt latency         {}", quantiles(&latencies));
    println!("lag to the portal       {} ({} receipts)", quantiles(&lags), lags.len());
    println!(
        "GetSyncStatus, 1/s      lag max {sampled_lag:.1} s, pending max {sampled_pending} ({} samples)",
        samples.len()
    );
    let every_ten: Vec<String> = samples
        .iter()
        .step_by(10)
        .skip(1)
        .map(|(at, pending, lag)| format!("{at:.0} s: {lag:.1} s ({pending})"))
        .collect();
    println!("  lag (pending) by time  {}", every_ten.join(", "));
    println!(
        "drained                 {:.1} s after the last receipt",
        drain.as_secs_f64()
    );
    println!("at the portal           {held}");
    println!("portal calls            {:?}", counters.calls);
    if let Some(rss) = rss_at_end {
        println!("server RSS at the end   {rss:.0} MiB");
    }
    if held as u64 != total || lags.len() as u64 != total || !counters.refusals.is_empty() {
        bail!(
            "not every receipt arrived: {held} at the portal, {} seen, {total} sent; refusals {:?}",
            lags.len(),
            counters.refusals
        );
    }
    Ok(())
}
