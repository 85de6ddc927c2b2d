//! Process-wide set-up: the `tracing` subscriber, the OTLP exporters and the
//! global OpenTelemetry providers and propagator.

use std::fmt;
use std::time::Duration;

use opentelemetry::global;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{MetricExporter, SpanExporter, WithExportConfig, WithTonicConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::OTelSdkError;
use opentelemetry_sdk::metrics::SdkMeterProvider;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::filter::{EnvFilter, ParseError, filter_fn};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::{SubscriberInitExt, TryInitError};
use tracing_subscriber::{Layer, fmt as subscriber_fmt};

/// Standard variable naming the OTLP collector; export is on when it is set.
const ENDPOINT_VAR: &str = "OTEL_EXPORTER_OTLP_ENDPOINT";
/// Standard variable with the export timeout in milliseconds.
const TIMEOUT_VAR: &str = "OTEL_EXPORTER_OTLP_TIMEOUT";
/// Default time allowed for one export request (the OTLP default).
const DEFAULT_EXPORT_TIMEOUT: Duration = Duration::from_secs(10);
/// Time allowed to open the TCP connection to the collector.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// Upper bound on [`TelemetryGuard::shutdown`], whatever the collector does.
/// Traces and metrics are shut down in parallel, each within this bound (the
/// metrics reader has the same 5 s bound built in).
const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);
/// Instrumentation scope of the spans bridged from `tracing`.
const TRACER_NAME: &str = "eiso";

