//! `[tls]`: TLS on the listener (rustls), with the certificate and key from
//! files, and optionally client certificates for the district systems that
//! call the API (required, or optional beside tokens).

use std::path::PathBuf;

use serde::Deserialize;

use super::ConfigError;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TlsConfig {
    /// The server's certificate chain, PEM.
    pub cert_file: PathBuf,
    /// Its private key, PEM (PKCS#8, PKCS#1 or SEC1).
    pub key_file: PathBuf,
    /// CA certificates (PEM) that client certificates must chain to; unset:
    /// no client certificates are asked for.
    pub client_ca_file: Option<PathBuf>,
    /// With `client_ca_file`: clients without a certificate are still
    /// served (and sign in with tokens as ever); those with one must present
    /// a valid one. `false`: every client needs a certificate.
    pub client_auth_optional: bool,
}

/// The `EISO_*` variables of `[tls]`.
pub(super) const VARIABLES: &[&str] = &[
    "EISO_TLS_CERT_FILE",
    "EISO_TLS_KEY_FILE",
    "EISO_TLS_CLIENT_CA_FILE",
    "EISO_TLS_CLIENT_AUTH_OPTIONAL",
];

impl TlsConfig {
    /// Applies one of [`VARIABLES`].
    pub(super) fn apply_env(&mut self, name: &str, value: &str) -> Result<(), ConfigError> {
        let path = PathBuf::from(value.trim());
        match name {
            "EISO_TLS_CERT_FILE" => self.cert_file = path,
            "EISO_TLS_KEY_FILE" => self.key_file = path,
            "EISO_TLS_CLIENT_CA_FILE" => self.client_ca_file = Some(path).filter(|p| !p.as_os_str().is_empty()),
            _ => {
                self.client_auth_optional = match value.trim().to_ascii_lowercase().as_str() {
                    "true" | "1" | "yes" => true,
                    "false" | "0" | "no" => false,
                    other => {
                        return Err(ConfigError::Env {
                            name: name.to_string(),
                            message: format!("expected `true` or `false`, got `{other}`"),
                        });
                    }
                }
            }
        }
        Ok(())
    }

    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        for (field, path) in [("tls.cert_file", &self.cert_file), ("tls.key_file", &self.key_file)] {
            if path.as_os_str().is_empty() {
                return Err(ConfigError::Invalid {
                    field,
                    message: "is required when TLS is configured".into(),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::env;
    use super::super::{Config, ConfigError};

    #[test]
    fn tls_is_off_unless_a_certificate_is_named_and_then_needs_its_key() {
        assert!(Config::load(None, &env(&[])).expect("defaults").tls.is_none());
        let config = Config::load(
            None,
            &env(&[
                ("EISO_TLS_CERT_FILE", "/etc/eiso/tls.crt"),
                ("EISO_TLS_KEY_FILE", "/etc/eiso/tls.key"),
                ("EISO_TLS_CLIENT_CA_FILE", "/etc/eiso/districts-ca.pem"),
                ("EISO_TLS_CLIENT_AUTH_OPTIONAL", "true"),
            ]),
        )
        .expect("TLS");
        let tls = config.tls.clone().expect("configured");
        assert_eq!(tls.key_file.to_str(), Some("/etc/eiso/tls.key"));
        assert!(tls.client_auth_optional && tls.client_ca_file.is_some());
        assert_eq!(config.public_base_url(), "https://127.0.0.1:50051");
        match Config::load(None, &env(&[("EISO_TLS_CERT_FILE", "/etc/eiso/tls.crt")])) {
            Err(ConfigError::Invalid { field, .. }) => assert_eq!(field, "tls.key_file"),
            other => panic!("expected tls.key_file to be refused, got {other:?}"),
        }
    }
}
