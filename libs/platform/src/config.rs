//! Server configuration: built-in defaults → optional TOML file → `EISO_*`
//! environment → command-line flags (applied by the binary). Unknown keys in
//! the file and unknown `EISO_*` variables are refused, so a typo is an error
//! rather than a silently ignored setting.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

mod blob_store;
mod health;
mod hosting;
mod tls;
mod upstream;

pub use blob_store::{BlobStoreConfig, BlobStoreKind};
pub use health::HealthConfig;
pub use hosting::{GROUPS, Hosting, SERVICES, service_of};
pub use tls::TlsConfig;
pub use upstream::{Secret, UpstreamConfig, UpstreamError};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("config file {path}: {source}")]
    Parse {
        path: PathBuf,
        source: Box<toml::de::Error>,
    },
    #[error("environment variable {name}: {message}")]
    Env { name: String, message: String },
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
}

/// How SQLite makes commits durable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SqliteSynchronous {
    /// Every commit is on disk before it is acknowledged (the default: an
    /// acknowledged dossier or revision survives a power cut).
    Full,
    /// Faster; in WAL mode the last commits can be lost on power loss (not on
    /// a process crash).
    Normal,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SqliteConfig {
    /// How long a connection waits for a lock held by another process.
    pub busy_timeout_ms: u64,
    /// Size of the read pool beside the single writer connection.
    pub read_connections: u32,
    pub synchronous: SqliteSynchronous,
}

impl Default for SqliteConfig {
    fn default() -> Self {
        Self {
            busy_timeout_ms: 10_000,
            read_connections: 4,
            synchronous: SqliteSynchronous::Full,
        }
    }
}

/// The services that keep a database, by the name of their SQLite file or
/// PostgreSQL schema: the keys of `[postgres.pool]`.
pub const DATABASE_SERVICES: [&str; 7] = [
    "identity",
    "documents",
    "procedures",
    "quality",
    "plans",
    "notify",
    "sync",
];

/// The largest pool size `[postgres]` accepts.
pub const MAX_POOL_SIZE: u32 = 200;

/// PostgreSQL connection pools (when `database_url` is a `postgres://` URL).
/// Each service a process hosts opens its own pool, so one replica holds up
/// to the sum of its services' pools, and every replica as many.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PostgresConfig {
    /// Largest pool of each service not named in `pool`.
    pub max_connections: u32,
    /// Largest pool of the services named (see [`DATABASE_SERVICES`]).
    pub pool: BTreeMap<String, u32>,
}

impl Default for PostgresConfig {
    fn default() -> Self {
        Self {
            max_connections: 8,
            pool: BTreeMap::new(),
        }
    }
}

impl PostgresConfig {
    /// The largest pool of `service` (its schema name).
    pub fn max_connections_of(&self, service: &str) -> u32 {
        self.pool.get(service).copied().unwrap_or(self.max_connections)
    }

    /// Every size from 1 to [`MAX_POOL_SIZE`]; only known services named.
    fn validate(&self) -> Result<(), ConfigError> {
        let sizes = std::iter::once(("postgres.max_connections", "", self.max_connections)).chain(
            self.pool
                .iter()
                .map(|(service, size)| ("postgres.pool", service.as_str(), *size)),
        );
        for (field, service, size) in sizes {
            if !(1..=MAX_POOL_SIZE).contains(&size) {
                return Err(ConfigError::Invalid {
                    field,
                    message: format!("{service} must be from 1 to {MAX_POOL_SIZE}, got {size}")
                        .trim_start()
                        .to_string(),
                });
            }
        }
        if let Some(unknown) = self
            .pool
            .keys()
            .find(|name| !DATABASE_SERVICES.contains(&name.as_str()))
        {
            return Err(ConfigError::Invalid {
                field: "postgres.pool",
                message: unknown_service(unknown),
            });
        }
        Ok(())
    }
}

fn unknown_service(name: &str) -> String {
    format!(
        "unknown service `{name}`: expected one of {}",
        DATABASE_SERVICES.join(", ")
    )
}

/// How log lines are written to stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One human-readable line per event (the default).
    Text,
    /// One JSON object per line (timestamp, level, target, message, the
    /// event's fields, its spans), for a log collector.
    Json,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// `tracing` filter; `RUST_LOG` wins when set.
    pub filter: String,
    pub format: LogFormat,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            filter: "info".to_string(),
            format: LogFormat::Text,
        }
    }
}

