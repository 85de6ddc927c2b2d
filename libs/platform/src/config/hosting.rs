//! `services`: which services a process hosts.
//!
//! Services come in groups that go together, because within a group they
//! still call each other in process:
//!
//! - **identity**: sign-in, tokens, users, units, API clients;
//! - **documents**: controlled documents and records;
//! - **procedures**: `procedures`, `sync` and `notify` (the portal sync and
//!   the notifications follow the dossiers' stream in process);
//! - **management**: `plans` and `quality` (a plan's targets read the
//!   inspection coverage, a management review the plan's targets);
//! - **search**, which indexes the other services: with the documents, procedures and
//!   management groups, or alone as a **search replica** that follows the
//!   other processes' event streams over gRPC.
//!
//! A process hosts any union of whole groups (default: every one). What a
//! hosted service needs of a group hosted elsewhere it asks over gRPC at
//! `[upstream]`: identity's token checks and unit tree, and for management
//! the evidence links and record filing of documents and the dossier
//! figures of procedures.

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

/// The service (a name of [`SERVICES`]) that the gRPC service or method
/// `grpc` belongs to: `eiso.documents.v1.DocumentService` or
/// `/eiso.documents.v1.DocumentService/GetDocument` → `documents`; `None`
/// for the audit and event services, which every process serves, and for
/// names that are not eiso's.
pub fn service_of(grpc: &str) -> Option<&'static str> {
    let package = grpc.trim_start_matches('/').strip_prefix("eiso.")?.split('.').next()?;
    SERVICES.into_iter().find(|service| *service == package)
}

/// The groups of services that a process hosts whole or not at all
/// (search, a group of its own, is not among them: see [`Hosting`]).
pub const GROUPS: [(&str, &[&str]); 4] = [
    ("identity", &["identity"]),
    ("documents", &["documents"]),
    ("procedures", &["procedures", "sync", "notify"]),
    ("management", &["plans", "quality"]),
];

/// What a process hosts, as `services` says: a set of [`SERVICES`].
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Hosting {
    /// Bit `i` for `SERVICES[i]`.
    hosted: u8,
}

impl std::fmt::Debug for Hosting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.names()).finish()
    }
}

impl Hosting {
    /// Every service, on its own storage.
    pub const ALL: Self = Self { hosted: 0xff };

