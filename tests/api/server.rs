//! The server itself: health, reflection, gRPC-Web, restart on the same data.

use eiso_tests::{TestServer, health_status};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

#[tokio::test]
async fn health_answers_serving_for_every_service() {
    let server = TestServer::start().await;
    let mut health = HealthClient::new(server.channel.clone());
    for service in [
        "",
        "liveness",
        "eiso.identity.v1.IdentityService",
        "eiso.audit.v1.AuditService",
    ] {
        let status = health
            .check(HealthCheckRequest {
                service: service.into(),
            })
            .await
            .unwrap()
            .into_inner()
            .status;
        assert_eq!(status, ServingStatus::Serving as i32, "{service:?}");
    }
    let unknown = health
        .check(HealthCheckRequest {
            service: "nope.v1.Nothing".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), tonic::Code::NotFound);
    server.stop().await;
}

#[tokio::test]
async fn grpc_web_calls_are_answered() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = TestServer::start().await;
    // A gRPC-Web unary call over HTTP/1.1, as a browser would send it: an
    // empty HealthCheckRequest in one frame.
    let body = [0u8, 0, 0, 0, 0];
    let mut stream = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let request = format!(
        "POST /grpc.health.v1.Health/Check HTTP/1.1\r\nhost: {}\r\ncontent-type: application/grpc-web+proto\r\nx-grpc-web: 1\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        server.addr,
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    stream.write_all(&body).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let text = String::from_utf8_lossy(&response);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(text.contains("application/grpc-web"), "{text}");
    // The trailer frame carries grpc-status:0 in the body.
    assert!(text.contains("grpc-status:0"), "{text}");
    server.stop().await;
}

