//! The dossiers' sync with the National Public Service Portal, when one is
//! configured: the sync follows the procedures service's event stream from
//! its committed cursor and delivers what is due every few seconds (see
//! `eiso_sync::delivery`). The names the portal wants come from the
//! procedure catalogue and the identity directory.

use std::sync::Arc;
use std::time::Duration;

use eiso_platform::ServiceResult;
use eiso_platform::config::PortalConfig as PortalSettings;
use eiso_platform::directory::Directory;
use eiso_procedures::Procedures;
use eiso_proto::eiso::procedures::v1::{Applicant, Dossier, GetDossierRequest, GetProcedureRequest};
use eiso_sync::delivery::{Delivery, Lookups};
use eiso_sync::record::{Handler, Names};
use eiso_sync::{Portal, PortalConfig};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The storage and trail name of the sync.
pub const SERVICE_NAME: &str = "sync";

/// The portal client of the configuration.
pub fn portal(settings: &PortalSettings) -> anyhow::Result<Portal> {
    let mut config = PortalConfig::new(
        &settings.url,
        &settings.username,
        &settings.password,
        &settings.agency_code,
    );
    config.timeout = Duration::from_secs(settings.timeout_seconds);
    config.procedure_codes = settings.procedure_codes.clone().into_iter().collect();
    Portal::new(config).map_err(|e| anyhow::anyhow!("cannot set up the portal client: {e}"))
}

/// Names from the catalogue and the directory.
pub struct ServiceLookups {
    pub procedures: Procedures,
    pub directory: Arc<dyn Directory>,
    pub portal: Arc<Portal>,
}

#[eiso_proto::tonic::async_trait]
impl Lookups for ServiceLookups {
    async fn names(&self, dossier: &Dossier) -> ServiceResult<Names> {
        let procedure = self
            .procedures
            .get_procedure(GetProcedureRequest {
                name: dossier.procedure_version.clone(),
            })
            .await?;
        let version = procedure.version.unwrap_or_default();
        let agency = self.directory.unit(&dossier.agency).await?;
        Ok(Names {
            procedure_code: self.portal.config().national_code(&procedure.code).to_string(),
            procedure_name: version.display_name,
            field_code: String::new(),
            field_name: version.field,
            agency_name: agency.map(|unit| unit.display_name).unwrap_or_default(),
        })
    }

    async fn applicant(&self, dossier: &Dossier) -> ServiceResult<Option<Applicant>> {
        // The sync reads as the server itself: it sees every agency's applicants.
        let ctx = eiso_platform::CallContext::system("/eiso.procedures.v1.DossierService/GetDossier");
        let current = self
            .procedures
            .get_dossier(
                &ctx,
                GetDossierRequest {
                    name: dossier.name.clone(),
                },
            )
            .await?;
        Ok(current.applicant)
    }

    async fn handler(&self, user: &str) -> Handler {
        let name = match self.directory.user(user).await {
            Ok(Some(user)) => user.display_name,
            _ => String::new(),
        };
        Handler {
            name,
            ..Default::default()
        }
    }
}

/// What the sync's gauges read: dossiers waiting, synced and parked, and
/// the seconds since the oldest change not yet delivered was made.
#[derive(Debug, Clone, Copy, Default)]
struct Snapshot {
    waiting: i64,
    synced: i64,
    parked: i64,
    lag_seconds: i64,
}

/// `eiso.sync.dossiers` (attribute `state`: waiting, synced, parked) and
/// `eiso.sync.lag` (seconds), read from a snapshot each delivery round
/// refreshes, so an export never waits on the database.
struct Gauges {
    snapshot: Arc<std::sync::Mutex<Snapshot>>,
    _instruments: (
        opentelemetry::metrics::ObservableGauge<i64>,
        opentelemetry::metrics::ObservableGauge<i64>,
    ),
}

impl Gauges {
    fn register() -> Self {
        let snapshot = Arc::new(std::sync::Mutex::new(Snapshot::default()));
        let meter = opentelemetry::global::meter(eiso_telemetry::METER_NAME);
        let dossiers = {
            let snapshot = snapshot.clone();
            meter
                .i64_observable_gauge("eiso.sync.dossiers")
                .with_description("Dossiers of the national portal's sync, by state")
                .with_unit("{dossier}")
                .with_callback(move |observer| {
                    let now = snapshot.lock().map(|s| *s).unwrap_or_default();
                    for (state, n) in [("waiting", now.waiting), ("synced", now.synced), ("parked", now.parked)] {
                        observer.observe(n, &[opentelemetry::KeyValue::new("state", state)]);
                    }
                })
                .build()
        };
        let lag = {
            let snapshot = snapshot.clone();
            meter
                .i64_observable_gauge("eiso.sync.lag")
                .with_description("Time since the oldest dossier change not yet delivered to the portal")
                .with_unit("s")
                .with_callback(move |observer| {
                    if let Ok(now) = snapshot.lock() {
                        observer.observe(now.lag_seconds, &[]);
                    }
                })
                .build()
        };
        Self {
            snapshot,
            _instruments: (dossiers, lag),
        }
    }

    async fn refresh(&self, delivery: &Delivery) {
        let db = delivery.db();
        let read = async {
            let (waiting, synced, parked) = eiso_sync::store::counts(db).await?;
            let oldest = eiso_sync::store::oldest_pending_us(db).await?;
            eiso_platform::ServiceResult::Ok(Snapshot {
                waiting,
                synced,
                parked,
                lag_seconds: oldest.map_or(0, |us| {
                    ((chrono::Utc::now().timestamp_micros() - us) / 1_000_000).max(0)
                }),
            })
        };
        match read.await {
            Ok(snapshot) => {
                if let Ok(mut kept) = self.snapshot.lock() {
                    *kept = snapshot;
                }
            }
            Err(error) => tracing::warn!(%error, "portal sync: cannot read the gauges"),
        }
    }
}

/// Runs the sync until `stop`: one task takes the stream in, another
/// delivers what is due every `interval`. A failure is logged and tried
/// again after `interval`; nothing is lost (the cursor moves only with what
/// it took in).
pub fn spawn(
    delivery: Delivery,
    journal: eiso_platform::Journal,
    interval: Duration,
    stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    let follower = {
        let delivery = delivery.clone();
        let mut stop = stop.clone();
        tokio::spawn(async move {
            loop {
                let followed = async {
                    let cursor = delivery.cursor().await?;
                    delivery.follow(journal.watch(cursor)).await
                };
                tokio::select! {
                    _ = stop.wait_for(|stopped| *stopped) => break,
                    outcome = followed => {
                        if let Err(error) = outcome {
                            tracing::warn!(%error, "portal sync: the event stream broke off; resuming");
                        }
                    }
                }
                tokio::select! {
                    _ = stop.wait_for(|stopped| *stopped) => break,
                    () = tokio::time::sleep(interval) => {}
                }
            }
        })
    };
    let mut stop = stop;
    let gauges = Gauges::register();
    tokio::spawn(async move {
        loop {
            gauges.refresh(&delivery).await;
            match delivery.round(chrono::Utc::now()).await {
                Ok(round) if round.delivered + round.failed > 0 => {
                    tracing::info!(
                        delivered = round.delivered,
                        failed = round.failed,
                        parked = round.parked,
                        "portal sync round"
                    );
                }
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "portal sync: a round failed"),
            }
            tokio::select! {
                _ = stop.wait_for(|stopped| *stopped) => break,
                () = tokio::time::sleep(interval) => {}
            }
        }
        let _ = follower.await;
    })
}
