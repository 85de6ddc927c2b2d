//! Where the portal is and who eiso is there. The password is never printed
//! (not in `Debug`, not in logs, not in events).

use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

/// The portal's address, eiso's account there and the local procedure codes
/// the portal knows under other codes.
#[derive(Clone)]
pub struct PortalConfig {
    /// The adapter's base URL, e.g. `https://dichvucong.gov.vn/api/lgsp`;
    /// sign-in is `{url}/login`, every other call `{url}/`.
    pub url: String,
    pub username: String,
    pub password: String,
    /// The agency's code at the portal (`madonvi`, and the sign-in's
    /// `dstcode` header).
    pub agency_code: String,
    /// Local procedure code → the portal's `MaTTHC`, where they differ (the
    /// catalogue's codes are the national ones unless mapped here).
    pub procedure_codes: HashMap<String, String>,
    /// How long one call may take before it counts as no answer.
    pub timeout: Duration,
}

impl PortalConfig {
    /// A portal at `url` with eiso's account, no mapped codes and a 30 s
    /// timeout.
    pub fn new(url: &str, username: &str, password: &str, agency_code: &str) -> Self {
        Self {
            url: url.trim_end_matches('/').to_string(),
            username: username.to_string(),
            password: password.to_string(),
            agency_code: agency_code.to_string(),
            procedure_codes: HashMap::new(),
            timeout: Duration::from_secs(30),
        }
    }

    /// The portal's code (`MaTTHC`) of the local procedure `code`.
    pub fn national_code<'a>(&'a self, code: &'a str) -> &'a str {
        self.procedure_codes.get(code).map_or(code, String::as_str)
    }
}

impl fmt::Debug for PortalConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PortalConfig")
            .field("url", &self.url)
            .field("username", &self.username)
            .field("password", &"…")
            .field("agency_code", &self.agency_code)
            .field("procedure_codes", &self.procedure_codes.len())
            .field("timeout", &self.timeout)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_is_never_printed() {
        let config = PortalConfig::new("https://portal.example/api/", "eiso", "bí-mật-123", "000.00.31.H31");
        let printed = format!("{config:?}");
        assert!(!printed.contains("bí-mật-123"), "{printed}");
        assert_eq!(config.url, "https://portal.example/api");
    }

    #[test]
    fn a_procedure_keeps_its_code_unless_mapped() {
        let mut config = PortalConfig::new("http://p", "u", "p", "a");
        config.procedure_codes.insert("QT-01".into(), "1.004492".into());
        assert_eq!(config.national_code("QT-01"), "1.004492");
        assert_eq!(config.national_code("2.002481"), "2.002481");
    }
}
