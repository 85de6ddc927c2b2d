//! The portal's side of a call: sign-in, the session check and the three
//! operations, on the state behind the lock. Nothing here waits or does I/O.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::rules::{self, DOSSIER, PROGRESS};
use crate::state::{DossierRecord, Fault, Inner, Refusal, Session, Shared};

pub(crate) const LOOKUP: &str = "TraCuuHoSo";
pub(crate) const SYNC: &str = "DongBoHoSoMC";
pub(crate) const PROGRESS_UPDATE: &str = "CapNhatTienDoHoSoMC";
/// The operation name of `POST /login` in the counters.
pub(crate) const LOGIN: &str = "login";

/// `error_code` 1: wrong sign-in, a dossier that already exists or does not.
const REFUSED: i64 = 1;
/// `error_code` 2: a field that fails validation, a status that may not follow.
const INVALID: i64 = 2;
const BAD_REQUEST: i64 = 400;
const SESSION_EXPIRED: i64 = 401;
const FORBIDDEN: i64 = 403;

const WRONG_CREDENTIALS: &str = "Sai tên đăng nhập hoặc mật khẩu";
const ALREADY_EXISTS: &str = "Hồ sơ đã tồn tại";
const NOT_FOUND: &str = "Hồ sơ không tồn tại";

/// Which endpoint a call came to.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Endpoint {
    /// `POST /login`.
    Login,
    /// `POST /`.
    Call,
}

/// How a call is answered.
pub(crate) struct Answer {
    pub(crate) operation: String,
    pub(crate) status: u16,
    pub(crate) body: Body,
    /// Hold the answer back this long (a fault).
    pub(crate) delay: Option<Duration>,
}

pub(crate) enum Body {
    Json(Value),
    /// What a proxy in front of the portal would send.
    Text(&'static str),
}

impl Answer {
    /// The `(error_code, message)` of a JSON answer, for the log.
    pub(crate) fn outcome(&self) -> Option<(i64, &str)> {
        match &self.body {
            Body::Json(body) => Some((
                body.get("error_code").and_then(Value::as_i64)?,
                body.get("message").and_then(Value::as_str).unwrap_or(""),
            )),
            Body::Text(_) => None,
        }
    }
}

/// A call the portal refuses: its `error_code` and `message`.
#[derive(Debug)]
struct Rejection {
    code: i64,
    message: String,
}

impl Rejection {
    fn new(code: i64, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    fn invalid(message: impl Into<String>) -> Self {
        Self::new(INVALID, message)
    }
}

/// `{"error_code": code, "message": message}` and `extra`.
fn reply(code: i64, message: &str, extra: Option<(&str, Value)>) -> Value {
    let mut body = Map::new();
    body.insert("error_code".to_owned(), json!(code));
    body.insert("message".to_owned(), json!(message));
    if let Some((field, value)) = extra {
        body.insert(field.to_owned(), value);
    }
    Value::Object(body)
}

impl Shared {
    /// Answers one call to the portal: down, an injected fault, or the
    /// protocol. `dstcode` is the header of a sign-in.
    pub(crate) fn answer(&self, endpoint: Endpoint, dstcode: Option<&str>, body: &[u8]) -> Answer {
        let request = serde_json::from_slice::<Map<String, Value>>(body)
            .map_err(|error| Rejection::new(BAD_REQUEST, format!("Dữ liệu gửi lên không phải JSON hợp lệ: {error}")));
        let operation = match endpoint {
            Endpoint::Login => LOGIN.to_owned(),
            Endpoint::Call => request
                .as_ref()
                .ok()
                .and_then(|request| request.get("service"))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned(),
        };
        let mut inner = self.lock();
        if inner.down {
            inner.counters.unavailable += 1;
            return Answer {
                operation,
                status: 503,
                body: Body::Text("Service Unavailable"),
                delay: None,
            };
        }
        *inner.counters.calls.entry(operation.clone()).or_default() += 1;
        let mut delay = None;
        if let Some(fault) = inner.faults.pop_front() {
            inner.counters.faults += 1;
            match fault {
                Fault::Http500 => {
                    return Answer {
                        operation,
                        status: 500,
                        body: Body::Text("Internal Server Error"),
                        delay: None,
                    };
                }
                Fault::ErrorCode { error_code, message } => {
                    return Answer {
                        operation,
                        status: 200,
                        body: Body::Json(reply(error_code, &message, None)),
                        delay: None,
                    };
                }
                Fault::ExpireSessions => inner.sessions.clear(),
                Fault::Delay { millis } => delay = Some(Duration::from_millis(millis)),
            }
        }
        let outcome = request.and_then(|request| match endpoint {
            Endpoint::Login => self.login(&mut inner, dstcode, &request),
            Endpoint::Call => call(&mut inner, &request, &operation),
        });
        let body = match outcome {
            Ok(body) => {
                inner.counters.accepted += 1;
                body
            }
            Err(rejection) => {
                inner.counters.refused += 1;
                inner.counters.refusals.push(Refusal {
                    operation: operation.clone(),
                    error_code: rejection.code,
                    message: rejection.message.clone(),
                });
                reply(rejection.code, &rejection.message, None)
            }
        };
        Answer {
            operation,
            status: 200,
            body: Body::Json(body),
            delay,
        }
    }

