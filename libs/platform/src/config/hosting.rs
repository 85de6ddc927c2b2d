//! `services`: which services a process hosts.
//!
//! - Every one (the default).
//! - `["search"]`: a **search replica**, which keeps its own index of the
//!   other processes' services, following their event streams over gRPC at
//!   `[upstream]`, and answers searches (identity's directory and token
//!   checks come from there too).
//! - `["identity"]`: **identity alone** (sign-in, tokens, users, units, API
//!   clients), with its audit trail and event stream.
//! - Every service but identity: the others, which check tokens and read
//!   the unit tree at `[upstream]`, a process hosting identity. The web app
//!   is served only where every service is.

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
    /// Identity alone.
    Identity,
    /// Every service but identity, which is at `[upstream]`.
    WithoutIdentity,
}

impl Hosting {
    /// Whether a process of this shape hosts `service` (a name of
    /// [`SERVICES`]).
    pub fn hosts(self, service: &str) -> bool {
        match self {
            Self::All => true,
            Self::SearchReplica => service == "search",
            Self::Identity => service == "identity",
            Self::WithoutIdentity => service != "identity",
        }
    }

    /// Whether identity is in the process at `[upstream]`.
    pub fn identity_upstream(self) -> bool {
        !self.hosts("identity")
    }
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
        let Some(names) = &self.services else {
            return Hosting::All;
        };
        let named = |service: &str| names.iter().any(|name| name == service);
        let only = |service: &str| !names.is_empty() && names.iter().all(|name| name == service);
        if only("search") {
            Hosting::SearchReplica
        } else if only("identity") {
            Hosting::Identity
        } else if !named("identity") && SERVICES.iter().all(|service| *service == "identity" || named(service)) {
            Hosting::WithoutIdentity
        } else {
            Hosting::All
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
        if names.is_empty() || !(every || self.hosting() != Hosting::All) {
            return invalid(
                "services",
                "a process hosts every service (leave `services` out), `[\"search\"]` alone (a \
                 search replica), `[\"identity\"]` alone, or every service but identity; other \
                 splits are not supported yet"
                    .to_string(),
            );
        }
        let (upstream, client) = match self.hosting() {
            Hosting::All | Hosting::Identity => return Ok(()),
            Hosting::SearchReplica => (
                "a search replica needs [upstream]: the url of a process hosting the other services, \
                 and the API client it signs in as",
                "a search replica signs in as an API client bound at the root unit as administrator \
                 (to follow the event streams) and leader (to index applicants' data)",
            ),
            Hosting::WithoutIdentity => (
                "a process without identity needs [upstream]: the url of a process hosting identity, \
                 and the API client it signs in as",
                "a process without identity signs in as an API client bound at the root unit as \
                 administrator, to read the unit tree and the users",
            ),
        };
        match &self.upstream {
            None => invalid("upstream", upstream.to_string()),
            Some(settings) if settings.client_id().is_empty() => invalid("upstream.client_id", client.to_string()),
            Some(_) => Ok(()),
        }
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
    fn identity_alone_or_every_service_but_identity_with_identity_upstream() {
        let identity = Config::load(None, &env(&[("EISO_SERVICES", "identity")])).expect("identity alone");
        assert_eq!(identity.hosting(), Hosting::Identity);
        assert!(identity.hosting().hosts("identity") && !identity.hosting().hosts("documents"));
        let others = "documents,procedures,plans,quality,search,sync,notify";
        let without = Config::load(
            None,
            &env(&[
                ("EISO_SERVICES", others),
                ("EISO_UPSTREAM_URL", "http://10.0.0.5:50051"),
                ("EISO_UPSTREAM_CLIENT_ID", "clients/services-1"),
                ("EISO_UPSTREAM_CLIENT_SECRET", "s3cret"),
            ]),
        )
        .expect("every service but identity");
        assert_eq!(without.hosting(), Hosting::WithoutIdentity);
        assert!(without.hosting().identity_upstream() && without.hosting().hosts("search"));
        assert!(!Hosting::All.identity_upstream() && !Hosting::Identity.identity_upstream());

        refused(&[("EISO_SERVICES", others)], "upstream");
        refused(
            &[
                ("EISO_SERVICES", others),
                ("EISO_UPSTREAM_URL", "http://10.0.0.5:50051"),
            ],
            "upstream.client_id",
        );
        // Without search or without one of the others: not a shape.
        refused(
            &[("EISO_SERVICES", "documents,procedures,plans,quality,sync,notify")],
            "services",
        );
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
        refused(&[("EISO_SERVICES", "identity,documents")], "services");
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
