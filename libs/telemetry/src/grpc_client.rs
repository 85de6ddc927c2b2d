//! Client side: carry the current trace context into outgoing gRPC calls.

use opentelemetry::global;
use tonic::metadata::MetadataMap;
use tracing_opentelemetry::OpenTelemetrySpanExt;

use crate::carrier::MetadataInjector;

/// Injects the current `tracing` span's trace context into `metadata`, with the
/// global text-map propagator (W3C `traceparent`/`tracestate` once [`crate::init`]
/// has run).
///
/// Nothing is injected when there is no sampled-or-valid OpenTelemetry context
/// (for example when no OTLP exporter is configured, or outside any span).
pub fn inject_trace_context(metadata: &mut MetadataMap) {
    let context = tracing::Span::current().context();
    global::get_text_map_propagator(|propagator| {
        propagator.inject_context(&context, &mut MetadataInjector(metadata));
    });
}

/// A [`tonic::service::Interceptor`] that calls [`inject_trace_context`] on
/// every outgoing request, for service-to-service clients:
///
/// ```no_run
/// # async fn connect() -> Result<(), tonic::transport::Error> {
/// let channel = tonic::transport::Endpoint::from_static("http://127.0.0.1:50051")
///     .connect()
///     .await?;
/// let channel = tower::ServiceBuilder::new()
///     .layer(tonic::service::InterceptorLayer::new(
///         eiso_telemetry::TraceContextInterceptor,
///     ))
///     .service(channel);
/// // SomeServiceClient::new(channel) or SomeServiceClient::with_interceptor(..)
/// # let _ = channel;
/// # Ok(())
/// # }
/// ```
///
/// The interceptor runs when the client method is called, so the context is the
/// caller's current span.
#[derive(Debug, Clone, Copy, Default)]
pub struct TraceContextInterceptor;

impl tonic::service::Interceptor for TraceContextInterceptor {
    fn call(&mut self, mut request: tonic::Request<()>) -> Result<tonic::Request<()>, tonic::Status> {
        inject_trace_context(request.metadata_mut());
        Ok(request)
    }
}
