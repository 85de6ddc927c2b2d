//! What the CLI's end-to-end tests share: a server with an office, and
//! running the `eiso` binary as a person would, with their own session
//! directory and working directory.

#![allow(dead_code)]

use std::io::Write;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Output, Stdio};

use eiso_proto::eiso::identity::v1::{Role, Unit, User};
use eiso_tests::TestServer;
use serde_json::Value;

/// A test server with the office `PGD` (Phòng Giáo dục và Đào tạo) under its
/// root unit.
pub async fn server_with_office() -> (TestServer, Unit) {
    let server = TestServer::start().await;
    let root = server.root_unit().await;
    let office = server.create_unit("PGD", "Phòng Giáo dục và Đào tạo", &root.name).await;
    (server, office)
}

/// Units under `parent`, one a `(code, display name)`, created in order.
pub async fn units_under<const N: usize>(server: &TestServer, parent: &Unit, units: [(&str, &str); N]) -> [Unit; N] {
    let mut created = Vec::with_capacity(N);
    for (code, display_name) in units {
        created.push(server.create_unit(code, display_name, &parent.name).await);
    }
    created.try_into().unwrap()
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `eiso ARGS` with its session in `config_dir`, in the directory `cwd`.
pub async fn eiso_in(cwd: &Path, config_dir: &Path, server: SocketAddr, args: &[&str], stdin: &str) -> Run {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_eiso"));
    command
        .args(args)
        .current_dir(cwd)
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

/// A person at the terminal: their own session directory, a working directory.
pub struct Person {
    pub config: tempfile::TempDir,
    pub cwd: tempfile::TempDir,
    pub server: SocketAddr,
}

impl Person {
    /// Someone at the terminal who has not signed in.
    pub fn new(server: SocketAddr) -> Self {
        Person {
            config: tempfile::tempdir().unwrap(),
            cwd: tempfile::tempdir().unwrap(),
            server,
        }
    }

    /// A user (whose password is `USERNAME-password`) signed in.
    pub async fn login(server: SocketAddr, username: &str) -> Self {
        Self::login_with(server, username, &format!("{username}-password")).await
    }

    /// The first administrator (`admin`, [`eiso_tests::ADMIN_PASSWORD`]) signed in.
    pub async fn admin(server: SocketAddr) -> Self {
        Self::login_with(server, "admin", eiso_tests::ADMIN_PASSWORD).await
    }

    async fn login_with(server: SocketAddr, username: &str, password: &str) -> Self {
        let person = Self::new(server);
        let run = person
            .run(
                &["login", "--username", username, "--password-stdin"],
                &format!("{password}\n"),
            )
            .await;
        assert_eq!(run.code, 0, "login {username}: {}", run.stderr);
        person
    }

    /// A new user with `role` at `unit`, signed in.
    pub async fn with_role(server: &TestServer, username: &str, role: Role, unit: &str) -> Self {
        Self::user_with_role(server, username, role, unit).await.1
    }

    /// A new user with `role` at `unit`, and that user signed in.
    pub async fn user_with_role(server: &TestServer, username: &str, role: Role, unit: &str) -> (User, Self) {
        let (user, _) = server.user_with_role(username, role, unit).await;
        (user, Self::login(server.addr, username).await)
    }

    pub async fn run(&self, args: &[&str], stdin: &str) -> Run {
        eiso_in(self.cwd.path(), self.config.path(), self.server, args, stdin).await
    }

    /// Runs a command that must succeed; returns its standard output.
    pub async fn ok(&self, args: &[&str]) -> String {
        let run = self.run(args, "").await;
        assert_eq!(run.code, 0, "eiso {}: {}{}", args.join(" "), run.stdout, run.stderr);
        run.stdout
    }

    /// Runs a command that must succeed and print JSON.
    pub async fn json(&self, args: &[&str]) -> Value {
        let mut args = args.to_vec();
        args.extend(["-o", "json"]);
        let run = self.run(&args, "").await;
        assert_eq!(run.code, 0, "eiso {}: {}", args.join(" "), run.stderr);
        serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}\n{}", run.stdout, run.stderr))
    }

    /// Runs a command that must fail with `code`; returns its standard error.
    pub async fn fails(&self, code: i32, args: &[&str]) -> String {
        let run = self.run(args, "").await;
        assert_eq!(run.code, code, "eiso {}: {}{}", args.join(" "), run.stdout, run.stderr);
        run.stderr
    }
}

pub fn text(value: &Value) -> String {
    value
        .as_str()
        .unwrap_or_else(|| panic!("not a string: {value}"))
        .to_string()
}

pub fn assert_contains(haystack: &str, needles: &[&str]) {
    for needle in needles {
        assert!(haystack.contains(needle), "no `{needle}` in\n{haystack}");
    }
}
