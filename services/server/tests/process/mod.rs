//! The real `eiso-server` binary as a child process, for the tests that kill
//! it with SIGKILL and start it again on the same data (documents and
//! uploads in `crash.rs`, the portal sync in `sync_crash.rs`): where it keeps
//! its data, starting it with a clean environment, waiting until it serves,
//! the kill, and the end of its log.

// Each test binary uses its own part of this module.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use eiso_proto::eiso::identity::v1::identity_service_client::IdentityServiceClient;
use eiso_proto::eiso::identity::v1::{
    CreateUnitRequest, CreateUserRequest, LoginRequest, PasswordCredentials, Role, RoleBinding, Unit, UnitKind, User,
    login_request,
};
use eiso_tests::{ADMIN_PASSWORD, Backend, bearer};
use tonic::transport::{Channel, Endpoint};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

/// Deadlines: a server coming up, and any call.
pub const START_DEADLINE: Duration = Duration::from_secs(90);
pub const CALL_TIMEOUT: Duration = Duration::from_secs(60);

/// Where the server keeps its data: the database (SQLite files in `data_dir`
/// or a PostgreSQL database) and the blob store (always `data_dir/blobs`).
pub struct Storage {
    pub backend: Backend,
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
    /// The data directory on PostgreSQL (the SQLite one belongs to the backend).
    _blob_dir: Option<tempfile::TempDir>,
}

impl Storage {
    pub async fn fresh() -> Self {
        let backend = Backend::fresh().await;
        match &backend {
            Backend::Sqlite { dir } => Storage {
                data_dir: dir.path().to_path_buf(),
                database_url: None,
                _blob_dir: None,
                backend,
            },
            Backend::Postgres { url, .. } => {
                let dir = tempfile::tempdir().unwrap();
                Storage {
                    data_dir: dir.path().to_path_buf(),
                    database_url: Some(url.clone()),
                    _blob_dir: Some(dir),
                    backend,
                }
            }
        }
    }

    /// "PostgreSQL" or "SQLite", for the tests' messages.
    pub fn backend_name(&self) -> &'static str {
        if self.backend.is_postgres() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    }
}

/// A running `eiso-server` child process. Dropping it kills the process, so
/// that a failing test never leaves a server behind.
pub struct ServerProcess {
    child: Child,
    addr: SocketAddr,
    log: PathBuf,
}

impl ServerProcess {
    /// Starts the server on a free port and waits until its health service
    /// says the document service is SERVING.
    pub async fn start(storage: &Storage, log: PathBuf) -> Self {
        Self::start_with(storage, log, &[]).await
    }

    /// [`ServerProcess::start`] with these `EISO_*` settings besides the
    /// administrator's password and the log's.
    pub async fn start_with(storage: &Storage, log: PathBuf, env: &[(&str, &str)]) -> Self {
        Self::start_on(storage, "127.0.0.1:0", log, env).await
    }