/// Why [`init`] failed.
#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    /// `default_filter` is not a valid `EnvFilter` directive list.
    #[error("invalid default log filter")]
    InvalidFilter(#[source] ParseError),
    /// `OTEL_EXPORTER_OTLP_ENDPOINT` is not a usable collector address.
    #[error("invalid {ENDPOINT_VAR}: {reason}")]
    InvalidEndpoint {
        /// What is wrong with it (the value itself is not repeated).
        reason: String,
    },
    /// The OTLP/gRPC exporter spawns its connection on the current Tokio
    /// runtime, so [`init`] must run inside one when export is on.
    #[error("OTLP export needs a Tokio runtime: call init from inside one")]
    NoRuntime,
    /// The OTLP exporter could not be built.
    #[error("building the OTLP exporter failed")]
    Exporter(#[from] opentelemetry_otlp::ExporterBuildError),
    /// A global `tracing` subscriber (or `log` logger) is already installed,
    /// for example because `init` was called twice.
    #[error("telemetry is already initialised")]
    AlreadyInitialized(#[from] TryInitError),
}

/// How log lines are written to stderr.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LogFormat {
    /// One human-readable line per event (the default).
    #[default]
    Text,
    /// One JSON object per line, for a log collector: `timestamp`, `level`,
    /// `target`, `message` and the event's own fields at the top level, the
    /// current span as `span` and the spans it is in, outermost first, as
    /// `spans` (each with its name and fields).
    Json,
}

/// Installs logging, tracing and metrics for the process, logging as text:
/// [`init_with_format`] with [`LogFormat::Text`].
///
/// # Errors
///
/// As [`init_with_format`].
pub fn init(service_name: &str, default_filter: &str) -> Result<TelemetryGuard, TelemetryError> {
    init_with_format(service_name, default_filter, LogFormat::Text)
}

/// Installs logging, tracing and metrics for the process.
///
/// - Logs go to stderr through `tracing-subscriber`'s `fmt` layer, as text or
///   one JSON object per line (`format`), filtered by `RUST_LOG` or, when it
///   is unset, empty or invalid, by `default_filter` (e.g. `"info"`). An
///   invalid `RUST_LOG` is reported as a warning.
/// - When `OTEL_EXPORTER_OTLP_ENDPOINT` is set (e.g. `http://127.0.0.1:4317`;
///   a value without a scheme means `http://`), spans and metrics are exported
///   over OTLP/gRPC with the resource `service.name = service_name`: spans
///   through a batch processor fed by a `tracing-opentelemetry` layer, metrics
///   through a periodic reader (`OTEL_METRIC_EXPORT_INTERVAL`, 60 s by default).
///   The global tracer and meter providers are set. Each export request is
///   bounded by `OTEL_EXPORTER_OTLP_TIMEOUT` (ms, 10 s by default) and connecting
///   by 3 s. TLS to the collector is not supported (use a local collector).
///   Export needs a Tokio runtime: call `init` from inside one.
/// - The global text-map propagator is W3C TraceContext in every case.
///
/// Spans are subject to the same filter as logs. The transport crates used by
/// the exporter itself (`h2`, `hyper`, `tonic`, `tower`, `opentelemetry*`, …)
/// are never exported as spans, so an export cannot trace itself in a loop.
///
/// Keep the returned guard alive for the life of the process: dropping it
/// flushes and shuts the exporters down (see [`TelemetryGuard`]).
///
/// # Errors
///
/// [`TelemetryError::AlreadyInitialized`] on a second call (nothing global is
/// changed then); the other variants for bad configuration.
pub fn init_with_format(
    service_name: &str,
    default_filter: &str,
    format: LogFormat,
) -> Result<TelemetryGuard, TelemetryError> {
    let rust_log = std::env::var(EnvFilter::DEFAULT_ENV).ok();
    let otlp = std::env::var(ENDPOINT_VAR)
        .ok()
        .filter(|endpoint| !endpoint.trim().is_empty())
        .map(|endpoint| OtlpSettings {
            endpoint,
            timeout: export_timeout(std::env::var(TIMEOUT_VAR).ok().as_deref()),
        });
    init_with(service_name, default_filter, format, rust_log.as_deref(), otlp)
}

/// Where and how to export; read from the environment by [`init_with_format`].
#[derive(Debug, Clone)]
struct OtlpSettings {
    endpoint: String,
    timeout: Duration,
}

/// [`init_with_format`] with its environment passed in.
fn init_with(
    service_name: &str,
    default_filter: &str,
    format: LogFormat,
    rust_log: Option<&str>,
    otlp: Option<OtlpSettings>,
) -> Result<TelemetryGuard, TelemetryError> {
    let (filter, ignored_rust_log) = log_filter(default_filter, rust_log)?;
    let providers = otlp
        .map(|settings| Providers::build(service_name, &settings))
        .transpose()?;

    let otel_layer = providers.as_ref().map(|providers| {
        tracing_opentelemetry::layer()
            .with_tracer(providers.tracer.tracer(TRACER_NAME))
            // Only what the spans say: no source file and line, thread,
            // busy/idle nanoseconds or module target on every span.
            .with_location(false)
            .with_threads(false)
            .with_tracked_inactivity(false)
            .with_target(false)
            .with_level(false)
            .with_filter(filter_fn(|metadata| !is_exporter_internal(metadata.target())))
    });
    let installed = tracing_subscriber::registry()
        .with(filter)
        .with(log_layer(format, std::io::stderr))
        .with(otel_layer)
        .try_init();
    if let Err(error) = installed {
        if let Some(providers) = providers {
            providers.shutdown();
        }
        return Err(error.into());
    }

    global::set_text_map_propagator(TraceContextPropagator::new());
    if let Some(providers) = &providers {
        global::set_tracer_provider(providers.tracer.clone());
        global::set_meter_provider(providers.meter.clone());
    }
    if let Some(error) = ignored_rust_log {
        tracing::warn!(%error, "ignoring invalid RUST_LOG, using the default filter");
    }
    Ok(TelemetryGuard { providers })
}

/// The layer that writes the log lines to `writer` in `format`.
fn log_layer<S, W>(format: LogFormat, writer: W) -> Box<dyn Layer<S> + Send + Sync>
where
    S: tracing::Subscriber + for<'span> LookupSpan<'span>,
    W: for<'writer> MakeWriter<'writer> + Send + Sync + 'static,
{
    match format {
        LogFormat::Text => subscriber_fmt::layer().with_writer(writer).boxed(),
        LogFormat::Json => subscriber_fmt::layer()
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(true)
            .with_ansi(false)
            .with_writer(writer)
            .boxed(),
    }
}

/// The filter from `RUST_LOG`, or from `default_filter` when `RUST_LOG` is
/// unset, blank or invalid (the parse error is returned for a warning).
fn log_filter(default_filter: &str, rust_log: Option<&str>) -> Result<(EnvFilter, Option<ParseError>), TelemetryError> {
    let from_env = rust_log
        .filter(|directives| !directives.trim().is_empty())
        .map(EnvFilter::try_new);
    match from_env {
        Some(Ok(filter)) => Ok((filter, None)),
        Some(Err(error)) => Ok((default_log_filter(default_filter)?, Some(error))),
        None => Ok((default_log_filter(default_filter)?, None)),
    }
}

fn default_log_filter(default_filter: &str) -> Result<EnvFilter, TelemetryError> {
    EnvFilter::try_new(default_filter).map_err(TelemetryError::InvalidFilter)
}

/// `OTEL_EXPORTER_OTLP_TIMEOUT` in milliseconds; the OTLP default when unset,
/// invalid or zero.
fn export_timeout(value: Option<&str>) -> Duration {
    value
        .and_then(|millis| millis.trim().parse::<u64>().ok())
        .filter(|millis| *millis > 0)
        .map_or(DEFAULT_EXPORT_TIMEOUT, Duration::from_millis)
}

/// Targets whose spans must not be exported: they run inside the exporter.
fn is_exporter_internal(target: &str) -> bool {
    const INTERNAL: [&str; 9] = [
        "h2",
        "hyper",
        "hyper_util",
        "tonic",
        "tower",
        "tokio",
        "opentelemetry",
        "opentelemetry_sdk",
        "opentelemetry_otlp",
    ];
    INTERNAL.iter().any(|prefix| {
        target
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with("::"))
    })
}

