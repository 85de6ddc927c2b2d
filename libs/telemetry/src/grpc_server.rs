//! Server side: one span and one set of metrics per gRPC call.
//!
//! # Status codes
//!
//! The gRPC status is read, in this order, from:
//! 1. the `grpc-status` response *header* — tonic answers a failed unary call
//!    with a trailers-only response, so errors returned by a handler land here;
//! 2. the `grpc-status` *trailer* at the end of the response body — successful
//!    calls and errors raised part-way through a server stream land here.
//!
//! The call is recorded once, when the status is known: at header time in case
//! 1, when the body finishes in case 2 (so `rpc.server.duration` covers the
//! whole stream). Fallbacks:
//! - a body that ends without any `grpc-status` counts as OK (0) — tonic always
//!   sends one, so this only happens behind a layer that rewrites the response
//!   (put [`GrpcTelemetryLayer`] *inside* `tonic_web::GrpcWebLayer`, i.e. add it
//!   after it, so that it sees plain gRPC);
//! - a body that fails while streaming counts as UNKNOWN (2), and so does an
//!   error returned by the inner service instead of a response;
//! - a call whose response or body is dropped before it finished (the client
//!   went away, the server shut down) counts as CANCELLED (1).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, ready};
use std::time::Instant;

use http_body::{Body, Frame, SizeHint};
use opentelemetry::KeyValue;
use opentelemetry::global;
use opentelemetry::metrics::{Counter, Histogram, Meter};
use pin_project_lite::pin_project;
use tracing::Span;
use tracing_opentelemetry::OpenTelemetrySpanExt;

use crate::METER_NAME;
use crate::carrier::HeaderExtractor;

const GRPC_STATUS: &str = "grpc-status";
const STATUS_OK: i64 = 0;
const STATUS_CANCELLED: i64 = 1;
pub(crate) const STATUS_UNKNOWN: i64 = 2;
/// Placeholder for a path that is not `/<package.Service>/<Method>`; keeps
/// garbage paths from creating new metric series.
const OTHER: &str = "_OTHER";
const MAX_NAME_LEN: usize = 128;

/// Histogram buckets in seconds (those OpenTelemetry recommends for request
/// durations); the SDK's default buckets are meant for milliseconds.
const DURATION_BUCKETS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];

/// A [`tower::Layer`] that traces and measures every gRPC call a server handles.
///
/// ```no_run
/// # fn build() {
/// let server = tonic::transport::Server::builder()
///     .layer(eiso_telemetry::GrpcTelemetryLayer::new());
/// # let _ = server;
/// # }
/// ```
///
/// For each request it creates a span named `package.Service/Method` (fields `rpc.system`,
/// `rpc.service`, `rpc.method`, `otel.kind = "server"`, and
/// `rpc.grpc.status_code` at the end) whose parent is the W3C trace context of
/// the incoming headers, and records the counter `rpc.server.requests` and the
/// histogram `rpc.server.duration` (seconds) with the attributes `rpc.service`,
/// `rpc.method` and `rpc.grpc.status_code`. See the module notes on how the
/// status code is found. Request bodies and metadata values are never recorded.
#[derive(Debug, Clone)]
pub struct GrpcTelemetryLayer {
    metrics: RpcMetrics,
    known: Option<fn(&str) -> bool>,
}

#[derive(Debug, Clone)]
pub(crate) struct RpcMetrics {
    requests: Counter<u64>,
    duration: Histogram<f64>,
}

impl GrpcTelemetryLayer {
    /// Records metrics through the global meter `"eiso"`.
    ///
    /// Call it after [`crate::init`]: OpenTelemetry hands out a no-op meter
    /// while no global meter provider is installed, and a meter taken then
    /// stays a no-op.
    pub fn new() -> Self {
        Self::with_meter(&global::meter(METER_NAME))
    }

