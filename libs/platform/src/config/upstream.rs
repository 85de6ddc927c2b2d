//! `[upstream]`: where another eiso process is and who this process is
//! there, for a process that hosts only some services (`services`): the URL,
//! the API client it signs in as, the deadline of a call, and the
//! certificates of a TLS connection. The client secret is never printed;
//! give it as `EISO_UPSTREAM_CLIENT_SECRET`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use super::ConfigError;

/// A secret that `Debug` does not print.
#[derive(Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret itself, to send it; never to log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_empty() { "\"\"" } else { "<redacted>" })
    }
}

impl From<String> for Secret {
    fn from(secret: String) -> Self {
        Self(secret)
    }
}

impl From<&str> for Secret {
    fn from(secret: &str) -> Self {
        Self(secret.to_string())
    }
}

/// Another eiso process and this process's identity there.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct UpstreamConfig {
    /// `http://10.0.0.5:50051` or `https://identity.office.internal:50051`.
    pub url: String,
    /// The API client this process signs in as (`CreateApiClient`'s
    /// `client_id`, or `clients/{id}`); empty: no service identity (only
    /// calls that forward the caller's token).
    #[serde(default)]
    pub client_id: String,
    /// Its secret. Give it as an environment variable rather than in a file.
    #[serde(default)]
    pub client_secret: Secret,
    /// How long one call may take, retries included.
    #[serde(default = "UpstreamConfig::default_timeout_seconds")]
    pub timeout_seconds: u64,
    /// For `https://`: the CA certificates (PEM) the upstream's certificate
    /// must chain to (the office's CA; no public roots are built in).
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// For `https://` with client certificates: this process's certificate
    /// chain and key (PEM).
    #[serde(default)]
    pub cert_file: Option<PathBuf>,
    #[serde(default)]
    pub key_file: Option<PathBuf>,
    /// Services that answer elsewhere than `url`, by service name (one of
    /// `services`' names): `documents = "http://10.0.0.6:50051"`. Without a
    /// load balancer that routes by service, each group hosted elsewhere
    /// is named here. The service identity signs in at identity's address.
    #[serde(default)]
    pub routes: BTreeMap<String, String>,
}

/// A configuration that cannot work, or its files cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    #[error("upstream.{field}: {message}")]
    Invalid { field: &'static str, message: String },
    #[error("upstream.{field}: cannot read {path}: {source}")]
    File {
        field: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("upstream.url: {0}")]
    Transport(#[from] eiso_proto::tonic::transport::Error),
}

fn invalid(field: &'static str, message: impl Into<String>) -> UpstreamError {
    UpstreamError::Invalid {
        field,
        message: message.into(),
    }
}

impl UpstreamConfig {
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

    fn default_timeout_seconds() -> u64 {
        Self::DEFAULT_TIMEOUT.as_secs()
    }

    /// An upstream at `url` with no service identity, the default deadline
    /// and no TLS files.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            client_id: String::new(),
            client_secret: Secret::default(),
            timeout_seconds: Self::default_timeout_seconds(),
            ca_file: None,
            cert_file: None,
            key_file: None,
            routes: BTreeMap::new(),
        }
    }

    /// The same upstream, with `service` answering at `url`.
    pub fn with_route(mut self, service: &str, url: impl Into<String>) -> Self {
        self.routes.insert(service.to_string(), url.into());
        self
    }

    /// Where `service` answers: its route, else `url`.
    pub fn url_of(&self, service: &str) -> &str {
        self.routes
            .get(service)
            .map_or(self.url.as_str(), String::as_str)
            .trim()
    }

    /// The same upstream, signed in to as the API client `client_id`.
    pub fn with_service_identity(mut self, client_id: impl Into<String>, secret: impl Into<Secret>) -> Self {
        self.client_id = client_id.into();
        self.client_secret = secret.into();
        self
    }

    /// The client id to sign in with, without `clients/`.
    pub fn client_id(&self) -> &str {
        let id = self.client_id.trim();
        id.strip_prefix("clients/").unwrap_or(id)
    }

    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_seconds)
    }

    pub fn is_tls(&self) -> bool {
        self.url.trim().to_ascii_lowercase().starts_with("https://")
    }

    pub fn validate(&self) -> Result<(), UpstreamError> {
        check_url("url", &self.url)?;
        for (service, url) in &self.routes {
            if !super::SERVICES.contains(&service.as_str()) {
                return Err(invalid(
                    "routes",
                    format!(
                        "`{service}` is not a service: expected some of {}",
                        super::SERVICES.join(", ")
                    ),
                ));
            }
            check_url("routes", url)?;
            if url.trim().to_ascii_lowercase().starts_with("https://") != self.is_tls() {
                return Err(invalid(
                    "routes",
                    format!("{service}'s route must use the scheme of url (http:// or https://, one CA)"),
                ));
            }
        }
        if self.client_id().is_empty() != self.client_secret.is_empty() {
            return Err(invalid(
                if self.client_id().is_empty() {
                    "client_id"
                } else {
                    "client_secret"
                },
                "client_id and client_secret go together",
            ));
        }
        if self.timeout_seconds == 0 {
            return Err(invalid("timeout_seconds", "must be at least 1"));
        }
        if self.is_tls() && self.ca_file.is_none() {
            return Err(invalid(
                "ca_file",
                "an https:// upstream needs the CA certificates its certificate chains to",
            ));
        }
        if !self.is_tls() && (self.ca_file.is_some() || self.cert_file.is_some()) {
            return Err(invalid("url", "certificates are given, so the url must be https://"));
        }
        if self.cert_file.is_some() != self.key_file.is_some() {
            return Err(invalid(
                if self.cert_file.is_none() {
                    "cert_file"
                } else {
                    "key_file"
                },
                "cert_file and key_file go together",
            ));
        }
        Ok(())
    }
}