/// The SDK providers that export over OTLP.
struct Providers {
    tracer: SdkTracerProvider,
    meter: SdkMeterProvider,
}

impl Providers {
    fn build(service_name: &str, settings: &OtlpSettings) -> Result<Self, TelemetryError> {
        // `connect_lazy` spawns the channel's worker on the current runtime
        // and panics without one.
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(TelemetryError::NoRuntime);
        }
        let channel = otlp_channel(settings)?;
        let resource = Resource::builder().with_service_name(service_name.to_owned()).build();
        // The exporters' timeout must match the channel's (see `with_channel`).
        let span_exporter = SpanExporter::builder()
            .with_tonic()
            .with_channel(channel.clone())
            .with_timeout(settings.timeout)
            .build()?;
        let metric_exporter = MetricExporter::builder()
            .with_tonic()
            .with_channel(channel)
            .with_timeout(settings.timeout)
            .build()?;
        let tracer = SdkTracerProvider::builder()
            .with_resource(resource.clone())
            .with_batch_exporter(span_exporter)
            .build();
        let meter = SdkMeterProvider::builder()
            .with_resource(resource)
            .with_periodic_exporter(metric_exporter)
            .build();
        Ok(Self { tracer, meter })
    }

    /// Flushes what is buffered and stops both providers, in parallel, each
    /// within [`SHUTDOWN_TIMEOUT`]. Never waits on the metrics `force_flush`,
    /// which has no timeout: the reader's shutdown exports one last time.
    fn shutdown(self) {
        let Self { tracer, meter } = self;
        let (traces, metrics) = std::thread::scope(|scope| {
            let traces = std::thread::Builder::new()
                .name("otel-shutdown".to_owned())
                .spawn_scoped(scope, || tracer.shutdown_with_timeout(SHUTDOWN_TIMEOUT));
            let metrics = meter.shutdown_with_timeout(SHUTDOWN_TIMEOUT);
            let traces = match traces {
                Ok(handle) => handle
                    .join()
                    .unwrap_or_else(|_| Err(OTelSdkError::InternalFailure("trace shutdown panicked".to_owned()))),
                Err(_) => tracer.shutdown_with_timeout(SHUTDOWN_TIMEOUT),
            };
            (traces, metrics)
        });
        if let Err(error) = traces {
            tracing::warn!(%error, "shutting down trace export failed; spans may be lost");
        }
        if let Err(error) = metrics {
            tracing::warn!(%error, "shutting down metric export failed; metrics may be lost");
        }
    }
}

/// One lazily connected channel shared by the span and metric exporters,
/// with a connect timeout (a silent collector would otherwise hold an export
/// for the operating system's TCP timeout) and a per-request timeout.
fn otlp_channel(settings: &OtlpSettings) -> Result<tonic::transport::Channel, TelemetryError> {
    Ok(collector_endpoint(&settings.endpoint)?
        .connect_timeout(CONNECT_TIMEOUT.min(settings.timeout))
        .timeout(settings.timeout)
        .connect_lazy())
}

