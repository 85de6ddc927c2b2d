//! The real `eiso-server` binary under an address-space cap (`ulimit -v`),
//! shared by the tests of hostile files and of poison events: a runaway
//! allocation dies inside the test, never takes the machine down. The
//! server's arguments and environment are those of [`crate::process`].

// Each test binary uses its own part of this module.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus};
use std::time::{Duration, Instant};

use eiso_proto::eiso::identity::v1::identity_service_client::IdentityServiceClient;
use eiso_proto::eiso::identity::v1::{LoginRequest, PasswordCredentials, login_request};
use eiso_tests::Backend;
use tonic::transport::{Channel, Endpoint};

/// The address-space cap of the server process, in KiB (4 GiB).
pub const CAP_KIB: u64 = 4 << 20;
const SERVER: &str = env!("CARGO_BIN_EXE_eiso-server");

/// Where a server of `backend` keeps its files: the data directory, the
/// database URL (PostgreSQL), and a temporary directory to keep alive.
pub fn storage(backend: &Backend) -> (PathBuf, Option<String>, Option<tempfile::TempDir>) {
    match backend {
        Backend::Sqlite { dir } => (dir.path().to_path_buf(), None, None),
        Backend::Postgres { url, .. } => {
            let dir = tempfile::tempdir().unwrap();
            (dir.path().to_path_buf(), Some(url.clone()), Some(dir))
        }
    }
}

/// How a start ended up.
pub enum Start {
    Serving(SocketAddr),
    Died(ExitStatus),
}

/// A server process under the cap, its output in `log`.
pub struct CappedServer {
    pub child: Child,
    pub log: PathBuf,
}

impl CappedServer {
    /// Starts the server under `ulimit -v CAP_KIB` with a clean `EISO_*`
    /// environment plus `env`.
    pub fn spawn(data_dir: &Path, database_url: Option<&str>, log: PathBuf, env: &[(&str, &str)]) -> Self {
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(format!("ulimit -v {CAP_KIB} && exec \"$0\" \"$@\""))
            .arg(SERVER);
        crate::process::serve(&mut command, data_dir, database_url, &log, env);
        CappedServer {
            child: command.spawn().unwrap(),
            log,
        }
    }

    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().unwrap()
    }

    /// Waits until the server serves or dies (at most `deadline`).
    pub async fn started(&mut self, deadline: Duration) -> Start {
        let deadline = Instant::now() + deadline;
        loop {
            if let Some(status) = self.exited() {
                return Start::Died(status);
            }
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            if let Some(line) = log.lines().find(|l| l.contains("eiso-server serving"))
                && let Some((_, rest)) = line.split_once("address=")
                && let Some(addr) = rest.split_whitespace().next().and_then(|a| a.parse().ok())
            {
                return Start::Serving(addr);
            }
            assert!(Instant::now() < deadline, "no start:\n{}", self.log_tail());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn assert_alive(&mut self) {
        if let Some(status) = self.exited() {
            panic!("eiso-server died ({status}):\n{}", self.log_tail());
        }
    }

    /// (VmPeak, VmHWM) in KiB, from /proc.
    pub fn memory(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse().ok())
                .unwrap()
        };
        (field("VmPeak:"), field("VmHWM:"))
    }

    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }
}

impl Drop for CappedServer {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("--- server log (last lines) ---\n{}", self.log_tail());
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub async fn connect(addr: SocketAddr, timeout: Duration) -> Channel {
    Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .timeout(timeout)
        .connect()
        .await
        .unwrap()
}

pub async fn login(channel: &Channel, username: &str, password: &str) -> Result<String, tonic::Status> {
    Ok(IdentityServiceClient::new(channel.clone())
        .login(LoginRequest {
            credentials: Some(login_request::Credentials::Password(PasswordCredentials {
                username: username.into(),
                password: password.into(),
            })),
        })
        .await?
        .into_inner()
        .access_token)
}