    /// Records metrics through `meter` instead of the global one.
    pub fn with_meter(meter: &Meter) -> Self {
        let requests = meter
            .u64_counter("rpc.server.requests")
            .with_description("gRPC calls handled by the server")
            .with_unit("{request}")
            .build();
        let duration = meter
            .f64_histogram("rpc.server.duration")
            .with_description("Duration of gRPC calls handled by the server, to the end of the response")
            .with_unit("s")
            .with_boundaries(DURATION_BUCKETS.to_vec())
            .build();
        Self {
            metrics: RpcMetrics { requests, duration },
            known: None,
        }
    }

    /// Labels only the methods `known` accepts (`/package.Service/Method`)
    /// by their names, every other path `_OTHER`: a caller cannot make new
    /// metric series by calling methods that do not exist.
    pub fn known_methods(mut self, known: fn(&str) -> bool) -> Self {
        self.known = Some(known);
        self
    }

    /// The layer to put *outside* the protocol translators (Connect,
    /// gRPC-Web): it records, in the same series, the calls they answer
    /// themselves — a wrong content type, a message too large, malformed
    /// JSON — which never reach this layer.
    pub fn refused_outside(&self) -> crate::refused::RefusedCallsLayer {
        crate::refused::RefusedCallsLayer::new(self.metrics.clone(), self.known)
    }
}

impl Default for GrpcTelemetryLayer {
    fn default() -> Self {
        Self::new()
    }
}

impl<S> tower::Layer<S> for GrpcTelemetryLayer {
    type Service = GrpcTelemetryService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        GrpcTelemetryService {
            inner,
            metrics: self.metrics.clone(),
            known: self.known,
        }
    }
}

/// The service produced by [`GrpcTelemetryLayer`].
#[derive(Debug, Clone)]
pub struct GrpcTelemetryService<S> {
    inner: S,
    metrics: RpcMetrics,
    known: Option<fn(&str) -> bool>,
}

impl<S, ReqBody, ResBody> tower::Service<http::Request<ReqBody>> for GrpcTelemetryService<S>
where
    S: tower::Service<http::Request<ReqBody>, Response = http::Response<ResBody>>,
    ResBody: Body,
{
    type Response = http::Response<GrpcTelemetryBody<ResBody>>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<ReqBody>) -> Self::Future {
        if let Some(seen) = request.extensions().get::<CallSeen>() {
            seen.0.store(true, Ordering::Relaxed);
        }
        let call = CallRecord::begin(&self.metrics, self.known, &request, Instant::now(), false);
        let inner = {
            let _entered = call.span.enter();
            self.inner.call(request)
        };
        ResponseFuture {
            inner,
            call: Some(call),
        }
    }
}

pin_project! {
    /// Response future of [`GrpcTelemetryService`].
    pub struct ResponseFuture<F> {
        #[pin]
        inner: F,
        call: Option<CallRecord>,
    }
}

impl<F, ResBody, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<http::Response<ResBody>, E>>,
    ResBody: Body,
{
    type Output = Result<http::Response<GrpcTelemetryBody<ResBody>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let result = {
            let _entered = this.call.as_ref().map(|call| call.span.enter());
            ready!(this.inner.poll(cx))
        };
        let mut call = this.call.take();
        match result {
            Ok(response) => {
                if let Some(call) = call.as_mut() {
                    if let Some(code) = status_from(response.headers()) {
                        // Trailers-only response: the call is over.
                        call.finish(code);
                    } else if response.body().is_end_stream() {
                        // No body and no status: nothing more will come.
                        call.finish(STATUS_OK);
                    }
                }
                let call = call.filter(|call| !call.done);
                Poll::Ready(Ok(response.map(|inner| GrpcTelemetryBody { inner, call })))
            }
            Err(error) => {
                if let Some(call) = call.as_mut() {
                    call.finish(STATUS_UNKNOWN);
                }
                Poll::Ready(Err(error))
            }
        }
    }
}

pin_project! {
    /// Response body of [`GrpcTelemetryService`]: passes frames through and
    /// records the call when the `grpc-status` trailer arrives or the body ends.
    pub struct GrpcTelemetryBody<B> {
        #[pin]
        inner: B,
        call: Option<CallRecord>,
    }
}

