//! Telemetry for eiso services: logs, traces and metrics.
//!
//! - [`init`] installs the `tracing` subscriber (logs to stderr, filtered by
//!   `RUST_LOG`; [`init_with_format`] writes them as JSON lines instead) and, when `OTEL_EXPORTER_OTLP_ENDPOINT` is set, exports traces
//!   and metrics over OTLP/gRPC. It returns a [`TelemetryGuard`] that flushes
//!   and shuts the exporters down when dropped.
//! - [`GrpcTelemetryLayer`] is a server-side tower layer: one span per RPC,
//!   named `package.Service/Method` and parented on the caller's W3C trace
//!   context, and the `rpc.server.requests` / `rpc.server.duration` metrics;
//!   [`GrpcTelemetryLayer::refused_outside`] records, outside the protocol
//!   translators, the calls they refuse themselves.
//! - [`inject_trace_context`] and [`TraceContextInterceptor`] carry the current
//!   trace context into outgoing gRPC calls.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let _telemetry = eiso_telemetry::init("eiso-server", "info")?;
//! // Build the layer after `init`: it takes the global meter.
//! let router = tonic::transport::Server::builder()
//!     .layer(eiso_telemetry::GrpcTelemetryLayer::new());
//! # let _ = router;
//! # Ok(())
//! # }
//! ```
//!
//! Nothing here reads or records request bodies or metadata values: only the
//! request path, the `traceparent`/`tracestate` headers (through the
//! propagator) and the `grpc-status` response header or trailer.

mod carrier;
mod grpc_client;
mod grpc_server;
mod init;
mod refused;

pub use grpc_client::{TraceContextInterceptor, inject_trace_context};
pub use grpc_server::{GrpcTelemetryBody, GrpcTelemetryLayer, GrpcTelemetryService, ResponseFuture};
pub use init::{LogFormat, TelemetryError, TelemetryGuard, init, init_with_format};
pub use refused::{RefusedCallsLayer, RefusedCallsService, RefusedFuture};

/// Name of the meter the gRPC metrics are recorded under.
pub const METER_NAME: &str = "eiso";

#[cfg(test)]
mod end_to_end_tests;