    /// `POST /login`: `dstcode` header, `{"username", "password"}`.
    fn login(
        &self,
        inner: &mut Inner,
        dstcode: Option<&str>,
        request: &Map<String, Value>,
    ) -> Result<Value, Rejection> {
        let agency = dstcode
            .map(str::trim)
            .filter(|code| !code.is_empty())
            .ok_or_else(|| Rejection::new(REFUSED, "Thiếu mã đơn vị (header dstcode)"))?;
        let given = |field: &str| request.get(field).and_then(Value::as_str).unwrap_or("");
        let account = self
            .accounts
            .iter()
            .find(|account| account.username == given("username") && account.password == given("password"))
            .ok_or_else(|| Rejection::new(REFUSED, WRONG_CREDENTIALS))?;
        if account.agency != agency {
            return Err(Rejection::new(FORBIDDEN, "Tài khoản không thuộc đơn vị dstcode"));
        }
        let token = Uuid::new_v4().simple().to_string();
        let expires = inner.now().checked_add(self.session_lifetime);
        let session = Session {
            agency: account.agency.clone(),
            expires,
        };
        inner.sessions.insert(token.clone(), session);
        Ok(reply(
            0,
            "Đăng nhập thành công",
            Some(("session", Value::String(token))),
        ))
    }
}

/// `POST /`: the session, the agency, then the operation.
fn call(inner: &mut Inner, request: &Map<String, Value>, operation: &str) -> Result<Value, Rejection> {
    let agency = authenticate(inner, request)?;
    match operation {
        LOOKUP => lookup(inner, &agency, request),
        SYNC => sync(inner, &agency, request),
        PROGRESS_UPDATE => progress(inner, &agency, request),
        "" => Err(Rejection::new(BAD_REQUEST, "Thiếu trường service")),
        other => Err(Rejection::new(BAD_REQUEST, format!("Không hỗ trợ service {other}"))),
    }
}

/// The agency of a live session whose account `madonvi` names.
fn authenticate(inner: &mut Inner, request: &Map<String, Value>) -> Result<String, Rejection> {
    let expired = || Rejection::new(SESSION_EXPIRED, "Phiên làm việc hết hạn");
    let token = request.get("session").and_then(Value::as_str).ok_or_else(expired)?;
    let now = inner.now();
    let session = inner.sessions.get(token).ok_or_else(expired)?;
    if session.expires.is_some_and(|expires| expires <= now) {
        inner.sessions.remove(token);
        return Err(expired());
    }
    if request.get("madonvi").and_then(Value::as_str) != Some(session.agency.as_str()) {
        return Err(Rejection::new(
            FORBIDDEN,
            "Mã đơn vị (madonvi) không khớp với tài khoản đăng nhập",
        ));
    }
    Ok(session.agency.clone())
}

/// A stored dossier the calling agency may see.
fn owned<'a>(record: &'a DossierRecord, agency: &str) -> Result<&'a DossierRecord, Rejection> {
    if record.madonvi == agency {
        Ok(record)
    } else {
        Err(Rejection::new(
            FORBIDDEN,
            format!("Hồ sơ {} thuộc đơn vị khác", record.ma_ho_so),
        ))
    }
}

/// `TraCuuHoSo`: `{"MaHoSo"}` → `result` of zero or one dossier.
fn lookup(inner: &Inner, agency: &str, request: &Map<String, Value>) -> Result<Value, Rejection> {
    let ma_ho_so = rules::text(request, "MaHoSo", "")
        .map_err(Rejection::invalid)?
        .filter(|code| !code.trim().is_empty())
        .ok_or_else(|| Rejection::invalid("Thiếu trường bắt buộc MaHoSo"))?;
    let result = match inner.dossiers.get(ma_ho_so) {
        Some(record) => vec![Value::Object(owned(record, agency)?.dossier.clone())],
        None => Vec::new(),
    };
    Ok(reply(0, "Tra cứu thành công", Some(("result", Value::Array(result)))))
}

/// The non-empty `data` array of a request, each item an object.
fn data(request: &Map<String, Value>) -> Result<Vec<&Map<String, Value>>, Rejection> {
    let items = match request.get("data") {
        None | Some(Value::Null) => return Err(Rejection::invalid("Thiếu trường bắt buộc data")),
        Some(Value::Array(items)) if items.is_empty() => {
            return Err(Rejection::invalid("Trường data không có phần tử nào"));
        }
        Some(Value::Array(items)) => items,
        Some(_) => return Err(Rejection::invalid("Trường data phải là danh sách")),
    };
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            item.as_object()
                .ok_or_else(|| Rejection::invalid(format!("Phần tử data[{index}] phải là một đối tượng")))
        })
        .collect()
}