/// The National Public Service Portal (Cổng Dịch vụ công quốc gia): its
/// adapter's address, eiso's account there and the agency's code. The
/// password is never printed; give it as `EISO_PORTAL_PASSWORD` rather than
/// in a file.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortalConfig {
    pub url: String,
    pub username: String,
    #[serde(default)]
    pub password: String,
    /// The agency's code at the portal (`madonvi`).
    pub agency_code: String,
    /// How long one call may take.
    #[serde(default = "PortalConfig::default_timeout_seconds")]
    pub timeout_seconds: u64,
    /// How often due deliveries are attempted.
    #[serde(default = "PortalConfig::default_interval_seconds")]
    pub interval_seconds: u64,
    /// Local procedure code → the portal's code, where they differ.
    #[serde(default)]
    pub procedure_codes: BTreeMap<String, String>,
}

impl PortalConfig {
    fn default_timeout_seconds() -> u64 {
        30
    }

    fn default_interval_seconds() -> u64 {
        5
    }

    fn named(url: &str) -> Self {
        Self {
            url: url.to_string(),
            username: String::new(),
            password: String::new(),
            agency_code: String::new(),
            timeout_seconds: Self::default_timeout_seconds(),
            interval_seconds: Self::default_interval_seconds(),
            procedure_codes: BTreeMap::new(),
        }
    }
}

impl std::fmt::Debug for PortalConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PortalConfig")
            .field("url", &self.url)
            .field("username", &self.username)
            .field("password", &if self.password.is_empty() { "" } else { "<set>" })
            .field("agency_code", &self.agency_code)
            .field("timeout_seconds", &self.timeout_seconds)
            .field("interval_seconds", &self.interval_seconds)
            .field("procedure_codes", &self.procedure_codes.len())
            .finish()
    }
}

/// Notifications to applicants (received, supplement asked, extended,
/// result ready): e-mail through an SMTP server and/or SMS through an HTTP
/// gateway. Secrets (the SMTP URL's password, the gateway's token) are never
/// printed; give them as `EISO_NOTIFY_SMTP_URL` and `EISO_NOTIFY_SMS_TOKEN`.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationsConfig {
    /// The SMTP server: `smtp://host:25` (plain), `smtp://user:pass@host:587?tls=required`
    /// (STARTTLS) or `smtps://user:pass@host:465`; empty: no e-mail.
    #[serde(default)]
    pub smtp_url: String,
    /// The e-mails' sender, `Bộ phận Một cửa <motcua@example.gov.vn>`.
    #[serde(default)]
    pub from: String,
    /// The SMS gateway's address (JSON over HTTP POST); empty: no SMS.
    #[serde(default)]
    pub sms_url: String,
    /// The gateway's bearer token.
    #[serde(default)]
    pub sms_token: String,
    /// The brand name the SMS is sent under, when the gateway wants one.
    #[serde(default)]
    pub sms_sender: String,
    /// SMS text without diacritics (the carriers' brand-name SMS are usually
    /// sent so: a Vietnamese text with marks takes a 70-character segment).
    #[serde(default = "NotificationsConfig::yes")]
    pub sms_unaccented: bool,
    /// How long one send may take.
    #[serde(default = "NotificationsConfig::default_timeout_seconds")]
    pub timeout_seconds: u64,
    /// How often due notifications are sent.
    #[serde(default = "NotificationsConfig::default_interval_seconds")]
    pub interval_seconds: u64,
    /// The wait before the first retry of a failed notification; it doubles
    /// with each failure after (up to an hour).
    #[serde(default = "NotificationsConfig::default_retry_first_seconds")]
    pub retry_first_seconds: u64,
}

impl NotificationsConfig {
    fn yes() -> bool {
        true
    }

    fn default_timeout_seconds() -> u64 {
        30
    }

    fn default_interval_seconds() -> u64 {
        5
    }

    fn default_retry_first_seconds() -> u64 {
        5
    }

    /// When a failed notification is tried again and when it is parked: the
    /// shared backoff, starting at [`Self::retry_first_seconds`].
    pub fn retry(&self) -> crate::retry::Retry {
        crate::retry::Retry {
            first: std::time::Duration::from_secs(self.retry_first_seconds),
            ..crate::retry::Retry::default()
        }
    }

    fn empty() -> Self {
        Self {
            smtp_url: String::new(),
            from: String::new(),
            sms_url: String::new(),
            sms_token: String::new(),
            sms_sender: String::new(),
            sms_unaccented: true,
            timeout_seconds: Self::default_timeout_seconds(),
            interval_seconds: Self::default_interval_seconds(),
            retry_first_seconds: Self::default_retry_first_seconds(),
        }
    }
}

