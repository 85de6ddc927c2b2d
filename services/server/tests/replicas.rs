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
    let storage = Storage::fresh().await;
    let s3 = S3Server::start();
    let searches: Vec<tempfile::TempDir> = (0..REPLICAS).map(|_| tempfile::tempdir().unwrap()).collect();
    let mut replicas = Vec::new();
    for (replica, search) in searches.iter().take(REPLICAS).enumerate() {
        replicas.push(start(&storage, replica, 0, &start_env(search, s3.as_ref())).await);
    }
    let balancer = Arc::new(Balancer {
        channels: RwLock::new(replicas.iter().map(|r| lazy(&r.url())).collect()),
    });

    let channel = connect(&replicas[0].url()).await;
    let agency = unit_with_people(
        &channel,
        ("UBND-DANGLAM", "Ủy ban nhân dân phường Đằng Lâm", UnitKind::Commune),
        &[(CLERK, Role::CounterStaff), (LEADER, Role::Leader)],
    )
    .await;
    let (leader, _) = login(&channel, LEADER, &password_of(LEADER)).await;
    publish_procedure(
        &mut ProcedureServiceClient::with_interceptor(channel.clone(), bearer(Some(&leader))),
        TRANSFER,
        transfer_version(&agency),
    )
    .await;
    // Signed in on one replica, the token is good on all.
    let (clerk, _) = login(&connect(&replicas[2].url()).await, CLERK, &password_of(CLERK)).await;

    // The search replica: an API client at the root (administrator to follow
    // the streams, leader to index applicants), following replica 2.
    let search_dir = tempfile::tempdir().unwrap();
    let search_replica = {
        let (admin, _) = login(&channel, "admin", ADMIN_PASSWORD).await;
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
        let binding = |role: Role| RoleBinding {
            role: role as i32,
            unit: root.clone(),
        };
        let created = identity
            .create_api_client(CreateApiClientRequest {
                api_client: Some(ApiClient {
                    display_name: "Tìm kiếm (bản sao)".into(),
                    role_bindings: vec![binding(Role::Admin), binding(Role::Leader)],
                    ..Default::default()
                }),
                request_id: String::new(),
            })
            .await
            .unwrap()
            .into_inner();
        let env = [
            ("EISO_SERVICES".to_string(), "search".to_string()),
            ("EISO_UPSTREAM_URL".to_string(), replicas[2].url()),
            ("EISO_UPSTREAM_CLIENT_ID".to_string(), created.client_id),
            ("EISO_UPSTREAM_CLIENT_SECRET".to_string(), created.client_secret),
            (
                "EISO_SEARCH_DIR".to_string(),
                search_dir.path().to_string_lossy().into_owned(),
            ),
        ];
        start(&storage, REPLICAS, 0, &env).await
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
    wait_for(RESTART_AT).await;
    // Rolling restart of replica 1: drained with SIGTERM, started again (on
    // another port, as a new pod), put back in the balancer's list.
    replicas[1].terminate();
    replicas[1] = start(&storage, 1, 1, &start_env(&searches[1], s3.as_ref())).await;
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
    let (admin, _) = login(&channel, "admin", ADMIN_PASSWORD).await;
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
    for replica in [&replicas[1], &replicas[2], &search_replica] {
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
        "{}: {} receipts over {REPLICAS} replicas through a kill and a rolling restart, {sent_again} calls sent again; {} days of codes",
        storage.backend_name(),
        stored.len(),
        by_day.len()
    );
}