#[tokio::test]
async fn a_restart_keeps_data_and_tokens() {
    let server = TestServer::start().await;
    let unit = server.create_unit("PGD", "Phòng Giáo dục và Đào tạo", "").await;
    let token = server.admin_token.clone();
    let backend = server.stop_keep().await;

    let server = TestServer::start_on(backend).await;
    // The signing key is stored, so a token from before the restart still works.
    let again = server
        .identity(Some(&token))
        .get_unit(eiso_proto::eiso::identity::v1::GetUnitRequest {
            name: unit.name.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(again.display_name, "Phòng Giáo dục và Đào tạo");
    server.stop().await;
}

#[tokio::test]
async fn replicas_starting_at_once_migrate_once() {
    // Several servers open the same storage at the same moment: migrations and
    // the first-start setup must not trip over each other.
    let backend = eiso_tests::Backend::fresh().await;
    let mut config = eiso_tests::test_config();
    backend.configure(&mut config);
    // Storage is shared; each replica keeps its own search index.
    let search_dirs: Vec<_> = (0..4).map(|_| tempfile::tempdir().unwrap()).collect();
    let starts = search_dirs.iter().map(|dir| {
        let mut config = config.clone();
        config.search_dir = Some(dir.path().to_path_buf());
        eiso_server::App::prepare(config)
    });
    let apps = futures::future::join_all(starts).await;
    for app in &apps {
        assert!(app.is_ok(), "{:?}", app.as_ref().err());
    }
    let created = apps
        .iter()
        .filter(|app| {
            matches!(
                app.as_ref().map(|a| &a.admin_setup),
                Ok(Some(eiso_identity::AdminSetup::FromEnvironment))
            )
        })
        .count();
    assert_eq!(created, 1, "exactly one replica creates the administrator");
    drop(apps);
    // Two processes on one search index: the second is refused, by name.
    let shared = tempfile::tempdir().unwrap();
    let mut config = config.clone();
    config.search_dir = Some(shared.path().to_path_buf());
    let first = eiso_server::App::prepare(config.clone()).await.unwrap();
    let second = eiso_server::App::prepare(config).await.err().unwrap().to_string();
    assert!(second.contains("in use by another process"), "{second}");
    drop(first);
    backend.drop_storage().await;
}

#[tokio::test]
async fn connect_protocol_calls_are_answered() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = TestServer::start().await;
    // A Connect unary call (what `buf curl` sends by default): the bare
    // message, no envelope. An empty HealthCheckRequest is zero bytes.
    let mut stream = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let request = format!(
        "POST /grpc.health.v1.Health/Check HTTP/1.1\r\nhost: {}\r\ncontent-type: application/proto\r\nconnect-protocol-version: 1\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
        server.addr
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let text = String::from_utf8_lossy(&response);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(text.contains("application/proto"), "{text}");
    // HealthCheckResponse { status: SERVING (1) } is the two bytes 08 01.
    assert!(response.ends_with(&[0x08, 0x01]), "{text}");

    // Errors come back as Connect JSON with the HTTP status of the code.
    let mut stream = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let request = format!(
        "POST /eiso.identity.v1.IdentityService/WhoAmI HTTP/1.1\r\nhost: {}\r\ncontent-type: application/proto\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
        server.addr
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let text = String::from_utf8_lossy(&response);
    assert!(text.starts_with("HTTP/1.1 401"), "{text}");
    assert!(text.contains("\"code\":\"unauthenticated\""), "{text}");
    server.stop().await;
}

/// Waits (up to 30 s) until every one of `services` reports `status`.
async fn wait_for_status(health: &tonic::transport::Channel, services: &[&str], status: ServingStatus) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let mut seen = Vec::new();
        for service in services {
            seen.push(health_status(health.clone(), service).await);
        }
        if seen.iter().all(|s| *s == status as i32) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{services:?} still {seen:?}, waiting for {status:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Readiness follows the database: when PostgreSQL stops taking the
/// server's connections, the health service (still answering: the process is
/// alive) reports NOT_SERVING for the server and its services, and SERVING
/// again once the database takes connections. PostgreSQL only: a SQLite file
/// the process holds open cannot stop answering.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_follows_the_database() {
    use sea_orm::ConnectionTrait;
    let backend = eiso_tests::Backend::fresh().await;
    let eiso_tests::Backend::Postgres {
        admin_url, database, ..
    } = &backend
    else {
        println!("note: the database readiness test runs on PostgreSQL only (EISO_TEST_DATABASE_URL)");
        return;
    };
    let (admin_url, database) = (admin_url.clone(), database.clone());
    let server = TestServer::start_on_configured(backend, |config| {
        config.health.check_interval_ms = 100;
        config.health.check_timeout_ms = 1_000;
    })
    .await;
    let health = server.channel.clone();
    let watched = ["", "eiso.documents.v1.DocumentService", "eiso.audit.v1.AuditService"];
    wait_for_status(&health, &watched, ServingStatus::Serving).await;

    let admin = sea_orm::Database::connect(admin_url.as_str()).await.unwrap();
    admin
        .execute_unprepared(&format!("ALTER DATABASE {database} ALLOW_CONNECTIONS false"))
        .await
        .unwrap();
    admin
        .execute_unprepared(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'"
        ))
        .await
        .unwrap();
    wait_for_status(&health, &watched, ServingStatus::NotServing).await;
    // Still not serving a moment later (the check does not flap), and alive:
    // a liveness probe must not get the replica restarted for the outage.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(
        health_status(health.clone(), "").await,
        ServingStatus::NotServing as i32
    );
    assert_eq!(
        health_status(health.clone(), "liveness").await,
        ServingStatus::Serving as i32
    );

    admin
        .execute_unprepared(&format!("ALTER DATABASE {database} ALLOW_CONNECTIONS true"))
        .await
        .unwrap();
    admin.close().await.unwrap();
    wait_for_status(&health, &watched, ServingStatus::Serving).await;
    // And it works again, end to end.
    server
        .identity(Some(&server.admin_token))
        .list_units(eiso_proto::eiso::identity::v1::ListUnitsRequest::default())
        .await
        .unwrap();
    server.stop().await;
}