impl NotificationsConfig {
    /// At least one channel, each complete; a sender for e-mail.
    fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |field, message: &str| {
            Err(ConfigError::Invalid {
                field,
                message: message.to_string(),
            })
        };
        if self.smtp_url.is_empty() && self.sms_url.is_empty() {
            return invalid(
                "notifications.smtp_url",
                "name an SMTP server or an SMS gateway (notifications.sms_url), or leave [notifications] out",
            );
        }
        if !self.smtp_url.is_empty() {
            if !(self.smtp_url.starts_with("smtp://") || self.smtp_url.starts_with("smtps://")) {
                return invalid("notifications.smtp_url", "must be an smtp:// or smtps:// address");
            }
            if !self.from.contains('@') {
                return invalid(
                    "notifications.from",
                    "is required with an SMTP server: the sender's address, `Bộ phận Một cửa <motcua@…>`",
                );
            }
        }
        let web_address = self.sms_url.starts_with("https://") || self.sms_url.starts_with("http://");
        if !self.sms_url.is_empty() && !web_address {
            return invalid("notifications.sms_url", "must be an http:// or https:// address");
        }
        if self.timeout_seconds == 0 || self.interval_seconds == 0 {
            return invalid(
                "notifications.interval_seconds",
                "timeout_seconds and interval_seconds must be at least 1",
            );
        }
        let longest = crate::retry::Retry::default().longest.as_secs();
        if !(1..=longest).contains(&self.retry_first_seconds) {
            return Err(ConfigError::Invalid {
                field: "notifications.retry_first_seconds",
                message: format!("must be from 1 to {longest} (the longest wait between retries)"),
            });
        }
        Ok(())
    }
}

impl std::fmt::Debug for NotificationsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NotificationsConfig")
            .field("smtp_url", &redact_url(&self.smtp_url))
            .field("from", &self.from)
            .field("sms_url", &redact_url(&self.sms_url))
            .field("sms_token", &if self.sms_token.is_empty() { "" } else { "<set>" })
            .field("sms_sender", &self.sms_sender)
            .field("sms_unaccented", &self.sms_unaccented)
            .field("timeout_seconds", &self.timeout_seconds)
            .field("interval_seconds", &self.interval_seconds)
            .field("retry_first_seconds", &self.retry_first_seconds)
            .finish()
    }
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub listen_addr: SocketAddr,
    /// The address people reach the server at (`https://motcua.example.gov.vn`),
    /// printed on the receipt as the QR code of the citizen's lookup page.
    /// `None`: `http://{listen_addr}`.
    pub public_url: Option<String>,
    pub data_dir: PathBuf,
    /// `None`: SQLite files under `data_dir`. A `postgres://` URL: PostgreSQL,
    /// one schema per service.
    pub database_url: Option<String>,
    /// Tokio worker threads; `None` sizes the pool to the CPUs available.
    pub worker_threads: Option<usize>,
    /// Largest gRPC message accepted or sent.
    pub max_message_bytes: usize,
    /// Lifetime of access tokens.
    pub token_ttl_seconds: u64,
    /// Largest file accepted by an upload.
    pub max_file_bytes: u64,
    /// Where this process keeps its search index; `None`: `data_dir/search`.
    /// The index is per process: replicas each need their own.
    pub search_dir: Option<PathBuf>,
    pub sqlite: SqliteConfig,
    pub postgres: PostgresConfig,
    pub log: LogConfig,
    /// Where uploaded files are kept: `data_dir/blobs`, or a bucket.
    pub blob_store: BlobStoreConfig,
    /// TLS on the listener; `None` (the default): plain HTTP/2 and HTTP/1.1,
    /// for a TLS-terminating proxy or load balancer in front.
    pub tls: Option<TlsConfig>,
    /// How often the databases are checked for the readiness reported by
    /// the health service.
    pub health: HealthConfig,
    /// The services this process hosts; `None` (the default): every one.
    /// See [`Hosting`].
    pub services: Option<Vec<String>>,
    /// The process hosting the services this one does not (`services`).
    pub upstream: Option<UpstreamConfig>,
    /// The National Public Service Portal the dossiers are synchronised to;
    /// `None` (the default): no synchronisation.
    pub portal: Option<PortalConfig>,
    /// Notifications to applicants; `None` (the default): none are sent.
    pub notifications: Option<NotificationsConfig>,
    /// Password of the `admin` user created at first start. Never printed.
    #[serde(skip)]
    pub admin_password: Option<String>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen_addr", &self.listen_addr)
            .field("public_url", &self.public_url)
            .field("data_dir", &self.data_dir)
            .field("database_url", &self.database_url.as_deref().map(redact_url))
            .field("worker_threads", &self.worker_threads)
            .field("max_message_bytes", &self.max_message_bytes)
            .field("token_ttl_seconds", &self.token_ttl_seconds)
            .field("max_file_bytes", &self.max_file_bytes)
            .field("search_dir", &self.search_dir)
            .field("sqlite", &self.sqlite)
            .field("postgres", &self.postgres)
            .field("portal", &self.portal)
            .field("notifications", &self.notifications)
            .field("log", &self.log)
            .field("blob_store", &self.blob_store)
            .field("tls", &self.tls)
            .field("health", &self.health)
            .field("services", &self.services)
            .field("upstream", &self.upstream)
            .field("admin_password", &self.admin_password.as_ref().map(|_| "<set>"))
            .finish()
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen_addr: SocketAddr::from(([127, 0, 0, 1], 50051)),
            public_url: None,
            data_dir: PathBuf::from("./data"),
            database_url: None,
            worker_threads: None,
            max_message_bytes: 16 * 1024 * 1024,
            token_ttl_seconds: 3600,
            max_file_bytes: 1 << 30,
            search_dir: None,
            sqlite: SqliteConfig::default(),
            postgres: PostgresConfig::default(),
            log: LogConfig::default(),
            blob_store: BlobStoreConfig::default(),
            tls: None,
            health: HealthConfig::default(),
            services: None,
            upstream: None,
            portal: None,
            notifications: None,
            admin_password: None,
        }
    }
}

