//! The SMS gateway simulator.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::{Value, json};

use crate::lock;

/// What the gateway accepts.
#[derive(Debug, Clone)]
pub struct SmsConfig {
    /// The bearer token it wants.
    pub token: String,
    /// Whether a text with diacritics is refused (as brand-name SMS routes
    /// that take GSM 7-bit only do).
    pub unaccented_only: bool,
}

impl Default for SmsConfig {
    fn default() -> Self {
        Self {
            token: "sms-token".into(),
            unaccented_only: true,
        }
    }
}

/// One SMS as the gateway took it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sms {
    pub id: String,
    pub to: String,
    pub text: String,
    pub sender: String,
}

#[derive(Default)]
struct Gateway {
    config: Mutex<Option<SmsConfig>>,
    /// Every accepted request, repeats included.
    requests: Mutex<Vec<Sms>>,
    /// The statuses the next calls fail with.
    faults: Mutex<VecDeque<u16>>,
}

/// A running gateway; it stops with the runtime it was started on.
#[derive(Clone)]
pub struct SmsGateway {
    addr: SocketAddr,
    gateway: Arc<Gateway>,
}

fn refuse(status: StatusCode, message: &str) -> (StatusCode, axum::Json<Value>) {
    (status, axum::Json(json!({ "status": "error", "message": message })))
}

async fn send(
    State(gateway): State<Arc<Gateway>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> (StatusCode, axum::Json<Value>) {
    if let Some(status) = lock(&gateway.faults).pop_front() {
        return refuse(
            StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            "fault on demand",
        );
    }
    let config = lock(&gateway.config).clone().unwrap_or_default();
    let bearer = headers
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    if bearer != Some(config.token.as_str()) {
        return refuse(StatusCode::UNAUTHORIZED, "token missing or wrong");
    }
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return refuse(StatusCode::BAD_REQUEST, "body is not JSON");
    };
    let field = |name: &str| request.get(name).and_then(Value::as_str).map(str::to_string);
    let (Some(id), Some(to), Some(text)) = (field("id"), field("to"), field("text")) else {
        return refuse(StatusCode::BAD_REQUEST, "id, to and text are required strings");
    };
    let digits = to.chars().filter(char::is_ascii_digit).count();
    if id.is_empty() || !(9..=15).contains(&digits) {
        return refuse(StatusCode::BAD_REQUEST, "to: not a phone number");
    }
    if text.trim().is_empty() {
        return refuse(StatusCode::BAD_REQUEST, "text: empty");
    }
    if config.unaccented_only && !text.is_ascii() {
        return refuse(StatusCode::BAD_REQUEST, "text: characters outside GSM 7-bit");
    }
    lock(&gateway.requests).push(Sms {
        id: id.clone(),
        to,
        text,
        sender: field("sender").unwrap_or_default(),
    });
    (StatusCode::OK, axum::Json(json!({ "status": "ok", "id": id })))
}

impl SmsGateway {
    /// Starts a gateway on a free local port, on the current runtime.
    pub async fn start(config: SmsConfig) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let gateway = Arc::new(Gateway::default());
        *lock(&gateway.config) = Some(config);
        let app = Router::new().route("/send", post(send)).with_state(gateway.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { addr, gateway })
    }

    /// Where to send: `http://127.0.0.1:<port>/send`.
    pub fn url(&self) -> String {
        format!("http://{}/send", self.addr)
    }

    /// Every request it took, repeats included.
    pub fn requests(&self) -> Vec<Sms> {
        lock(&self.gateway.requests).clone()
    }

    /// The messages it took, each id once, in the order first taken.
    pub fn messages(&self) -> Vec<Sms> {
        let mut seen = std::collections::HashSet::new();
        self.requests()
            .into_iter()
            .filter(|sms| seen.insert(sms.id.clone()))
            .collect()
    }

    /// The next `n` calls fail with `status` (e.g. 503, or 400).
    pub fn fail_next(&self, n: usize, status: u16) {
        lock(&self.gateway.faults).extend(std::iter::repeat_n(status, n));
    }
}
