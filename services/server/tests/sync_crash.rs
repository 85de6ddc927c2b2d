//! Crash safety of the portal sync: the real `eiso-server` process delivers
//! dossiers to the portal's simulator (in this process) while clients
//! receive dossiers at the counter and move them through their statuses; it
//! is killed with SIGKILL twice while the sync is behind, started again on
//! the same data each time, and the clients finish their work. Once the sync
//! says nothing waits, the simulator must hold every dossier the server has,
//! none missing, each in the status the server gives it, having gone through
//! exactly the server's sequence of statuses: no change lost, none out of
//! order, a change sent again after a kill only ever an idempotent repeat of
//! the portal's current state (the portal lists a repeated status once and
//! does not count an identical update).
//!
//! The portal is slow while the clients work (every call's answer is held
//! 100 ms, so the sync falls behind by design) and now and then fails a call
//! (HTTP 500) or holds an answer past the sync's 2 s timeout (the call took
//! effect, the sync gives up and sends it again). The portal settings come
//! from a configuration file (the delivery interval and the timeout have no
//! environment variable) and `EISO_PORTAL_PASSWORD`.
//!
//! About 440 dossiers and 2,100 changes: receipts, hand-overs, supplements
//! requested and received, completions, returns, withdrawals, stops and
//! refusals. Each client records every call that returned OK and the one it
//! had in flight at a kill, whose outcome is read back from the server after
//! the restart (a receipt is sent again under its request id). Runs on
//! SQLite, or on a fresh PostgreSQL database when `EISO_TEST_DATABASE_URL` is
//! set. The moments of the kills and the dossiers' paths come from a seed
//! that is printed; `EISO_TEST_CRASH_SEED=<n>` replays one.

#![allow(clippy::unwrap_used)]

mod process;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use eiso_benchkit::splitmix::SplitMix64;
use eiso_portal_sim::{Fault, Simulator};
use eiso_proto::eiso::identity::v1::{Role, UnitKind};
use eiso_proto::eiso::procedures::v1::dossier_service_client::DossierServiceClient;
use eiso_proto::eiso::procedures::v1::procedure_service_client::ProcedureServiceClient;
use eiso_proto::eiso::procedures::v1::{
    Channel as Intake, CompleteDossierRequest, Dossier, DossierStatus, GetDossierRequest, HandOverDossierRequest,
    ListDossiersRequest, ProcedureStep, ProcedureVersion, ReceiveDossierRequest, ReceiveSupplementRequest,
    RefuseDossierRequest, RequestSupplementRequest, ReturnResultRequest, StopProcessingRequest, WatchEventsRequest,
    WithdrawDossierRequest,
};
use eiso_proto::eiso::sync::v1::sync_service_client::SyncServiceClient;
use eiso_proto::eiso::sync::v1::{
    DossierSync, GetSyncStatusRequest, ListDossierSyncsRequest, SyncStatus, dossier_sync,
};
use eiso_tests::counter::{TRANSFER, publish_procedure, transfer_receipt, transfer_version};
use eiso_tests::{ADMIN_PASSWORD, Dossiers, bearer};
use process::{ServerProcess, Storage, connect, login, password_of, unit_with_people};
use tonic::transport::Channel;

/// Clients working at once, each on a desk of a few open dossiers, moving a
/// random one of them a step at a time.
const CLIENTS: usize = 6;
const DESK: usize = 3;
/// Dossiers in all (4.8 changes each on average).
const DOSSIERS: usize = 440;
/// The kills come once this many per mille of the planned changes are
/// acknowledged (chosen by the seed).
const KILLS: [Range<u64>; 2] = [250..400, 550..700];
/// While the clients work, the portal holds each answer this long …
const SLOW_ANSWER_MS: u64 = 100;
/// … and the sync gives a call up after this long.
const PORTAL_TIMEOUT_SECONDS: u64 = 2;
/// Faults kept queued at the simulator while it is slow: every call gets one.
const QUEUED_FAULTS: usize = 32;
/// Deadlines: the clients' progress to a kill, and the sync's catching up.
const PROGRESS_DEADLINE: Duration = Duration::from_secs(120);
const DRAIN_DEADLINE: Duration = Duration::from_secs(120);

const CLERK: &str = "mot.cua";
const LEADER: &str = "lanh.dao";
const PORTAL_USERNAME: &str = "hp-dang-lam";
const PORTAL_PASSWORD: &str = "mat-khau-cong";
const PORTAL_AGENCY: &str = "000.31.H31";