impl<B: Body> Body for GrpcTelemetryBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let mut this = self.project();
        let result = {
            let _entered = this.call.as_ref().map(|call| call.span.enter());
            ready!(this.inner.as_mut().poll_frame(cx))
        };
        let status = match &result {
            Some(Ok(frame)) => match frame.trailers_ref() {
                Some(trailers) => Some(status_from(trailers).unwrap_or(STATUS_OK)),
                // hyper stops polling once the body says it has ended.
                None if this.inner.is_end_stream() => Some(STATUS_OK),
                None => None,
            },
            Some(Err(_)) => Some(STATUS_UNKNOWN),
            None => Some(STATUS_OK),
        };
        if let Some(code) = status
            && let Some(mut call) = this.call.take()
        {
            call.finish(code);
        }
        Poll::Ready(result)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Put in a request's extensions by [`crate::refused::RefusedCallsLayer`]:
/// set when the call reaches [`GrpcTelemetryService`], which records it.
#[derive(Debug, Clone, Default)]
pub(crate) struct CallSeen(pub(crate) Arc<AtomicBool>);

/// The state of one call until its status is known; recorded exactly once,
/// as CANCELLED if dropped unfinished.
pub(crate) struct CallRecord {
    metrics: RpcMetrics,
    service: Arc<str>,
    method: Arc<str>,
    start: Instant,
    span: Span,
    done: bool,
}

impl CallRecord {
    /// The record of the call `request` opens, started at `start`; its span
    /// is named `package.Service/Method` (OpenTelemetry's RPC convention)
    /// and parented on the caller's trace context. `refused`: the call was
    /// answered before it reached the gRPC services (see [`crate::refused`]).
    pub(crate) fn begin<B>(
        metrics: &RpcMetrics,
        known: Option<fn(&str) -> bool>,
        request: &http::Request<B>,
        start: Instant,
        refused: bool,
    ) -> Self {
        let path = request.uri().path();
        let (service, method) = if known.is_none_or(|known| known(path)) {
            split_path(path)
        } else {
            (Arc::from(OTHER), Arc::from(OTHER))
        };
        let parent =
            global::get_text_map_propagator(|propagator| propagator.extract(&HeaderExtractor(request.headers())));
        let span = tracing::info_span!(
            "grpc.request",
            otel.name = %format_args!("{service}/{method}"),
            rpc.system = "grpc",
            rpc.service = %service,
            rpc.method = %method,
            otel.kind = "server",
            rpc.grpc.status_code = tracing::field::Empty,
            otel.status_code = tracing::field::Empty,
            eiso.refused = refused,
        );
        // Fails only when no OpenTelemetry layer is installed (no exporter) or
        // the span is disabled by the filter; the span is then a plain
        // `tracing` span, which is fine.
        let _ = span.set_parent(parent);
        Self {
            metrics: metrics.clone(),
            service,
            method,
            start,
            span,
            done: false,
        }
    }

    pub(crate) fn finish(&mut self, code: i64) {
        if self.done {
            return;
        }
        self.done = true;
        let elapsed = self.start.elapsed().as_secs_f64();
        let attributes = [
            KeyValue::new("rpc.service", self.service.clone()),
            KeyValue::new("rpc.method", self.method.clone()),
            KeyValue::new("rpc.grpc.status_code", code),
        ];
        self.metrics.requests.add(1, &attributes);
        self.metrics.duration.record(elapsed, &attributes);
        self.span.record("rpc.grpc.status_code", code);
        if is_server_error(code) {
            self.span.record("otel.status_code", "ERROR");
        }
    }
}

impl Drop for CallRecord {
    fn drop(&mut self) {
        self.finish(STATUS_CANCELLED);
    }
}

