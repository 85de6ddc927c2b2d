//! Runs `eiso docs …` and `eiso records …` against a real eiso-server (the
//! workspace harness, on SQLite or, with `EISO_TEST_DATABASE_URL`,
//! PostgreSQL) the way people at an office would: the document controller
//! drafts and uploads, a leader approves in their own session, the
//! controller publishes, a teacher acknowledges; files go up and come back
//! byte for byte.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Person, assert_contains, server_with_office, text};
use eiso_proto::eiso::identity::v1::Role;
use serde_json::Value;
use sha2::{Digest, Sha256};

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// `len` bytes that do not compress and are the same on every run.
fn generated_content(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[0]
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_from_draft_to_download_and_acknowledgement() {
    let (server, office) = server_with_office().await;
    let controller = Person::with_role(&server, "thu.ky", Role::DocumentController, &office.name).await;
    let (leader, _) = server.user_with_role("lanh.dao", Role::Leader, &office.name).await;
    let (teacher, _) = server.user_with_role("giao.vien", Role::Viewer, &office.name).await;
    let addr = server.addr;

    // Create: the document and its first draft.
    let created = controller
        .json(&[
            "--reason",
            "Kế hoạch ISO năm 2025",
            "docs",
            "create",
            "--code",
            "QT-TTHC-01",
            "--title",
            "Quy trình tiếp nhận và trả kết quả hồ sơ",
            "--type",
            "procedure",
            "--owner-unit",
            &office.name,
            "--review-months",
            "12",
            "--tag",
            "Một cửa",
            "--summary",
            "Ban hành lần đầu",
        ])
        .await;
    let document = text(&created["document"]["name"]);
    let id = document.strip_prefix("documents/").unwrap().to_string();
    assert_eq!(created["document"]["title"], "Quy trình tiếp nhận và trả kết quả hồ sơ");
    assert_eq!(created["document"]["type"], "DOCUMENT_TYPE_PROCEDURE");
    assert_eq!(created["document"]["confidentiality"], "CONFIDENTIALITY_INTERNAL");
    assert_eq!(created["document"]["state"], "STATE_DRAFT");
    assert_eq!(created["document"]["latest_revision"], 1);
    assert_eq!(created["revision"]["number"], 1);
    assert_eq!(created["revision"]["state"], "STATE_DRAFT");
    assert_eq!(created["revision"]["change_summary"], "Ban hành lần đầu");
    assert_eq!(created["revision"]["change_reason"], "Kế hoạch ISO năm 2025");
    let revision = text(&created["revision"]["name"]);
    assert_eq!(revision, format!("{document}/revisions/1"));
    // The short form of the revision: document id, slash, number.
    let short = format!("{id}/1");

    // Not possible in the draft's state: FAILED_PRECONDITION is exit 19.
    let stderr = controller.fails(19, &["docs", "publish", &short]).await;
    assert!(stderr.contains("current state"), "{stderr}");
    let stderr = controller
        .fails(19, &["docs", "submit", &short, "--reviewer", &leader.name])
        .await;
    assert!(stderr.contains("no file"), "{stderr}");
    // A document is not a revision: refused before calling the server.
    let stderr = controller.fails(2, &["docs", "publish", &id]).await;
    assert!(stderr.contains("names a document"), "{stderr}");

    // Upload 5 MiB: streamed in chunks, checked by SHA-256 on the server.
    let content = generated_content(5 << 20);
    let originals = tempfile::tempdir().unwrap();
    let local = originals.path().join("Quy trình tiếp nhận.pdf");
    std::fs::write(&local, &content).unwrap();
    let file = controller
        .json(&["docs", "upload", &short, local.to_str().unwrap()])
        .await;
    assert_eq!(file["size"], 5 << 20);
    assert_eq!(file["sha256"], sha256_hex(&content));
    assert_eq!(file["content_type"], "application/pdf");
    assert_eq!(file["file_name"], "Quy trình tiếp nhận.pdf");
    let file_name = text(&file["name"]);
    assert!(file_name.starts_with(&format!("{revision}/files/")), "{file_name}");

    // Review: submitted to the leader, who approves in their own session.
    let submitted = controller
        .json(&["docs", "submit", &revision, "--reviewer", &leader.name])
        .await;
    assert_eq!(submitted["state"], "STATE_IN_REVIEW");
    assert_eq!(submitted["reviews"][0]["reviewer"], leader.name.as_str());
    assert_eq!(submitted["reviews"][0]["decision"], "DECISION_PENDING");
    let boss = Person::login(addr, "lanh.dao").await;
    let approved = boss
        .json(&["docs", "approve", &short, "--comment", "Đồng ý ban hành"])
        .await;
    assert_eq!(approved["state"], "STATE_APPROVED");
    assert_eq!(approved["reviews"][0]["decision"], "DECISION_APPROVED");
    assert_eq!(approved["reviews"][0]["comment"], "Đồng ý ban hành");
    // Only the document controller publishes: PERMISSION_DENIED is exit 17.
    boss.fails(17, &["docs", "publish", &short]).await;

    let published = controller
        .json(&["docs", "publish", &short, "--ack-user", &teacher.name])
        .await;
    assert_eq!(published["state"], "STATE_EFFECTIVE");
    assert!(published["effective_time"].is_string(), "{published}");

    // Show: the document with its effective revision, its file and review.
    let shown = controller.json(&["docs", "show", &id]).await;
    assert_eq!(shown["state"], "STATE_EFFECTIVE");
    assert_eq!(shown["effective_revision"], 1);
    assert_eq!(shown["revision"]["files"][0]["name"], file_name.as_str());
    assert_eq!(shown["revision"]["reviews"][0]["decision"], "DECISION_APPROVED");
    assert!(shown["next_review_time"].is_string(), "{shown}");
    let table = controller.ok(&["docs", "show", &document]).await;
    assert_contains(
        &table,
        &[
            "Quy trình tiếp nhận và trả kết quả hồ sơ",
            "Revision 1 (effective)",
            "Quy trình tiếp nhận.pdf",
            "5.0 MiB",
            "every 12 months",
        ],
    );
    // Before it was published, no revision was effective.
    let before = controller
        .ok(&["docs", "show", &id, "--as-of", "01/01/2020 08:00"])
        .await;
    assert_contains(&before, &["no revision was effective at 01/01/2020 08:00"]);

    // Download: the same bytes, the same digest, through PATH.part.
    let downloads = tempfile::tempdir().unwrap();
    let target = downloads.path().join("ban-sao.pdf");
    let target_arg = target.to_str().unwrap();
    let saved = controller
        .json(&["docs", "download", &file_name, "-O", target_arg])
        .await;
    assert_eq!(saved["path"], target_arg);
    assert_eq!(saved["file"]["sha256"], sha256_hex(&content));
    let downloaded = std::fs::read(&target).unwrap();
    assert!(downloaded == content, "the download differs from the upload");
    assert_eq!(sha256_hex(&downloaded), sha256_hex(&content));
    // An existing file is not overwritten without --force.
    std::fs::write(&target, b"ban nhap").unwrap();
    let stderr = controller
        .fails(2, &["docs", "download", &file_name, "-O", target_arg])
        .await;
    assert!(
        stderr.contains("already exists") && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&target).unwrap(), b"ban nhap");
    let saved = controller
        .ok(&["docs", "download", &file_name, "-O", target_arg, "--force"])
        .await;
    assert!(std::fs::read(&target).unwrap() == content);
    assert_contains(&saved, &[target_arg]);
    // Without a path: the file's own name in the current directory; into a
    // directory: its own name there.
    controller.ok(&["docs", "download", &file_name]).await;
    let own_name = controller.cwd.path().join("Quy trình tiếp nhận.pdf");
    assert!(std::fs::read(&own_name).unwrap() == content);
    controller
        .json(&["docs", "download", &file_name, "-O", downloads.path().to_str().unwrap()])
        .await;
    assert!(std::fs::read(downloads.path().join("Quy trình tiếp nhận.pdf")).unwrap() == content);
    let stderr = controller.fails(2, &["docs", "download", &file_name]).await;
    assert!(stderr.contains("already exists"), "{stderr}");
    // A file that is not there: NOT_FOUND, and no partial file left behind.
    let missing = format!("{revision}/files/khong-co");
    controller
        .fails(
            15,
            &[
                "docs",
                "download",
                &missing,
                "-O",
                downloads.path().join("x.pdf").to_str().unwrap(),
            ],
        )
        .await;
    let mut left: Vec<String> = std::fs::read_dir(downloads.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["Quy trình tiếp nhận.pdf", "ban-sao.pdf"]);

    // Acknowledgements: one required, none yet.
    let acks = controller.json(&["docs", "acks", &short]).await;
    assert_eq!(acks["required_count"], 1);
    assert_eq!(acks["acknowledged_count"], 0);
    let pending = controller.json(&["docs", "acks", &short, "--pending"]).await;
    assert_eq!(pending["acknowledgements"][0]["user"], teacher.name.as_str());
    assert_eq!(pending["acknowledgements"][0]["acknowledge_time"], Value::Null);
    let reader = Person::login(addr, "giao.vien").await;
    let acknowledged = reader.json(&["docs", "ack", &revision]).await;
    assert_eq!(acknowledged["user"], teacher.name.as_str());
    assert!(acknowledged["acknowledge_time"].is_string(), "{acknowledged}");
    // A viewer reads the document but may not see who has acknowledged.
    reader.json(&["docs", "show", &id]).await;
    reader.fails(17, &["docs", "acks", &short]).await;
    let acks = controller.json(&["docs", "acks", &short]).await;
    assert_eq!(acks["acknowledged_count"], 1);
    let pending = controller.json(&["docs", "acks", &short, "--pending"]).await;
    assert_eq!(pending["acknowledgements"], Value::Array(Vec::new()));
    let table = controller.ok(&["docs", "acks", &short]).await;
    assert_contains(
        &table,
        &["1 of 1 required acknowledgements received", "Người dùng giao.vien"],
    );
    assert!(!table.contains(&teacher.name), "people by name: {table}");

    // History: newest first, after a new draft is started.
    let draft = controller
        .json(&[
            "docs",
            "revise",
            &id,
            "--summary",
            "Sửa đổi theo Nghị định 118/2025/NĐ-CP",
        ])
        .await;
    assert_eq!(draft["number"], 2);
    assert_eq!(draft["state"], "STATE_DRAFT");
    let history = controller.json(&["docs", "history", &id]).await;
    let numbers: Vec<&Value> = history["revisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["number"])
        .collect();
    assert_eq!(numbers, [2, 1]);
    assert_eq!(history["revisions"][0]["state"], "STATE_DRAFT");
    assert_eq!(history["revisions"][1]["state"], "STATE_EFFECTIVE");
    assert_eq!(history["revisions"][1]["change_summary"], "Ban hành lần đầu");
    let table = controller.ok(&["docs", "history", &document]).await;
    assert_contains(&table, &["Sửa đổi theo Nghị định 118/2025/NĐ-CP"]);
    // One open revision at a time.
    controller.fails(19, &["docs", "revise", &id]).await;
    // Check-out locks the draft against the leader.
    let locked = controller.json(&["docs", "checkout", &format!("{id}/2")]).await;
    assert_eq!(locked["checked_out_by"], created["revision"]["author"]);
    boss.fails(19, &["docs", "checkout", &format!("{id}/2")]).await;
    controller
        .fails(2, &["docs", "checkin", &format!("{id}/2"), "--force"])
        .await;
    let released = controller.json(&["docs", "checkin", &format!("{id}/2")]).await;
    assert_eq!(released["checked_out_by"], "");

    // Withdrawal needs a reason.
    let stderr = controller.fails(2, &["docs", "obsolete", &id]).await;
    assert!(stderr.contains("--reason"), "{stderr}");

    let listed = controller
        .json(&["docs", "list", "--filter", "code = \"QT-TTHC-01\""])
        .await;
    assert_eq!(listed["documents"][0]["name"], document.as_str());
    let table = controller.ok(&["docs", "list"]).await;
    assert_contains(&table, &["Quy trình tiếp nhận và trả kết quả hồ sơ"]);

    // Stored content damaged on the server's disk: the server ends the
    // download with DATA_LOSS (exit 25) and the partial file is removed.
    if !server.backend.as_ref().unwrap().is_postgres() {
        let digest = sha256_hex(&content);
        let blob = server
            .config
            .data_dir
            .join("blobs")
            .join("sha256")
            .join(&digest[..2])
            .join(&digest);
        let mut damaged = std::fs::read(&blob).unwrap();
        damaged[3 << 20] ^= 0xff;
        std::fs::write(&blob, &damaged).unwrap();
        let target = downloads.path().join("hong.pdf");
        let stderr = controller
            .fails(25, &["docs", "download", &file_name, "-O", target.to_str().unwrap()])
            .await;
        assert!(stderr.contains("data loss"), "{stderr}");
        assert!(!target.exists());
        assert!(!downloads.path().join("hong.pdf.part").exists());
    }

    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_are_kept_closed_and_not_disposed_early() {
    let (server, office) = server_with_office().await;
    let controller = Person::with_role(&server, "thu.ky", Role::DocumentController, &office.name).await;

    let record = controller
        .json(&[
            "records",
            "create",
            "--title",
            "Sổ theo dõi hồ sơ năm 2024",
            "--owner-unit",
            &office.name,
            "--retention-months",
            "60",
            "--disposition",
            "transfer",
        ])
        .await;
    assert_eq!(record["state"], "STATE_OPEN");
    assert_eq!(record["disposition"], "DISPOSITION_TRANSFER_TO_ARCHIVE");
    let name = text(&record["name"]);
    let id = name.strip_prefix("records/").unwrap().to_string();

    let local = controller.cwd.path().join("so-theo-doi.xlsx");
    std::fs::write(&local, "Sổ theo dõi".as_bytes()).unwrap();
    let file = controller
        .json(&["docs", "upload", &name, local.to_str().unwrap()])
        .await;
    assert_eq!(
        file["content_type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    // A bare id is a document's, never a record's: refused locally.
    controller
        .fails(2, &["docs", "upload", &id, local.to_str().unwrap()])
        .await;

    let closed = controller.json(&["records", "close", &id]).await;
    assert_eq!(closed["state"], "STATE_CLOSED");
    assert!(closed["retention_end_time"].is_string(), "{closed}");
    assert_eq!(closed["files"][0]["name"], file["name"]);
    // Closed: its files no longer change.
    controller
        .fails(19, &["docs", "upload", &name, local.to_str().unwrap()])
        .await;

    let due = controller.json(&["records", "due"]).await;
    assert_eq!(due["records"], Value::Array(Vec::new()));
    let due = controller
        .json(&["records", "due", "--as-of", "01/01/2100 00:00"])
        .await;
    assert_eq!(due["records"][0]["name"], name.as_str());

    controller
        .fails(2, &["records", "dispose", &id, "--reference", "Biên bản số 05/BB-PGD"])
        .await;
    controller
        .fails(
            19,
            &[
                "--reason",
                "Hết thời hạn bảo quản",
                "records",
                "dispose",
                &id,
                "--reference",
                "Biên bản số 05/BB-PGD",
            ],
        )
        .await;

    let table = controller.ok(&["records", "show", &name]).await;
    assert_contains(&table, &["Sổ theo dõi hồ sơ năm 2024", "so-theo-doi.xlsx"]);
    let listed = controller.json(&["records", "list"]).await;
    assert_eq!(listed["records"][0]["name"], name.as_str());

    server.stop().await;
}