/// `EISO_*` variables that belong to clients and tests, not to the server;
/// they are ignored rather than refused.
const NOT_SERVER_VARIABLES: &[&str] = &["EISO_SERVER", "EISO_TOKEN", "EISO_OUTPUT", "EISO_CONFIG_DIR"];
const NOT_SERVER_PREFIXES: &[&str] = &["EISO_TEST_"];

impl Config {
    /// [`Config::public_url`], or the listening address; without a trailing `/`.
    pub fn public_base_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| {
                let scheme = if self.tls.is_some() { "https" } else { "http" };
                format!("{scheme}://{}", self.listen_addr)
            })
            .trim_end_matches('/')
            .to_string()
    }

    /// The search index's directory.
    pub fn search_dir(&self) -> PathBuf {
        self.search_dir.clone().unwrap_or_else(|| self.data_dir.join("search"))
    }

    /// Loads the configuration from the defaults, the file named by `file` (or
    /// by `EISO_CONFIG`), then the `EISO_*` variables in `env`. Takes the
    /// environment as a parameter so tests do not touch the process's.
    pub fn load(file: Option<&Path>, env: &BTreeMap<String, String>) -> Result<Self, ConfigError> {
        let file = file
            .map(Path::to_path_buf)
            .or_else(|| env.get("EISO_CONFIG").map(PathBuf::from));
        let mut config = match file {
            Some(path) => {
                let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
                    path: path.clone(),
                    source,
                })?;
                toml::from_str(&text).map_err(|source| ConfigError::Parse {
                    path,
                    source: Box::new(source),
                })?
            }
            None => Config::default(),
        };
        config.apply_env(env)?;
        config.blob_store.credentials_from(env);
        config.validate()?;
        Ok(config)
    }

    fn apply_env(&mut self, env: &BTreeMap<String, String>) -> Result<(), ConfigError> {
        fn parse<T: std::str::FromStr>(name: &str, value: &str) -> Result<T, ConfigError>
        where
            T::Err: std::fmt::Display,
        {
            value.trim().parse().map_err(|e: T::Err| ConfigError::Env {
                name: name.to_string(),
                message: e.to_string(),
            })
        }
        for (name, value) in env.iter().filter(|(name, _)| name.starts_with("EISO_")) {
            match name.as_str() {
                "EISO_CONFIG" => {}
                "EISO_LISTEN_ADDR" => self.listen_addr = parse(name, value)?,
                "EISO_PUBLIC_URL" => self.public_url = Some(value.trim().to_string()).filter(|url| !url.is_empty()),
                "EISO_DATA_DIR" => self.data_dir = PathBuf::from(value),
                "EISO_DATABASE_URL" => {
                    self.database_url = if value.trim().is_empty() {
                        None
                    } else {
                        Some(value.trim().to_string())
                    }
                }
                "EISO_WORKER_THREADS" => self.worker_threads = Some(parse(name, value)?),
                "EISO_MAX_MESSAGE_BYTES" => self.max_message_bytes = parse(name, value)?,
                "EISO_TOKEN_TTL_SECONDS" => self.token_ttl_seconds = parse(name, value)?,
                "EISO_MAX_FILE_BYTES" => self.max_file_bytes = parse(name, value)?,
                "EISO_SEARCH_DIR" => {
                    self.search_dir = Some(PathBuf::from(value.trim())).filter(|p| !p.as_os_str().is_empty())
                }
                "EISO_SQLITE_BUSY_TIMEOUT_MS" => self.sqlite.busy_timeout_ms = parse(name, value)?,
                "EISO_SQLITE_READ_CONNECTIONS" => self.sqlite.read_connections = parse(name, value)?,
                "EISO_SQLITE_SYNCHRONOUS" => {
                    self.sqlite.synchronous = match value.trim().to_ascii_lowercase().as_str() {
                        "full" => SqliteSynchronous::Full,
                        "normal" => SqliteSynchronous::Normal,
                        other => {
                            return Err(ConfigError::Env {
                                name: name.clone(),
                                message: format!("expected `full` or `normal`, got `{other}`"),
                            });
                        }
                    }
                }
                "EISO_POSTGRES_MAX_CONNECTIONS" => self.postgres.max_connections = parse(name, value)?,
                other if other.starts_with("EISO_POSTGRES_POOL_") => {
                    let service = other["EISO_POSTGRES_POOL_".len()..].to_ascii_lowercase();
                    if !DATABASE_SERVICES.contains(&service.as_str()) {
                        return Err(ConfigError::Env {
                            name: name.clone(),
                            message: unknown_service(&service),
                        });
                    }
                    if value.trim().is_empty() {
                        self.postgres.pool.remove(&service);
                    } else {
                        self.postgres.pool.insert(service, parse(name, value)?);
                    }
                }
                "EISO_LOG" => self.log.filter = value.clone(),
                name if blob_store::VARIABLES.contains(&name) => self.blob_store.apply_env(name, value)?,
                name if health::VARIABLES.contains(&name) => self.health.apply_env(name, value)?,
                "EISO_SERVICES" => hosting::apply_env(self, value),
                name if upstream::VARIABLES.contains(&name) => self
                    .upstream
                    .get_or_insert_with(|| UpstreamConfig::new(""))
                    .apply_env(name, value)?,
                name if tls::VARIABLES.contains(&name) => {
                    self.tls.get_or_insert_with(TlsConfig::default).apply_env(name, value)?
                }
                "EISO_LOG_FORMAT" => {
                    self.log.format = match value.trim().to_ascii_lowercase().as_str() {
                        "text" => LogFormat::Text,
                        "json" => LogFormat::Json,
                        other => {
                            return Err(ConfigError::Env {
                                name: name.clone(),
                                message: format!("expected `text` or `json`, got `{other}`"),
                            });
                        }
                    }
                }
                "EISO_ADMIN_PASSWORD" => self.admin_password = Some(value.clone()),
                "EISO_PORTAL_URL" => {
                    self.portal = match self.portal.take() {
                        _ if value.trim().is_empty() => None,
                        Some(portal) => Some(PortalConfig {
                            url: value.trim().to_string(),
                            ..portal
                        }),
                        None => Some(PortalConfig::named(value.trim())),
                    }
                }
                "EISO_PORTAL_USERNAME" | "EISO_PORTAL_PASSWORD" | "EISO_PORTAL_AGENCY_CODE" => {}
                "EISO_NOTIFY_SMTP_URL" | "EISO_NOTIFY_FROM" | "EISO_NOTIFY_SMS_URL" | "EISO_NOTIFY_SMS_TOKEN" => {
                    let notifications = self.notifications.get_or_insert_with(NotificationsConfig::empty);
                    let field = match name.as_str() {
                        "EISO_NOTIFY_SMTP_URL" => &mut notifications.smtp_url,
                        "EISO_NOTIFY_FROM" => &mut notifications.from,
                        "EISO_NOTIFY_SMS_URL" => &mut notifications.sms_url,
                        _ => &mut notifications.sms_token,
                    };
                    *field = value.trim().to_string();
                }
                other
                    if NOT_SERVER_VARIABLES.contains(&other)
                        || NOT_SERVER_PREFIXES.iter().any(|p| other.starts_with(p)) => {}
                other => {
                    return Err(ConfigError::Env {
                        name: other.to_string(),
                        message: "unknown eiso setting (see deploy/eiso.example.toml for the list)".to_string(),
                    });
                }
            }
        }
        if let Some(portal) = &mut self.portal {
            for (name, field) in [
                ("EISO_PORTAL_USERNAME", &mut portal.username),
                ("EISO_PORTAL_PASSWORD", &mut portal.password),
                ("EISO_PORTAL_AGENCY_CODE", &mut portal.agency_code),
            ] {
                if let Some(value) = env.get(name) {
                    *field = value.trim().to_string();
                }
            }
        } else if let Some(name) = [
            "EISO_PORTAL_USERNAME",
            "EISO_PORTAL_PASSWORD",
            "EISO_PORTAL_AGENCY_CODE",
        ]
        .into_iter()
        .find(|name| env.contains_key(*name))
        {
            return Err(ConfigError::Env {
                name: name.to_string(),
                message: "no portal is configured: set EISO_PORTAL_URL (or [portal] url in the file) too".into(),
            });
        }
        Ok(())
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        self.blob_store.validate()?;
        self.health.validate()?;
        if let Some(upstream) = &self.upstream {
            upstream.validate_config()?;
        }
        self.validate_hosting()?;
        if let Some(tls) = &self.tls {
            tls.validate()?;
        }
        if let Some(portal) = &self.portal {
            for (field, value) in [
                ("portal.url", &portal.url),
                ("portal.username", &portal.username),
                ("portal.password", &portal.password),
                ("portal.agency_code", &portal.agency_code),
            ] {
                if value.trim().is_empty() {
                    return Err(ConfigError::Invalid {
                        field,
                        message: "is required when the portal is configured".into(),
                    });
                }
            }
            if !(portal.url.starts_with("https://") || portal.url.starts_with("http://")) {
                return Err(ConfigError::Invalid {
                    field: "portal.url",
                    message: "must be an http:// or https:// address".into(),
                });
            }
            if portal.timeout_seconds == 0 || portal.interval_seconds == 0 {
                return Err(ConfigError::Invalid {
                    field: "portal.interval_seconds",
                    message: "timeout_seconds and interval_seconds must be at least 1".into(),
                });
            }
        }
        if let Some(notifications) = &self.notifications {
            notifications.validate()?;
        }
        if let Some(url) = &self.public_url
            && !((url.starts_with("https://") || url.starts_with("http://"))
                && url.len() > "https://".len()
                && !url.chars().any(|c| c.is_whitespace() || c.is_control()))
        {
            return Err(ConfigError::Invalid {
                field: "public_url",
                message: "must be an http:// or https:// address".into(),
            });
        }
        if self.max_message_bytes < 64 * 1024 {
            return Err(ConfigError::Invalid {
                field: "max_message_bytes",
                message: "must be at least 65536".into(),
            });
        }
        if self.token_ttl_seconds < 60 || self.token_ttl_seconds > 24 * 3600 {
            return Err(ConfigError::Invalid {
                field: "token_ttl_seconds",
                message: "must be between 60 and 86400".into(),
            });
        }
        if self.max_file_bytes == 0 {
            return Err(ConfigError::Invalid {
                field: "max_file_bytes",
                message: "must be at least 1".into(),
            });
        }
        if self.sqlite.read_connections == 0 {
            return Err(ConfigError::Invalid {
                field: "sqlite.read_connections",
                message: "must be at least 1".into(),
            });
        }
        self.postgres.validate()?;
        if self.worker_threads == Some(0) {
            return Err(ConfigError::Invalid {
                field: "worker_threads",
                message: "must be at least 1".into(),
            });
        }
        if let Some(url) = &self.database_url
            && !(url.starts_with("postgres://") || url.starts_with("postgresql://") || url.starts_with("sqlite:"))
        {
            return Err(ConfigError::Invalid {
                field: "database_url",
                message: "expected a postgres:// URL (or leave it unset for SQLite files under data_dir)".into(),
            });
        }
        if let Some(password) = &self.admin_password
            && password.chars().count() < 10
        {
            return Err(ConfigError::Invalid {
                field: "EISO_ADMIN_PASSWORD",
                message: "must be at least 10 characters".into(),
            });
        }
        Ok(())
    }
}

