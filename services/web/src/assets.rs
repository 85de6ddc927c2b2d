//! The app's own stylesheet and script, compiled into the binary (no build
//! step, nothing fetched from elsewhere) and served with a version in the URL
//! so browsers may cache them for a year.

use std::sync::OnceLock;

use axum::Router;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http::HeaderValue;
use http::header::{CACHE_CONTROL, CONTENT_TYPE};
use sha2::{Digest, Sha256};

use crate::Web;

const STYLESHEET: &str = include_str!("assets/app.css");
const SCRIPT: &str = include_str!("assets/app.js");

/// A short digest of the assets, put in their URLs (`/static/app.css?v=…`).
pub fn version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        let digest = Sha256::new().chain_update(STYLESHEET).chain_update(SCRIPT).finalize();
        hex::encode(&digest[..6])
    })
}

pub fn routes() -> Router<Web> {
    Router::new()
        .route(
            "/static/app.css",
            get(|| async { asset(STYLESHEET, "text/css; charset=utf-8") }),
        )
        .route(
            "/static/app.js",
            get(|| async { asset(SCRIPT, "text/javascript; charset=utf-8") }),
        )
}

fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    response
}