    /// [`ServerProcess::start_with`] listening on `listen` (a process that
    /// others reach at a fixed address, started again on it).
    pub async fn start_on(storage: &Storage, listen: &str, log: PathBuf, env: &[(&str, &str)]) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_eiso-server"));
        serve_on(
            &mut command,
            listen,
            &storage.data_dir,
            storage.database_url.as_deref(),
            &log,
            env,
        );
        let child = command.spawn().unwrap();
        let mut server = ServerProcess {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            log,
        };
        server.addr = server.wait_until_serving().await;
        server
    }

    async fn wait_until_serving(&mut self) -> SocketAddr {
        let deadline = Instant::now() + START_DEADLINE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("eiso-server exited during start-up ({status}):\n{}", self.log_tail());
            }
            if let Some(addr) = serving_address(&std::fs::read_to_string(&self.log).unwrap_or_default())
                && health_is_serving(addr).await
            {
                return addr;
            }
            assert!(
                Instant::now() < deadline,
                "eiso-server did not become SERVING within {START_DEADLINE:?}:\n{}",
                self.log_tail()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// SIGKILL: no shutdown, no flush, no WAL checkpoint.
    pub fn kill(&mut self) {
        if let Some(status) = self.child.try_wait().unwrap() {
            panic!("eiso-server died before the kill ({status}):\n{}", self.log_tail());
        }
        self.child.kill().unwrap();
        let status = self.child.wait().unwrap();
        assert_eq!(status.signal(), Some(9), "{status}");
    }

    /// SIGTERM, as an orchestrator stops a replica: the server drains the
    /// calls in flight and exits; waits for it (at most a minute).
    pub fn terminate(&mut self) {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(sent.success(), "kill -TERM {pid}");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(
                    status.success(),
                    "eiso-server stopped badly ({status}):\n{}",
                    self.log_tail()
                );
                return;
            }
            assert!(
                Instant::now() < deadline,
                "eiso-server did not stop within a minute of SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("--- {} (last lines) ---\n{}", self.log.display(), self.log_tail());
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Gives `command` (the server, or a shell that runs it with the arguments
/// that follow) the server's arguments: a free port on 127.0.0.1, the data
/// directory and the database; only the `EISO_*` settings given here (the
/// administrator's password, the log's, then `env`), nothing inherited from
/// the test's environment; its output to `log`.
pub fn serve(command: &mut Command, data_dir: &Path, database_url: Option<&str>, log: &Path, env: &[(&str, &str)]) {
    serve_on(command, "127.0.0.1:0", data_dir, database_url, log, env);
}

/// [`serve`] listening on `listen`.
pub fn serve_on(
    command: &mut Command,
    listen: &str,
    data_dir: &Path,
    database_url: Option<&str>,
    log: &Path,
    env: &[(&str, &str)],
) {
    let file = std::fs::File::create(log).unwrap();
    command.args(["--listen", listen, "--data-dir"]).arg(data_dir);
    if let Some(url) = database_url {
        command.args(["--database-url", url]);
    }
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("EISO_") {
            command.env_remove(name);
        }
    }
    command
        .env_remove("RUST_LOG")
        .env_remove("OTEL_EXPORTER_OTLP_ENDPOINT")
        .env("EISO_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("EISO_LOG", "info")
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::from(file.try_clone().unwrap()))
        .stderr(Stdio::from(file));
}

/// The address in the server's `eiso-server serving address=…` log line.
fn serving_address(log: &str) -> Option<SocketAddr> {
    let line = log.lines().find(|line| line.contains("eiso-server serving"))?;
    let line = strip_ansi(line);
    let (_, rest) = line.split_once("address=")?;
    rest.split_whitespace().next()?.parse().ok()
}

/// Removes terminal colour sequences, should the log carry any.
fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

async fn health_is_serving(addr: SocketAddr) -> bool {
    let Ok(endpoint) = Endpoint::from_shared(format!("http://{addr}")) else {
        return false;
    };
    let Ok(channel) = endpoint
        .connect_timeout(Duration::from_secs(2))
        .timeout(Duration::from_secs(5))
        .connect()
        .await
    else {
        return false;
    };
    let response = HealthClient::new(channel)
        .check(HealthCheckRequest {
            // The server as a whole, as a load balancer asks (a search
            // replica hosts no documents service).
            service: String::new(),
        })
        .await;
    matches!(response, Ok(r) if r.get_ref().status == ServingStatus::Serving as i32)
}

/// A connection to the server at `url`, each call limited to [`CALL_TIMEOUT`].
pub async fn connect(url: &str) -> Channel {
    Endpoint::from_shared(url.to_string())
        .unwrap()
        .connect_timeout(Duration::from_secs(5))
        .timeout(CALL_TIMEOUT)
        .connect()
        .await
        .unwrap()
}

/// Signs in; returns the token and the principal (`users/{id}`).
pub async fn login(channel: &Channel, username: &str, password: &str) -> (String, String) {
    let response = IdentityServiceClient::new(channel.clone())
        .login(LoginRequest {
            credentials: Some(login_request::Credentials::Password(PasswordCredentials {
                username: username.into(),
                password: password.into(),
            })),
        })
        .await
        .unwrap()
        .into_inner();
    (response.access_token, response.principal)
}

/// The password the tests give `username`.
pub fn password_of(username: &str) -> String {
    format!("{username}-password")
}

/// Creates, as the administrator, the unit `code` and a user of each
/// `(username, role)` in it (password [`password_of`]); returns the unit's
/// name.
pub async fn unit_with_people(
    channel: &Channel,
    (code, display_name, kind): (&str, &str, UnitKind),
    people: &[(&str, Role)],
) -> String {
    let (admin_token, _) = login(channel, "admin", ADMIN_PASSWORD).await;
    let mut admin = IdentityServiceClient::with_interceptor(channel.clone(), bearer(Some(&admin_token)));
    let unit = admin
        .create_unit(CreateUnitRequest {
            unit: Some(Unit {
                code: code.into(),
                display_name: display_name.into(),
                kind: kind as i32,
                ..Default::default()
            }),
            request_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    for (username, role) in people {
        admin
            .create_user(CreateUserRequest {
                user: Some(User {
                    username: (*username).into(),
                    display_name: format!("Người dùng {username}"),
                    role_bindings: vec![RoleBinding {
                        role: *role as i32,
                        unit: unit.name.clone(),
                    }],
                    ..Default::default()
                }),
                password: password_of(username),
                request_id: String::new(),
            })
            .await
            .unwrap();
    }
    unit.name
}

/// Every item of a list, a page after another: `page` answers the items at a
/// token (empty for the first page) and the next page's token, empty after
/// the last. A list that does not end within 1,000 pages fails the test.
pub async fn all_pages<T, F, Fut>(mut page: F) -> Vec<T>
where
    F: FnMut(String) -> Fut,
    Fut: std::future::Future<Output = (Vec<T>, String)>,
{
    let mut all = Vec::new();
    let mut page_token = String::new();
    for _ in 0..1000 {
        let (items, next) = page(page_token).await;
        all.extend(items);
        if next.is_empty() {
            return all;
        }
        page_token = next;
    }
    panic!("the list did not end after 1,000 pages");
}
