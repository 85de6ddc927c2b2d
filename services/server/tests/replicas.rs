//! The scaled-out shape as processes: three `eiso-server` replicas on one
//! database (a fresh PostgreSQL database when `EISO_TEST_DATABASE_URL` is
//! set, else shared SQLite files) and one S3 bucket (the s3s-fs server, where
//! there is one), each with its own search index. Counter clients receive
//! dossiers spread over the replicas; one replica is killed with SIGKILL in
//! the middle, another is stopped with SIGTERM and started again (a rolling
//! restart). A client whose call fails sends it again to another replica
//! under the same request id.
//!
//! A search replica (`EISO_SERVICES=search`) in a process of its own follows
//! the replica that stays up over gRPC, as an API client bound at the root.
//!
//! The same again with identity apart: one process hosts identity alone (at
//! an address the others keep), the three replicas every other service with
//! identity upstream; identity is killed with SIGKILL and started again on
//! its address in the middle, besides the replicas' kill and restart. The
//! audit trails, identity's included, are verified through a replica.
//!
//! Afterwards every acknowledged receipt is there with the code it was
//! acknowledged with, no receipt is there twice, the codes of each day run
//! from 1 without a gap, the audit trails are intact, and each surviving
//! replica's search index, and the search replica's, finds every dossier.

#![allow(clippy::unwrap_used)]

mod process;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use eiso_blobs::test_server::S3Server;
use eiso_proto::eiso::audit::v1::VerifyAuditTrailRequest;
use eiso_proto::eiso::audit::v1::audit_service_client::AuditServiceClient;
use eiso_proto::eiso::identity::v1::identity_service_client::IdentityServiceClient;
use eiso_proto::eiso::identity::v1::{
    ApiClient, CreateApiClientRequest, ListUnitsRequest, Role, RoleBinding, UnitKind,
};
use eiso_proto::eiso::procedures::v1::dossier_service_client::DossierServiceClient;
use eiso_proto::eiso::procedures::v1::procedure_service_client::ProcedureServiceClient;
use eiso_proto::eiso::procedures::v1::{Channel as Intake, ListDossiersRequest, ReceiveDossierRequest};
use eiso_proto::eiso::search::v1::SearchRequest;
use eiso_proto::eiso::search::v1::search_service_client::SearchServiceClient;
use eiso_tests::counter::{TRANSFER, publish_procedure, transfer_receipt, transfer_version};
use eiso_tests::{ADMIN_PASSWORD, bearer};
use process::{ServerProcess, Storage, connect, login, password_of, unit_with_people};
use tonic::transport::{Channel, Endpoint};

const CLERK: &str = "mot.cua";
const LEADER: &str = "lanh.dao";
const REPLICAS: usize = 3;
const CLIENTS: usize = 4;
const RECEIPTS_PER_CLIENT: usize = 60;
/// The kill comes after this many acknowledged receipts, the rolling
/// restart after that many.
const KILL_AT: usize = 70;
const RESTART_AT: usize = 150;
/// With identity apart, identity's process is killed after this many.
const IDENTITY_KILL_AT: usize = 110;
/// How long a client keeps sending one receipt again.
const RETRY_DEADLINE: Duration = Duration::from_secs(90);

/// The replicas' addresses as the clients see them (a load balancer's list).
struct Balancer {
    channels: RwLock<Vec<Channel>>,
}

impl Balancer {
    fn set(&self, replica: usize, url: &str) {
        self.channels.write().unwrap()[replica] = lazy(url);
    }

    fn get(&self, replica: usize) -> Channel {
        self.channels.read().unwrap()[replica % REPLICAS].clone()
    }
}

fn lazy(url: &str) -> Channel {
    Endpoint::from_shared(url.to_string())
        .unwrap()
        .connect_timeout(Duration::from_secs(2))
        .timeout(Duration::from_secs(30))
        .connect_lazy()
}

fn start_env(search: &tempfile::TempDir, s3: Option<&S3Server>) -> Vec<(String, String)> {
    let mut env = vec![(
        "EISO_SEARCH_DIR".to_string(),
        search.path().to_string_lossy().into_owned(),
    )];
    if let Some(s3) = s3 {
        env.extend(s3.env());
    }
    env
}