/// The collector address: `http://` is assumed when there is no scheme, and
/// only `http` is accepted (the workspace builds tonic without TLS).
fn collector_endpoint(endpoint: &str) -> Result<tonic::transport::Endpoint, TelemetryError> {
    let endpoint = endpoint.trim();
    let uri = if endpoint.contains("://") {
        endpoint.to_owned()
    } else {
        format!("http://{endpoint}")
    };
    let endpoint = tonic::transport::Endpoint::from_shared(uri).map_err(|error| TelemetryError::InvalidEndpoint {
        reason: error.to_string(),
    })?;
    if endpoint.uri().scheme_str() != Some("http") {
        return Err(TelemetryError::InvalidEndpoint {
            reason: "only http:// collector endpoints are supported (no TLS)".to_owned(),
        });
    }
    Ok(endpoint)
}

/// Keeps the exporters running; flushes and shuts them down when dropped or
/// on [`TelemetryGuard::shutdown`].
///
/// Shutting down blocks the calling thread for at most about 5 s, even when
/// the collector is unreachable or silent (buffered telemetry is then lost).
/// The exporter's connection lives on the Tokio runtime that was current at
/// [`init`]: drop the guard while that runtime is still running (e.g. at the
/// end of `main` under `#[tokio::main]`); on a current-thread runtime the
/// final export cannot make progress while the guard blocks, so it only ends
/// at the timeout.
#[must_use = "dropping the guard shuts telemetry export down at once"]
pub struct TelemetryGuard {
    providers: Option<Providers>,
}

impl TelemetryGuard {
    /// Flushes and shuts the exporters down now (what dropping does).
    pub fn shutdown(mut self) {
        self.shutdown_providers();
    }

    fn shutdown_providers(&mut self) {
        if let Some(providers) = self.providers.take() {
            providers.shutdown();
        }
    }
}

impl Drop for TelemetryGuard {
    fn drop(&mut self) {
        self.shutdown_providers();
    }
}

