//! The glue every service's tonic adapter shares: the reply type, mapping a
//! domain result to a gRPC answer, running a handler with the call context
//! ([`call!`](crate::call)), writing an adapter's service impl from a table
//! of RPCs ([`grpc_service!`](crate::grpc_service)), and serving the event
//! stream.

use std::pin::Pin;

use eiso_proto::eiso::event::v1::Event;
use eiso_proto::tonic::{Response, Status};
use futures::{Stream, StreamExt};

use crate::{Journal, ServiceError, ServiceResult};

/// A unary or streaming handler's answer.
pub type GrpcResult<T> = Result<Response<T>, Status>;

/// A server stream.
pub type BoxStream<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send>>;

/// A domain result as a gRPC answer (errors mapped in [`crate::error`]).
pub fn reply<T>(result: ServiceResult<T>) -> GrpcResult<T> {
    result.map(Response::new).map_err(Status::from)
}

/// `WatchEvents`: `journal`'s committed events after `after_sequence`, then
/// the new ones as they commit, each wrapped in the package's response.
pub fn watch<T: Send + 'static>(
    journal: &Journal,
    after_sequence: i64,
    wrap: fn(Event) -> T,
) -> GrpcResult<BoxStream<T>> {
    if after_sequence < 0 {
        return Err(ServiceError::invalid("after_sequence", "must not be negative").into());
    }
    let stream = journal
        .watch(after_sequence)
        .map(move |item| item.map(wrap).map_err(Status::from));
    Ok(Response::new(Box::pin(stream)))
}

/// Runs a handler of `$service` with the call context and the request
/// message: `call!(self.documents, request, get_document)`; with
/// `request_id`, the context carries the request's `request_id` (creates).
#[macro_export]
macro_rules! call {
    ($service:expr, $request:ident, $method:ident) => {{
        let ctx = $crate::CallContext::from_request(&$request)?;
        $crate::grpc::reply($service.$method(&ctx, $request.into_inner()).await)
    }};
    ($service:expr, $request:ident, $method:ident, request_id) => {{
        let ctx = $crate::CallContext::from_request(&$request)?;
        let request = $request.into_inner();
        let ctx = ctx.with_request_id(&request.request_id);
        $crate::grpc::reply($service.$method(&ctx, request).await)
    }};
}