// ---------------------------------------------------------------------------
// What the clients do.

/// One call that changes a dossier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Receive,
    Refuse,
    /// To step n of the procedure (1 and 2 after the intake).
    HandOver(i32),
    RequestSupplement,
    ReceiveSupplement,
    Complete,
    Return,
    Withdraw,
    Stop,
}

use Step::*;

/// The ways a dossier goes, with their weights: states 2 4 9 10; 2 5 2 4 9
/// 10; 2 4 5 4 9 10; 2 4 7; 2 4 8; 3.
const PATHS: [(u64, &[Step]); 6] = [
    (45, &[Receive, HandOver(1), HandOver(2), Complete, Return]),
    (
        15,
        &[
            Receive,
            RequestSupplement,
            ReceiveSupplement,
            HandOver(1),
            Complete,
            Return,
        ],
    ),
    (
        15,
        &[
            Receive,
            HandOver(1),
            RequestSupplement,
            ReceiveSupplement,
            HandOver(2),
            Complete,
            Return,
        ],
    ),
    (10, &[Receive, HandOver(1), Withdraw]),
    (8, &[Receive, HandOver(1), HandOver(2), Stop]),
    (7, &[Refuse]),
];

fn pick_path(rng: &mut SplitMix64) -> &'static [Step] {
    let total: u64 = PATHS.iter().map(|(weight, _)| weight).sum();
    let mut pick = rng.next_u64() % total;
    for (weight, path) in PATHS {
        if pick < weight {
            return path;
        }
        pick -= weight;
    }
    PATHS[0].1
}

/// Whether a dossier in `status` is where `step` leaves it.
fn leaves(step: Step, status: i32) -> bool {
    use DossierStatus as S;
    let expected: &[S] = match step {
        Receive => &[S::Received],
        Refuse => &[S::NotReceived],
        HandOver(_) => &[S::InProgress],
        RequestSupplement => &[S::SupplementRequested],
        ReceiveSupplement => &[S::Received, S::InProgress],
        Complete => &[S::Completed],
        Return => &[S::Returned],
        Withdraw => &[S::Withdrawn],
        Stop => &[S::Stopped],
    };
    expected.iter().any(|s| *s as i32 == status)
}

/// A dossier as its client knows it: what it was told by the calls that
/// returned OK, and whether its next step was in flight at a kill.
#[derive(Clone, Debug)]
struct DossierLog {
    number: usize,
    /// The receipt's (or refusal's) request id: sent again after a kill, the
    /// call is answered from the first one if that one took effect.
    request_id: String,
    path: &'static [Step],
    /// Empty until the receipt is acknowledged.
    name: String,
    code: String,
    /// Steps acknowledged.
    done: usize,
    in_flight: bool,
    /// The statuses of the dossier's history, and its number of hand-overs,
    /// as the last acknowledged call returned them.
    history: Vec<i32>,
    handovers: usize,
}

impl DossierLog {
    fn new(number: usize, path: &'static [Step]) -> Self {
        Self {
            number,
            request_id: uuid::Uuid::new_v4().to_string(),
            path,
            name: String::new(),
            code: String::new(),
            done: 0,
            in_flight: false,
            history: Vec::new(),
            handovers: 0,
        }
    }

    fn finished(&self) -> bool {
        self.done == self.path.len()
    }

    fn acknowledge(&mut self, dossier: &Dossier) {
        self.name.clone_from(&dossier.name);
        self.code.clone_from(&dossier.code);
        self.history = statuses(dossier);
        self.handovers = dossier.handovers.len();
        self.done += 1;
    }
}

fn statuses(dossier: &Dossier) -> Vec<i32> {
    dossier.history.iter().map(|change| change.status).collect()
}

/// The statuses as the portal lists them: a status repeated by consecutive
/// changes once.
fn collapse(statuses: &[i32]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for status in statuses.iter().map(i32::to_string) {
        if out.last() != Some(&status) {
            out.push(status);
        }
    }
    out
}

/// What the clients share while they run.
struct Shared {
    killed: AtomicBool,
    /// Changes acknowledged, in all lives.
    acknowledged: AtomicU64,
    /// The next dossier of `plan` to start.
    next_dossier: AtomicUsize,
    plan: Vec<&'static [Step]>,
    agency: String,
    /// `users/{id}` of the leader, who receives the hand-overs.
    leader: String,
}