impl fmt::Debug for TelemetryGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TelemetryGuard")
            .field("exporting", &self.providers.is_some())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};
    use std::time::Instant;

    use opentelemetry_proto::tonic::collector::metrics::v1::metrics_service_server::{
        MetricsService, MetricsServiceServer,
    };
    use opentelemetry_proto::tonic::collector::metrics::v1::{
        ExportMetricsServiceRequest, ExportMetricsServiceResponse,
    };
    use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{TraceService, TraceServiceServer};
    use opentelemetry_proto::tonic::collector::trace::v1::{ExportTraceServiceRequest, ExportTraceServiceResponse};
    use opentelemetry_proto::tonic::common::v1::{AnyValue, any_value};

    use opentelemetry::metrics::MeterProvider as _;
    use opentelemetry::trace::{Tracer as _, TracerProvider as _};

    use super::*;

    /// The only test that installs the global subscriber.
    #[test]
    fn second_init_is_an_error_not_a_panic() {
        let guard = init_with("eiso-test", "info", LogFormat::Text, None, None).expect("first init");
        let second = init_with("eiso-test", "info", LogFormat::Json, None, None);
        assert!(
            matches!(second, Err(TelemetryError::AlreadyInitialized(_))),
            "{second:?}"
        );
        // Without OTLP there is nothing to flush: dropping returns at once.
        let start = Instant::now();
        drop(guard);
        assert!(start.elapsed() < Duration::from_secs(1));
    }

    /// What a log layer writes, kept for the test to read.
    #[derive(Clone, Default)]
    struct Written(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Written {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("lock").extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl MakeWriter<'_> for Written {
        type Writer = Self;

        fn make_writer(&self) -> Self {
            self.clone()
        }
    }

    impl Written {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().expect("lock").clone()).expect("UTF-8")
        }
    }

    /// Logs two events, the first inside a span, through `format`'s layer.
    fn log_two_events(format: LogFormat) -> String {
        let written = Written::default();
        let subscriber = tracing_subscriber::registry().with(log_layer(format, written.clone()));
        tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!("call", rpc.method = "eiso.identity.v1.IdentityService/Login");
            let entered = span.enter();
            tracing::info!(unit = "units/31", attempts = 3, retried = true, "signed in");
            drop(entered);
            tracing::warn!(target: "eiso_other", "a \"quoted\" message\nover two lines");
        });
        written.text()
    }

    #[test]
    fn json_logs_are_one_object_per_line_with_level_target_message_and_fields() {
        let text = log_two_events(LogFormat::Json);
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|line| serde_json::from_str(line).unwrap_or_else(|error| panic!("{error}: {line}")))
            .collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(text.ends_with('\n'), "{text:?}");

        let first = &lines[0];
        assert!(first.is_object(), "{first}");
        assert_eq!(first["level"], "INFO", "{first}");
        assert_eq!(first["target"], module_path!(), "{first}");
        assert_eq!(first["message"], "signed in", "{first}");
        assert_eq!(first["unit"], "units/31", "{first}");
        assert_eq!(first["attempts"], 3, "{first}");
        assert_eq!(first["retried"], true, "{first}");
        assert!(first["timestamp"].as_str().is_some_and(|t| !t.is_empty()), "{first}");
        assert_eq!(first["span"]["name"], "call", "{first}");
        assert_eq!(
            first["span"]["rpc.method"], "eiso.identity.v1.IdentityService/Login",
            "{first}"
        );
        assert_eq!(first["spans"][0]["name"], "call", "{first}");

        let second = &lines[1];
        assert_eq!(second["level"], "WARN", "{second}");
        assert_eq!(second["target"], "eiso_other", "{second}");
        assert_eq!(second["message"], "a \"quoted\" message\nover two lines", "{second}");
        assert!(second.get("span").is_none(), "outside any span: {second}");
    }

    #[test]
    fn text_logs_stay_plain_lines() {
        let text = log_two_events(LogFormat::Text);
        let first = text.lines().next().expect("a line");
        assert!(!first.starts_with('{'), "{text}");
        assert!(
            first.contains("INFO") && first.contains("signed in") && first.contains("attempts"),
            "{text}"
        );
    }

    #[test]
    fn rust_log_wins_and_bad_values_fall_back_to_the_default() {
        let (filter, ignored) = log_filter("info", Some("eiso=debug")).expect("valid");
        assert_eq!(filter.to_string(), "eiso=debug");
        assert!(ignored.is_none());

        let (filter, ignored) = log_filter("info", Some("eiso=loudest")).expect("falls back");
        assert_eq!(filter.to_string(), "info");
        assert!(ignored.is_some());

        let (filter, ignored) = log_filter("warn", Some("  ")).expect("blank is unset");
        assert_eq!(filter.to_string(), "warn");
        assert!(ignored.is_none());

        assert!(matches!(
            log_filter("eiso=loudest", None),
            Err(TelemetryError::InvalidFilter(_))
        ));
    }

    #[test]
    fn export_timeout_comes_from_milliseconds() {
        assert_eq!(export_timeout(Some("2500")), Duration::from_millis(2500));
        assert_eq!(export_timeout(None), DEFAULT_EXPORT_TIMEOUT);
        assert_eq!(export_timeout(Some("0")), DEFAULT_EXPORT_TIMEOUT);
        assert_eq!(export_timeout(Some("soon")), DEFAULT_EXPORT_TIMEOUT);
    }

    #[test]
    fn collector_endpoint_defaults_to_http_and_refuses_tls() {
        let uri = |endpoint| collector_endpoint(endpoint).map(|e| e.uri().to_string());
        assert_eq!(uri("http://otel:4317").expect("http"), "http://otel:4317/");
        assert_eq!(uri("otel:4317").expect("no scheme"), "http://otel:4317/");
        assert!(matches!(
            uri("https://otel:4317"),
            Err(TelemetryError::InvalidEndpoint { .. })
        ));
        assert!(matches!(
            uri("http://bad host"),
            Err(TelemetryError::InvalidEndpoint { .. })
        ));
    }

    #[test]
    fn exporter_transport_spans_are_not_exported() {
        for target in [
            "h2",
            "h2::proto",
            "hyper_util::client",
            "tonic::transport",
            "opentelemetry_otlp",
        ] {
            assert!(is_exporter_internal(target), "{target}");
        }
        for target in ["eiso_telemetry::grpc_server", "eiso_platform", "h2o", "tonicity"] {
            assert!(!is_exporter_internal(target), "{target}");
        }
    }

    #[test]
    fn export_without_a_tokio_runtime_is_an_error() {
        let settings = OtlpSettings {
            endpoint: "http://127.0.0.1:4317".to_owned(),
            timeout: DEFAULT_EXPORT_TIMEOUT,
        };
        assert!(matches!(
            Providers::build("eiso-test", &settings),
            Err(TelemetryError::NoRuntime)
        ));
    }

    /// Records what the exporters send.
    #[derive(Clone, Default)]
    struct FakeCollector {
        spans: Arc<Mutex<Vec<ExportTraceServiceRequest>>>,
        metrics: Arc<Mutex<Vec<ExportMetricsServiceRequest>>>,
    }

    #[tonic::async_trait]
    impl TraceService for FakeCollector {
        async fn export(
            &self,
            request: tonic::Request<ExportTraceServiceRequest>,
        ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
            self.spans.lock().expect("lock").push(request.into_inner());
            Ok(tonic::Response::new(ExportTraceServiceResponse::default()))
        }
    }

    #[tonic::async_trait]
    impl MetricsService for FakeCollector {
        async fn export(
            &self,
            request: tonic::Request<ExportMetricsServiceRequest>,
        ) -> Result<tonic::Response<ExportMetricsServiceResponse>, tonic::Status> {
            self.metrics.lock().expect("lock").push(request.into_inner());
            Ok(tonic::Response::new(ExportMetricsServiceResponse::default()))
        }
    }

    fn string_value(value: Option<&AnyValue>) -> Option<&str> {
        match value?.value.as_ref()? {
            any_value::Value::StringValue(text) => Some(text),
            _ => None,
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn spans_and_metrics_reach_the_collector_on_shutdown() {
        let collector = FakeCollector::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("address");
        let server = tokio::spawn(
            tonic::transport::Server::builder()
                .add_service(TraceServiceServer::new(collector.clone()))
                .add_service(MetricsServiceServer::new(collector.clone()))
                .serve_with_incoming(tonic::transport::server::TcpIncoming::from(listener)),
        );
        let settings = OtlpSettings {
            // No scheme: http:// is assumed.
            endpoint: address.to_string(),
            timeout: DEFAULT_EXPORT_TIMEOUT,
        };
        let providers = Providers::build("eiso-test", &settings).expect("providers");
        providers.tracer.tracer("test").in_span("work", |_| {});
        providers
            .meter
            .meter("test")
            .u64_counter("work.done")
            .build()
            .add(3, &[]);

        let start = Instant::now();
        let guard = TelemetryGuard {
            providers: Some(providers),
        };
        tokio::task::spawn_blocking(move || guard.shutdown())
            .await
            .expect("shutdown thread");
        assert!(start.elapsed() < SHUTDOWN_TIMEOUT, "{:?}", start.elapsed());
        server.abort();

        let spans = collector.spans.lock().expect("lock");
        let resource_spans: Vec<_> = spans.iter().flat_map(|r| &r.resource_spans).collect();
        assert_eq!(resource_spans.len(), 1, "{spans:?}");
        let service_name = resource_spans[0]
            .resource
            .as_ref()
            .and_then(|resource| resource.attributes.iter().find(|kv| kv.key == "service.name"))
            .and_then(|kv| string_value(kv.value.as_ref()));
        assert_eq!(service_name, Some("eiso-test"));
        let names: Vec<_> = resource_spans
            .iter()
            .flat_map(|r| &r.scope_spans)
            .flat_map(|scope| &scope.spans)
            .map(|span| span.name.as_str())
            .collect();
        assert_eq!(names, ["work"]);

        let metrics = collector.metrics.lock().expect("lock");
        let metric_names: Vec<_> = metrics
            .iter()
            .flat_map(|r| &r.resource_metrics)
            .flat_map(|r| &r.scope_metrics)
            .flat_map(|scope| &scope.metrics)
            .map(|metric| metric.name.as_str())
            .collect();
        assert!(metric_names.contains(&"work.done"), "{metric_names:?}");
    }

    /// A collector that accepts TCP connections (the kernel does, into the
    /// backlog) but never answers: the worst case for an exporter.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn shutdown_is_bounded_when_the_collector_never_answers() {
        let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let settings = OtlpSettings {
            endpoint: format!("http://{}", silent.local_addr().expect("address")),
            timeout: DEFAULT_EXPORT_TIMEOUT,
        };
        let providers = Providers::build("eiso-test", &settings).expect("providers");
        providers.tracer.tracer("test").in_span("work", |_| {});
        providers.meter.meter("test").u64_counter("work").build().add(1, &[]);
        let guard = TelemetryGuard {
            providers: Some(providers),
        };

        let start = Instant::now();
        tokio::task::spawn_blocking(move || guard.shutdown())
            .await
            .expect("shutdown thread");
        let elapsed = start.elapsed();

        // The export itself would wait DEFAULT_EXPORT_TIMEOUT (10 s).
        assert!(
            elapsed < SHUTDOWN_TIMEOUT + Duration::from_secs(2),
            "shutdown took {elapsed:?}"
        );
        drop(silent);
    }
}
