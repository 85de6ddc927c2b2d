//! Runs the `eiso` binary against a real eiso-server (started on
//! 127.0.0.1:0 by the workspace test harness, on SQLite or, with
//! `EISO_TEST_DATABASE_URL`, PostgreSQL), the way a person runs it: what they
//! see, the exit codes, and what reaches the server (the audit trail shows
//! the token's principal and the reason).

#![allow(clippy::unwrap_used)]

mod common;

use common::Person;
use eiso_tests::{ADMIN_PASSWORD, TestServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_working_session_with_the_real_server() {
    let server = TestServer::start().await;
    let admin = Person::new(server.addr);
    let login = ["login", "--username", "admin", "--password-stdin"];

    // Not signed in yet: a clear message and the UNAUTHENTICATED exit code.
    admin.fails(26, &["whoami"]).await;

    let run = admin.run(&login, "wrong password\n").await;
    assert_eq!(run.code, 26, "{}", run.stderr);
    let run = admin.run(&login, &format!("{ADMIN_PASSWORD}\n")).await;
    assert_eq!(run.code, 0, "{}", run.stderr);

    assert_eq!(admin.json(&["whoami"]).await["username"], "admin");

    let unit = admin
        .json(&[
            "units",
            "create",
            "--code",
            "31",
            "--name",
            "Thành phố Hải Phòng",
            "--kind",
            "province",
        ])
        .await;
    let name = unit["name"].as_str().unwrap().to_string();
    assert_eq!(unit["display_name"], "Thành phố Hải Phòng");

    // The table shows the Vietnamese name intact.
    let list = admin.ok(&["units", "list"]).await;
    assert!(list.contains("Thành phố Hải Phòng"), "{list}");

    // A rename with a reason: the reason reaches the audit trail.
    admin
        .ok(&[
            "--reason",
            "Nghị quyết 1669/NQ-UBTVQH15",
            "units",
            "rename",
            &name,
            "--name",
            "TP Hải Phòng",
        ])
        .await;
    let entries = admin.json(&["audit", "list"]).await["audit_entries"]
        .as_array()
        .unwrap()
        .clone();
    let rename = entries
        .iter()
        .find(|e| e["method"].as_str().unwrap().ends_with("/RenameUnit"))
        .unwrap();
    assert_eq!(rename["reason"], "Nghị quyết 1669/NQ-UBTVQH15");
    assert_eq!(rename["resource"], name.as_str());

    // Bad input: the field is named and the exit code is 10 + INVALID_ARGUMENT.
    let refused = admin
        .fails(
            13,
            &[
                "units",
                "create",
                "--code",
                "bad code!",
                "--name",
                "X",
                "--kind",
                "office",
            ],
        )
        .await;
    assert!(refused.contains("unit.code"), "{refused}");
    // Not found.
    admin.fails(15, &["units", "show", "units/does-not-exist"]).await;

    let verified = admin.ok(&["audit", "verify"]).await;
    assert!(verified.contains("intact"), "{verified}");

    admin.ok(&["logout"]).await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_server_means_unavailable() {
    // A port nobody listens on.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let run = Person::new(addr)
        .run(&["login", "--username", "admin", "--password-stdin"], "x\n")
        .await;
    assert_eq!(run.code, 24, "{}", run.stderr);
    assert!(run.stderr.contains("eiso-server running"), "{}", run.stderr);
}
