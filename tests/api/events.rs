//! The outbox stream: replay from a cursor, then follow; a consumer that
//! restarts from its cursor misses nothing and sees nothing twice.

use std::time::Duration;

use eiso_proto::eiso::identity::v1::{Unit, WatchEventsRequest};
use eiso_proto::prost::Message;
use eiso_tests::TestServer;

async fn next(
    stream: &mut tonic::Streaming<eiso_proto::eiso::identity::v1::WatchEventsResponse>,
) -> eiso_proto::eiso::event::v1::Event {
    tokio::time::timeout(Duration::from_secs(10), stream.message())
        .await
        .expect("an event within 10 s")
        .unwrap()
        .expect("the stream stays open")
        .event
        .unwrap()
}

#[tokio::test]
async fn a_consumer_resumes_from_its_cursor_without_loss_or_duplicates() {
    let server = TestServer::start().await;
    for i in 0..5 {
        server.create_unit(&format!("A{i}"), &format!("Đơn vị A{i}"), "").await;
    }
    // First run of the consumer: read three events, remember the cursor, crash.
    let mut stream = server.identity_events_after(0).await;
    let mut consumed = Vec::new();
    for _ in 0..3 {
        consumed.push(next(&mut stream).await);
    }
    let cursor = consumed.last().unwrap().sequence;
    drop(stream);

    // Changes happen while it is down.
    for i in 0..4 {
        server.create_unit(&format!("B{i}"), &format!("Đơn vị B{i}"), "").await;
    }

    // Second run: resume after the cursor, then follow live changes.
    let mut stream = server.identity_events_after(cursor).await;
    // Bootstrap wrote 2 events (root unit, admin), then 5 + 4 units.
    let total = 2 + 5 + 4;
    while consumed.len() < total {
        consumed.push(next(&mut stream).await);
    }
    server.create_unit("LIVE", "Đơn vị mới", "").await;
    let live = next(&mut stream).await;
    consumed.push(live.clone());

    let sequences: Vec<i64> = consumed.iter().map(|e| e.sequence).collect();
    let expected: Vec<i64> = (1..=total as i64 + 1).collect();
    assert_eq!(sequences, expected, "every event exactly once, in order");

    assert_eq!(live.r#type, "identity.unit.created");
    let payload = live.payload.unwrap();
    assert_eq!(payload.type_url, "type.googleapis.com/eiso.identity.v1.Unit");
    let unit = Unit::decode(payload.value.as_slice()).unwrap();
    assert_eq!(unit.code, "LIVE");
    assert_eq!(live.resource, unit.name);
    server.stop().await;
}

#[tokio::test]
async fn a_rolled_back_change_emits_no_event() {
    let server = TestServer::start().await;
    server.create_unit("DUP", "Một", "").await;
    let duplicate = server
        .admin()
        .create_unit(eiso_proto::eiso::identity::v1::CreateUnitRequest {
            unit: Some(Unit {
                code: "DUP".into(),
                display_name: "Hai".into(),
                kind: eiso_proto::eiso::identity::v1::UnitKind::Office as i32,
                ..Default::default()
            }),
            request_id: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(duplicate.code(), tonic::Code::AlreadyExists);
    server.create_unit("AFTER", "Ba", "").await;

    let mut stream = server.identity_events_after(2).await;
    let first = next(&mut stream).await;
    let second = next(&mut stream).await;
    assert_eq!((first.sequence, second.sequence), (3, 4));
    let codes: Vec<String> = [first, second]
        .iter()
        .map(|e| Unit::decode(e.payload.as_ref().unwrap().value.as_slice()).unwrap().code)
        .collect();
    assert_eq!(codes, ["DUP", "AFTER"]);
    server.stop().await;
}

#[tokio::test]
async fn a_negative_cursor_is_refused() {
    let server = TestServer::start().await;
    let status = server
        .admin()
        .watch_events(WatchEventsRequest { after_sequence: -1 })
        .await
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::InvalidArgument);
    server.stop().await;
}