    /// The services named (unknown names are ignored: the configuration
    /// refuses them).
    pub fn of<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        let hosted = names
            .into_iter()
            .filter_map(|name| SERVICES.iter().position(|service| *service == name))
            .fold(0u8, |bits, i| bits | (1 << i));
        Self { hosted }
    }

    /// Whether a process of this shape hosts `service` (a name of
    /// [`SERVICES`]).
    pub fn hosts(self, service: &str) -> bool {
        SERVICES
            .iter()
            .position(|name| *name == service)
            .is_some_and(|i| self.hosted & (1 << i) != 0)
    }

    /// The names of the services hosted, in the order of [`SERVICES`].
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        SERVICES.into_iter().filter(move |service| self.hosts(service))
    }

    pub fn is_all(self) -> bool {
        self == Self::ALL
    }

    /// Search alone: a search replica, which keeps its own index of the
    /// other processes' services.
    pub fn is_search_replica(self) -> bool {
        self == Self::of(["search"])
    }

    /// Whether identity is in another process.
    pub fn identity_upstream(self) -> bool {
        !self.hosts("identity")
    }

    /// Whether a hosted service needs one hosted elsewhere (so `[upstream]`
    /// and its service identity are needed).
    pub fn needs_upstream(self) -> bool {
        let others_without_identity = !self.hosts("identity") && self.names().next().is_some();
        let management_apart = self.hosts("plans") && !(self.hosts("documents") && self.hosts("procedures"));
        others_without_identity || management_apart
    }

    /// Why this set of services is not a shape a process can take, if it
    /// is not: a group split, search beside only some of the services it
    /// indexes, or nothing.
    fn refusal(self) -> Option<String> {
        if self.hosted == 0 {
            return Some("names no service".to_string());
        }
        for (group, services) in GROUPS {
            let hosted: Vec<&str> = services.iter().copied().filter(|s| self.hosts(s)).collect();
            if !hosted.is_empty() && hosted.len() != services.len() {
                return Some(format!(
                    "{} go together (the {group} group): name all of them or none",
                    services.join(", ")
                ));
            }
        }
        let indexed = ["documents", "procedures", "plans", "quality"];
        if self.hosts("search") && !self.is_search_replica() && !indexed.iter().all(|s| self.hosts(s)) {
            return Some(
                "search is hosted alone (a search replica) or with every service it indexes: \
                 documents, procedures, plans and quality"
                    .to_string(),
            );
        }
        None
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
        match &self.services {
            None => Hosting::ALL,
            Some(names) => Hosting::of(names.iter().map(String::as_str)),
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
        let hosting = self.hosting();
        if let Some(refusal) = hosting.refusal() {
            return invalid("services", refusal);
        }
        if !hosting.needs_upstream() {
            return Ok(());
        }
        let (upstream, client) = if hosting.is_search_replica() {
            (
                "a search replica needs [upstream]: the url of a process hosting the other services, \
                 and the API client it signs in as",
                "a search replica signs in as an API client bound at the root unit as administrator \
                 (to follow the event streams) and leader (to index applicants' data)",
            )
        } else {
            (
                "a process that hosts only some services needs [upstream]: the url where the others \
                 answer (a load balancer that routes by service, or one process), `routes` for a \
                 service elsewhere, and the API client it signs in as",
                "a process that hosts only some services signs in as an API client bound at the root \
                 unit as administrator (to read the unit tree, the users and the figures of other \
                 services) and leader (to file scheduled reports as records)",
            )
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

    const UPSTREAM: [(&str, &str); 3] = [
        ("EISO_UPSTREAM_URL", "http://10.0.0.5:50051"),
        ("EISO_UPSTREAM_CLIENT_ID", "clients/services-1"),
        ("EISO_UPSTREAM_CLIENT_SECRET", "s3cret"),
    ];

    fn hosting(services: &str, upstream: bool) -> Hosting {
        let mut vars = vec![("EISO_SERVICES", services)];
        if upstream {
            vars.extend(UPSTREAM);
        }
        Config::load(None, &env(&vars))
            .unwrap_or_else(|e| panic!("{services}: {e}"))
            .hosting()
    }

    #[test]
    fn a_process_hosts_whole_groups_and_asks_upstream_for_the_others() {
        assert_eq!(Config::load(None, &env(&[])).expect("defaults").hosting(), Hosting::ALL);
        let all = hosting("identity,documents,procedures,plans,quality,search,sync,notify", false);
        assert!(all.is_all() && !all.needs_upstream());

        let identity = hosting("identity", false);
        assert!(identity.hosts("identity") && !identity.hosts("documents") && !identity.needs_upstream());

        // Documents and procedures with identity: nothing upstream.
        // Management alone, or beside only one of them: what it needs of the
        // other comes from there.
        let records = hosting("identity,documents,procedures,sync,notify", false);
        assert!(records.hosts("sync") && !records.hosts("plans") && !records.needs_upstream());
        let management = hosting("plans,quality", true);
        assert!(management.needs_upstream() && management.identity_upstream() && !management.hosts("documents"));
        let without_identity = hosting("documents,procedures,plans,quality,search,sync,notify", true);
        assert!(without_identity.identity_upstream() && without_identity.hosts("search"));

        let replica = hosting(" Search ", true);
        assert!(replica.is_search_replica() && replica.needs_upstream());
        assert_eq!(format!("{replica:?}"), "{\"search\"}");

        let documents = hosting("identity,documents", false);
        assert!(documents.hosts("documents") && !documents.hosts("procedures") && !documents.needs_upstream());
        let beside_procedures = hosting("identity,procedures,sync,notify,plans,quality", true);
        assert!(beside_procedures.needs_upstream() && !beside_procedures.identity_upstream());
        for needs in [
            "plans,quality",
            "documents,procedures,sync,notify",
            "documents",
            "search",
            "identity,plans,quality",
            "identity,documents,plans,quality",
        ] {
            refused(&[("EISO_SERVICES", needs)], "upstream");
        }
        refused(
            &[
                ("EISO_SERVICES", "plans,quality"),
                ("EISO_UPSTREAM_URL", "http://10.0.0.5:50051"),
            ],
            "upstream.client_id",
        );
    }

    #[test]
    fn a_grpc_service_or_method_belongs_to_the_service_of_its_package() {
        use super::service_of;
        assert_eq!(service_of("eiso.documents.v1.DocumentService"), Some("documents"));
        assert_eq!(
            service_of("/eiso.procedures.v1.CalendarService/GetCalendar"),
            Some("procedures")
        );
        assert_eq!(
            service_of("/eiso.notify.v1.NotificationService/ListNotifications"),
            Some("notify")
        );
        assert_eq!(service_of("eiso.audit.v1.AuditService"), None);
        assert_eq!(service_of("/eiso.event.v1.EventService/GetEventStream"), None);
        assert_eq!(service_of("/grpc.health.v1.Health/Check"), None);
        assert_eq!(service_of("documents"), None);
    }

    #[test]
    fn a_group_split_or_search_beside_some_of_what_it_indexes_is_refused() {
        let with_upstream = |services: &'static str| {
            let mut vars = vec![("EISO_SERVICES", services)];
            vars.extend(UPSTREAM);
            vars
        };
        for split in [
            "identity,documents,sync,notify",
            "documents,procedures",
            "procedures,sync",
            "plans",
            "quality,identity",
            "documents,procedures,sync,notify,search",
            "plans,quality,search",
            "search,serch",
        ] {
            refused(&with_upstream(split), "services");
        }
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
