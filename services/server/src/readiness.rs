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
//! A search replica has no database: its readiness follows the process it
//! reads from instead ([`Readiness::spawn_upstream_checks`]), whose health
//! it asks for the server as a whole.
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

use crate::SERVICE_NAMES;

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
    hosted: &'static [&'static str],
    /// Whether the drain has begun (after which nothing is SERVING again).
    draining: Arc<tokio::sync::Mutex<bool>>,
}

impl Readiness {
    /// Every service SERVING (storage was opened and migrated just before).
    pub async fn serving(health: HealthReporter) -> Self {
        Self::serving_only(health, &SERVICE_NAMES).await
    }

    /// The services `hosted` SERVING, and the server as a whole.
    pub async fn serving_only(health: HealthReporter, hosted: &'static [&'static str]) -> Self {
        for name in hosted.iter().copied().chain(["", LIVENESS]) {
            health.set_service_status(name, ServingStatus::Serving).await;
        }
        Self {
            health,
            hosted,
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

    /// Every hosted service and the server SERVING or not, unless the drain
    /// has begun.
    async fn show_all(&self, ready: bool) {
        let draining = self.draining.lock().await;
        if *draining {
            return;
        }
        let status = if ready {
            ServingStatus::Serving
        } else {
            ServingStatus::NotServing
        };
        for name in self.hosted.iter().copied().chain([""]) {
            self.health.set_service_status(name, status).await;
        }
    }

    /// Asks the upstream's health for the server as a whole every
    /// `interval` until `stop` turns true: this process is ready while the
    /// upstream answers SERVING within `timeout`.
    pub fn spawn_upstream_checks(
        self,
        channel: tonic::transport::Channel,
        url: String,
        interval: Duration,
        timeout: Duration,
        mut stop: tokio::sync::watch::Receiver<bool>,
    ) -> tokio::task::JoinHandle<()> {
        use tonic_health::pb::health_check_response::ServingStatus as Status;
        tokio::spawn(async move {
            let mut client = tonic_health::pb::health_client::HealthClient::new(channel);
            let mut shown = true;
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(interval) => {}
                    _ = stop.wait_for(|stopped| *stopped) => return,
                }
                let answer = tokio::time::timeout(
                    timeout,
                    client.check(tonic_health::pb::HealthCheckRequest { service: String::new() }),
                )
                .await;
                let ready = matches!(&answer, Ok(Ok(r)) if r.get_ref().status == Status::Serving as i32);
                if ready != shown {
                    if ready {
                        tracing::info!(upstream = %url, "the upstream serves again: serving");
                    } else {
                        tracing::warn!(upstream = %url, "the upstream does not serve: not serving");
                    }
                    self.show_all(ready).await;
                    shown = ready;
                }
            }
        })
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

    /// Checks `databases` every `interval` until `stop` turns true.
    pub fn spawn_checks(
        self,
        databases: HashMap<String, Db>,
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
                let checks = databases.iter().map(|(name, db)| async move {
                    let answer = match tokio::time::timeout(timeout, db.ping()).await {
                        Ok(Ok(())) => Ok(()),
                        Ok(Err(error)) => Err(error.to_string()),
                        Err(_) => Err(format!("no answer within {} ms", timeout.as_millis())),
                    };
                    (name.clone(), answer)
                });
                let mut down = BTreeSet::new();
                for (name, answer) in futures::future::join_all(checks).await {
                    match answer {
                        Ok(()) if shown.contains(&name) => {
                            tracing::info!(database = %name, "the database answers again: serving");
                        }
                        Ok(()) => {}
                        Err(error) => {
                            if !shown.contains(&name) {
                                tracing::warn!(database = %name, %error, "the database does not answer: not serving");
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

#[cfg(test)]
mod tests {
    use super::*;

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
