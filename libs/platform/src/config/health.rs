//! `[health]`: how often a replica asks its databases whether they answer,
//! for its readiness (the gRPC health service a load balancer or Kubernetes
//! probes). A replica whose database does not answer reports NOT_SERVING
//! until it does again, so no new work is sent to it meanwhile.

use serde::Deserialize;

use super::ConfigError;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HealthConfig {
    /// Time between two checks of every database.
    pub check_interval_ms: u64,
    /// How long a check may take before the database counts as not answering.
    pub check_timeout_ms: u64,
}

impl Default for HealthConfig {
    fn default() -> Self {
        Self {
            check_interval_ms: 5_000,
            check_timeout_ms: 2_000,
        }
    }
}

/// The `EISO_*` variables of `[health]`.
pub(super) const VARIABLES: &[&str] = &["EISO_HEALTH_CHECK_INTERVAL_MS", "EISO_HEALTH_CHECK_TIMEOUT_MS"];

impl HealthConfig {
    /// Applies one of [`VARIABLES`].
    pub(super) fn apply_env(&mut self, name: &str, value: &str) -> Result<(), ConfigError> {
        let parsed = value.trim().parse().map_err(|e| ConfigError::Env {
            name: name.to_string(),
            message: format!("expected milliseconds, got `{value}`: {e}"),
        })?;
        match name {
            "EISO_HEALTH_CHECK_INTERVAL_MS" => self.check_interval_ms = parsed,
            _ => self.check_timeout_ms = parsed,
        }
        Ok(())
    }

    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        for (field, value) in [
            ("health.check_interval_ms", self.check_interval_ms),
            ("health.check_timeout_ms", self.check_timeout_ms),
        ] {
            if !(50..=600_000).contains(&value) {
                return Err(ConfigError::Invalid {
                    field,
                    message: format!("must be from 50 to 600000 (milliseconds), got {value}"),
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
    fn the_database_check_runs_every_five_seconds_unless_told_otherwise() {
        let config = Config::load(None, &env(&[])).expect("defaults");
        assert_eq!(config.health.check_interval_ms, 5_000);
        assert_eq!(config.health.check_timeout_ms, 2_000);
        let config = Config::load(
            None,
            &env(&[
                ("EISO_HEALTH_CHECK_INTERVAL_MS", "200"),
                ("EISO_HEALTH_CHECK_TIMEOUT_MS", " 100 "),
            ]),
        )
        .expect("set");
        assert_eq!(config.health.check_interval_ms, 200);
        assert_eq!(config.health.check_timeout_ms, 100);
        let error = Config::load(None, &env(&[("EISO_HEALTH_CHECK_INTERVAL_MS", "soon")])).expect_err("not a number");
        assert!(error.to_string().contains("EISO_HEALTH_CHECK_INTERVAL_MS"), "{error}");
        let error = Config::load(None, &env(&[("EISO_HEALTH_CHECK_TIMEOUT_MS", "0")])).expect_err("zero");
        assert!(
            matches!(&error, ConfigError::Invalid { field, .. } if *field == "health.check_timeout_ms"),
            "{error}"
        );
    }
}