/// Status codes that mean the server failed, per the OpenTelemetry gRPC
/// conventions: UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL,
/// UNAVAILABLE, DATA_LOSS. Client errors (NOT_FOUND, INVALID_ARGUMENT, …)
/// leave the server span unset.
fn is_server_error(code: i64) -> bool {
    matches!(code, 2 | 4 | 12 | 13 | 14 | 15)
}

/// The `grpc-status` value, UNKNOWN (2) when it is present but not a valid code.
pub(crate) fn status_from(headers: &http::HeaderMap) -> Option<i64> {
    let value = headers.get(GRPC_STATUS)?;
    let code = value
        .to_str()
        .ok()
        .and_then(|text| text.trim().parse::<i64>().ok())
        .filter(|code| (0..=16).contains(code))
        .unwrap_or(STATUS_UNKNOWN);
    Some(code)
}

/// Splits `/package.Service/Method` into (`package.Service`, `Method`); any
/// other path gives (`_OTHER`, `_OTHER`).
fn split_path(path: &str) -> (Arc<str>, Arc<str>) {
    let parts = path
        .strip_prefix('/')
        .and_then(|rest| rest.split_once('/'))
        .filter(|(service, method)| is_proto_name(service) && is_proto_name(method));
    match parts {
        Some((service, method)) => (Arc::from(service), Arc::from(method)),
        None => (Arc::from(OTHER), Arc::from(OTHER)),
    }
}

