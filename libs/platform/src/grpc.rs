//! The glue every service's tonic adapter shares: the reply type, mapping a
//! domain result to a gRPC answer, running a handler with the call context
//! ([`call!`](crate::call)), and serving the event stream.

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