/// The tokens of one life of the server.
struct Tokens {
    clerk: String,
    leader: String,
}

fn dossiers(channel: Channel, token: &str) -> Dossiers {
    DossierServiceClient::with_interceptor(channel, bearer(Some(token)))
}

async fn call(
    step: Step,
    log: &DossierLog,
    shared: &Shared,
    clerk: &mut Dossiers,
    leader: &mut Dossiers,
) -> Result<Dossier, tonic::Status> {
    let name = log.name.clone();
    let applicant = format!("Công dân số {}", log.number);
    let response = match step {
        Receive => {
            clerk
                .receive_dossier(ReceiveDossierRequest {
                    request_id: log.request_id.clone(),
                    ..transfer_receipt(&shared.agency, &applicant, Intake::Direct)
                })
                .await
        }
        Refuse => {
            clerk
                .refuse_dossier(RefuseDossierRequest {
                    agency: shared.agency.clone(),
                    procedure: format!("procedures/{TRANSFER}"),
                    applicant: transfer_receipt(&shared.agency, &applicant, Intake::Direct).applicant,
                    reason: "Hồ sơ không thuộc thẩm quyền giải quyết".into(),
                    request_id: log.request_id.clone(),
                })
                .await
        }
        HandOver(step) => {
            clerk
                .hand_over_dossier(HandOverDossierRequest {
                    name,
                    step,
                    receiver: shared.leader.clone(),
                    note: format!("Chuyển bước {}", step + 1),
                })
                .await
        }
        RequestSupplement => {
            clerk
                .request_supplement(RequestSupplementRequest {
                    name,
                    reason: "Thiếu học bạ".into(),
                    documents: vec!["Học bạ".into()],
                })
                .await
        }
        ReceiveSupplement => clerk.receive_supplement(ReceiveSupplementRequest { name }).await,
        Complete => {
            leader
                .complete_dossier(CompleteDossierRequest {
                    name,
                    result_summary: "Đồng ý chuyển trường".into(),
                    digitised: true,
                })
                .await
        }
        Return => clerk.return_result(ReturnResultRequest { name }).await,
        Withdraw => {
            clerk
                .withdraw_dossier(WithdrawDossierRequest {
                    name,
                    reason: "Công dân rút hồ sơ".into(),
                })
                .await
        }
        Stop => {
            leader
                .stop_processing(StopProcessingRequest {
                    name,
                    reason: "Hồ sơ có giấy tờ giả mạo".into(),
                })
                .await
        }
    };
    response.map(tonic::Response::into_inner)
}

/// What a client hands back: its open dossiers, those it took to their end,
/// and why it stopped early, if it did.
struct ClientEnd {
    desk: Vec<DossierLog>,
    finished: Vec<DossierLog>,
    failure: Option<String>,
}

/// Works until there is nothing left to start or finish, or the server dies.
async fn run_client(
    channel: Channel,
    tokens: Arc<Tokens>,
    shared: Arc<Shared>,
    mut desk: Vec<DossierLog>,
    seed: u64,
) -> ClientEnd {
    let mut rng = SplitMix64(seed);
    let mut clerk = dossiers(channel.clone(), &tokens.clerk);
    let mut leader = dossiers(channel, &tokens.leader);
    let mut finished = Vec::new();
    let failure = loop {
        if desk.len() < DESK {
            let number = shared.next_dossier.fetch_add(1, Ordering::SeqCst);
            if let Some(path) = shared.plan.get(number) {
                desk.push(DossierLog::new(number, path));
            }
        }
        if desk.is_empty() {
            break None;
        }
        let i = (rng.next_u64() % desk.len() as u64) as usize;
        let step = desk[i].path[desk[i].done];
        match call(step, &desk[i], &shared, &mut clerk, &mut leader).await {
            Ok(dossier) if leaves(step, dossier.status) => {
                desk[i].acknowledge(&dossier);
                shared.acknowledged.fetch_add(1, Ordering::SeqCst);
                if desk[i].finished() {
                    finished.push(desk.swap_remove(i));
                }
            }
            Ok(dossier) => {
                break Some(format!(
                    "{step:?} of dossier {} left {} in status {}",
                    desk[i].number, dossier.code, dossier.status
                ));
            }
            Err(_) if shared.killed.load(Ordering::SeqCst) => {
                desk[i].in_flight = true;
                break None;
            }
            Err(status) => {
                break Some(format!(
                    "{step:?} of dossier {} ({}): {status:?}",
                    desk[i].number, desk[i].code
                ));
            }
        }
    };
    ClientEnd {
        desk,
        finished,
        failure,
    }
}