/// Hides the password of a database URL for logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{}://{}:***@{}", &url[..scheme], user, &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The environment of `pairs` (the submodules' tests too).
    pub(super) fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn the_portal_is_off_by_default_and_configured_whole_or_refused() {
        assert!(Config::load(None, &BTreeMap::new()).expect("defaults").portal.is_none());
        let config = Config::load(
            None,
            &env(&[
                ("EISO_PORTAL_URL", "https://dichvucong.gov.vn/api"),
                ("EISO_PORTAL_USERNAME", "hp-gddt"),
                ("EISO_PORTAL_PASSWORD", "mat-khau-cong"),
                ("EISO_PORTAL_AGENCY_CODE", "000.31.H31"),
            ]),
        )
        .expect("a portal");
        let portal = config.portal.as_ref().expect("configured");
        assert_eq!(
            (portal.agency_code.as_str(), portal.interval_seconds),
            ("000.31.H31", 5)
        );
        assert!(
            !format!("{config:?}").contains("mat-khau-cong"),
            "the password is never printed"
        );
        let missing = Config::load(None, &env(&[("EISO_PORTAL_URL", "https://p.example")]));
        assert!(
            matches!(
                missing,
                Err(ConfigError::Invalid {
                    field: "portal.username",
                    ..
                })
            ),
            "{missing:?}"
        );
        let orphan = Config::load(None, &env(&[("EISO_PORTAL_PASSWORD", "x")]));
        assert!(matches!(orphan, Err(ConfigError::Env { .. })), "{orphan:?}");
    }

    #[test]
    fn notifications_are_off_by_default_and_configured_whole_or_refused() {
        assert!(
            Config::load(None, &BTreeMap::new())
                .expect("defaults")
                .notifications
                .is_none()
        );
        let config = Config::load(
            None,
            &env(&[
                (
                    "EISO_NOTIFY_SMTP_URL",
                    "smtp://motcua:mat-khau-thu@mail.example.gov.vn:587?tls=required",
                ),
                ("EISO_NOTIFY_FROM", "Bộ phận Một cửa <motcua@example.gov.vn>"),
                ("EISO_NOTIFY_SMS_URL", "https://sms.example.vn/send"),
                ("EISO_NOTIFY_SMS_TOKEN", "token-bi-mat"),
            ]),
        )
        .expect("notifications");
        let notifications = config.notifications.as_ref().expect("configured");
        assert!(notifications.sms_unaccented && notifications.interval_seconds == 5);
        let printed = format!("{config:?}");
        assert!(
            !printed.contains("mat-khau-thu") && !printed.contains("token-bi-mat"),
            "secrets are never printed: {printed}"
        );
        let no_sender = Config::load(None, &env(&[("EISO_NOTIFY_SMTP_URL", "smtp://localhost:25")]));
        assert!(
            matches!(
                no_sender,
                Err(ConfigError::Invalid {
                    field: "notifications.from",
                    ..
                })
            ),
            "{no_sender:?}"
        );
        let no_channel = Config::load(None, &env(&[("EISO_NOTIFY_FROM", "a <a@b.vn>")]));
        assert!(
            matches!(
                no_channel,
                Err(ConfigError::Invalid {
                    field: "notifications.smtp_url",
                    ..
                })
            ),
            "{no_channel:?}"
        );
        let wrong = Config::load(None, &env(&[("EISO_NOTIFY_SMS_URL", "ftp://x")]));
        assert!(
            matches!(
                wrong,
                Err(ConfigError::Invalid {
                    field: "notifications.sms_url",
                    ..
                })
            ),
            "{wrong:?}"
        );
    }

    #[test]
    fn the_first_retry_of_a_notification_is_configurable_within_the_ceiling() {
        let load = |retry: &str| {
            let dir = tempfile::tempdir().expect("tempdir");
            let path = dir.path().join("eiso.toml");
            std::fs::write(
                &path,
                format!("[notifications]\nsms_url = \"https://sms.example.vn/send\"\n{retry}"),
            )
            .expect("write");
            Config::load(Some(&path), &BTreeMap::new())
        };
        let default = load("").expect("the default backoff");
        let retry = default.notifications.as_ref().expect("configured").retry();
        assert_eq!(retry.first, std::time::Duration::from_secs(5));
        let quick = load("retry_first_seconds = 1").expect("a quick first retry");
        let retry = quick.notifications.as_ref().expect("configured").retry();
        assert_eq!(
            (retry.first, retry.longest, retry.refusals),
            (
                std::time::Duration::from_secs(1),
                crate::retry::Retry::default().longest,
                crate::retry::Retry::default().refusals
            ),
            "only the first wait changes"
        );
        assert!(format!("{quick:?}").contains("retry_first_seconds: 1"));
        for wrong in ["retry_first_seconds = 0", "retry_first_seconds = 3601"] {
            let refused = load(wrong);
            assert!(
                matches!(
                    refused,
                    Err(ConfigError::Invalid {
                        field: "notifications.retry_first_seconds",
                        ..
                    })
                ),
                "{wrong}: {refused:?}"
            );
        }
    }

    #[test]
    fn defaults_need_no_configuration() {
        let config = Config::load(None, &BTreeMap::new()).expect("defaults are valid");
        assert_eq!(config.listen_addr.to_string(), "127.0.0.1:50051");
        assert_eq!(config.data_dir, PathBuf::from("./data"));
        assert!(config.database_url.is_none());
        assert_eq!(config.sqlite.synchronous, SqliteSynchronous::Full);
    }

    #[test]
    fn environment_overrides_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("eiso.toml");
        std::fs::write(
            &path,
            "listen_addr = \"0.0.0.0:6000\"\n[sqlite]\nread_connections = 8\n",
        )
        .expect("write");
        let config = Config::load(Some(&path), &env(&[("EISO_LISTEN_ADDR", "127.0.0.1:7000")])).expect("loads");
        assert_eq!(config.listen_addr.to_string(), "127.0.0.1:7000");
        assert_eq!(config.sqlite.read_connections, 8);
    }

    #[test]
    fn unknown_keys_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("eiso.toml");
        std::fs::write(&path, "listen = \"0.0.0.0:6000\"\n").expect("write");
        let error = Config::load(Some(&path), &BTreeMap::new()).expect_err("unknown key");
        assert!(error.to_string().contains("unknown field `listen`"), "{error}");

        let error = Config::load(None, &env(&[("EISO_LISTEN", "x")])).expect_err("unknown variable");
        assert!(error.to_string().contains("EISO_LISTEN"), "{error}");
        // Client and test variables are not the server's business.
        Config::load(None, &env(&[("EISO_TOKEN", "x"), ("EISO_TEST_DATABASE_URL", "y")])).expect("ignored");
    }

    #[test]
    fn the_log_format_is_text_unless_json_is_asked_for() {
        let config = Config::load(None, &BTreeMap::new()).expect("defaults");
        assert_eq!(config.log.format, LogFormat::Text);
        let config = Config::load(None, &env(&[("EISO_LOG_FORMAT", " JSON ")])).expect("json");
        assert_eq!(config.log.format, LogFormat::Json);

        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("eiso.toml");
        std::fs::write(&path, "[log]\nfilter = \"warn\"\nformat = \"json\"\n").expect("write");
        let config = Config::load(Some(&path), &BTreeMap::new()).expect("loads");
        assert_eq!(
            (config.log.filter.as_str(), config.log.format),
            ("warn", LogFormat::Json)
        );
        let config = Config::load(Some(&path), &env(&[("EISO_LOG_FORMAT", "text")])).expect("env wins");
        assert_eq!(config.log.format, LogFormat::Text);

        let error = Config::load(None, &env(&[("EISO_LOG_FORMAT", "yaml")])).expect_err("unknown format");
        assert!(error.to_string().contains("EISO_LOG_FORMAT"), "{error}");
        std::fs::write(&path, "[log]\nformat = \"logfmt\"\n").expect("write");
        let error = Config::load(Some(&path), &BTreeMap::new()).expect_err("unknown format in the file");
        assert!(error.to_string().contains("logfmt"), "{error}");
    }

    #[test]
    fn bad_values_name_the_setting() {
        let error = Config::load(None, &env(&[("EISO_LISTEN_ADDR", "nowhere")])).expect_err("bad address");
        assert!(error.to_string().contains("EISO_LISTEN_ADDR"), "{error}");
        let error = Config::load(None, &env(&[("EISO_DATABASE_URL", "mysql://x")])).expect_err("bad url");
        assert!(error.to_string().contains("database_url"), "{error}");
    }

    #[test]
    fn postgres_pools_are_sized_per_service_within_bounds() {
        let config = Config::load(None, &BTreeMap::new()).expect("defaults");
        assert_eq!(config.postgres.max_connections_of("documents"), 8);

        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("eiso.toml");
        let write = |text: &str| std::fs::write(&path, text).expect("write");
        write("[postgres]\nmax_connections = 6\n[postgres.pool]\ndocuments = 12\nsync = 2\n");
        let config = Config::load(Some(&path), &BTreeMap::new()).expect("loads");
        assert_eq!(
            DATABASE_SERVICES.map(|service| config.postgres.max_connections_of(service)),
            [6, 12, 6, 6, 6, 6, 2]
        );
        let config = Config::load(
            Some(&path),
            &env(&[
                ("EISO_POSTGRES_MAX_CONNECTIONS", "4"),
                ("EISO_POSTGRES_POOL_PLANS", "3"),
                ("EISO_POSTGRES_POOL_SYNC", ""),
            ]),
        )
        .expect("the environment wins");
        assert_eq!(
            DATABASE_SERVICES.map(|service| config.postgres.max_connections_of(service)),
            [4, 12, 4, 4, 3, 4, 4]
        );

        for (text, field) in [
            ("[postgres]\nmax_connections = 0\n", "postgres.max_connections"),
            ("[postgres]\nmax_connections = 201\n", "postgres.max_connections"),
            ("[postgres.pool]\nplans = 0\n", "postgres.pool"),
            ("[postgres.pool]\ndocumnets = 4\n", "postgres.pool"),
        ] {
            write(text);
            let refused = Config::load(Some(&path), &BTreeMap::new());
            assert!(
                matches!(&refused, Err(ConfigError::Invalid { field: f, .. }) if *f == field),
                "{text}: {refused:?}"
            );
        }
        write("[postgres]\nmax_connection = 4\n");
        let error = Config::load(Some(&path), &BTreeMap::new()).expect_err("unknown key");
        assert!(error.to_string().contains("unknown field `max_connection`"), "{error}");
        for (name, value) in [
            ("EISO_POSTGRES_POOL_DOCUMNETS", "4"),
            ("EISO_POSTGRES_MAX_CONNECTIONS", "many"),
        ] {
            let error = Config::load(None, &env(&[(name, value)])).expect_err("refused");
            assert!(error.to_string().contains(name), "{error}");
        }
        let error = Config::load(None, &env(&[("EISO_POSTGRES_POOL_QUALITY", "500")])).expect_err("too large");
        assert!(error.to_string().contains("postgres.pool"), "{error}");
    }

    #[test]
    fn secrets_are_not_printed() {
        let config = Config::load(
            None,
            &env(&[
                ("EISO_ADMIN_PASSWORD", "correct horse battery"),
                ("EISO_DATABASE_URL", "postgres://eiso:hunter22@db/eiso"),
            ]),
        )
        .expect("loads");
        let printed = format!("{config:?}");
        assert!(!printed.contains("correct horse"), "{printed}");
        assert!(!printed.contains("hunter22"), "{printed}");
    }
}
