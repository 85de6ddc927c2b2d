//! A search replica (`services = ["search"]`): its own index, built from the
//! event streams of the process hosting the other services, followed over
//! gRPC as an API client bound at the root (administrator, to follow the
//! streams; leader, to index applicants' data). Callers' tokens are checked
//! by that process's identity; results are filtered by the same rule as the
//! server's own search. It is ready while that process serves.

use std::time::{Duration, Instant};

use eiso_proto::eiso::documents::v1::Confidentiality;
use eiso_proto::eiso::identity::v1::Role;
use eiso_proto::eiso::search::v1::search_service_client::SearchServiceClient;
use eiso_proto::eiso::search::v1::{SearchRequest, SearchResponse};
use eiso_server::{Extractor, SearchReplica};
use eiso_tests::documents::{create, procedure};
use eiso_tests::{SearchClient, TestServer, bearer};
use tonic::Code;

use crate::search::{caught_up, search_kind};

/// A replica of `server`'s search, signed in as a new API client; its
/// address, and what stops it.
async fn start_replica(
    server: &TestServer,
    dir: &std::path::Path,
) -> (
    std::net::SocketAddr,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<anyhow::Result<()>>,
) {
    let mut config = eiso_tests::test_config();
    config.data_dir = dir.to_path_buf();
    config.services = Some(vec!["search".into()]);
    config.health.check_interval_ms = 100;
    config.health.check_timeout_ms = 1_000;
    config.upstream = Some(
        server
            .upstream_as("Bản sao tìm kiếm", &[Role::Admin, Role::Leader])
            .await,
    );
    config.validate().unwrap();
    let replica = SearchReplica::prepare(config, Extractor::InProcess).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(replica.serve(listener, async move {
        let _ = stopped.await;
    }));
    (addr, stop, handle)
}

fn client(addr: std::net::SocketAddr, token: &str) -> SearchClient {
    let channel = tonic::transport::Channel::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect_lazy();
    SearchServiceClient::with_interceptor(channel, bearer(Some(token)))
}

fn names(response: &SearchResponse) -> Vec<&str> {
    let mut names: Vec<&str> = response.results.iter().map(|r| r.name.as_str()).collect();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_replica_follows_the_services_over_grpc_and_filters_as_the_server_does() {
    let server = TestServer::start().await;
    let school = server.school_with_dossier().await;
    let clerk = server.login("mot.cua.a", "mot.cua.a-password").await.unwrap();
    let (_, beside) = server
        .user_with_role("mot.cua.b", Role::CounterStaff, &school.sibling.name)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let (addr, stop, handle) = start_replica(&server, dir.path()).await;

    // The replica builds its index from the streams and catches up.
    caught_up(&mut client(addr, &server.admin_token)).await;
    caught_up(&mut server.search(&server.admin_token)).await;

    // The same answers as the server's own search, for each caller: the
    // school's clerk finds the dossier with its applicant; the clerk of the
    // school beside it does not find it.
    for token in [&clerk, &beside, &server.admin_token] {
        let here = search_kind(&mut server.search(token), "chuyen truong", "dossier").await;
        let there = search_kind(&mut client(addr, token), "chuyen truong", "dossier").await;
        assert_eq!(names(&there), names(&here), "{token}");
        assert_eq!(
            there.results.iter().map(|r| &r.applicant).collect::<Vec<_>>(),
            here.results.iter().map(|r| &r.applicant).collect::<Vec<_>>()
        );
    }
    let found = search_kind(&mut client(addr, &clerk), "chuyen truong", "dossier").await;
    assert_eq!(names(&found), [school.dossier.name.as_str()]);
    assert!(found.results[0].applicant.contains("Trần Thị Bình"), "{found:?}");
    assert!(
        search_kind(&mut client(addr, &beside), "chuyen truong", "dossier")
            .await
            .results
            .is_empty()
    );

    // A change on the server reaches the replica's index.
    let document = server
        .documents(&school.office.controller)
        .create_document(create(procedure(
            "QT-TS-07",
            "Quy trình tuyển sinh lớp 6",
            &school.office.unit.name,
            Confidentiality::Internal,
        )))
        .await
        .unwrap()
        .into_inner();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let found = search_kind(
            &mut client(addr, &school.office.controller),
            "tuyen sinh lop 6",
            "document",
        )
        .await;
        if names(&found).contains(&document.name.as_str()) {
            break;
        }
        assert!(Instant::now() < deadline, "the replica did not index {}", document.name);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Tokens are identity's to check: a forged one is refused.
    let refused = client(addr, "not-a-token")
        .search(SearchRequest {
            query: "chuyen truong".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Code::Unauthenticated, "{refused:?}");

    // Without its upstream no token can be checked: the replica reports
    // NOT_SERVING (and stays alive) until the upstream serves again.
    let health = tonic_health::pb::health_client::HealthClient::new(
        tonic::transport::Channel::from_shared(format!("http://{addr}"))
            .unwrap()
            .connect_lazy(),
    );
    let status = |service: &'static str| {
        let mut health = health.clone();
        async move {
            health
                .check(tonic_health::pb::HealthCheckRequest {
                    service: service.into(),
                })
                .await
                .unwrap()
                .into_inner()
                .status
        }
    };
    use tonic_health::pb::health_check_response::ServingStatus;
    assert_eq!(status("").await, ServingStatus::Serving as i32);
    server.stop().await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while status("").await != ServingStatus::NotServing as i32 {
        assert!(
            Instant::now() < deadline,
            "the replica still serves without its upstream"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        status("eiso.search.v1.SearchService").await,
        ServingStatus::NotServing as i32
    );
    assert_eq!(status("liveness").await, ServingStatus::Serving as i32);

    stop.send(()).unwrap();
    handle.await.unwrap().unwrap();
}
