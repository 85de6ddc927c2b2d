//! TLS on the listener, from `[tls]`: the certificate and key read at start
//! (a missing or unreadable file stops the start, named), and the CA that
//! client certificates must chain to where district systems present one.

use eiso_platform::config::TlsConfig;
use tonic::transport::{Certificate, Identity, ServerTlsConfig};

fn read(path: &std::path::Path, what: &str) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| anyhow::anyhow!("cannot read the TLS {what} {}: {e}", path.display()))
}

/// The listener's TLS settings.
pub fn server_config(settings: &TlsConfig) -> anyhow::Result<ServerTlsConfig> {
    let cert = read(&settings.cert_file, "certificate (tls.cert_file)")?;
    let key = read(&settings.key_file, "key (tls.key_file)")?;
    let mut config = ServerTlsConfig::new().identity(Identity::from_pem(cert, key));
    if let Some(ca) = &settings.client_ca_file {
        config = config
            .client_ca_root(Certificate::from_pem(read(ca, "client CA (tls.client_ca_file)")?))
            .client_auth_optional(settings.client_auth_optional);
    }
    Ok(config)
}
