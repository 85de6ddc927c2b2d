//! The portal's protocol, as a client: sign in for a session, then post each
//! operation with the session and the agency's code. A dossier is sent as
//! create-or-update: looked up when eiso does not know whether the portal has
//! it, created, or updated when the portal answers that it exists (and
//! created when an update finds it missing), so a retried or repeated send
//! lands once.

use std::time::Duration;

use serde_json::{Map, Value, json};
use tokio::sync::Mutex;

use crate::config::PortalConfig;

/// The portal's phrases this client acts on (compared after lower-casing).
const EXISTS: &str = "đã tồn tại";
const MISSING: &str = "không tồn tại";
/// `error_code` of a session that ended (or never was).
const SESSION_ENDED: i64 = 401;

/// Why a call to the portal did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum PortalError {
    /// No answer, or not the portal's answer (connection refused, timeout,
    /// HTTP 5xx, a body that is not the protocol's): the same call may
    /// succeed later.
    #[error("the portal did not answer {operation}: {detail}")]
    Unavailable { operation: &'static str, detail: String },
    /// The portal answered and refused: sending the same thing again will
    /// be refused again (a field it does not accept, a status it does not
    /// allow, eiso's account or agency not accepted).
    #[error("the portal refused {operation}: error_code {code}: {message}")]
    Refused {
        operation: &'static str,
        code: i64,
        message: String,
    },
}

impl PortalError {
    /// Whether the same call is worth sending again later.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Unavailable { .. })
    }
}

/// A client of one portal, sharing one session among its calls.
pub struct Portal {
    http: reqwest::Client,
    config: PortalConfig,
    session: Mutex<Option<String>>,
}