/// A protobuf (package-qualified) identifier of reasonable length.
fn is_proto_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && name
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'.')
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, VecDeque};
    use std::convert::Infallible;
    use std::future::poll_fn;
    use std::pin::pin;
    use std::sync::Mutex;

    use http::{HeaderMap, HeaderValue};
    use opentelemetry::metrics::MeterProvider as _;
    use opentelemetry::propagation::TextMapPropagator as _;
    use opentelemetry::trace::{SpanId, SpanKind, Status, TraceContextExt as _, TraceId, TracerProvider as _};
    use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData};
    use opentelemetry_sdk::metrics::{InMemoryMetricExporter, PeriodicReader, SdkMeterProvider};
    use opentelemetry_sdk::propagation::TraceContextPropagator;
    use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};
    use tonic::codegen::Bytes;
    use tower::{Layer as _, Service as _, ServiceExt as _, service_fn};
    use tracing_subscriber::layer::SubscriberExt as _;

    use super::*;

    const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
    const PARENT_SPAN_ID: &str = "00f067aa0ba902b7";
    const TRACEPARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const PATH: &str = "/eiso.test.v1.Things/GetThing";

    /// A meter provider whose metrics can be read back.
    struct TestMetrics {
        provider: SdkMeterProvider,
        exporter: InMemoryMetricExporter,
    }

    type Attributes = BTreeMap<String, String>;

    impl TestMetrics {
        fn new() -> Self {
            let exporter = InMemoryMetricExporter::default();
            let provider = SdkMeterProvider::builder()
                .with_reader(PeriodicReader::builder(exporter.clone()).build())
                .build();
            Self { provider, exporter }
        }

        fn layer(&self) -> GrpcTelemetryLayer {
            GrpcTelemetryLayer::with_meter(&self.provider.meter("test"))
        }

        /// Cumulative `rpc.server.requests` values by attribute set.
        fn requests(&self) -> Vec<(Attributes, u64)> {
            self.counts("rpc.server.requests", Instrument::U64Sum)
        }

        /// `rpc.server.duration` sample counts by attribute set.
        fn durations(&self) -> Vec<(Attributes, u64)> {
            self.counts("rpc.server.duration", Instrument::F64Histogram)
        }

        /// What the metric `name`, which must be an `instrument`, counted by
        /// attribute set: the sum's value or the histogram's sample count.
        fn counts(&self, name: &str, instrument: Instrument) -> Vec<(Attributes, u64)> {
            self.points(name, |data| match (instrument, data) {
                (Instrument::U64Sum, AggregatedMetrics::U64(MetricData::Sum(sum))) => sum
                    .data_points()
                    .map(|point| (attributes(point.attributes()), point.value()))
                    .collect(),
                (Instrument::F64Histogram, AggregatedMetrics::F64(MetricData::Histogram(h))) => h
                    .data_points()
                    .map(|point| (attributes(point.attributes()), point.count()))
                    .collect(),
                (instrument, other) => panic!("{name} is not a {instrument:?}: {other:?}"),
            })
        }

        fn points(
            &self,
            name: &str,
            read: impl Fn(&AggregatedMetrics) -> Vec<(Attributes, u64)>,
        ) -> Vec<(Attributes, u64)> {
            self.exporter.reset();
            self.provider.force_flush().expect("flush metrics");
            let exported = self.exporter.get_finished_metrics().expect("read metrics");
            let mut points: Vec<_> = exported
                .iter()
                .flat_map(|resource| resource.scope_metrics())
                .flat_map(|scope| scope.metrics())
                .filter(|metric| metric.name() == name)
                .flat_map(|metric| read(metric.data()))
                .collect();
            points.sort();
            points
        }
    }

    fn attributes<'a>(attributes: impl Iterator<Item = &'a KeyValue>) -> Attributes {
        attributes
            .map(|kv| (kv.key.to_string(), kv.value.to_string()))
            .collect()
    }

    /// The kind of instrument a metric is recorded with.
    #[derive(Debug, Clone, Copy)]
    enum Instrument {
        U64Sum,
        F64Histogram,
    }

    /// One call of `PATH` counted, ended with `code`.
    fn get_thing(code: i64) -> (Attributes, u64) {
        (rpc("eiso.test.v1.Things", "GetThing", code), 1)
    }

    fn rpc(service: &str, method: &str, code: i64) -> Attributes {
        [
            ("rpc.service", service.to_owned()),
            ("rpc.method", method.to_owned()),
            ("rpc.grpc.status_code", code.to_string()),
        ]
        .into_iter()
        .map(|(key, value)| (key.to_owned(), value))
        .collect()
    }

    /// A response body made of fixed frames.
    struct TestBody {
        frames: VecDeque<Frame<Bytes>>,
    }

    impl Body for TestBody {
        type Data = Bytes;
        type Error = Infallible;

        fn poll_frame(
            mut self: Pin<&mut Self>,
            _cx: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
            Poll::Ready(self.frames.pop_front().map(Ok))
        }

        fn is_end_stream(&self) -> bool {
            self.frames.is_empty()
        }
    }

    fn data() -> Frame<Bytes> {
        Frame::data(Bytes::from_static(b"\0\0\0\0\0"))
    }

    fn trailers(code: &'static str) -> Frame<Bytes> {
        let mut trailers = HeaderMap::new();
        trailers.insert(GRPC_STATUS, HeaderValue::from_static(code));
        Frame::trailers(trailers)
    }

    /// Sends one request with `headers` to `path` through `layer`, over a
    /// handler answering with `status_header` (if any) and `frames`.
    async fn call(
        layer: &GrpcTelemetryLayer,
        path: &str,
        headers: &[(&'static str, &'static str)],
        status_header: Option<&'static str>,
        frames: Vec<Frame<Bytes>>,
    ) -> http::Response<GrpcTelemetryBody<TestBody>> {
        let frames = Mutex::new(Some(frames));
        let handler = service_fn(move |_request: http::Request<()>| {
            let frames = frames
                .lock()
                .expect("frames lock")
                .take()
                .expect("one call per handler");
            let mut response = http::Response::new(TestBody { frames: frames.into() });
            if let Some(code) = status_header {
                response
                    .headers_mut()
                    .insert(GRPC_STATUS, HeaderValue::from_static(code));
            }
            async move { Ok::<_, Infallible>(response) }
        });
        let mut request = http::Request::builder().method("POST").uri(path);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request.body(()).expect("valid request");
        layer.layer(handler).oneshot(request).await.expect("infallible")
    }

    /// Reads the body the way hyper does: until it reports its end.
    async fn drain<B: Body>(body: B) {
        let mut body = pin!(body);
        while !body.is_end_stream() {
            match poll_fn(|cx| body.as_mut().poll_frame(cx)).await {
                Some(Ok(_)) => {}
                Some(Err(_)) => panic!("body failed"),
                None => break,
            }
        }
    }

    #[tokio::test]
    async fn a_call_a_translator_refuses_is_counted_once_outside_and_one_that_got_through_once_inside() {
        let (_subscriber, provider, exporter) = span_capture();
        let metrics = TestMetrics::new();
        let telemetry = metrics.layer();
        // A translator that refuses one path itself (as Connect refuses a content type
        // it does not speak, with HTTP 415) and hands every other call on to the
        // gRPC stack, where the inner layer sees it.
        let inner = telemetry.layer(service_fn(|_request: http::Request<()>| async {
            let mut response = http::Response::new(TestBody {
                frames: VecDeque::new(),
            });
            response
                .headers_mut()
                .insert(GRPC_STATUS, HeaderValue::from_static("0"));
            Ok::<_, Infallible>(response)
        }));
        let inner = Arc::new(tokio::sync::Mutex::new(inner));
        let translator = service_fn(move |request: http::Request<()>| {
            let inner = inner.clone();
            async move {
                if request.uri().path().ends_with("/Refused") {
                    let mut response = http::Response::new(GrpcTelemetryBody {
                        inner: TestBody {
                            frames: VecDeque::new(),
                        },
                        call: None,
                    });
                    *response.status_mut() = http::StatusCode::UNSUPPORTED_MEDIA_TYPE;
                    return Ok::<_, Infallible>(response);
                }
                let mut inner = inner.lock().await;
                inner.ready().await?.call(request).await
            }
        });
        let mut outer = telemetry.refused_outside().layer(translator);
        for path in ["/eiso.test.v1.Things/Refused", PATH] {
            let request = http::Request::builder()
                .method("POST")
                .uri(path)
                .body(())
                .expect("valid request");
            let response = (&mut outer).oneshot(request).await.expect("infallible");
            drain(response.into_body()).await;
        }
        assert_eq!(
            metrics.requests(),
            vec![get_thing(0), (rpc("eiso.test.v1.Things", "Refused", 3), 1)],
            "each call counted once: the refused one as INVALID_ARGUMENT"
        );
        provider.force_flush().expect("flush spans");
        let refused = finished_span(&exporter, "eiso.test.v1.Things/Refused");
        assert_eq!(attribute(&refused, "eiso.refused").as_deref(), Some("true"));
        let through = finished_span(&exporter, "eiso.test.v1.Things/GetThing");
        assert_eq!(attribute(&through, "eiso.refused").as_deref(), Some("false"));
    }

    #[tokio::test]
    async fn trailers_only_error_is_recorded_with_its_status() {
        let metrics = TestMetrics::new();
        let layer = metrics.layer();

        let response = call(&layer, PATH, &[], Some("5"), vec![]).await;

        let expected = vec![get_thing(5)];
        assert_eq!(metrics.requests(), expected);
        assert_eq!(metrics.durations(), expected);
        drain(response.into_body()).await;
        assert_eq!(metrics.requests(), expected, "recorded once");
    }

    #[tokio::test]
    async fn response_without_status_counts_as_ok_when_the_body_ends() {
        let metrics = TestMetrics::new();
        let layer = metrics.layer();

        let response = call(&layer, PATH, &[], None, vec![data()]).await;
        assert_eq!(metrics.requests(), vec![], "the call is still streaming");
        drain(response.into_body()).await;

        let expected = vec![get_thing(0)];
        assert_eq!(metrics.requests(), expected);
        assert_eq!(metrics.durations(), expected);
    }

    #[tokio::test]
    async fn status_in_trailers_is_recorded() {
        let metrics = TestMetrics::new();
        let layer = metrics.layer();

        let ok = call(&layer, PATH, &[], None, vec![data(), trailers("0")]).await;
        drain(ok.into_body()).await;
        let failed = call(&layer, PATH, &[], None, vec![data(), trailers("13")]).await;
        drain(failed.into_body()).await;

        assert_eq!(metrics.requests(), vec![get_thing(0), get_thing(13)]);
    }

    #[tokio::test]
    async fn call_dropped_before_its_end_counts_as_cancelled() {
        let metrics = TestMetrics::new();
        let layer = metrics.layer();

        let response = call(&layer, PATH, &[], None, vec![data(), trailers("0")]).await;
        drop(response);

        assert_eq!(metrics.requests(), vec![get_thing(1)]);
    }

    #[tokio::test]
    async fn non_grpc_path_is_recorded_as_other() {
        let metrics = TestMetrics::new();
        let layer = metrics.layer();

        let response = call(&layer, "/secret-token-in-path", &[], Some("12"), vec![]).await;
        drain(response.into_body()).await;

        assert_eq!(metrics.requests(), vec![(rpc(OTHER, OTHER, 12), 1)]);
    }

    /// With the known methods given, a well-formed name of a method that
    /// does not exist is one series with every other unknown path.
    #[tokio::test]
    async fn unknown_methods_share_one_series() {
        let metrics = TestMetrics::new();
        let layer = metrics.layer().known_methods(|path| path == PATH);

        for path in [PATH, "/eiso.test.v1.Things/Made1", "/eiso.test.v1.Things/Made2"] {
            let status = if path == PATH { "0" } else { "12" };
            let response = call(&layer, path, &[], Some(status), vec![]).await;
            drain(response.into_body()).await;
        }

        assert_eq!(metrics.requests(), vec![get_thing(0), (rpc(OTHER, OTHER, 12), 2)]);
    }

    /// A thread-local subscriber that bridges spans to an in-memory exporter.
    fn span_capture() -> (
        tracing::subscriber::DefaultGuard,
        SdkTracerProvider,
        InMemorySpanExporter,
    ) {
        opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
        let exporter = InMemorySpanExporter::default();
        let provider = SdkTracerProvider::builder()
            .with_simple_exporter(exporter.clone())
            .build();
        let subscriber =
            tracing_subscriber::registry().with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test")));
        (tracing::subscriber::set_default(subscriber), provider, exporter)
    }

    fn finished_span(exporter: &InMemorySpanExporter, name: &str) -> SpanData {
        let spans = exporter.get_finished_spans().expect("read spans");
        let mut matching = spans.into_iter().filter(|span| span.name == name);
        let span = matching.next().unwrap_or_else(|| panic!("no finished span {name}"));
        assert!(matching.next().is_none(), "one span {name}");
        span
    }

    fn attribute(span: &SpanData, key: &str) -> Option<String> {
        span.attributes
            .iter()
            .find(|kv| kv.key.as_str() == key)
            .map(|kv| kv.value.to_string())
    }

    #[tokio::test]
    async fn incoming_traceparent_is_the_parent_of_the_server_span() {
        let (_subscriber, provider, exporter) = span_capture();
        let metrics = TestMetrics::new();
        let layer = metrics.layer();

        let seen_by_handler = std::sync::Arc::new(Mutex::new(None));
        let seen = seen_by_handler.clone();
        let handler = service_fn(move |_request: http::Request<()>| {
            let context = tracing::Span::current().context();
            *seen.lock().expect("lock") = Some(context.span().span_context().trace_id());
            let mut response = http::Response::new(TestBody {
                frames: VecDeque::new(),
            });
            response
                .headers_mut()
                .insert(GRPC_STATUS, HeaderValue::from_static("13"));
            async move { Ok::<_, Infallible>(response) }
        });
        let request = http::Request::builder()
            .uri(PATH)
            .header("traceparent", TRACEPARENT)
            .header("authorization", "Bearer do-not-record-me")
            .body(())
            .expect("valid request");
        let response = layer.layer(handler).oneshot(request).await.expect("infallible");
        drain(response.into_body()).await;
        provider.force_flush().expect("flush spans");

        let trace_id = TraceId::from_hex(TRACE_ID).expect("trace id");
        let span = finished_span(&exporter, "eiso.test.v1.Things/GetThing");
        assert_eq!(span.span_context.trace_id(), trace_id);
        assert_eq!(span.parent_span_id, SpanId::from_hex(PARENT_SPAN_ID).expect("span id"));
        assert!(span.parent_span_is_remote);
        assert_eq!(span.span_kind, SpanKind::Server);
        assert_eq!(*seen_by_handler.lock().expect("lock"), Some(trace_id));
        assert_eq!(attribute(&span, "rpc.system").as_deref(), Some("grpc"));
        assert_eq!(attribute(&span, "rpc.service").as_deref(), Some("eiso.test.v1.Things"));
        assert_eq!(attribute(&span, "rpc.method").as_deref(), Some("GetThing"));
        assert_eq!(attribute(&span, "rpc.grpc.status_code").as_deref(), Some("13"));
        assert!(matches!(span.status, Status::Error { .. }), "{:?}", span.status);
        let recorded = format!("{:?} {:?}", span.attributes, span.events);
        assert!(!recorded.contains("do-not-record-me"), "{recorded}");
    }

    #[tokio::test]
    async fn request_without_traceparent_starts_a_new_trace() {
        let (_subscriber, provider, exporter) = span_capture();
        let metrics = TestMetrics::new();

        let response = call(&metrics.layer(), PATH, &[], Some("5"), vec![]).await;
        drain(response.into_body()).await;
        provider.force_flush().expect("flush spans");

        let span = finished_span(&exporter, "eiso.test.v1.Things/GetThing");
        assert!(span.span_context.is_valid());
        assert_eq!(span.parent_span_id, SpanId::INVALID);
        // NOT_FOUND is the caller's problem, not a server error.
        assert_eq!(span.status, Status::Unset);
    }

    #[test]
    fn extracted_context_carries_the_incoming_trace() {
        let mut headers = HeaderMap::new();
        headers.insert("traceparent", HeaderValue::from_static(TRACEPARENT));
        let context = TraceContextPropagator::new().extract(&HeaderExtractor(&headers));
        let span = context.span();
        assert_eq!(
            span.span_context().trace_id(),
            TraceId::from_hex(TRACE_ID).expect("trace id")
        );
        assert!(span.span_context().is_remote());
    }

    #[test]
    fn path_is_split_into_service_and_method() {
        let split = |path| {
            let (service, method) = split_path(path);
            (service.to_string(), method.to_string())
        };
        let pair = |service: &str, method: &str| (service.to_owned(), method.to_owned());
        assert_eq!(
            split("/eiso.platform.v1.Dossiers/Get"),
            pair("eiso.platform.v1.Dossiers", "Get")
        );
        assert_eq!(
            split("/grpc.health.v1.Health/Check"),
            pair("grpc.health.v1.Health", "Check")
        );
        for bad in [
            "",
            "/",
            "//",
            "/Svc",
            "/Svc/",
            "//Method",
            "/a/b/c",
            "/a b/c",
            "Svc/Method",
        ] {
            assert_eq!(split(bad), pair(OTHER, OTHER), "{bad:?}");
        }
        assert_eq!(split(&format!("/{}/M", "s".repeat(200))), pair(OTHER, OTHER));
    }

    #[test]
    fn grpc_status_header_is_parsed() {
        let status = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(GRPC_STATUS, HeaderValue::from_static(value));
            status_from(&headers)
        };
        assert_eq!(status("0"), Some(0));
        assert_eq!(status("16"), Some(16));
        assert_eq!(status("17"), Some(STATUS_UNKNOWN));
        assert_eq!(status("nope"), Some(STATUS_UNKNOWN));
        assert_eq!(status_from(&HeaderMap::new()), None);
    }
}
