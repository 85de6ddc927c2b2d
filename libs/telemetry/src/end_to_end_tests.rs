//! The layer and the interceptor through a real tonic server and client.

use opentelemetry::global;
use opentelemetry::metrics::MeterProvider as _;
use opentelemetry::trace::{SpanId, SpanKind, TraceContextExt as _, TracerProvider as _};
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData};
use opentelemetry_sdk::metrics::{InMemoryMetricExporter, PeriodicReader, SdkMeterProvider};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
use tonic::transport::server::TcpIncoming;
use tonic::transport::{Endpoint, Server};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_client::HealthClient;
use tracing::Instrument as _;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;
use tracing_subscriber::layer::SubscriberExt as _;

use crate::{GrpcTelemetryLayer, TraceContextInterceptor, inject_trace_context};

#[tokio::test]
async fn server_layer_and_client_interceptor_work_through_tonic() {
    global::set_text_map_propagator(TraceContextPropagator::new());
    let span_exporter = InMemorySpanExporter::default();
    let tracer_provider = SdkTracerProvider::builder()
        .with_simple_exporter(span_exporter.clone())
        .build();
    // Thread-local, and the runtime of this test is single-threaded, so the
    // server and the client both record into it.
    let _subscriber = tracing::subscriber::set_default(
        tracing_subscriber::registry().with(tracing_opentelemetry::layer().with_tracer(tracer_provider.tracer("test"))),
    );
    let metric_exporter = InMemoryMetricExporter::default();
    let meter_provider = SdkMeterProvider::builder()
        .with_reader(PeriodicReader::builder(metric_exporter.clone()).build())
        .build();

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    let (_reporter, health) = tonic_health::server::health_reporter();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(
        Server::builder()
            .layer(GrpcTelemetryLayer::with_meter(&meter_provider.meter("test")))
            .add_service(health)
            .serve_with_incoming_shutdown(TcpIncoming::from(listener), async {
                let _ = stopped.await;
            }),
    );

    let channel = Endpoint::from_shared(format!("http://{address}"))
        .expect("endpoint")
        .connect()
        .await
        .expect("connect");
    let mut client = HealthClient::with_interceptor(channel, TraceContextInterceptor);
    let client_span = tracing::info_span!("client.call");
    let client_context = client_span.context();
    let (serving, unknown) = async {
        let serving = client.check(HealthCheckRequest::default()).await;
        let unknown = client
            .check(HealthCheckRequest {
                service: "eiso.Missing".to_owned(),
            })
            .await;
        (serving, unknown)
    }
    .instrument(client_span)
    .await;
    assert!(serving.is_ok(), "{serving:?}");
    assert_eq!(unknown.expect_err("unknown service").code(), tonic::Code::NotFound);

    // Metrics: the OK status comes in the trailers, NOT_FOUND in the headers.
    meter_provider.force_flush().expect("flush metrics");
    let mut requests: Vec<(Vec<String>, u64)> = metric_exporter
        .get_finished_metrics()
        .expect("metrics")
        .iter()
        .flat_map(|resource| resource.scope_metrics())
        .flat_map(|scope| scope.metrics())
        .filter(|metric| metric.name() == "rpc.server.requests")
        .flat_map(|metric| match metric.data() {
            AggregatedMetrics::U64(MetricData::Sum(sum)) => sum
                .data_points()
                .map(|point| {
                    let mut attributes: Vec<String> = point
                        .attributes()
                        .map(|kv| format!("{}={}", kv.key, kv.value))
                        .collect();
                    attributes.sort();
                    (attributes, point.value())
                })
                .collect::<Vec<_>>(),
            other => panic!("unexpected data {other:?}"),
        })
        .collect();
    requests.sort();
    let expected = |code: &str| {
        vec![
            "rpc.grpc.status_code=".to_owned() + code,
            "rpc.method=Check".to_owned(),
            "rpc.service=grpc.health.v1.Health".to_owned(),
        ]
    };
    assert_eq!(requests, vec![(expected("0"), 1), (expected("5"), 1)]);

    // Traces: both server spans are children of the client span.
    let client_span_context = client_context.span().span_context().clone();
    assert!(client_span_context.is_valid());
    let server_spans: Vec<_> = span_exporter
        .get_finished_spans()
        .expect("spans")
        .into_iter()
        .filter(|span| span.name == "grpc.health.v1.Health/Check")
        .collect();
    assert_eq!(server_spans.len(), 2);
    for span in &server_spans {
        assert_eq!(span.span_kind, SpanKind::Server);
        assert_eq!(span.span_context.trace_id(), client_span_context.trace_id());
        assert_eq!(span.parent_span_id, client_span_context.span_id());
        assert_ne!(span.parent_span_id, SpanId::INVALID);
    }

    let _ = stop.send(());
    server.await.expect("server task").expect("server");
}

#[tokio::test]
async fn inject_writes_the_current_span_as_traceparent() {
    global::set_text_map_propagator(TraceContextPropagator::new());
    let provider = SdkTracerProvider::builder().build();
    let _subscriber = tracing::subscriber::set_default(
        tracing_subscriber::registry().with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test"))),
    );

    let span = tracing::info_span!("outgoing");
    let context = span.context();
    let mut metadata = tonic::metadata::MetadataMap::new();
    span.in_scope(|| inject_trace_context(&mut metadata));

    let expected = format!(
        "00-{}-{}-01",
        context.span().span_context().trace_id(),
        context.span().span_context().span_id()
    );
    let traceparent = metadata.get("traceparent").and_then(|value| value.to_str().ok());
    assert_eq!(traceparent, Some(expected.as_str()));

    // Outside any span there is nothing to propagate.
    let mut empty = tonic::metadata::MetadataMap::new();
    inject_trace_context(&mut empty);
    assert!(empty.get("traceparent").is_none());
}
