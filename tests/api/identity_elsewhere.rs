//! Identity in its own process (issue 13): one process hosts identity alone
//! (`services = ["identity"]`), another every other service with identity
//! at `[upstream]`, both on the same storage. Tokens issued by the first are
//! checked by the second (`WhoAmI`), and the unit tree that scopes every
//! call is read from the first; a binding at a unit still covers that unit
//! and the ones below it, and nothing above or beside it. What a process
//! does not host answers UNIMPLEMENTED, pages included (the audit and event
//! services of the second pass identity's trail and stream on); without its
//! identity process the second is NOT_SERVING and stays alive.

use std::time::{Duration, Instant};

use eiso_proto::eiso::audit::v1::{ListAuditEntriesRequest, ListAuditTrailsRequest, VerifyAuditTrailRequest};
use eiso_proto::eiso::documents::v1::GetRecordRequest;
use eiso_proto::eiso::event::v1::GetEventStreamRequest;
use eiso_proto::eiso::identity::v1::{ListUnitsRequest, Role};
use eiso_tests::documents::kept_record;
use eiso_tests::{Documents, TestServer, bearer, browser, health_status, trail_names};
use tonic::Code;
use tonic::transport::Channel;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

/// A process hosting every service but identity on `identity`'s storage,
/// signed in there as a new API client bound at the root as administrator:
/// its address, and what stops it.
async fn start_without_identity(
    identity: &TestServer,
    search_dir: &std::path::Path,
) -> (
    std::net::SocketAddr,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<anyhow::Result<()>>,
) {
    let mut config = identity.config.clone();
    // Every service but identity.
    config.services = Some(
        eiso_platform::config::SERVICES
            .iter()
            .filter(|service| **service != "identity")
            .map(|service| service.to_string())
            .collect(),
    );
    config.search_dir = Some(search_dir.to_path_buf());
    config.health.check_interval_ms = 100;
    config.health.check_timeout_ms = 1_000;
    config.upstream = Some(identity.upstream_as("Các dịch vụ nghiệp vụ", &[Role::Admin]).await);
    config.validate().unwrap();
    let app = eiso_server::App::prepare(config).await.unwrap();
    assert!(
        app.admin_setup.is_none(),
        "no administrator is created without identity"
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(app.serve(listener, async move {
        let _ = stopped.await;
    }));
    (addr, stop, handle)
}

fn channel(addr: std::net::SocketAddr) -> Channel {
    Channel::from_shared(format!("http://{addr}")).unwrap().connect_lazy()
}

fn documents(addr: std::net::SocketAddr, token: &str) -> Documents {
    eiso_proto::eiso::documents::v1::document_service_client::DocumentServiceClient::with_interceptor(
        channel(addr),
        bearer(Some(token)),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn services_scope_every_call_by_the_unit_tree_of_identity_in_another_process() {
    let identity = TestServer::start_configured(|config| config.services = Some(vec!["identity".into()])).await;
    let units = identity.office_with_neighbours().await;
    let search = tempfile::tempdir().unwrap();
    let (addr, stop, handle) = start_without_identity(&identity, search.path()).await;

    // Users and their tokens come from the identity process; the records
    // are kept by the other one. One record keeper per relation to the
    // office: bound at it, at the root above it, at the team below it, at
    // the unit beside it.
    let rows = [
        ("giu.ho.so.cung", &units.office.name, true),
        ("giu.ho.so.tren", &units.root.name, true),
        ("giu.ho.so.duoi", &units.below.name, false),
        ("giu.ho.so.ben", &units.sibling.name, false),
    ];
    let mut tokens = Vec::new();
    for (username, unit, _) in rows {
        let (_, token) = identity.user_with_role(username, Role::DocumentController, unit).await;
        tokens.push(token);
    }
    let kept = documents(addr, &tokens[0])
        .create_record(kept_record("Sổ theo dõi hồ sơ năm 2026", &units.office.name))
        .await
        .expect("the record keeper of the office files a record there")
        .into_inner();
    for ((username, _, within), token) in rows.iter().zip(&tokens) {
        let read = documents(addr, token)
            .get_record(GetRecordRequest {
                name: kept.name.clone(),
            })
            .await;
        let filed = documents(addr, token)
            .create_record(kept_record(&format!("Hồ sơ của {username}"), &units.office.name))
            .await;
        if *within {
            assert!(read.is_ok(), "{username} reads the office's record: {read:?}");
            assert!(filed.is_ok(), "{username} files a record in the office: {filed:?}");
        } else {
            assert_eq!(read.unwrap_err().code(), Code::NotFound, "{username} reads");
            assert_eq!(filed.unwrap_err().code(), Code::PermissionDenied, "{username} files");
        }
    }

    // A token the identity process never issued is refused.
    let forged = documents(addr, "forged.token.value")
        .get_record(GetRecordRequest {
            name: kept.name.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(forged.code(), Code::Unauthenticated, "{forged:?}");

    // Each process serves what it hosts, and answers UNIMPLEMENTED for the rest.
    let identity_at_services =
        eiso_proto::eiso::identity::v1::identity_service_client::IdentityServiceClient::with_interceptor(
            channel(addr),
            bearer(Some(&identity.admin_token)),
        )
        .list_units(ListUnitsRequest::default())
        .await
        .unwrap_err();
    assert_eq!(identity_at_services.code(), Code::Unimplemented);
    let documents_at_identity = documents(identity.addr, &tokens[0])
        .get_record(GetRecordRequest {
            name: kept.name.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(documents_at_identity.code(), Code::Unimplemented);

    // The audit and event services of the services' process answer for
    // identity's trail and stream too, from the identity process, as the
    // caller may see them there.
    assert_eq!(
        trail_names(identity.channel.clone(), &identity.admin_token).await,
        ["trails/identity"]
    );
    assert_eq!(
        trail_names(channel(addr), &identity.admin_token).await,
        [
            "trails/documents",
            "trails/identity",
            "trails/plans",
            "trails/procedures",
            "trails/quality"
        ]
    );
    let audit = |token: &str| {
        eiso_proto::eiso::audit::v1::audit_service_client::AuditServiceClient::with_interceptor(
            channel(addr),
            bearer(Some(token)),
        )
    };
    for trail in ["trails/identity", "trails/documents"] {
        let verified = audit(&identity.admin_token)
            .verify_audit_trail(VerifyAuditTrailRequest { name: trail.into() })
            .await
            .unwrap()
            .into_inner();
        assert!(verified.intact && verified.entries_checked > 0, "{trail}: {verified:?}");
        let refused = audit(&tokens[0])
            .verify_audit_trail(VerifyAuditTrailRequest { name: trail.into() })
            .await
            .unwrap_err();
        assert_eq!(refused.code(), Code::PermissionDenied, "{trail}: {refused:?}");
    }
    let created_users = audit(&identity.admin_token)
        .list_audit_entries(ListAuditEntriesRequest {
            parent: "trails/identity".into(),
            filter: "method = \"/eiso.identity.v1.IdentityService/CreateUser\"".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .audit_entries;
    assert_eq!(created_users.len(), rows.len(), "{created_users:?}");
    let refused = audit(&tokens[0])
        .list_audit_trails(ListAuditTrailsRequest::default())
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Code::PermissionDenied, "{refused:?}");
    let stream = eiso_proto::eiso::event::v1::event_service_client::EventServiceClient::with_interceptor(
        channel(addr),
        bearer(Some(&identity.admin_token)),
    )
    .get_event_stream(GetEventStreamRequest {
        name: "eventStreams/identity".into(),
    })
    .await
    .unwrap()
    .into_inner();
    assert!(stream.head_sequence > 0, "{stream:?}");

    // The web app is served only where every service is.
    for process in [addr, identity.addr] {
        let page = browser::Browser::new(process).get("/").await;
        assert_eq!(page.status, 404, "{}", page.body);
        assert!(page.body.contains("web app"), "{}", page.body);
    }

    // Without the identity process no token can be checked: NOT_SERVING,
    // alive.
    assert_eq!(health_status(channel(addr), "").await, ServingStatus::Serving as i32);
    let unknown = HealthClient::new(channel(addr))
        .check(HealthCheckRequest {
            service: "eiso.identity.v1.IdentityService".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(
        unknown.code(),
        Code::NotFound,
        "identity is not served here: {unknown:?}"
    );
    // Its storage stays: the other process still uses it.
    let storage = identity.stop_keep().await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while health_status(channel(addr), "").await != ServingStatus::NotServing as i32 {
        assert!(Instant::now() < deadline, "still serving without the identity process");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        health_status(channel(addr), "eiso.documents.v1.DocumentService").await,
        ServingStatus::NotServing as i32
    );
    assert_eq!(
        health_status(channel(addr), "liveness").await,
        ServingStatus::Serving as i32
    );

    stop.send(()).unwrap();
    handle.await.unwrap().unwrap();
    storage.drop_storage().await;
}
