//! Readiness: the health service reports a service SERVING only while the
//! databases it needs answer. Every `[health] check_interval_ms` each
//! database is asked a trivial query; one that does not answer within
//! `check_timeout_ms` turns the services that need it NOT_SERVING (and the
//! server as a whole, service `""`) until it answers again, so a load
//! balancer or Kubernetes sends no new work to this replica meanwhile.
//!
//! At shutdown the drain sets everything NOT_SERVING for good: the check and
//! the drain take one lock around their status changes, and the check never
//! changes a status once the drain has begun.
//!
//! Where identity is in another process (a search replica, a process
//! without identity), that process stands for identity's database: its
//! health for the server as a whole is asked instead ([`Dependency`]).
//!
//! Liveness is the service name [`LIVENESS`]: SERVING for as long as the
//! process answers, whatever its databases do (a PostgreSQL outage must not
//! get every replica restarted).

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use eiso_platform::db::Db;
use tonic_health::ServingStatus;
use tonic_health::server::HealthReporter;

/// The health service's name for "the process is alive": what a liveness
/// probe asks for (Kubernetes `livenessProbe.grpc.service`).
pub const LIVENESS: &str = "liveness";

/// The databases (by service storage name) that `service` needs to answer a
/// call: identity's for every call (tokens, roles, units), its own besides.
/// `None`: every database (the audit service reads every trail, the event
/// service every stream, and the server as a whole is ready only when all
/// are).
fn databases_of(service: &str) -> Option<&'static [&'static str]> {
    Some(match service {
        "eiso.identity.v1.IdentityService" | "eiso.search.v1.SearchService" => &["identity"],
        "eiso.documents.v1.DocumentService" => &["identity", "documents"],
        "eiso.procedures.v1.CalendarService"
        | "eiso.procedures.v1.ProcedureService"
        | "eiso.procedures.v1.DossierService" => &["identity", "procedures"],
        "eiso.plans.v1.PlanService" => &["identity", "plans"],
        "eiso.quality.v1.QualityService" => &["identity", "quality"],
        "eiso.sync.v1.SyncService" => &["identity", "sync"],
        "eiso.notify.v1.NotificationService" => &["identity", "notify"],
        _ => return None,
    })
}

/// The health service's statuses, changed by the database check and by the
/// drain, one at a time.
#[derive(Clone)]
pub struct Readiness {
    health: HealthReporter,
    /// The services this process hosts.
    hosted: Arc<[&'static str]>,
    /// Whether the drain has begun (after which nothing is SERVING again).
    draining: Arc<tokio::sync::Mutex<bool>>,
}

impl Readiness {
    /// The services `hosted` SERVING, and the server as a whole (storage
    /// was opened and migrated just before).
    pub async fn serving(health: HealthReporter, hosted: &[&'static str]) -> Self {
        for name in hosted.iter().copied().chain(["", LIVENESS]) {
            health.set_service_status(name, ServingStatus::Serving).await;
        }
        Self {
            health,
            hosted: hosted.into(),
            draining: Arc::default(),
        }
    }

    /// The drain has begun: every service and the server NOT_SERVING, for
    /// good.
    pub async fn drain(&self) {
        let mut draining = self.draining.lock().await;
        *draining = true;
        for name in self.hosted.iter().copied().chain([""]) {
            self.health.set_service_status(name, ServingStatus::NotServing).await;
        }
    }

    /// Sets each service's status from the databases that do not answer,
    /// unless the drain has begun.
    async fn show(&self, down: &BTreeSet<String>) {
        let draining = self.draining.lock().await;
        if *draining {
            return;
        }
        for name in self.hosted.iter().copied().chain([""]) {
            let ready = match databases_of(name) {
                Some(needed) => needed.iter().all(|db| !down.contains(*db)),
                None => down.is_empty(),
            };
            let status = if ready {
                ServingStatus::Serving
            } else {
                ServingStatus::NotServing
            };
            self.health.set_service_status(name, status).await;
        }
    }

    /// Checks `dependencies` every `interval` until `stop` turns true.
    pub fn spawn_checks(
        self,
        dependencies: HashMap<String, Dependency>,
        interval: Duration,
        timeout: Duration,
        mut stop: tokio::sync::watch::Receiver<bool>,
    ) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut shown = BTreeSet::new();
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(interval) => {}
                    _ = stop.wait_for(|stopped| *stopped) => return,
                }
                let checks = dependencies.iter().map(|(name, dependency)| async move {
                    let answer = match tokio::time::timeout(timeout, dependency.check()).await {
                        Ok(answer) => answer,
                        Err(_) => Err(format!("no answer within {} ms", timeout.as_millis())),
                    };
                    (name.clone(), dependency.kind(), answer)
                });
                let mut down = BTreeSet::new();
                for (name, kind, answer) in futures::future::join_all(checks).await {
                    match answer {
                        Ok(()) if shown.contains(&name) => {
                            tracing::info!(dependency = %name, kind, "answers again: serving");
                        }
                        Ok(()) => {}
                        Err(error) => {
                            if !shown.contains(&name) {
                                tracing::warn!(dependency = %name, kind, %error, "does not answer: not serving");
                            }
                            down.insert(name);
                        }
                    }
                }
                if down != shown {
                    self.show(&down).await;
                    shown = down;
                }
            }
        })
    }
}

/// What readiness depends on, by the name [`databases_of`] gives it.
pub enum Dependency {
    /// A service's database, asked `SELECT 1`.
    Database(Db),
    /// The process at `[upstream]` that hosts identity for this one (a
    /// search replica, a process without identity): its health for the
    /// server as a whole must be SERVING, or no token can be checked.
    Upstream(tonic::transport::Channel),
}

impl Dependency {
    fn kind(&self) -> &'static str {
        match self {
            Self::Database(_) => "database",
            Self::Upstream(_) => "upstream",
        }
    }

    async fn check(&self) -> Result<(), String> {
        use tonic_health::pb::health_check_response::ServingStatus as Status;
        match self {
            Self::Database(db) => db.ping().await.map_err(|error| error.to_string()),
            Self::Upstream(channel) => {
                let mut client = tonic_health::pb::health_client::HealthClient::new(channel.clone());
                let answer = client
                    .check(tonic_health::pb::HealthCheckRequest { service: String::new() })
                    .await
                    .map_err(|status| status.to_string())?;
                if answer.get_ref().status == Status::Serving as i32 {
                    Ok(())
                } else {
                    Err("the upstream reports NOT_SERVING".to_string())
                }
            }
        }
    }
}

/// The dependencies of a process: its databases, and identity's process
/// when identity is elsewhere (under the name `identity`, which every
/// service needs).
pub fn dependencies(
    databases: &HashMap<String, Db>,
    upstream: Option<tonic::transport::Channel>,
) -> HashMap<String, Dependency> {
    let mut dependencies: HashMap<String, Dependency> = databases
        .iter()
        .map(|(name, db)| (name.clone(), Dependency::Database(db.clone())))
        .collect();
    if let Some(channel) = upstream {
        dependencies.insert("identity".to_string(), Dependency::Upstream(channel));
    }
    dependencies
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SERVICE_NAMES;

    #[test]
    fn every_hosted_service_names_the_databases_it_needs() {
        for name in SERVICE_NAMES {
            match databases_of(name) {
                None => assert!(
                    ["eiso.audit.v1.AuditService", "eiso.event.v1.EventService"].contains(&name),
                    "{name}: only the audit and event services read every database"
                ),
                Some(needed) => assert!(needed.contains(&"identity"), "{name}"),
            }
        }
        assert!(databases_of("").is_none());
    }
}
