//! The real `eiso-server` binary for `--steady`: started on a fresh SQLite
//! data directory (or a fresh PostgreSQL database), synchronising to the
//! portal's simulator every `interval` seconds, with nothing of the caller's
//! `EISO_*` environment; killed and its database dropped at the end.

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use eiso_benchkit::Session;
use eiso_proto::tonic::transport::{Channel, Endpoint};
use sea_orm::{ConnectionTrait, Database};

/// How long the server may take to serve.
const START_DEADLINE: Duration = Duration::from_secs(90);

/// Where the portal is and how the sync runs.
pub struct Portal<'a> {
    pub url: &'a str,
    pub username: &'a str,
    pub password: &'a str,
    pub agency_code: &'a str,
    pub interval_seconds: u64,
}

/// A fresh PostgreSQL database made for the run, dropped with [`Server::stop`].
struct FreshDatabase {
    admin_url: String,
    name: String,
}

/// A running server and what it keeps its data in.
pub struct Server {
    child: Child,
    pub url: String,
    pub admin_password: String,
    pub log: PathBuf,
    database: Option<FreshDatabase>,
    _dir: tempfile::TempDir,
}

/// The `eiso-server` built next to this binary (`cargo build --release -p
/// eiso-server` puts both in the same target directory).
pub fn sibling_binary() -> anyhow::Result<PathBuf> {
    let me = std::env::current_exe().context("cannot tell where this program is")?;
    let dir = me.parent().context("this program is in no directory")?;
    Ok(dir.join("eiso-server"))
}

fn free_port() -> anyhow::Result<SocketAddr> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).context("cannot find a free port")?;
    Ok(listener.local_addr()?)
}

impl Server {
    /// Starts `binary` and waits until the administrator can sign in.
    pub async fn start(binary: &Path, database_url: Option<&str>, portal: &Portal<'_>) -> anyhow::Result<Server> {
        let dir = tempfile::tempdir()?;
        let database = match database_url {
            None => None,
            Some(admin_url) => {
                let name = format!("syncbench_{}", uuid::Uuid::new_v4().simple());
                let admin = Database::connect(admin_url)
                    .await
                    .with_context(|| format!("cannot connect to {admin_url}"))?;
                admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await?;
                admin.close().await?;
                Some(FreshDatabase {
                    admin_url: admin_url.to_string(),
                    name,
                })
            }
        };
        let config = dir.path().join("eiso.toml");
        std::fs::write(
            &config,
            format!(
                "[portal]\nurl = \"{}\"\nusername = \"{}\"\nagency_code = \"{}\"\ninterval_seconds = {}\n",
                portal.url, portal.username, portal.agency_code, portal.interval_seconds
            ),
        )?;
        let addr = free_port()?;
        let log = dir.path().join("eiso-server.log");
        let file = std::fs::File::create(&log)?;
        let admin_password = uuid::Uuid::new_v4().simple().to_string();
        let mut command = Command::new(binary);
        command
            .arg("--listen")
            .arg(addr.to_string())
            .arg("--data-dir")
            .arg(dir.path().join("data"))
            .arg("--config")
            .arg(&config);
        if let Some(database) = &database {
            let base = database
                .admin_url
                .rsplit_once('/')
                .map_or(database.admin_url.as_str(), |(base, _)| base);
            command.arg("--database-url").arg(format!("{base}/{}", database.name));
        }
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("EISO_") {
                command.env_remove(name);
            }
        }
        command
            .env_remove("RUST_LOG")
            .env("EISO_ADMIN_PASSWORD", &admin_password)
            .env("EISO_PORTAL_PASSWORD", portal.password)
            .env("EISO_LOG", "warn")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::from(file.try_clone()?))
            .stderr(Stdio::from(file));
        let child = command.spawn().with_context(|| {
            format!(
                "cannot start {} (build it with `cargo build --release -p eiso-server`)",
                binary.display()
            )
        })?;
        let mut server = Server {
            child,
            url: format!("http://{addr}"),
            admin_password,
            log,
            database,
            _dir: dir,
        };
        server.wait_until_serving().await?;
        Ok(server)
    }

    async fn wait_until_serving(&mut self) -> anyhow::Result<()> {
        let deadline = Instant::now() + START_DEADLINE;
        loop {
            if let Some(status) = self.child.try_wait()? {
                bail!("eiso-server exited during start-up ({status}):\n{}", self.log_tail());
            }
            if let Ok(channel) = self.connect().await
                && Session::login(&channel, "admin", &self.admin_password).await.is_ok()
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!(
                    "eiso-server did not serve within {START_DEADLINE:?}:\n{}",
                    self.log_tail()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// A new connection (HTTP/2) to the server.
    pub async fn connect(&self) -> anyhow::Result<Channel> {
        Ok(Endpoint::from_shared(self.url.clone())?
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(30))
            .tcp_nodelay(true)
            .connect()
            .await?)
    }

    /// The server's resident memory now, from /proc (Linux), in MiB.
    pub fn rss_mib(&self) -> Option<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let kib: f64 = status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))?
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()?;
        Some(kib / 1024.0)
    }

    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }

    /// Kills the server and drops the database made for it.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(database) = self.database.take() {
            let admin = Database::connect(database.admin_url.as_str()).await?;
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", database.name))
                .await?;
            admin.close().await?;
        }
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
