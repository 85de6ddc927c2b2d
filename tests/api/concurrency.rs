//! Many clients writing at once: no "database is locked", nothing lost, the
//! chains stay whole; idempotent creates stay single under concurrent retries.

use eiso_proto::eiso::identity::v1::identity_service_client::IdentityServiceClient;
use eiso_proto::eiso::identity::v1::{CreateUnitRequest, ListUnitsRequest, Unit, UnitKind};
use eiso_tests::{TestServer, bearer};
use tonic::transport::Channel;

const CLIENTS: usize = 32;
const WRITES_PER_CLIENT: usize = 10;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_two_clients_write_at_once_without_errors() {
    let server = TestServer::start().await;
    let mut tasks = Vec::new();
    for client in 0..CLIENTS {
        // Each client has its own connection, like separate counters.
        let channel = Channel::from_shared(format!("http://{}", server.addr))
            .unwrap()
            .connect()
            .await
            .unwrap();
        let mut identity = IdentityServiceClient::with_interceptor(channel, bearer(Some(&server.admin_token)));
        tasks.push(tokio::spawn(async move {
            let mut errors = Vec::new();
            for write in 0..WRITES_PER_CLIENT {
                let result = identity
                    .create_unit(CreateUnitRequest {
                        unit: Some(Unit {
                            code: format!("C{client}-{write}"),
                            display_name: format!("Trường {client}-{write}"),
                            kind: UnitKind::PrimarySchool as i32,
                            ..Default::default()
                        }),
                        request_id: format!("req-{client}-{write}"),
                    })
                    .await;
                if let Err(status) = result {
                    errors.push(format!("{:?}: {}", status.code(), status.message()));
                }
            }
            errors
        }));
    }
    let mut errors = Vec::new();
    for task in tasks {
        errors.extend(task.await.unwrap());
    }
    assert!(
        errors.is_empty(),
        "{} writes failed, first: {:?}",
        errors.len(),
        errors.first()
    );

    let units = server
        .admin()
        .list_units(ListUnitsRequest {
            page_size: 1000,
            filter: "kind = UNIT_KIND_PRIMARY_SCHOOL".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .units;
    assert_eq!(units.len(), CLIENTS * WRITES_PER_CLIENT);

    let verification = server.verify_trail("trails/identity").await;
    assert!(verification.intact, "{verification:?}");

    // The outbox has one event per write, numbered without gaps.
    let mut stream = server.identity_events_after(0).await;
    let expected = 2 + CLIENTS * WRITES_PER_CLIENT;
    for sequence in 1..=expected as i64 {
        let event = stream.message().await.unwrap().unwrap().event.unwrap();
        assert_eq!(event.sequence, sequence);
    }
    drop(stream);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_retries_of_one_create_make_one_unit() {
    let server = TestServer::start().await;
    let request = CreateUnitRequest {
        unit: Some(Unit {
            code: "ONCE".into(),
            display_name: "Trung tâm Phục vụ hành chính công".into(),
            kind: UnitKind::ServiceCentre as i32,
            ..Default::default()
        }),
        request_id: "0f9c2f0e-8f59-4c1e-9a39-3c6c3f6f1a10".into(),
    };
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let mut identity = server.admin();
        let request = request.clone();
        tasks.push(tokio::spawn(async move {
            identity.create_unit(request).await.map(|r| r.into_inner())
        }));
    }
    let mut names = Vec::new();
    for task in tasks {
        names.push(task.await.unwrap().unwrap().name);
    }
    names.dedup();
    assert_eq!(names.len(), 1, "every retry returns the first result: {names:?}");

    // The same request_id for a different request is refused, naming the field.
    let mut other = request.clone();
    other.unit.as_mut().unwrap().code = "OTHER".into();
    let status = server.admin().create_unit(other).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::InvalidArgument);
    assert!(status.message().contains("request_id"), "{}", status.message());
    server.stop().await;
}