/// Writes a service's tonic adapter: the whole
/// `#[async_trait] impl Trait for Adapter { ... }` block, from a table that
/// says, one row an RPC, which handler of the service answers it and how.
///
/// ```ignore
/// eiso_platform::grpc_service! {
///     /// `eiso.plans.v1.PlanService`.
///     pub struct PlanApi(plans: Plans);
///
///     impl PlanService for PlanApi {
///         rpc create_plan(CreatePlanRequest) -> Plan => call create_plan, request_id;
///         rpc get_plan(GetPlanRequest) -> Plan => call get_plan;
///         rpc export_report(ExportReportRequest) -> ExportReportResponse => read export_report;
///         stream watch_events(WatchEventsRequest) -> WatchEventsResponse => events;
///
///         // Anything else, written out as in any impl block.
///         async fn watch_plan(&self, request: Request<WatchPlanRequest>) -> Result<Self::WatchPlanStream> {
///             // ...
///         }
///     }
/// }
/// ```
///
/// The first item declares the adapter: `struct Adapter(field: Service);`
/// writes a `Clone` struct with that one field and `Adapter::new(field)`,
/// and the rows answer through `self.field`. An adapter declared elsewhere
/// is named in the header instead, `impl Trait for Adapter via self.field`.
/// The header is the impl's (attributes first, if any). Each row
/// `rpc name(Request) -> Response => how handler;` writes
/// `async fn name(&self, request: Request<Request>) -> GrpcResult<Response>`,
/// which runs `self.field.handler` in one of three ways:
///
/// - `call handler`: with the call context and the request message, as
///   [`call!`](crate::call) does: `handler(&ctx, message)`;
/// - `call handler, request_id`: the same, the context carrying the
///   message's `request_id` (creates);
/// - `read handler`: with the message alone, `handler(message)`, for reads
///   that need no context beyond the gateway's check.
///
/// One more row writes the service's event stream:
/// `stream watch_events(WatchEventsRequest) -> WatchEventsResponse => events;`
/// serves `self.field.journal()`'s events (see [`watch`]) to a caller that
/// `self.field.require_root(&ctx)` accepts.
///
/// A row may carry attributes (doc comments). The rows come first; whatever
/// follows the last row (streams, the event stream, handlers that take
/// something else) is passed through verbatim into the same impl block.
/// The macro writes the `async_trait` attribute itself: that attribute must
/// see the generated methods, which it would not if the rows were a macro
/// call inside an impl it already marks. The calling crate must depend on
/// `eiso_proto` (the service trait comes from there anyway).
#[macro_export]
macro_rules! grpc_service {
    // The `@rows` rules peel one row a step, adding its method to the
    // bracketed list of those done (one recursion level a row), until what
    // is left is not a row: the hand-written items. `@answer` writes a
    // method's body from the row's `call ...` or `read ...`.
    (
        $(#[$struct_attr:meta])*
        $vis:vis struct $adapter:ident($field:ident: $inner:ty);

        $(#[$attr:meta])*
        impl $service:ident for $same:ident {
            $($body:tt)*
        }
    ) => {
        $(#[$struct_attr])*
        #[derive(Clone)]
        $vis struct $adapter {
            $field: $inner,
        }

        impl $adapter {
            pub fn new($field: $inner) -> Self {
                Self { $field }
            }
        }

        $crate::grpc_service!(@rows [$(#[$attr])* impl $service for $same] $field [] $($body)*);
    };
    (
        $(#[$attr:meta])*
        impl $service:ident for $adapter:ident via self.$field:ident {
            $($body:tt)*
        }
    ) => {
        $crate::grpc_service!(@rows [$(#[$attr])* impl $service for $adapter] $field [] $($body)*);
    };
    (
        @rows $head:tt $field:ident [$($done:tt)*]
        $(#[$rpc_attr:meta])*
        rpc $rpc:ident($request:ty) -> $response:ty => $how:ident $handler:ident $(, $request_id:ident)?;
        $($rest:tt)*
    ) => {
        $crate::grpc_service!(@rows $head $field [
            $($done)*
            $(#[$rpc_attr])*
            async fn $rpc(
                &self,
                request: ::eiso_proto::tonic::Request<$request>,
            ) -> $crate::grpc::GrpcResult<$response> {
                $crate::grpc_service!(@answer self.$field, request, $how $handler $(, $request_id)?)
            }
        ] $($rest)*);
    };
    (
        @rows $head:tt $field:ident [$($done:tt)*]
        $(#[$rpc_attr:meta])*
        stream watch_events($request:ty) -> $response:ident => events;
        $($rest:tt)*
    ) => {
        $crate::grpc_service!(@rows $head $field [
            $($done)*
            type WatchEventsStream = $crate::grpc::BoxStream<$response>;

            $(#[$rpc_attr])*
            async fn watch_events(
                &self,
                request: ::eiso_proto::tonic::Request<$request>,
            ) -> $crate::grpc::GrpcResult<Self::WatchEventsStream> {
                // The stream carries every unit's events: root-level readers only.
                let ctx = $crate::CallContext::from_request(&request)?;
                self.$field.require_root(&ctx).await?;
                $crate::grpc::watch(self.$field.journal(), request.into_inner().after_sequence, |event| {
                    $response { event: Some(event) }
                })
            }
        ] $($rest)*);
    };
    (@rows $head:tt $field:ident [$($done:tt)*] $(#[$rpc_attr:meta])* rpc $($rest:tt)*) => {
        ::core::compile_error!(
            "a grpc_service! row reads `rpc name(Request) -> Response => call handler;`, \
             `... => call handler, request_id;` or `... => read handler;`"
        );
    };
    (@rows [$($head:tt)*] $field:ident [$($done:tt)*] $($items:tt)*) => {
        #[::eiso_proto::tonic::async_trait]
        $($head)* {
            $($done)*
            $($items)*
        }
    };
    (@answer $service:expr, $request:ident, call $handler:ident) => {
        $crate::call!($service, $request, $handler)
    };
    (@answer $service:expr, $request:ident, call $handler:ident, request_id) => {
        $crate::call!($service, $request, $handler, request_id)
    };
    (@answer $service:expr, $request:ident, read $handler:ident) => {
        $crate::grpc::reply($service.$handler($request.into_inner()).await)
    };
    (@answer $service:expr, $request:ident, $($how:tt)*) => {
        ::core::compile_error!(::core::concat!(
            "a grpc_service! row answers by `call handler`, `call handler, request_id` or `read handler`, not `",
            ::core::stringify!($($how)*),
            "`"
        ))
    };
}
