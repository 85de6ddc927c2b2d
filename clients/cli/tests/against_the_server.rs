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
    let actor = rename["actor"].as_str().unwrap().to_string();
    assert!(actor.starts_with("users/"), "{actor}");
    // Newest first: the rename, the last act, leads.
    let newest = admin.json(&["audit", "list", "--newest-first"]).await["audit_entries"]
        .as_array()
        .unwrap()
        .clone();
    let sequences =
        |list: &[serde_json::Value]| list.iter().map(|e| e["sequence"].as_i64().unwrap()).collect::<Vec<_>>();
    let mut reversed = sequences(&entries);
    reversed.reverse();
    assert_eq!(sequences(&newest), reversed);
    assert!(newest[0]["method"].as_str().unwrap().ends_with("/RenameUnit"));

    // The trail as a table: who and which unit by name, not by id.
    let trail = admin.ok(&["audit", "list"]).await;
    assert!(trail.contains("Quản trị hệ thống"), "{trail}");
    assert!(trail.contains("TP Hải Phòng"), "{trail}");
    assert!(!trail.contains(&actor), "{trail}");
    assert!(!trail.contains(&name), "{trail}");

    // A school, its kind given in Vietnamese: its parent is shown by name.
    let school = admin
        .json(&[
            "units",
            "create",
            "--code",
            "31-THCS-CL",
            "--name",
            "Trường THCS Cát Linh",
            "--kind",
            "thcs",
            "--parent",
            &name,
        ])
        .await;
    assert_eq!(school["kind"], "UNIT_KIND_LOWER_SECONDARY_SCHOOL");
    assert_eq!(school["parent"], name.as_str(), "JSON keeps the id");
    let list = admin.ok(&["units", "list"]).await;
    let row = list.lines().find(|line| line.contains("31-THCS-CL")).unwrap();
    assert!(row.contains("TP Hải Phòng"), "{list}");
    assert!(!row.contains(&name), "{list}");
    let shown = admin.ok(&["units", "show", school["name"].as_str().unwrap()]).await;
    assert!(shown.contains("TP Hải Phòng"), "{shown}");
    assert!(!shown.contains(&name), "{shown}");
    let preschool = admin
        .json(&[
            "units",
            "create",
            "--code",
            "31-MN-HA",
            "--name",
            "Trường Mầm non Hải An",
            "--kind",
            "Mầm non",
        ])
        .await;
    assert_eq!(preschool["kind"], "UNIT_KIND_PRESCHOOL");

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_verify_checks_every_trail_and_fails_when_one_is_broken() {
    let server = TestServer::start().await;
    server.create_unit("PGD", "Phòng Giáo dục và Đào tạo", "").await;
    let admin = Person::admin(server.addr).await;

    // No trail named: every service's trail, one line each.
    let verified = admin.ok(&["audit", "verify"]).await;
    let lines: Vec<&str> = verified.lines().collect();
    assert_eq!(lines.len(), 5, "{verified}");
    for (line, trail) in lines
        .iter()
        .zip(["documents", "identity", "plans", "procedures", "quality"])
    {
        assert!(line.starts_with(trail) && line.contains("intact"), "{verified}");
    }
    let all = admin.json(&["audit", "verify"]).await;
    assert_eq!(all["intact"], true);
    assert_eq!(all["trails"].as_array().map(Vec::len), Some(5));

    // Someone with database access rewrites who made the identity trail's first entry.
    server
        .backend
        .as_ref()
        .unwrap()
        .execute_raw(
            "identity",
            "UPDATE audit_entries SET actor = 'users/someone-else' WHERE sequence = 1",
        )
        .await;
    let run = admin.run(&["audit", "verify"], "").await;
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 5, "every trail is still checked: {}", run.stdout);
    assert!(
        lines[1].starts_with("identity") && lines[1].contains("BROKEN from sequence 1"),
        "{}",
        run.stdout
    );
    assert!(
        lines[2].starts_with("plans") && lines[2].contains("intact"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr
            .contains("1 of 5 audit trails is BROKEN: identity from sequence 1"),
        "{}",
        run.stderr
    );
    let run = admin.run(&["audit", "verify", "-o", "json"], "").await;
    assert_eq!(run.code, 1, "{}", run.stderr);
    let all: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(all["intact"], false);
    assert_eq!(all["trails"][1]["trail"], "trails/identity");
    assert_eq!(all["trails"][1]["first_broken_sequence"], 1);
    // One trail named: that one only.
    let documents = admin.ok(&["audit", "verify", "--trail", "documents"]).await;
    assert!(documents.contains("the documents audit trail is intact"), "{documents}");
    admin.fails(1, &["audit", "verify", "--trail", "identity"]).await;
    server.stop().await;
}