/// An upstream address: `http://` or `https://` and a host.
fn check_url(field: &'static str, url: &str) -> Result<(), UpstreamError> {
    let url = url.trim().to_ascii_lowercase();
    let Some(rest) = url.strip_prefix("http://").or_else(|| url.strip_prefix("https://")) else {
        return Err(invalid(
            field,
            "must start with http:// or https://, e.g. http://10.0.0.5:50051",
        ));
    };
    if rest.trim_end_matches('/').is_empty() {
        return Err(invalid(field, "names no host"));
    }
    Ok(())
}

/// The `EISO_*` variables of `[upstream]`.
pub(super) const VARIABLES: &[&str] = &[
    "EISO_UPSTREAM_URL",
    "EISO_UPSTREAM_CLIENT_ID",
    "EISO_UPSTREAM_CLIENT_SECRET",
    "EISO_UPSTREAM_TIMEOUT_SECONDS",
    "EISO_UPSTREAM_CA_FILE",
    "EISO_UPSTREAM_CERT_FILE",
    "EISO_UPSTREAM_KEY_FILE",
    "EISO_UPSTREAM_ROUTES",
];

impl UpstreamConfig {
    /// Applies one of [`VARIABLES`].
    pub(super) fn apply_env(&mut self, name: &str, value: &str) -> Result<(), ConfigError> {
        let path = || Some(PathBuf::from(value.trim())).filter(|p| !p.as_os_str().is_empty());
        match name {
            "EISO_UPSTREAM_URL" => self.url = value.trim().to_string(),
            "EISO_UPSTREAM_CLIENT_ID" => self.client_id = value.trim().to_string(),
            "EISO_UPSTREAM_CLIENT_SECRET" => self.client_secret = Secret::new(value),
            "EISO_UPSTREAM_TIMEOUT_SECONDS" => {
                self.timeout_seconds = value.trim().parse().map_err(|e| ConfigError::Env {
                    name: name.to_string(),
                    message: format!("expected seconds, got `{value}`: {e}"),
                })?
            }
            "EISO_UPSTREAM_CA_FILE" => self.ca_file = path(),
            "EISO_UPSTREAM_CERT_FILE" => self.cert_file = path(),
            "EISO_UPSTREAM_ROUTES" => {
                // `documents=http://10.0.0.6:50051,procedures=http://…`
                self.routes.clear();
                for route in value.split(',').map(str::trim).filter(|route| !route.is_empty()) {
                    let (service, url) = route.split_once('=').ok_or_else(|| ConfigError::Env {
                        name: name.to_string(),
                        message: format!("expected service=url pairs separated by commas, got `{route}`"),
                    })?;
                    self.routes
                        .insert(service.trim().to_ascii_lowercase(), url.trim().to_string());
                }
            }
            _ => self.key_file = path(),
        }
        Ok(())
    }

