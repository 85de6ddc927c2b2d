//! The dossiers' sync with the National Public Service Portal, when one is
//! configured: an outward delivery (see [`crate::outbound`] and
//! `eiso_sync::delivery`). The names the portal wants come from the
//! procedure catalogue and the identity directory.

use std::sync::Arc;
use std::time::Duration;

use eiso_platform::ServiceResult;
use eiso_platform::config::PortalConfig as PortalSettings;
use eiso_proto::eiso::event::v1::Event;
use eiso_proto::eiso::procedures::v1::{Applicant, Dossier};
use eiso_sync::delivery::{Delivery, Lookups};
use eiso_sync::record::{Handler, Names};
use eiso_sync::{Portal, PortalConfig};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_stream::wrappers::ReceiverStream;

use crate::dossier_facts::DossierFacts;
use crate::gauges::snapshot_gauge;
use crate::outbound::{self, Outbound};

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

/// Names from the catalogue and the directory, the portal's procedure codes
/// in place of local ones.
pub struct ServiceLookups {
    pub facts: DossierFacts,
    pub portal: Arc<Portal>,
}

#[eiso_proto::tonic::async_trait]
impl Lookups for ServiceLookups {
    async fn names(&self, dossier: &Dossier) -> ServiceResult<Names> {
        let names = self.facts.names(dossier).await?;
        Ok(Names {
            procedure_code: self.portal.config().national_code(&names.procedure_code).to_string(),
            procedure_name: names.procedure_name,
            field_code: String::new(),
            field_name: names.field,
            agency_name: names.agency_name,
        })
    }

    async fn applicant(&self, dossier: &Dossier) -> ServiceResult<Option<Applicant>> {
        self.facts.applicant(dossier).await
    }

    async fn handler(&self, user: &str) -> Handler {
        Handler {
            name: self.facts.user_name(user).await,
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
        let dossiers = snapshot_gauge(
            &meter,
            "eiso.sync.dossiers",
            "Dossiers of the national portal's sync, by state",
            "{dossier}",
            &snapshot,
            |now, observer| {
                for (state, n) in [("waiting", now.waiting), ("synced", now.synced), ("parked", now.parked)] {
                    observer.observe(n, &[opentelemetry::KeyValue::new("state", state)]);
                }
            },
        );
        let lag = snapshot_gauge(
            &meter,
            "eiso.sync.lag",
            "Time since the oldest dossier change not yet delivered to the portal",
            "s",
            &snapshot,
            |now, observer| observer.observe(now.lag_seconds, &[]),
        );
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

/// The sync as an outward delivery: its gauges refreshed before each round.
#[derive(Clone)]
struct Syncing {
    delivery: Delivery,
    gauges: Arc<Gauges>,
}

#[eiso_proto::tonic::async_trait]
impl Outbound for Syncing {
    const NAME: &'static str = "portal sync";

    async fn cursor(&self) -> ServiceResult<i64> {
        self.delivery.cursor().await
    }

    async fn follow(&self, events: ReceiverStream<ServiceResult<Event>>) -> ServiceResult<()> {
        self.delivery.follow(events).await
    }

    async fn round(&self) -> ServiceResult<()> {
        self.gauges.refresh(&self.delivery).await;
        let round = self.delivery.round(chrono::Utc::now()).await?;
        if round.delivered + round.failed > 0 {
            tracing::info!(
                delivered = round.delivered,
                failed = round.failed,
                parked = round.parked,
                "portal sync round"
            );
        }
        Ok(())
    }
}

/// Runs the sync until `stop` (see [`crate::outbound`]).
pub fn spawn(
    delivery: Delivery,
    journal: eiso_platform::Journal,
    interval: Duration,
    lease: eiso_platform::lease::Lease,
    stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    let syncing = Syncing {
        delivery,
        gauges: Arc::new(Gauges::register()),
    };
    outbound::spawn(syncing, journal, interval, lease, stop)
}
