//! The simulator's memory: sessions, dossiers, the faults queued for the next
//! calls, whether it is down, and what it has counted.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tokio::sync::watch;

use crate::config::{Account, Config};

/// What the simulator does to one call instead of (or besides) answering it
/// normally. On the control API: `{"kind": "http500"}`,
/// `{"kind": "delay", "millis": 5000}`,
/// `{"kind": "error_code", "error_code": 99, "message": "…"}`,
/// `{"kind": "expire_sessions"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// HTTP 500 with a plain-text body; the call has no effect.
    Http500,
    /// The call takes effect at once but its answer is held back for
    /// `millis` (a client with a shorter timeout gives up on a call that
    /// did happen).
    Delay { millis: u64 },
    /// HTTP 200 with this `error_code` and `message`; the call has no effect.
    ErrorCode { error_code: i64, message: String },
    /// Every session ends just before the call is handled, so the call
    /// (unless it is a sign-in) gets error_code 401.
    ExpireSessions,
}

/// A dossier as the portal holds it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DossierRecord {
    /// `MaHoSo`.
    pub ma_ho_so: String,
    /// The agency that created it (`madonvi` of the creating call).
    pub madonvi: String,
    /// The dossier as last accepted, every field as sent.
    pub dossier: Map<String, Value>,
    /// The `TrangThaiHoSo` values it went through, in order (a status
    /// repeated by consecutive updates is listed once).
    pub states: Vec<String>,
    /// Accepted updates that changed the dossier (an identical re-send does
    /// not count).
    pub updates: u32,
    /// The progress steps of `CapNhatTienDoHoSoMC`, in the order received,
    /// exact duplicates left out.
    pub progress: Vec<Map<String, Value>>,
}

/// What the simulator has counted since it started or was last reset.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Counters {
    /// Calls by operation: `login`, the `service` as sent (`""` when missing
    /// or when the body is not JSON). Calls answered 503 while down are not
    /// here but in `unavailable`.
    pub calls: BTreeMap<String, u64>,
    /// Calls answered `error_code` 0.
    pub accepted: u64,
    /// Calls answered with a non-zero `error_code` of the simulator's own
    /// (not an injected fault), each in `refusals`.
    pub refused: u64,
    pub refusals: Vec<Refusal>,
    /// Calls that met an injected fault.
    pub faults: u64,
    /// Calls answered 503 while down.
    pub unavailable: u64,
}

/// One refused call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    pub operation: String,
    pub error_code: i64,
    pub message: String,
}

/// What the HTTP handlers and the handle share.
pub(crate) struct Shared {
    pub(crate) accounts: Vec<Account>,
    pub(crate) session_lifetime: Duration,
    inner: Mutex<Inner>,
    /// Turns true (or its sender is dropped) when the simulator stops.
    stopping: watch::Receiver<bool>,
}

#[derive(Default)]
pub(crate) struct Inner {
    /// By session token.
    pub(crate) sessions: HashMap<String, Session>,
    /// By `MaHoSo`.
    pub(crate) dossiers: BTreeMap<String, DossierRecord>,
    pub(crate) faults: VecDeque<Fault>,
    pub(crate) down: bool,
    /// How far the simulator's clock runs ahead of the real one.
    pub(crate) clock_offset: Duration,
    pub(crate) counters: Counters,
}

pub(crate) struct Session {
    pub(crate) agency: String,
    /// `None`: beyond what an `Instant` can hold, never.
    pub(crate) expires: Option<Instant>,
}

impl Inner {
    /// The simulator's clock: the real one plus what tests advanced it by.
    pub(crate) fn now(&self) -> Instant {
        let real = Instant::now();
        real.checked_add(self.clock_offset).unwrap_or(real)
    }
}

impl Shared {
    pub(crate) fn new(config: &Config, stopping: watch::Receiver<bool>) -> Self {
        Self {
            accounts: config.accounts.clone(),
            session_lifetime: config.session_lifetime,
            inner: Mutex::new(Inner::default()),
            stopping,
        }
    }

    /// The state; a panic elsewhere while it was held leaves it usable (every
    /// change to it is made whole or not at all).
    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits `delay`, or less if the simulator stops meanwhile.
    pub(crate) async fn hold(&self, delay: Duration) {
        let mut stopping = self.stopping.clone();
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            _ = stopping.wait_for(|stopping| *stopping) => {}
        }
    }

    /// Queues `fault` for each of the next `count` calls (after those already
    /// queued); returns how many are now queued.
    pub(crate) fn fail_next(&self, count: u32, fault: &Fault) -> usize {
        let mut inner = self.lock();
        for _ in 0..count {
            inner.faults.push_back(fault.clone());
        }
        inner.faults.len()
    }

    pub(crate) fn set_down(&self, down: bool) {
        self.lock().down = down;
    }

    pub(crate) fn advance_clock(&self, by: Duration) {
        let mut inner = self.lock();
        inner.clock_offset = inner.clock_offset.saturating_add(by);
    }

    /// Forgets sessions, dossiers, faults and counters; brings the simulator
    /// up and its clock back. The accounts stay.
    pub(crate) fn reset(&self) {
        *self.lock() = Inner::default();
    }

    pub(crate) fn dossier(&self, ma_ho_so: &str) -> Option<DossierRecord> {
        self.lock().dossiers.get(ma_ho_so).cloned()
    }

    pub(crate) fn dossiers(&self) -> Vec<DossierRecord> {
        self.lock().dossiers.values().cloned().collect()
    }

    pub(crate) fn counters(&self) -> Counters {
        self.lock().counters.clone()
    }
}