impl Portal {
    pub fn new(config: PortalConfig) -> Result<Self, PortalError> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .build()
            .map_err(|e| PortalError::Unavailable {
                operation: "connect",
                detail: e.to_string(),
            })?;
        Ok(Self {
            http,
            config,
            session: Mutex::new(None),
        })
    }

    pub fn config(&self) -> &PortalConfig {
        &self.config
    }

    /// Posts `body` to `url` and reads the protocol's answer: its
    /// `error_code` and the whole reply.
    async fn post(
        &self,
        operation: &'static str,
        url: &str,
        body: &Value,
        header: Option<(&str, &str)>,
    ) -> Result<(i64, Map<String, Value>), PortalError> {
        let unavailable = |detail: String| PortalError::Unavailable { operation, detail };
        let mut request = self.http.post(url).json(body);
        if let Some((name, value)) = header {
            request = request.header(name, value);
        }
        let response = request.send().await.map_err(|e| unavailable(e.to_string()))?;
        let status = response.status();
        if !status.is_success() {
            return Err(unavailable(format!("HTTP {status}")));
        }
        let reply: Map<String, Value> = response
            .json()
            .await
            .map_err(|e| unavailable(format!("not the portal's answer: {e}")))?;
        let code = match reply.get("error_code") {
            Some(Value::Number(n)) => n.as_i64(),
            Some(Value::String(s)) => s.trim().parse().ok(),
            _ => None,
        }
        .ok_or_else(|| unavailable("an answer without error_code".into()))?;
        Ok((code, reply))
    }

    /// Signs in and keeps the session.
    async fn sign_in(&self) -> Result<String, PortalError> {
        const OPERATION: &str = "login";
        let body = json!({ "username": self.config.username, "password": self.config.password });
        let url = format!("{}/login", self.config.url);
        let (code, reply) = self
            .post(OPERATION, &url, &body, Some(("dstcode", &self.config.agency_code)))
            .await?;
        let session = reply.get("session").and_then(Value::as_str).unwrap_or_default();
        if code != 0 || session.is_empty() {
            return Err(PortalError::Refused {
                operation: OPERATION,
                code,
                message: message(&reply),
            });
        }
        Ok(session.to_string())
    }

    /// Calls `service` with `fields`, signing in first when there is no
    /// session and once more when the portal says the session ended.
    async fn call(
        &self,
        service: &'static str,
        fields: Map<String, Value>,
    ) -> Result<(i64, Map<String, Value>), PortalError> {
        for attempt in 0..2 {
            let session = {
                let mut kept = self.session.lock().await;
                match kept.as_ref() {
                    Some(session) => session.clone(),
                    None => {
                        let session = self.sign_in().await?;
                        *kept = Some(session.clone());
                        session
                    }
                }
            };
            let mut body = fields.clone();
            body.insert("session".into(), session.clone().into());
            body.insert("madonvi".into(), self.config.agency_code.clone().into());
            body.insert("service".into(), service.into());
            let (code, reply) = self
                .post(service, &format!("{}/", self.config.url), &Value::Object(body), None)
                .await?;
            if code != SESSION_ENDED {
                return Ok((code, reply));
            }
            let mut kept = self.session.lock().await;
            if kept.as_deref() == Some(session.as_str()) {
                *kept = None;
            }
            tracing::debug!(service, attempt, "the portal ended the session; signing in again");
        }
        Err(PortalError::Unavailable {
            operation: service,
            detail: "the portal ended a new session at once".into(),
        })
    }

    /// `TraCuuHoSo`: the portal's copy of dossier `code`, if it has one.
    pub async fn lookup(&self, code: &str) -> Result<Option<Map<String, Value>>, PortalError> {
        const SERVICE: &str = "TraCuuHoSo";
        let mut fields = Map::new();
        fields.insert("MaHoSo".into(), code.into());
        let (error_code, reply) = self.call(SERVICE, fields).await?;
        if error_code != 0 {
            return Err(refused(SERVICE, error_code, &reply));
        }
        Ok(match reply.get("result") {
            Some(Value::Array(found)) => found.iter().find_map(|d| d.as_object().cloned()),
            _ => None,
        })
    }

    /// `DongBoHoSoMC`: the portal's copy of the dossier becomes `record` (see
    /// [`crate::record::dossier`]). `known` is whether the portal has it, as
    /// far as eiso knows (`None`: looked up first). Returns whether the
    /// portal had it before.
    pub async fn send_dossier(&self, record: &Map<String, Value>, known: Option<bool>) -> Result<bool, PortalError> {
        const SERVICE: &str = "DongBoHoSoMC";
        let code = record.get("MaHoSo").and_then(Value::as_str).unwrap_or_default();
        let mut updating = match known {
            Some(known) => known,
            None => self.lookup(code).await?.is_some(),
        };
        // Created when missing, updated when present: at most one switch
        // each way, then the portal's answer stands.
        for _ in 0..3 {
            let mut fields = Map::new();
            fields.insert("isUpdating".into(), if updating { "True" } else { "False" }.into());
            fields.insert("data".into(), Value::Array(vec![Value::Object(record.clone())]));
            let (error_code, reply) = self.call(SERVICE, fields).await?;
            if error_code == 0 {
                return Ok(updating);
            }
            let said = message(&reply).to_lowercase();
            if !updating && said.contains(EXISTS) {
                updating = true;
            } else if updating && said.contains(MISSING) {
                updating = false;
            } else {
                return Err(refused(SERVICE, error_code, &reply));
            }
        }
        Err(PortalError::Unavailable {
            operation: SERVICE,
            detail: format!("{code}: the portal answers both that it exists and that it does not"),
        })
    }

    /// `CapNhatTienDoHoSoMC`: processing steps (see [`crate::record::steps`]).
    pub async fn send_steps(&self, steps: Vec<Map<String, Value>>) -> Result<(), PortalError> {
        const SERVICE: &str = "CapNhatTienDoHoSoMC";
        if steps.is_empty() {
            return Ok(());
        }
        let mut fields = Map::new();
        fields.insert(
            "data".into(),
            Value::Array(steps.into_iter().map(Value::Object).collect()),
        );
        let (error_code, reply) = self.call(SERVICE, fields).await?;
        if error_code != 0 {
            return Err(refused(SERVICE, error_code, &reply));
        }
        Ok(())
    }
}

fn message(reply: &Map<String, Value>) -> String {
    let text = reply.get("message").and_then(Value::as_str).unwrap_or_default();
    eiso_platform::error::truncate_chars(text, eiso_platform::error::MAX_MESSAGE_CHARS)
}

fn refused(operation: &'static str, code: i64, reply: &Map<String, Value>) -> PortalError {
    PortalError::Refused {
        operation,
        code,
        message: message(reply),
    }
}
