//! One port for browsers and gRPC clients: a request for a gRPC service
//! (`/eiso.…/Method`, `/grpc.…/Method`, in gRPC, gRPC-Web or Connect) goes on
//! to the gRPC stack; every other request is a page of the web app.
//!
//! The layer sits outermost in the server's stack, so web requests never pass
//! through the gRPC gateway (they are authenticated by their session cookie
//! and authorised by the same policy table in [`crate::session`]).

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::Router;
use bytes::Bytes;
use eiso_proto::tonic::body::Body;
use http::{Request, Response};
use tower::{Layer, Service, ServiceExt};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Whether `path` names a gRPC method: its first segment is a package-qualified
/// service of ours or of gRPC itself.
pub fn is_grpc_path(path: &str) -> bool {
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    first.starts_with("eiso.") || first.starts_with("grpc.")
}

/// Sends web requests to `router`, gRPC ones to the service it wraps.
#[derive(Clone)]
pub struct WebLayer {
    router: Router,
}

impl WebLayer {
    pub fn new(router: Router) -> Self {
        Self { router }
    }

    /// For a process that does not serve the web app (it hosts only some
    /// of the services): every page answers 404, saying where the app is.
    pub fn absent() -> Self {
        Self::new(Router::new().fallback(|| async {
            (
                http::StatusCode::NOT_FOUND,
                "This eiso process hosts only some of the services: the web app is served by the \
                 processes that host every service.\n",
            )
        }))
    }
}

impl<S> Layer<S> for WebLayer {
    type Service = Dispatch<S>;

    fn layer(&self, grpc: S) -> Self::Service {
        Dispatch {
            grpc,
            web: self.router.clone(),
        }
    }
}

#[derive(Clone)]
pub struct Dispatch<S> {
    grpc: S,
    web: Router,
}

impl<S, ResBody> Service<Request<Body>> for Dispatch<S>
where
    S: Service<Request<Body>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    ResBody: http_body::Body<Data = Bytes> + Send + 'static,
    ResBody::Error: Into<BoxError>,
{
    type Response = Response<Body>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.grpc.poll_ready(cx)
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        if is_grpc_path(request.uri().path()) {
            // The clone is not ready; keep the one that was polled ready.
            let clone = self.grpc.clone();
            let mut grpc = std::mem::replace(&mut self.grpc, clone);
            Box::pin(async move { grpc.call(request).await.map(|response| response.map(Body::new)) })
        } else {
            let web = self.web.clone();
            Box::pin(async move {
                let response = web
                    .oneshot(request)
                    .await
                    .unwrap_or_else(|never: Infallible| match never {});
                Ok(response.map(Body::new))
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_grpc_path;

    #[test]
    fn grpc_methods_and_pages_are_told_apart() {
        assert!(is_grpc_path("/eiso.procedures.v1.DossierService/GetDossier"));
        assert!(is_grpc_path("/grpc.health.v1.Health/Check"));
        assert!(is_grpc_path(
            "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"
        ));
        assert!(!is_grpc_path("/"));
        assert!(!is_grpc_path("/ho-so/123"));
        assert!(!is_grpc_path("/favicon.ico"));
        assert!(!is_grpc_path("/static/app.css"));
    }
}
