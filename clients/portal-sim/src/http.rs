//! The HTTP side: the portal's two endpoints and the control API under
//! `/_sim/`, each handler a thin adapter over [`Shared`].

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tracing::info;

use crate::portal::{Body, Endpoint};
use crate::state::{Fault, Shared};

/// A batch of a few thousand dossiers with their document lists.
const BODY_LIMIT: usize = 32 * 1024 * 1024;

/// The sign-in header naming the agency.
const DSTCODE: &str = "dstcode";

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/login", post(login))
        .route("/", post(call))
        .route("/_sim/fail_next", post(fail_next))
        .route("/_sim/down", post(set_down))
        .route("/_sim/advance_clock", post(advance_clock))
        .route("/_sim/reset", post(reset))
        .route("/_sim/dossiers", get(dossiers))
        .route("/_sim/dossiers/{ma_ho_so}", get(dossier))
        .route("/_sim/counters", get(counters))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(shared)
}

async fn login(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    portal(&shared, Endpoint::Login, &headers, &body).await
}

async fn call(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    portal(&shared, Endpoint::Call, &headers, &body).await
}

/// One call to the portal, logged on one line.
async fn portal(shared: &Shared, endpoint: Endpoint, headers: &HeaderMap, body: &[u8]) -> Response {
    let started = Instant::now();
    let dstcode = headers.get(DSTCODE).and_then(|value| value.to_str().ok());
    let answer = shared.answer(endpoint, dstcode, body);
    let (error_code, reply) = answer.outcome().unzip();
    info!(
        operation = %answer.operation,
        http_status = answer.status,
        error_code,
        reply,
        delay_ms = answer.delay.map(|delay| delay.as_millis()),
        elapsed_us = started.elapsed().as_micros(),
        "portal call"
    );
    if let Some(delay) = answer.delay {
        shared.hold(delay).await;
    }
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    match answer.body {
        Body::Json(body) => json_response(status, &body),
        Body::Text(text) => (status, text).into_response(),
    }
}

/// `value` as a JSON response.
fn json_response(status: StatusCode, value: &impl serde::Serialize) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => {
            let content_type = HeaderValue::from_static("application/json; charset=utf-8");
            (status, [(header::CONTENT_TYPE, content_type)], bytes).into_response()
        }
        Err(error) => {
            tracing::error!(%error, "cannot encode an answer");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// A control request: its body parsed and acted on, the answer `act`
/// returns; a body that does not parse gets 400 naming what is wrong.
fn control<T: DeserializeOwned>(body: &[u8], act: impl FnOnce(T) -> Value) -> Response {
    match serde_json::from_slice(body) {
        Ok(request) => json_response(StatusCode::OK, &act(request)),
        Err(error) => json_response(
            StatusCode::BAD_REQUEST,
            &json!({ "error": format!("invalid control request: {error}") }),
        ),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FailNext {
    #[serde(default = "one")]
    count: u32,
    fault: Fault,
}

fn one() -> u32 {
    1
}

/// `POST /_sim/fail_next` `{"count": 2, "fault": {"kind": "http500"}}` →
/// `{"pending_faults": n}`.
async fn fail_next(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    control(
        &body,
        |request: FailNext| json!({ "pending_faults": shared.fail_next(request.count, &request.fault) }),
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Down {
    down: bool,
}

/// `POST /_sim/down` `{"down": true}` → `{"down": true}`.
async fn set_down(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    control(&body, |Down { down }| {
        shared.set_down(down);
        json!({ "down": down })
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AdvanceClock {
    millis: u64,
}

/// `POST /_sim/advance_clock` `{"millis": 60000}` → `{"advanced_ms": 60000}`.
async fn advance_clock(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    control(&body, |AdvanceClock { millis }| {
        shared.advance_clock(Duration::from_millis(millis));
        json!({ "advanced_ms": millis })
    })
}

/// `POST /_sim/reset` → `{"reset": true}`.
async fn reset(State(shared): State<Arc<Shared>>) -> Response {
    shared.reset();
    json_response(StatusCode::OK, &json!({ "reset": true }))
}

/// `GET /_sim/dossiers` → `[DossierRecord, …]` by `MaHoSo`.
async fn dossiers(State(shared): State<Arc<Shared>>) -> Response {
    json_response(StatusCode::OK, &shared.dossiers())
}

/// `GET /_sim/dossiers/{MaHoSo}` → `DossierRecord`, or 404.
async fn dossier(State(shared): State<Arc<Shared>>, Path(ma_ho_so): Path<String>) -> Response {
    match shared.dossier(&ma_ho_so) {
        Some(record) => json_response(StatusCode::OK, &record),
        None => json_response(
            StatusCode::NOT_FOUND,
            &json!({ "error": format!("no dossier {ma_ho_so}") }),
        ),
    }
}

/// `GET /_sim/counters` → `Counters`.
async fn counters(State(shared): State<Arc<Shared>>) -> Response {
    json_response(StatusCode::OK, &shared.counters())
}