/// How a call in flight at a kill turned out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    TookEffect,
    DidNot,
    /// A receipt or refusal: its client sends it again under the same
    /// request id, and the server answers from the first if it took effect.
    SentAgain,
}

/// After a restart: how the step a dossier had in flight at the kill turned
/// out (`None`: it had none).
async fn resolve_in_flight(clerk: &mut Dossiers, log: &mut DossierLog) -> Result<Option<Outcome>, String> {
    if !log.in_flight {
        return Ok(None);
    }
    log.in_flight = false;
    let step = log.path[log.done];
    if matches!(step, Receive | Refuse) {
        return Ok(Some(Outcome::SentAgain));
    }
    let now = clerk
        .get_dossier(GetDossierRequest { name: log.name.clone() })
        .await
        .unwrap()
        .into_inner();
    let history = statuses(&now);
    if history == log.history && now.handovers.len() == log.handovers {
        return Ok(Some(Outcome::DidNot));
    }
    let one_step_on = history.starts_with(&log.history)
        && history.len() <= log.history.len() + 1
        && now.handovers.len() <= log.handovers + 1
        && leaves(step, now.status);
    if !one_step_on {
        return Err(format!(
            "{}: {step:?} was in flight with the history {:?} and {} hand-overs acknowledged; \
             now {:?} and {}: no one step explains it",
            log.code,
            log.history,
            log.handovers,
            history,
            now.handovers.len()
        ));
    }
    log.acknowledge(&now);
    Ok(Some(Outcome::TookEffect))
}

// ---------------------------------------------------------------------------
// The server's side.

/// The agency with its counter clerk and leader, and the published procedure
/// (three steps, so that a dossier is handed over twice in the same status).
async fn set_up(channel: &Channel) -> (String, String) {
    let agency = unit_with_people(
        channel,
        ("UBND-DANGLAM", "Ủy ban nhân dân phường Đằng Lâm", UnitKind::Commune),
        &[(CLERK, Role::CounterStaff), (LEADER, Role::Leader)],
    )
    .await;
    let (leader_token, leader) = login(channel, LEADER, &password_of(LEADER)).await;
    let step = |display_name: &str, working_hours| ProcedureStep {
        display_name: display_name.into(),
        handler: "Ủy ban nhân dân phường".into(),
        working_hours,
    };
    let version = ProcedureVersion {
        steps: vec![
            step("Tiếp nhận và chuyển hồ sơ", 4),
            step("Thẩm định hồ sơ", 16),
            step("Ký duyệt, trả kết quả", 4),
        ],
        ..transfer_version(&agency)
    };
    publish_procedure(
        &mut ProcedureServiceClient::with_interceptor(channel.clone(), bearer(Some(&leader_token))),
        TRANSFER,
        version,
    )
    .await;
    (agency, leader)
}

async fn sign_in(channel: &Channel) -> Arc<Tokens> {
    let (clerk, _) = login(channel, CLERK, &password_of(CLERK)).await;
    let (leader, _) = login(channel, LEADER, &password_of(LEADER)).await;
    Arc::new(Tokens { clerk, leader })
}

