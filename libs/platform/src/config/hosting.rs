//! `services`: which services a process hosts. Every one (the default), or
//! `["search"]`: a **search replica**, which keeps its own index of the other
//! processes' services, following their event streams over gRPC at
//! `[upstream]`, and answers searches (identity's directory and token checks
//! come from there too).

use super::{Config, ConfigError};

/// Every service a process can host, by the names `services` takes.
pub const SERVICES: [&str; 8] = [
    "identity",
    "documents",
    "procedures",
    "plans",
    "quality",
    "search",
    "sync",
    "notify",
];

/// What a process hosts, as `services` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hosting {
    /// Every service, on its own storage.
    All,
    /// Search alone, following the services at `[upstream]`.
    SearchReplica,
}

/// Applies `EISO_SERVICES` (names separated by commas).
pub(super) fn apply_env(config: &mut Config, value: &str) {
    let names: Vec<String> = value
        .split(',')
        .map(|name| name.trim().to_ascii_lowercase())
        .filter(|name| !name.is_empty())
        .collect();
    config.services = (!names.is_empty()).then_some(names);
}

impl Config {
    /// What this process hosts (see [`Hosting`]); the configuration is
    /// refused at load when `services` names anything else.
    pub fn hosting(&self) -> Hosting {
        match &self.services {
            Some(names) if names.iter().all(|name| name == "search") => Hosting::SearchReplica,
            _ => Hosting::All,
        }
    }

    pub(super) fn validate_hosting(&self) -> Result<(), ConfigError> {
        let invalid = |field, message: String| Err(ConfigError::Invalid { field, message });
        let Some(names) = &self.services else {
            return Ok(());
        };
        if let Some(unknown) = names.iter().find(|name| !SERVICES.contains(&name.as_str())) {
            return invalid(
                "services",
                format!("unknown service `{unknown}`: expected some of {}", SERVICES.join(", ")),
            );
        }
        let every = SERVICES.iter().all(|service| names.iter().any(|name| name == service));
        if names.is_empty() || !(every || self.hosting() == Hosting::SearchReplica) {
            return invalid(
                "services",
                "a process hosts every service (leave `services` out), or `[\"search\"]` alone \
                 (a search replica); other splits are not supported yet"
                    .to_string(),
            );
        }
        if self.hosting() == Hosting::SearchReplica {
            match &self.upstream {
                None => {
                    return invalid(
                        "upstream",
                        "a search replica needs [upstream]: the url of a process hosting the other \
                         services, and the API client it signs in as"
                            .to_string(),
                    );
                }
                Some(upstream) if upstream.client_id().is_empty() => {
                    return invalid(
                        "upstream.client_id",
                        "a search replica signs in as an API client bound at the root unit as \
                         administrator (to follow the event streams) and leader (to index \
                         applicants' data)"
                            .to_string(),
                    );
                }
                Some(_) => {}
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::env;
    use super::super::{Config, ConfigError};
    use super::Hosting;

    fn refused(vars: &[(&str, &str)], field: &str) {
        match Config::load(None, &env(vars)) {
            Err(ConfigError::Invalid { field: f, .. }) => assert_eq!(f, field, "{vars:?}"),
            other => panic!("{vars:?} gave {other:?}"),
        }
    }

    #[test]
    fn a_process_hosts_everything_or_search_alone_with_an_upstream() {
        assert_eq!(Config::load(None, &env(&[])).expect("defaults").hosting(), Hosting::All);
        let replica = Config::load(
            None,
            &env(&[
                ("EISO_SERVICES", " Search "),
                ("EISO_UPSTREAM_URL", "http://10.0.0.5:50051"),
                ("EISO_UPSTREAM_CLIENT_ID", "clients/search-1"),
                ("EISO_UPSTREAM_CLIENT_SECRET", "s3cret"),
            ]),
        )
        .expect("a search replica");
        assert_eq!(replica.hosting(), Hosting::SearchReplica);
        assert!(!format!("{replica:?}").contains("s3cret"));
        let all = Config::load(
            None,
            &env(&[(
                "EISO_SERVICES",
                "identity,documents,procedures,plans,quality,search,sync,notify",
            )]),
        )
        .expect("all named");
        assert_eq!(all.hosting(), Hosting::All);

        refused(&[("EISO_SERVICES", "search,serch")], "services");
        refused(&[("EISO_SERVICES", "documents,search")], "services");
        refused(&[("EISO_SERVICES", "search")], "upstream");
        refused(
            &[
                ("EISO_SERVICES", "search"),
                ("EISO_UPSTREAM_URL", "http://10.0.0.5:50051"),
            ],
            "upstream.client_id",
        );
        refused(
            &[
                ("EISO_SERVICES", "search"),
                ("EISO_UPSTREAM_URL", "10.0.0.5:50051"),
                ("EISO_UPSTREAM_CLIENT_ID", "c"),
                ("EISO_UPSTREAM_CLIENT_SECRET", "s"),
            ],
            "upstream.url",
        );
    }
}
