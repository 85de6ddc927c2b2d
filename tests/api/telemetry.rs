//! For the operators (issue 18): the domain gauges ARCHITECTURE.md promises —
//! open dossiers by status, overdue dossiers — reported through the global
//! OpenTelemetry meter as the counter works and as time passes; and the
//! national portal's sync: dossiers by state and the lag.
//!
//! The test installs an in-memory meter provider as the process's global one
//! before the server starts (each test runs in its own process under
//! nextest, as CI runs them).

use std::time::Duration;

use chrono::{DateTime, Utc};
use eiso_platform::clock::Clock;
use eiso_proto::eiso::identity::v1::Role;
use eiso_proto::eiso::procedures::v1 as procs;
use eiso_tests::counter::transfer_receipt;
use eiso_tests::values::local_time;
use eiso_tests::{Backend, TestServer};
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData};
use opentelemetry_sdk::metrics::{InMemoryMetricExporter, PeriodicReader, SdkMeterProvider};

struct Metrics {
    provider: SdkMeterProvider,
    exporter: InMemoryMetricExporter,
}

impl Metrics {
    fn install() -> Self {
        let exporter = InMemoryMetricExporter::default();
        let provider = SdkMeterProvider::builder()
            .with_reader(PeriodicReader::builder(exporter.clone()).build())
            .build();
        opentelemetry::global::set_meter_provider(provider.clone());
        Self { provider, exporter }
    }

    /// The gauge `name`'s points: (the `status` or `state` attribute or "", value).
    fn gauge(&self, name: &str) -> Vec<(String, i64)> {
        self.exporter.reset();
        self.provider.force_flush().expect("flush metrics");
        let exported = self.exporter.get_finished_metrics().expect("read metrics");
        let mut points: Vec<(String, i64)> = exported
            .iter()
            .flat_map(|resource| resource.scope_metrics())
            .flat_map(|scope| scope.metrics())
            .filter(|metric| metric.name() == name)
            .flat_map(|metric| match metric.data() {
                AggregatedMetrics::I64(MetricData::Gauge(gauge)) => gauge
                    .data_points()
                    .map(|point| {
                        let status = point
                            .attributes()
                            .find(|kv| matches!(kv.key.as_str(), "status" | "state"))
                            .map(|kv| kv.value.to_string())
                            .unwrap_or_default();
                        (status, point.value())
                    })
                    .collect::<Vec<_>>(),
                other => panic!("{name} is not an i64 gauge: {other:?}"),
            })
            .collect();
        points.sort();
        points
    }

    /// Waits (up to 10 s) until `name` reads `expected`.
    async fn until(&self, name: &str, expected: &[(&str, i64)]) {
        let expected: Vec<(String, i64)> = expected.iter().map(|(s, n)| (s.to_string(), *n)).collect();
        let mut seen = Vec::new();
        for _ in 0..100 {
            seen = self.gauge(name);
            if seen == expected {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{name} read {seen:?}, not {expected:?}");
    }
}

fn at(m: u32, d: u32, h: u32) -> DateTime<Utc> {
    local_time(2025, m, d, h, 0)
}

fn open(received: i64) -> Vec<(&'static str, i64)> {
    let mut open = vec![
        ("awaiting_payment", 0),
        ("completed", 0),
        ("in_progress", 0),
        ("received", received),
        ("registered", 0),
        ("supplement_requested", 0),
    ];
    open.sort();
    open
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dossier_gauges_follow_the_counter_and_the_clock() {
    let metrics = Metrics::install();
    let (clock, time) = Clock::manual(at(3, 3, 9));
    let server = TestServer::start_with_clock(Backend::fresh().await, clock).await;
    let root = server.root_unit().await;
    let office = server
        .create_unit("31-HAIAN-GDDT", "Phòng Giáo dục và Đào tạo quận Hải An", &root.name)
        .await;
    let (_, controller) = server
        .user_with_role("thu.ky", Role::DocumentController, &office.name)
        .await;
    server.transfer_procedure(&controller, &office.name).await;
    let (_, counter) = server.user_with_role("mot.cua", Role::CounterStaff, &office.name).await;
    metrics.until("eiso.dossiers.open", &open(0)).await;
    metrics.until("eiso.dossiers.overdue", &[("", 0)]).await;

    let mut dossiers = server.dossiers(&counter);
    for applicant in ["Nguyễn Văn An", "Trần Thị Bình"] {
        dossiers
            .receive_dossier(transfer_receipt(&office.name, applicant, procs::Channel::Direct))
            .await
            .unwrap();
    }
    metrics.until("eiso.dossiers.open", &open(2)).await;
    metrics.until("eiso.dossiers.overdue", &[("", 0)]).await;

    // A month later both are past their 3 working days; the next change
    // (a third receipt) counts again.
    time.set(at(4, 3, 9));
    dossiers
        .receive_dossier(transfer_receipt(&office.name, "Lê Văn Cường", procs::Channel::Direct))
        .await
        .unwrap();
    metrics.until("eiso.dossiers.open", &open(3)).await;
    metrics.until("eiso.dossiers.overdue", &[("", 2)]).await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sync_gauges_show_what_waits_for_the_portal_and_how_long() {
    let metrics = Metrics::install();
    let (simulator, server) = TestServer::with_portal().await;
    let school = server.school_with_dossier().await;
    let state = |waiting, synced| [("parked", 0), ("synced", synced), ("waiting", waiting)];
    metrics.until("eiso.sync.dossiers", &state(0, 1)).await;
    metrics.until("eiso.sync.lag", &[("", 0)]).await;

    // The portal goes down and the dossier is completed: it waits, and the lag grows.
    simulator.set_down(true);
    let (_, leader) = server
        .user_with_role("lanh.dao", Role::Leader, &school.school.name)
        .await;
    server
        .dossiers(&leader)
        .complete_dossier(procs::CompleteDossierRequest {
            name: school.dossier.name.clone(),
            result_summary: "Đồng ý chuyển trường".into(),
            digitised: false,
        })
        .await
        .unwrap();
    metrics.until("eiso.sync.dossiers", &state(1, 0)).await;
    let mut lag = 0;
    for _ in 0..100 {
        lag = metrics.gauge("eiso.sync.lag").first().map_or(0, |(_, n)| *n);
        if lag >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(lag >= 2, "the lag grows while the portal is down: {lag}");

    // Back up: delivered at the next attempt (its backoff may be up to 10 s
    // after two failures), then nothing waits.
    simulator.set_down(false);
    let caught_up: Vec<(String, i64)> = state(0, 1).iter().map(|(s, n)| (s.to_string(), *n)).collect();
    for _ in 0..300 {
        if metrics.gauge("eiso.sync.dossiers") == caught_up {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    metrics.until("eiso.sync.dossiers", &state(0, 1)).await;
    metrics.until("eiso.sync.lag", &[("", 0)]).await;
    simulator.shutdown().await;
}
