//! The domain gauges ARCHITECTURE.md promises beside the RPC metrics:
//! `eiso.dossiers.open` (attribute `status`: registered, received,
//! in_progress, supplement_requested, awaiting_payment, completed) and
//! `eiso.dossiers.overdue`. A metrics export reads them from a snapshot that a
//! task refreshes a second after the procedures service commits a change (at
//! most once a second) and every minute (time alone makes dossiers overdue),
//! so an export never waits on the database.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use eiso_procedures::Procedures;
use eiso_procedures::gauges::DossierGauges;
use opentelemetry::KeyValue;
use opentelemetry::metrics::{AsyncInstrument, Meter, ObservableGauge};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How long a burst of changes is let settle before counting again.
const SETTLE: Duration = Duration::from_secs(1);
/// How often the counts are taken when nothing changes.
const EVERY: Duration = Duration::from_secs(60);

/// Registers the i64 gauge `name` with `meter`: each export has `observe`
/// report what `snapshot` holds then (nothing while its lock is poisoned).
pub(crate) fn snapshot_gauge<T: Send + 'static>(
    meter: &Meter,
    name: &'static str,
    description: &'static str,
    unit: &'static str,
    snapshot: &Arc<Mutex<T>>,
    observe: impl Fn(&T, &dyn AsyncInstrument<i64>) + Send + Sync + 'static,
) -> ObservableGauge<i64> {
    let snapshot = snapshot.clone();
    meter
        .i64_observable_gauge(name)
        .with_description(description)
        .with_unit(unit)
        .with_callback(move |observer| {
            if let Ok(now) = snapshot.lock() {
                observe(&now, observer);
            }
        })
        .build()
}

/// Registers the gauges with the global meter (call after telemetry's
/// `init`) and starts the task that keeps their snapshot; it ends when `stop`
/// turns true.
pub fn spawn(procedures: Procedures, mut stop: watch::Receiver<bool>) -> JoinHandle<()> {
    let snapshot = Arc::new(Mutex::new(DossierGauges::default()));
    let meter = opentelemetry::global::meter(eiso_telemetry::METER_NAME);
    let open = snapshot_gauge(
        &meter,
        "eiso.dossiers.open",
        "Dossiers not yet finished, by status",
        "{dossier}",
        &snapshot,
        |gauges, observer| {
            for (status, n) in &gauges.open {
                let name = status
                    .as_str_name()
                    .trim_start_matches("DOSSIER_STATUS_")
                    .to_ascii_lowercase();
                observer.observe(*n, &[KeyValue::new("status", name)]);
            }
        },
    );
    let overdue = snapshot_gauge(
        &meter,
        "eiso.dossiers.overdue",
        "Dossiers whose clock runs past their due time",
        "{dossier}",
        &snapshot,
        |gauges, observer| observer.observe(gauges.overdue, &[]),
    );
    tokio::spawn(async move {
        // Held for as long as the gauges are reported.
        let _instruments = (open, overdue);
        let mut commits = procedures.journal().commits();
        loop {
            match procedures.dossier_gauges().await {
                Ok(gauges) => {
                    if let Ok(mut kept) = snapshot.lock() {
                        *kept = gauges;
                    }
                }
                Err(error) => tracing::warn!(%error, "cannot count dossiers for the gauges"),
            }
            tokio::select! {
                stopped = stop.changed() => {
                    if stopped.is_err() || *stop.borrow() {
                        return;
                    }
                }
                _ = tokio::time::sleep(EVERY) => {}
                changed = commits.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    tokio::time::sleep(SETTLE).await;
                }
            }
        }
    })
}
