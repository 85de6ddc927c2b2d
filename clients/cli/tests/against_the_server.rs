//! Runs the `eiso` binary against a real eiso-server (started on
//! 127.0.0.1:0 by the workspace test harness, on SQLite or, with
//! `EISO_TEST_DATABASE_URL`, PostgreSQL), the way a person runs it: what they
//! see, the exit codes, and what reaches the server (the audit trail shows
//! the token's principal and the reason).

#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Output, Stdio};

use eiso_tests::{ADMIN_PASSWORD, TestServer};
use serde_json::Value;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

async fn eiso(config_dir: &Path, server: SocketAddr, args: &[&str], stdin: &str) -> Run {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_eiso"));
    command
        .args(args)
        .env("EISO_CONFIG_DIR", config_dir)
        .env("EISO_SERVER", format!("http://{server}"))
        .env_remove("EISO_TOKEN")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let stdin = stdin.to_string();
    // The server runs on this runtime: wait for the child elsewhere.
    tokio::task::spawn_blocking(move || {
        let mut child = command.spawn().unwrap();
        let mut input = child.stdin.take().unwrap();
        input.write_all(stdin.as_bytes()).unwrap();
        drop(input);
        let Output { status, stdout, stderr } = child.wait_with_output().unwrap();
        Run {
            code: status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
        }
    })
    .await
    .unwrap()
}

fn json(run: &Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}\n{}", run.stdout, run.stderr))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_working_session_with_the_real_server() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let (config, addr) = (dir.path(), server.addr);

    // Not signed in yet: a clear message and the UNAUTHENTICATED exit code.
    let run = eiso(config, addr, &["whoami"], "").await;
    assert_eq!(run.code, 26, "{}", run.stderr);

    let run = eiso(
        config,
        addr,
        &["login", "--username", "admin", "--password-stdin"],
        "wrong password\n",
    )
    .await;
    assert_eq!(run.code, 26, "{}", run.stderr);
    let run = eiso(
        config,
        addr,
        &["login", "--username", "admin", "--password-stdin"],
        &format!("{ADMIN_PASSWORD}\n"),
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);

    let run = eiso(config, addr, &["whoami", "-o", "json"], "").await;
    assert_eq!(json(&run)["username"], "admin");

    let run = eiso(
        config,
        addr,
        &[
            "units",
            "create",
            "--code",
            "31",
            "--name",
            "Thành phố Hải Phòng",
            "--kind",
            "province",
            "-o",
            "json",
        ],
        "",
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let unit = json(&run);
    let name = unit["name"].as_str().unwrap().to_string();
    assert_eq!(unit["display_name"], "Thành phố Hải Phòng");

    // The table shows the Vietnamese name intact.
    let run = eiso(config, addr, &["units", "list"], "").await;
    assert!(run.stdout.contains("Thành phố Hải Phòng"), "{}", run.stdout);

    // A rename with a reason: the reason reaches the audit trail.
    let run = eiso(
        config,
        addr,
        &[
            "--reason",
            "Nghị quyết 1669/NQ-UBTVQH15",
            "units",
            "rename",
            &name,
            "--name",
            "TP Hải Phòng",
        ],
        "",
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = eiso(config, addr, &["audit", "list", "-o", "json"], "").await;
    let entries = json(&run)["audit_entries"].as_array().unwrap().clone();
    let rename = entries
        .iter()
        .find(|e| e["method"].as_str().unwrap().ends_with("/RenameUnit"))
        .unwrap();
    assert_eq!(rename["reason"], "Nghị quyết 1669/NQ-UBTVQH15");
    assert_eq!(rename["resource"], name.as_str());

    // Bad input: the field is named and the exit code is 10 + INVALID_ARGUMENT.
    let run = eiso(
        config,
        addr,
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
        "",
    )
    .await;
    assert_eq!(run.code, 13, "{}", run.stderr);
    assert!(run.stderr.contains("unit.code"), "{}", run.stderr);
    // Not found.
    let run = eiso(config, addr, &["units", "show", "units/does-not-exist"], "").await;
    assert_eq!(run.code, 15, "{}", run.stderr);

    let run = eiso(config, addr, &["audit", "verify"], "").await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("intact"), "{}", run.stdout);

    let run = eiso(config, addr, &["logout"], "").await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_server_means_unavailable() {
    let dir = tempfile::tempdir().unwrap();
    // A port nobody listens on.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let run = eiso(
        dir.path(),
        addr,
        &["login", "--username", "admin", "--password-stdin"],
        "x\n",
    )
    .await;
    assert_eq!(run.code, 24, "{}", run.stderr);
    assert!(run.stderr.contains("eiso-server running"), "{}", run.stderr);
}