/// Checks one item of `data`; returns its `MaHoSo`. The message names the
/// item by its `MaHoSo`, or by its place when it has none.
fn checked<'a>(item: &'a Map<String, Value>, index: usize, item_rules: &rules::Rules) -> Result<&'a str, Rejection> {
    let ma_ho_so = item
        .get("MaHoSo")
        .and_then(Value::as_str)
        .filter(|code| !code.trim().is_empty());
    let label = ma_ho_so.map_or_else(|| format!("data[{index}]"), |code| format!("Hồ sơ {code}"));
    rules::check(item, item_rules, "").map_err(|message| Rejection::invalid(format!("{label}: {message}")))?;
    ma_ho_so.ok_or_else(|| Rejection::invalid(format!("{label}: Thiếu trường bắt buộc MaHoSo")))
}

/// The status of a checked dossier, 1 to 10.
fn status(dossier: &Map<String, Value>) -> Result<u8, Rejection> {
    dossier
        .get("TrangThaiHoSo")
        .and_then(Value::as_str)
        .and_then(|status| status.parse().ok())
        .ok_or_else(|| Rejection::invalid("Trường TrangThaiHoSo có giá trị không hợp lệ"))
}

/// `DongBoHoSoMC`: `{"isUpdating": "True"|"False", "data": [dossier, …]}`.
/// All of `data` is taken or none of it.
fn sync(inner: &mut Inner, agency: &str, request: &Map<String, Value>) -> Result<Value, Rejection> {
    let updating = match rules::text(request, "isUpdating", "").map_err(Rejection::invalid)? {
        Some("True") => true,
        Some("False") => false,
        _ => return Err(Rejection::invalid("Trường isUpdating phải là \"True\" hoặc \"False\"")),
    };
    let mut staged: BTreeMap<String, DossierRecord> = BTreeMap::new();
    for (index, dossier) in data(request)?.into_iter().enumerate() {
        let ma_ho_so = checked(dossier, index, &DOSSIER)?;
        let to = status(dossier)?;
        let existing = staged.get(ma_ho_so).or_else(|| inner.dossiers.get(ma_ho_so));
        let record = match (updating, existing) {
            (false, Some(_)) => return Err(Rejection::new(REFUSED, ALREADY_EXISTS)),
            (true, None) => return Err(Rejection::new(REFUSED, NOT_FOUND)),
            (false, None) => DossierRecord {
                ma_ho_so: ma_ho_so.to_owned(),
                madonvi: agency.to_owned(),
                dossier: dossier.clone(),
                states: vec![to.to_string()],
                updates: 0,
                progress: Vec::new(),
            },
            (true, Some(existing)) => {
                let existing = owned(existing, agency)?;
                if existing.dossier == *dossier {
                    continue;
                }
                let from = status(&existing.dossier)?;
                if !rules::transition_allowed(from, to) {
                    return Err(Rejection::invalid(format!(
                        "Hồ sơ {ma_ho_so}: không thể chuyển trạng thái từ {from} ({}) sang {to} ({})",
                        rules::status_name(from),
                        rules::status_name(to),
                    )));
                }
                let mut record = existing.clone();
                record.dossier = dossier.clone();
                if from != to {
                    record.states.push(to.to_string());
                }
                record.updates = record.updates.saturating_add(1);
                record
            }
        };
        staged.insert(ma_ho_so.to_owned(), record);
    }
    inner.dossiers.extend(staged);
    Ok(reply(0, "Đồng bộ hồ sơ thành công", None))
}

/// `CapNhatTienDoHoSoMC`: `{"data": [step, …]}`, each step of a known
/// dossier. All of `data` is taken or none of it.
fn progress(inner: &mut Inner, agency: &str, request: &Map<String, Value>) -> Result<Value, Rejection> {
    let mut staged: Vec<(&str, &Map<String, Value>)> = Vec::new();
    for (index, step) in data(request)?.into_iter().enumerate() {
        let ma_ho_so = checked(step, index, &PROGRESS)?;
        let record = inner
            .dossiers
            .get(ma_ho_so)
            .ok_or_else(|| Rejection::new(REFUSED, NOT_FOUND))?;
        owned(record, agency)?;
        let known = record.progress.contains(step) || staged.contains(&(ma_ho_so, step));
        if !known {
            staged.push((ma_ho_so, step));
        }
    }
    for (ma_ho_so, step) in staged {
        if let Some(record) = inner.dossiers.get_mut(ma_ho_so) {
            record.progress.push(step.clone());
        }
    }
    Ok(reply(0, "Cập nhật tiến độ hồ sơ thành công", None))
}