    /// [`UpstreamConfig::validate`] as the server's configuration says it.
    pub(super) fn validate_config(&self) -> Result<(), ConfigError> {
        self.validate().map_err(|error| match error {
            UpstreamError::Invalid { field, message } => ConfigError::Invalid {
                field: match field {
                    "url" => "upstream.url",
                    "client_id" => "upstream.client_id",
                    "client_secret" => "upstream.client_secret",
                    "timeout_seconds" => "upstream.timeout_seconds",
                    "ca_file" => "upstream.ca_file",
                    "cert_file" => "upstream.cert_file",
                    "key_file" => "upstream.key_file",
                    "routes" => "upstream.routes",
                    _ => "upstream",
                },
                message,
            },
            other => ConfigError::Invalid {
                field: "upstream",
                message: other.to_string(),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_is_never_printed() {
        let config = UpstreamConfig::new("http://10.0.0.5:50051").with_service_identity("search-1", "s3cret-value");
        let printed = format!("{config:?}");
        assert!(!printed.contains("s3cret-value"), "{printed}");
        assert!(printed.contains("<redacted>"), "{printed}");
        assert!(printed.contains("search-1"), "{printed}");
    }

    #[test]
    fn a_file_sets_the_upstream_and_refuses_unknown_keys() {
        let config: UpstreamConfig = toml::from_str(
            r#"
            url = "http://10.0.0.5:50051"
            client_id = "clients/search-1"
            client_secret = "s3cret"
            "#,
        )
        .expect("a valid upstream");
        assert_eq!(config.client_id(), "search-1");
        assert_eq!(config.timeout(), UpstreamConfig::DEFAULT_TIMEOUT);
        config.validate().expect("valid");
        assert!(toml::from_str::<UpstreamConfig>("url = \"http://x\"\npassword = \"p\"").is_err());
    }

    #[test]
    fn impossible_configurations_are_refused() {
        let refused = |config: UpstreamConfig, field: &str| match config.validate() {
            Err(UpstreamError::Invalid { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{config:?} gave {other:?}"),
        };
        refused(UpstreamConfig::new("10.0.0.5:50051"), "url");
        refused(UpstreamConfig::new("http://"), "url");
        refused(
            UpstreamConfig::new("http://x").with_service_identity("c", ""),
            "client_secret",
        );
        refused(
            UpstreamConfig::new("http://x").with_service_identity("", "s"),
            "client_id",
        );
        refused(UpstreamConfig::new("https://x"), "ca_file");
        refused(
            UpstreamConfig::new("http://x").with_route("documnets", "http://y"),
            "routes",
        );
        refused(UpstreamConfig::new("http://x").with_route("documents", "y:1"), "routes");
        refused(
            UpstreamConfig::new("http://x").with_route("documents", "https://y"),
            "routes",
        );
        let routed = UpstreamConfig::new("http://x").with_route("documents", " http://y:1 ");
        routed.validate().expect("a route");
        assert_eq!(
            (routed.url_of("documents"), routed.url_of("plans")),
            ("http://y:1", "http://x")
        );
        refused(
            UpstreamConfig {
                timeout_seconds: 0,
                ..UpstreamConfig::new("http://x")
            },
            "timeout_seconds",
        );
        refused(
            UpstreamConfig {
                cert_file: Some("c.pem".into()),
                ca_file: Some("ca.pem".into()),
                ..UpstreamConfig::new("https://x")
            },
            "key_file",
        );
        UpstreamConfig::new("http://x:1")
            .validate()
            .expect("no identity is fine");
    }
}
