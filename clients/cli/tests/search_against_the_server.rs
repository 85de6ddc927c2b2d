//! Runs `eiso search …` against a real eiso-server (the workspace harness, on
//! SQLite or, with `EISO_TEST_DATABASE_URL`, PostgreSQL): a search typed
//! without diacritics with its snippet marked, a typo with the suggestion, a
//! partial match said so, the index status, and a rebuild by an administrator.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use common::{Person, assert_contains, server_with_office, text};
use eiso_proto::eiso::documents::v1::Confidentiality;
use eiso_proto::eiso::identity::v1::Role;
use eiso_tests::documents::{create, procedure};

/// Waits until `person` sees every stream indexed to its head.
async fn caught_up(person: &Person) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let status = person.json(&["search", "status"]).await;
        let streams = status["streams"].as_array().unwrap();
        if !streams.is_empty() && streams.iter().all(|s| s["lag"] == 0) {
            return;
        }
        assert!(Instant::now() < deadline, "the index did not catch up: {status}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_status_and_rebuild_from_the_command_line() {
    let (server, office) = server_with_office().await;
    let root = server.root_unit().await;
    let (_, controller) = server
        .user_with_role("thu.ky", Role::DocumentController, &office.name)
        .await;
    let leader = Person::with_role(&server, "lanh.dao", Role::Leader, &office.name).await;
    let admin = Person::with_role(&server, "quan.tri", Role::Admin, &root.name).await;
    let mut documents = server.documents(&controller);
    for (code, title) in [
        ("QT-01", "Quy trình kiểm tra nội bộ"),
        ("QT-02", "Quy trình tiếp nhận hồ sơ chuyển trường"),
        ("BM-03", "Biểu mẫu báo cáo kết quả kiểm tra"),
    ] {
        documents
            .create_document(create(procedure(code, title, &office.name, Confidentiality::Internal)))
            .await
            .unwrap();
    }
    caught_up(&leader).await;

    // Typed without diacritics; the matched words are marked in the snippet.
    let found = leader.ok(&["search", "ho so chuyen truong"]).await;
    assert_contains(
        &found,
        &[
            "[document] QT-02 Quy trình tiếp nhận hồ sơ chuyển trường",
            "[hồ] [sơ] [chuyển] [trường]",
            "1 found",
        ],
    );
    // A typo: the results with the word respelt, and the query as the index spells it.
    let respelt = leader.ok(&["search", "ho so chuyen truogn"]).await;
    assert_contains(
        &respelt,
        &["Có phải bạn muốn tìm: hồ sơ chuyển trường?", "QT-02", "[trường]"],
    );
    let json = leader.json(&["search", "ho so chuyen truogn"]).await;
    assert_eq!(text(&json["suggestion"]), "hồ sơ chuyển trường");
    assert_eq!(json["spelled_alike"], true);
    // No item has every word: the closest, said so.
    let partial = leader.ok(&["search", "kiem tra noi bo nam 2099"]).await;
    assert_contains(
        &partial,
        &["no item has all the words", "QT-01 Quy trình kiểm tra nội bộ"],
    );
    assert_eq!(
        leader.json(&["search", "kiem tra noi bo nam 2099"]).await["partial"],
        true
    );
    let json = leader.json(&["search", "kiem", "tra", "--newest"]).await;
    assert_eq!(json["total_size"], 2);
    let titles: Vec<String> = json["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| text(&r["title"]))
        .collect();
    assert_eq!(
        titles,
        [
            "BM-03 Biểu mẫu báo cáo kết quả kiểm tra",
            "QT-01 Quy trình kiểm tra nội bộ"
        ]
    );
    assert_contains(
        &leader.ok(&["search", "kiem tra", "--kind", "dossier"]).await,
        &["nothing found"],
    );
    leader.fails(2, &["search"]).await;

    let status = leader.ok(&["search", "status"]).await;
    let schema = format!("schema {}", eiso_search::schema::SCHEMA_VERSION);
    assert_contains(&status, &["documents", "procedures", "3 items", &schema]);
    // Only an administrator rebuilds.
    let refused = leader.fails(17, &["search", "rebuild"]).await;
    assert_contains(&refused, &["your roles do not allow RebuildIndex"]);
    let rebuilt = admin.ok(&["search", "rebuild"]).await;
    assert_contains(&rebuilt, &["rebuilt: 3 items", "items/s", "MB/s"]);
    assert_contains(&leader.ok(&["search", "ho so"]).await, &["QT-02"]);
    server.stop().await;
}