/// How the services are spread over the processes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// Every service in each replica, and a search replica.
    AllInOne,
    /// Identity in a process of its own; every other service in each replica.
    IdentityApart,
}

/// A new API client bound at the root unit with `roles`, created by the
/// administrator through `channel`: its id and secret.
async fn root_api_client(channel: &Channel, name: &str, roles: &[Role]) -> (String, String) {
    let (admin, _) = login(channel, "admin", ADMIN_PASSWORD).await;
    let mut identity = IdentityServiceClient::with_interceptor(channel.clone(), bearer(Some(&admin)));
    let units = identity
        .list_units(ListUnitsRequest {
            page_size: 1000,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .units;
    let root = units.iter().find(|u| u.parent.is_empty()).unwrap().name.clone();
    let created = identity
        .create_api_client(CreateApiClientRequest {
            api_client: Some(ApiClient {
                display_name: name.into(),
                role_bindings: roles
                    .iter()
                    .map(|role| RoleBinding {
                        role: *role as i32,
                        unit: root.clone(),
                    })
                    .collect(),
                ..Default::default()
            }),
            request_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    (created.client_id, created.client_secret)
}

/// The settings of a process that follows `upstream` as the API client
/// `client`, hosting `services`.
fn following(services: &str, upstream: &str, (id, secret): &(String, String)) -> Vec<(String, String)> {
    vec![
        ("EISO_SERVICES".to_string(), services.to_string()),
        ("EISO_UPSTREAM_URL".to_string(), upstream.to_string()),
        ("EISO_UPSTREAM_CLIENT_ID".to_string(), id.clone()),
        ("EISO_UPSTREAM_CLIENT_SECRET".to_string(), secret.clone()),
    ]
}

/// An address on 127.0.0.1 free now, for a process started again on it.
fn free_address() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().to_string()
}

async fn start(storage: &Storage, replica: usize, life: usize, env: &[(String, String)]) -> ServerProcess {
    let log = storage.data_dir.join(format!("replica-{replica}-{life}.log"));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    ServerProcess::start_with(storage, log, &env).await
}

/// Receives one dossier, sending it again to the next replica while it
/// fails; the code it was acknowledged with.
async fn receive(
    balancer: &Balancer,
    first: usize,
    token: &str,
    request: ReceiveDossierRequest,
) -> Result<String, String> {
    let deadline = Instant::now() + RETRY_DEADLINE;
    let mut replica = first;
    loop {
        let mut client = DossierServiceClient::with_interceptor(balancer.get(replica), bearer(Some(token)));
        match client.receive_dossier(request.clone()).await {
            Ok(dossier) => return Ok(dossier.into_inner().code),
            Err(status) if Instant::now() < deadline => {
                a_replica_going_away(&status);
                replica += 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(status) => return Err(format!("{}: {status:?}", request.request_id)),
        }
    }
}

/// Calls sent again to another replica.
static SENT_AGAIN: AtomicUsize = AtomicUsize::new(0);

/// Refusals a client may meet while a replica goes away: transport errors
/// and a draining server's answers. Anything else is a defect.
fn a_replica_going_away(status: &tonic::Status) {
    use tonic::Code::*;
    SENT_AGAIN.fetch_add(1, Ordering::SeqCst);
    assert!(
        matches!(
            status.code(),
            Unavailable | Unknown | Cancelled | Internal | DeadlineExceeded
        ),
        "a receipt was refused for a reason other than a replica going away: {status:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn receipts_survive_a_killed_replica_and_a_rolling_restart() {
    run(Shape::AllInOne).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn receipts_survive_a_killed_replica_and_identity_killed_when_identity_is_apart() {
    run(Shape::IdentityApart).await;
}

/// What identity's process is at, and how it is started (again).
struct IdentityApart {
    process: ServerProcess,
    listen: String,
    lives: usize,
}

impl IdentityApart {
    async fn start(storage: &Storage, listen: String, life: usize) -> ServerProcess {
        let log = storage.data_dir.join(format!("identity-{life}.log"));
        ServerProcess::start_on(storage, &listen, log, &[("EISO_SERVICES", "identity")]).await
    }
}

async fn run(shape: Shape) {
    let storage = Storage::fresh().await;
    let s3 = S3Server::start();
    let searches: Vec<tempfile::TempDir> = (0..REPLICAS).map(|_| tempfile::tempdir().unwrap()).collect();
    // Identity apart: its process first, and the replicas follow it as an
    // API client that reads the unit tree and the users.
    let mut identity = match shape {
        Shape::AllInOne => None,
        Shape::IdentityApart => {
            let listen = free_address();
            let process = IdentityApart::start(&storage, listen.clone(), 0).await;
            Some(IdentityApart {
                process,
                listen,
                lives: 1,
            })
        }
    };
    let replica_env = match &identity {
        None => Vec::new(),
        Some(identity) => {
            let client = root_api_client(&connect(&identity.process.url()).await, "Các dịch vụ", &[Role::Admin]).await;
            following(
                "documents,procedures,plans,quality,search,sync,notify",
                &identity.process.url(),
                &client,
            )
        }
    };
    let env_of = |search: &tempfile::TempDir| [start_env(search, s3.as_ref()), replica_env.clone()].concat();
    let mut replicas = Vec::new();
    for (replica, search) in searches.iter().take(REPLICAS).enumerate() {
        replicas.push(start(&storage, replica, 0, &env_of(search)).await);
    }
    let balancer = Arc::new(Balancer {
        channels: RwLock::new(replicas.iter().map(|r| lazy(&r.url())).collect()),
    });

    // Sign-in and the people: where identity is.
    // (Its address does not change when it is started again.)
    let identity_at = identity.as_ref().map(|identity| identity.process.url());
    let identity_url = |replica: &ServerProcess| identity_at.clone().unwrap_or_else(|| replica.url());
    let channel = connect(&identity_url(&replicas[0])).await;
    let agency = unit_with_people(
        &channel,
        ("UBND-DANGLAM", "Ủy ban nhân dân phường Đằng Lâm", UnitKind::Commune),
        &[(CLERK, Role::CounterStaff), (LEADER, Role::Leader)],
    )
    .await;
    let (leader, _) = login(&channel, LEADER, &password_of(LEADER)).await;
    publish_procedure(
        &mut ProcedureServiceClient::with_interceptor(connect(&replicas[0].url()).await, bearer(Some(&leader))),
        TRANSFER,
        transfer_version(&agency),
    )
    .await;
    // Signed in on one replica (or at identity), the token is good on all.
    let (clerk, _) = login(&connect(&identity_url(&replicas[2])).await, CLERK, &password_of(CLERK)).await;

    // The search replica: an API client at the root (administrator to follow
    // the streams, leader to index applicants), following replica 2. (With
    // identity apart it would follow a load balancer that routes identity's
    // calls to identity: not in this test.)
    let search_dir = tempfile::tempdir().unwrap();
    let search_replica = match shape {
        Shape::IdentityApart => None,
        Shape::AllInOne => {
            let client = root_api_client(&channel, "Tìm kiếm (bản sao)", &[Role::Admin, Role::Leader]).await;
            let mut env = following("search", &replicas[2].url(), &client);
            env.push((
                "EISO_SEARCH_DIR".to_string(),
                search_dir.path().to_string_lossy().into_owned(),
            ));
            Some(start(&storage, REPLICAS, 0, &env).await)
        }
    };

    let acknowledged = Arc::new(AtomicUsize::new(0));
    let mut clients = Vec::new();
    for client in 0..CLIENTS {
        let (balancer, acknowledged, clerk, agency) =
            (balancer.clone(), acknowledged.clone(), clerk.clone(), agency.clone());
        clients.push(tokio::spawn(async move {
            let mut codes = Vec::new();
            for n in 0..RECEIPTS_PER_CLIENT {
                let request = ReceiveDossierRequest {
                    request_id: format!("c{client}-n{n}"),
                    ..transfer_receipt(&agency, &format!("Công dân {client}-{n}"), Intake::Direct)
                };
                let code = receive(&balancer, client + n, &clerk, request.clone()).await?;
                acknowledged.fetch_add(1, Ordering::SeqCst);
                codes.push((request.request_id, code));
            }
            Ok::<_, String>(codes)
        }));
    }

    let wait_for = |count: usize| {
        let acknowledged = acknowledged.clone();
        async move {
            let deadline = Instant::now() + Duration::from_secs(120);
            while acknowledged.load(Ordering::SeqCst) < count {
                assert!(
                    Instant::now() < deadline,
                    "the clients stalled at {}",
                    acknowledged.load(Ordering::SeqCst)
                );
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    };
    wait_for(KILL_AT).await;
    replicas[0].kill();
    if let Some(identity) = identity.as_mut() {
        // Identity dies and comes back on its address: meanwhile the
        // replicas answer from the tokens and the unit tree they hold, and
        // what needs identity fails UNAVAILABLE and is sent again.
        wait_for(IDENTITY_KILL_AT).await;
        identity.process.kill();
        identity.process = IdentityApart::start(&storage, identity.listen.clone(), identity.lives).await;
        identity.lives += 1;
    }
    wait_for(RESTART_AT).await;
    // Rolling restart of replica 1: drained with SIGTERM, started again (on
    // another port, as a new pod), put back in the balancer's list.
    replicas[1].terminate();
    replicas[1] = start(&storage, 1, 1, &env_of(&searches[1])).await;
    balancer.set(1, &replicas[1].url());

    let mut acked: HashMap<String, String> = HashMap::new();
    for client in clients {
        for (request_id, code) in client.await.unwrap().unwrap() {
            acked.insert(request_id, code);
        }
    }
    assert_eq!(acked.len(), CLIENTS * RECEIPTS_PER_CLIENT);

    // Every acknowledged receipt, once, with its code; the codes of each day
    // from 1 without a gap.
    let channel = connect(&replicas[2].url()).await;
    let (admin, _) = login(&connect(&identity_url(&replicas[2])).await, "admin", ADMIN_PASSWORD).await;
    let mut listing = DossierServiceClient::with_interceptor(channel.clone(), bearer(Some(&admin)));
    let mut stored = Vec::new();
    let mut page_token = String::new();
    loop {
        let page = listing
            .list_dossiers(ListDossiersRequest {
                page_size: 100,
                page_token: page_token.clone(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        stored.extend(page.dossiers.into_iter().map(|d| d.code));
        page_token = page.next_page_token;
        if page_token.is_empty() {
            break;
        }
    }
    assert_eq!(stored.len(), acked.len(), "a receipt is missing or there twice");
    let mut by_day: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for code in &stored {
        let (prefix, number) = code.rsplit_once('-').unwrap();
        by_day
            .entry(prefix.to_string())
            .or_default()
            .push(number.parse().unwrap());
    }
    for (day, numbers) in &mut by_day {
        numbers.sort_unstable();
        let expected: Vec<u32> = (1..=numbers.len() as u32).collect();
        assert_eq!(numbers, &expected, "{day}: the codes have a gap or a repeat");
    }
    for code in acked.values() {
        assert!(stored.contains(code), "{code} was acknowledged and is not there");
    }

    // Through a replica: identity's trail from identity's process when it
    // is apart.
    let mut audit = AuditServiceClient::with_interceptor(channel.clone(), bearer(Some(&admin)));
    for trail in ["trails/identity", "trails/procedures"] {
        let verification = audit
            .verify_audit_trail(VerifyAuditTrailRequest { name: trail.into() })
            .await
            .unwrap()
            .into_inner();
        assert!(verification.intact, "{trail}: {verification:?}");
    }

    // Each surviving replica's own index, and the search replica's, finds
    // every dossier.
    for replica in [Some(&replicas[1]), Some(&replicas[2]), search_replica.as_ref()]
        .into_iter()
        .flatten()
    {
        let mut search = SearchServiceClient::with_interceptor(connect(&replica.url()).await, bearer(Some(&admin)));
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let found = search
                .search(SearchRequest {
                    query: "chuyển trường".into(),
                    kinds: vec!["dossier".into()],
                    page_size: 1,
                    ..Default::default()
                })
                .await
                .unwrap()
                .into_inner()
                .total_size;
            if found as usize == stored.len() {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{}: the index holds {found} of {} dossiers",
                replica.url(),
                stored.len()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    // The faults were met: calls went to the dead replica and were sent again.
    let sent_again = SENT_AGAIN.load(Ordering::SeqCst);
    assert!(sent_again > 0, "no call met a replica going away");
    println!(
        "{} ({shape:?}): {} receipts over {REPLICAS} replicas through a kill and a rolling restart, {sent_again} calls sent again; {} days of codes",
        storage.backend_name(),
        stored.len(),
        by_day.len()
    );
}