/// Waits until the sync has taken in the whole event stream and nothing
/// waits for delivery; returns the sync's status then.
async fn wait_until_delivered(channel: &Channel, admin_token: &str) -> SyncStatus {
    let mut sync = SyncServiceClient::with_interceptor(channel.clone(), bearer(Some(admin_token)));
    let mut catalogue = ProcedureServiceClient::with_interceptor(channel.clone(), bearer(Some(admin_token)));
    let deadline = Instant::now() + DRAIN_DEADLINE;
    loop {
        let status = sync
            .get_sync_status(GetSyncStatusRequest {})
            .await
            .unwrap()
            .into_inner();
        assert_eq!(status.parked_dossiers, 0, "dossiers were parked: {status:?}");
        if status.pending_dossiers == 0 {
            // Taken in up to the stream's end: nothing follows the cursor.
            let mut events = catalogue
                .watch_events(WatchEventsRequest {
                    after_sequence: status.cursor,
                })
                .await
                .unwrap()
                .into_inner();
            if tokio::time::timeout(Duration::from_secs(1), events.message())
                .await
                .is_err()
            {
                return status;
            }
        }
        assert!(
            Instant::now() < deadline,
            "the sync did not catch up in {DRAIN_DEADLINE:?}: {status:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn list_dossiers(client: &Dossiers) -> Vec<Dossier> {
    process::all_pages(|page_token| {
        let mut client = client.clone();
        async move {
            let page = client
                .list_dossiers(ListDossiersRequest {
                    page_size: 1000,
                    page_token,
                    ..Default::default()
                })
                .await
                .unwrap()
                .into_inner();
            (page.dossiers, page.next_page_token)
        }
    })
    .await
}

async fn list_syncs(channel: &Channel, admin_token: &str) -> Vec<DossierSync> {
    let sync = SyncServiceClient::with_interceptor(channel.clone(), bearer(Some(admin_token)));
    process::all_pages(|page_token| {
        let mut sync = sync.clone();
        async move {
            let page = sync
                .list_dossier_syncs(ListDossierSyncsRequest {
                    page_size: 1000,
                    page_token,
                    ..Default::default()
                })
                .await
                .unwrap()
                .into_inner();
            (page.dossier_syncs, page.next_page_token)
        }
    })
    .await
}

// ---------------------------------------------------------------------------
// The portal's side.

/// Keeps a fault queued for every portal call while `slow`: most answers
/// held [`SLOW_ANSWER_MS`], one in fifty past the sync's timeout, one in
/// fifty an HTTP 500. Returns how many of each it queued.
async fn slow_down(simulator: Arc<Simulator>, slow: Arc<AtomicBool>, seed: u64) -> BTreeMap<&'static str, u64> {
    let mut rng = SplitMix64(seed);
    let mut queued = BTreeMap::new();
    while slow.load(Ordering::SeqCst) {
        let waiting = simulator.fail_next(0, Fault::Http500);
        for _ in waiting..QUEUED_FAULTS {
            let (kind, fault) = match rng.next_u64() % 100 {
                0..2 => (
                    "held past the timeout",
                    Fault::Delay {
                        millis: PORTAL_TIMEOUT_SECONDS * 1000 + 500,
                    },
                ),
                2..4 => ("HTTP 500", Fault::Http500),
                _ => ("slow", Fault::Delay { millis: SLOW_ANSWER_MS }),
            };
            simulator.fail_next(1, fault);
            *queued.entry(kind).or_insert(0) += 1;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    queued
}

/// How far the portal is behind what the clients were told, right after a
/// kill: (statuses the portal holds, statuses acknowledged), each dossier's
/// counted as the portal lists them.
fn portal_progress(simulator: &Simulator, logs: &[&DossierLog]) -> (usize, usize) {
    let mut held = 0;
    let mut acknowledged = 0;
    for log in logs.iter().filter(|log| !log.name.is_empty()) {
        acknowledged += collapse(&log.history).len();
        held += simulator.dossier(&log.code).map_or(0, |record| record.states.len());
    }
    (held, acknowledged)
}

// ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_dossier_reaches_the_portal_in_order_through_two_kills() {
    let seed = std::env::var("EISO_TEST_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or_else(|| uuid::Uuid::new_v4().as_u64_pair().0);
    let mut rng = SplitMix64(seed);
    let plan: Vec<&'static [Step]> = (0..DOSSIERS).map(|_| pick_path(&mut rng)).collect();
    let changes: u64 = plan.iter().map(|path| path.len() as u64).sum();
    let kill_at: Vec<u64> = KILLS
        .iter()
        .map(|range| changes * (range.start + rng.next_u64() % (range.end - range.start)) / 1000)
        .collect();
    let storage = Storage::fresh().await;
    eprintln!(
        "sync crash test: seed {seed} (EISO_TEST_CRASH_SEED), {}, {DOSSIERS} dossiers, {changes} changes, \
         kills after {kill_at:?} acknowledged",
        storage.backend_name()
    );

    let simulator = Arc::new(
        Simulator::start(eiso_portal_sim::Config::default().with_account(
            PORTAL_USERNAME,
            PORTAL_PASSWORD,
            PORTAL_AGENCY,
        ))
        .await
        .unwrap(),
    );
    let files = tempfile::tempdir().unwrap();
    let config = files.path().join("eiso.toml");
    std::fs::write(
        &config,
        format!(
            "[portal]\nurl = \"{}\"\nusername = \"{PORTAL_USERNAME}\"\nagency_code = \"{PORTAL_AGENCY}\"\n\
             timeout_seconds = {PORTAL_TIMEOUT_SECONDS}\ninterval_seconds = 1\n",
            simulator.url()
        ),
    )
    .unwrap();
    let config = config.to_str().unwrap().to_string();
    let env = [
        ("EISO_CONFIG", config.as_str()),
        ("EISO_PORTAL_PASSWORD", PORTAL_PASSWORD),
    ];
    let slow = Arc::new(AtomicBool::new(true));
    let slowing = tokio::spawn(slow_down(simulator.clone(), slow.clone(), rng.next_u64()));

    let started = Instant::now();
    let mut server = ServerProcess::start_with(&storage, files.path().join("life-1.log"), &env).await;
    let (agency, leader) = set_up(&connect(&server.url()).await).await;
    let shared = Arc::new(Shared {
        killed: AtomicBool::new(false),
        acknowledged: AtomicU64::new(0),
        next_dossier: AtomicUsize::new(0),
        plan,
        agency,
        leader,
    });
    let mut desks: Vec<Vec<DossierLog>> = vec![Vec::new(); CLIENTS];
    let mut finished: Vec<DossierLog> = Vec::new();
    let mut in_flight: BTreeMap<Outcome, usize> = BTreeMap::new();

    for life in 1..=KILLS.len() + 1 {
        if life > 1 {
            server = ServerProcess::start_with(&storage, files.path().join(format!("life-{life}.log")), &env).await;
            let control = connect(&server.url()).await;
            let tokens = sign_in(&control).await;
            let mut clerk = dossiers(control, &tokens.clerk);
            let mut problems = Vec::new();
            for desk in &mut desks {
                for log in desk.iter_mut() {
                    match resolve_in_flight(&mut clerk, log).await {
                        Ok(None) => {}
                        Ok(Some(outcome)) => {
                            if outcome == Outcome::TookEffect {
                                shared.acknowledged.fetch_add(1, Ordering::SeqCst);
                            }
                            *in_flight.entry(outcome).or_insert(0) += 1;
                        }
                        Err(problem) => problems.push(problem),
                    }
                }
                let (done, open): (Vec<_>, Vec<_>) = desk.drain(..).partition(DossierLog::finished);
                finished.extend(done);
                *desk = open;
            }
            assert!(
                problems.is_empty(),
                "after restart {life} (seed {seed}):\n{}",
                problems.join("\n")
            );
        }
        let url = server.url();
        let tokens = sign_in(&connect(&url).await).await;
        let mut clients = Vec::new();
        for desk in &mut desks {
            clients.push(tokio::spawn(run_client(
                connect(&url).await,
                tokens.clone(),
                shared.clone(),
                std::mem::take(desk),
                rng.next_u64(),
            )));
        }
        let kill = kill_at.get(life - 1).copied();
        if let Some(kill) = kill {
            let deadline = Instant::now() + PROGRESS_DEADLINE;
            while shared.acknowledged.load(Ordering::SeqCst) < kill
                && !clients.iter().any(tokio::task::JoinHandle::is_finished)
            {
                assert!(
                    Instant::now() < deadline,
                    "the clients made too little progress in {PROGRESS_DEADLINE:?}: {} of {kill} changes",
                    shared.acknowledged.load(Ordering::SeqCst)
                );
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            shared.killed.store(true, Ordering::SeqCst);
            server.kill();
        }
        let mut failures = Vec::new();
        for (desk, client) in desks.iter_mut().zip(clients) {
            let end = client.await.unwrap();
            *desk = end.desk;
            finished.extend(end.finished);
            failures.extend(end.failure);
        }
        assert!(
            failures.is_empty(),
            "calls failed in life {life} (seed {seed}): {failures:#?}"
        );
        if kill.is_some() {
            let acknowledged = shared.acknowledged.load(Ordering::SeqCst);
            let logs: Vec<&DossierLog> = finished.iter().chain(desks.iter().flatten()).collect();
            let (held, told) = portal_progress(&simulator, &logs);
            eprintln!(
                "sync crash test: killed in life {life} after {:.1?}, {acknowledged} changes acknowledged; \
                 the portal held {held} of the {told} statuses acknowledged",
                started.elapsed()
            );
            assert!(
                held < told,
                "the sync was not behind at the kill: the test tests less than it says"
            );
            shared.killed.store(false, Ordering::SeqCst);
        }
    }
    let worked = started.elapsed();
    assert!(desks.iter().all(Vec::is_empty), "work left: {desks:?}");
    assert_eq!(shared.acknowledged.load(Ordering::SeqCst), changes);

    // The portal comes back to speed; the sync catches up.
    slow.store(false, Ordering::SeqCst);
    let faults = slowing.await.unwrap();
    let control = connect(&server.url()).await;
    let (admin_token, _) = login(&control, "admin", ADMIN_PASSWORD).await;
    let status = wait_until_delivered(&control, &admin_token).await;
    let drained = started.elapsed() - worked;

    // Against the server: every acknowledged dossier there, as acknowledged.
    let mut problems = Vec::new();
    let all = list_dossiers(&dossiers(control.clone(), &admin_token)).await;
    let logs: HashMap<&str, &DossierLog> = finished.iter().map(|log| (log.name.as_str(), log)).collect();
    if all.len() != DOSSIERS || logs.len() != DOSSIERS {
        problems.push(format!(
            "{} dossiers on the server, {} acknowledged, {DOSSIERS} planned",
            all.len(),
            logs.len()
        ));
    }
    let on_server: HashSet<&str> = all.iter().map(|d| d.name.as_str()).collect();
    for log in logs.values().filter(|log| !on_server.contains(log.name.as_str())) {
        problems.push(format!(
            "{} ({}): acknowledged but not on the server",
            log.name, log.code
        ));
    }
    // Against the portal: every dossier of the server there, in its final
    // status, through exactly the server's statuses in order.
    for dossier in &all {
        let history = statuses(dossier);
        if let Some(log) = logs.get(dossier.name.as_str())
            && log.history != history
        {
            problems.push(format!(
                "{}: the server's history {history:?}, the last answer's {:?}",
                dossier.code, log.history
            ));
        }
        let Some(held) = simulator.dossier(&dossier.code) else {
            problems.push(format!("{}: not at the portal", dossier.code));
            continue;
        };
        let expected = collapse(&history);
        if held.states != expected {
            problems.push(format!(
                "{}: the portal went through {:?}, the server through {expected:?}",
                dossier.code, held.states
            ));
        }
        let status = dossier.status.to_string();
        if held.dossier.get("TrangThaiHoSo").and_then(|v| v.as_str()) != Some(status.as_str()) {
            problems.push(format!(
                "{}: status {:?} at the portal, {status} on the server",
                dossier.code,
                held.dossier.get("TrangThaiHoSo")
            ));
        }
        let changes = logs.get(dossier.name.as_str()).map_or(0, |log| log.path.len());
        if held.updates as usize >= changes.max(1) {
            problems.push(format!(
                "{}: {} updates at the portal for {changes} changes: a repeat that was not idempotent",
                dossier.code, held.updates
            ));
        }
    }
    let at_portal = simulator.dossiers().len();
    if at_portal != all.len() {
        problems.push(format!(
            "{at_portal} dossiers at the portal, {} on the server",
            all.len()
        ));
    }
    let counters = simulator.counters();
    if !counters.refusals.is_empty() {
        problems.push(format!("the portal refused calls: {:#?}", counters.refusals));
    }
    // The sync's own account agrees.
    let syncs = list_syncs(&control, &admin_token).await;
    let unsynced: Vec<&DossierSync> = syncs
        .iter()
        .filter(|s| s.state != dossier_sync::State::Synced as i32 || s.synced_sequence != s.seen_sequence)
        .collect();
    if syncs.len() != all.len() || !unsynced.is_empty() {
        problems.push(format!(
            "{} dossier syncs for {} dossiers; not synced: {unsynced:#?}",
            syncs.len(),
            all.len()
        ));
    }
    assert!(
        problems.is_empty(),
        "after the kills (seed {seed}):\n{}",
        problems.join("\n")
    );
    eprintln!(
        "sync crash test: {changes} changes worked in {worked:.1?}, the sync caught up {drained:.1?} later \
         (cursor {}); {} dossiers at the portal in order; in flight at the kills: {in_flight:?}; \
         portal faults {faults:?}; portal calls {:?}",
        status.cursor,
        all.len(),
        counters.calls
    );
    drop(server);
    storage.backend.drop_storage().await;
}
