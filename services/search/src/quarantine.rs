//! Poison events: an event whose changes cannot be loaded — an error or a
//! panic every time, or the process dying while it is handled — must not stop
//! its stream forever, nor put the server in a crash loop.
//!
//! Before a follower hands events to its source, the [`Ledger`] records them
//! as *in flight*, durably (`search/ATTEMPTS`, written, fsynced and renamed
//! into place). An entry found there when the index opens was being handled
//! when the process died: it counts as a failed attempt. A batch that fails is
//! taken again one event at a time, so that one poison event does not take
//! its neighbours down with it; an event that fails [`MAX_ATTEMPTS`] times, the
//! last time on its own, is *quarantined* (`search/QUARANTINE`): the item it
//! names is indexed by name only, the follower moves on, and the event is
//! listed for an administrator until a later event for the same item is
//! handled (which lifts the quarantine).
//!
//! Why files beside the index rather than the commit payload: an attempt must
//! be on disk *before* the attempt, which a tantivy commit (asynchronous, on
//! the writer thread, with other changes pending) cannot promise cheaply; and
//! the payload belongs to one generation, which a rebuild throws away — the
//! moment a rebuild replays the poison event is exactly when the quarantine
//! must be remembered. Both files are shared by every generation. Deleting
//! them is safe (the index is a read model): at worst a poison event costs
//! [`MAX_ATTEMPTS`] more crashes before it is quarantined again.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Failed attempts after which an event is quarantined.
pub const MAX_ATTEMPTS: u32 = 3;
/// Quarantined events listed by `GetIndexStatus`, the most recent.
pub const LISTED: usize = 100;
/// Quarantine entries kept (lifted ones are dropped first).
const KEPT: usize = 1000;
/// Failure records kept between attempts.
const MAX_FAILURES: usize = 4096;
/// Longest reason kept, in bytes.
const MAX_REASON_BYTES: usize = 500;
/// The reason of an event that was being handled when the process died.
pub const CRASHED: &str = "in flight during a crash";

const ATTEMPTS_FILE: &str = "ATTEMPTS";
const QUARANTINE_FILE: &str = "QUARANTINE";

/// One event of a batch: its sequence and the item it is about, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempted {
    pub sequence: i64,
    pub subject: Option<String>,
}

/// What one follower (a stream in a generation) is handling now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct InFlight {
    generation: u64,
    stream: String,
    events: Vec<Attempted>,
    /// The attempt this is, for a single event (1 for a batch).
    attempt: u32,
}

/// Failed attempts at one event so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Failure {
    stream: String,
    sequence: i64,
    attempts: u32,
    error: String,
}

/// A quarantined event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quarantined {
    pub stream: String,
    pub sequence: i64,
    /// The item indexed by name only; empty when the event names none.
    pub resource: String,
    /// The last error, or [`CRASHED`].
    pub reason: String,
    pub attempts: u32,
    pub time: DateTime<Utc>,
    /// Set when a later event for the same item was handled. Kept (not
    /// listed) so that a rebuild does not run a crashing event again.
    #[serde(default)]
    pub lifted: bool,
}

impl Quarantined {
    /// Whether the event killed the process (rather than failing with an error).
    pub fn crashed(&self) -> bool {
        self.reason == CRASHED
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Attempts {
    /// By follower: `{stream}@gen-{id}`.
    in_flight: BTreeMap<String, InFlight>,
    failures: Vec<Failure>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Quarantine {
    events: Vec<Quarantined>,
}

#[derive(Debug, Default)]
struct State {
    attempts: Attempts,
    quarantine: Quarantine,
    closed: bool,
}

/// What became of a failed attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Try again (one event at a time): this many failures so far.
    Retry(u32),
    /// The event is quarantined now.
    Quarantined(Quarantined),
}

/// The durable record of attempts and quarantined events, shared by every
/// generation of one index directory.
#[derive(Debug)]
pub struct Ledger {
    dir: PathBuf,
    max_attempts: u32,
    state: Mutex<State>,
}

fn follower(generation: u64, stream: &str) -> String {
    format!("{stream}@gen-{generation}")
}

fn bounded(reason: &str) -> String {
    let mut reason = reason.to_string();
    crate::item::truncate(&mut reason, MAX_REASON_BYTES);
    reason
}

/// Writes `value` as JSON to `dir/name`: temporary file, fsync, rename. A
/// crash leaves the old file or the new one, never a mix. (The directory is
/// not fsynced: losing the rename to a power cut loses one count, no more.)
fn write_json(dir: &Path, name: &str, value: &impl Serialize) -> std::io::Result<()> {
    let text = serde_json::to_vec(value).map_err(std::io::Error::other)?;
    let temporary = dir.join(format!("{name}.tmp"));
    {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(&text)?;
        file.sync_all()?;
    }
    std::fs::rename(&temporary, dir.join(name))
}

/// Reads `dir/name`; a missing or unreadable file reads as empty (logged:
/// the ledger is a cache of counts, not data).
fn read_json<T: Default + for<'de> Deserialize<'de>>(dir: &Path, name: &str) -> T {
    match std::fs::read(dir.join(name)) {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|error| {
            tracing::warn!(file = name, %error, "search: unreadable attempt ledger; starting it afresh");
            T::default()
        }),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => T::default(),
        Err(error) => {
            tracing::warn!(file = name, %error, "search: cannot read the attempt ledger; starting it afresh");
            T::default()
        }
    }
}

impl State {
    fn failure(&mut self, stream: &str, sequence: i64) -> Option<&mut Failure> {
        self.attempts
            .failures
            .iter_mut()
            .find(|f| f.stream == stream && f.sequence == sequence)
    }

    fn attempts(&self, stream: &str, sequence: i64) -> u32 {
        self.attempts
            .failures
            .iter()
            .find(|f| f.stream == stream && f.sequence == sequence)
            .map_or(0, |f| f.attempts)
    }

    /// Counts a failure of every event in `events`; quarantines the event if
    /// it was alone and has failed `max_attempts` times.
    fn count_failure(&mut self, stream: &str, events: &[Attempted], error: &str, max_attempts: u32) -> Verdict {
        let mut attempts = 0;
        for event in events {
            attempts = match self.failure(stream, event.sequence) {
                Some(failure) => {
                    failure.attempts += 1;
                    failure.error = bounded(error);
                    failure.attempts
                }
                None => {
                    self.attempts.failures.push(Failure {
                        stream: stream.to_string(),
                        sequence: event.sequence,
                        attempts: 1,
                        error: bounded(error),
                    });
                    1
                }
            };
        }
        let excess = self.attempts.failures.len().saturating_sub(MAX_FAILURES);
        self.attempts.failures.drain(..excess);
        match events {
            [event] if attempts >= max_attempts => {
                self.attempts
                    .failures
                    .retain(|f| !(f.stream == stream && f.sequence == event.sequence));
                let quarantined = Quarantined {
                    stream: stream.to_string(),
                    sequence: event.sequence,
                    resource: event.subject.clone().unwrap_or_default(),
                    reason: bounded(error),
                    attempts,
                    time: Utc::now(),
                    lifted: false,
                };
                self.quarantine
                    .events
                    .retain(|q| !(q.stream == stream && q.sequence == event.sequence));
                self.quarantine.events.push(quarantined.clone());
                while self.quarantine.events.len() > KEPT {
                    let oldest_lifted = self.quarantine.events.iter().position(|q| q.lifted);
                    self.quarantine.events.remove(oldest_lifted.unwrap_or(0));
                }
                Verdict::Quarantined(quarantined)
            }
            _ => Verdict::Retry(attempts),
        }
    }
}

impl Ledger {
    /// Opens the ledger in `dir`. What was in flight when the process last
    /// stopped counts as a failed attempt (and may be quarantined now).
    pub fn open(dir: &Path, max_attempts: u32) -> std::io::Result<Ledger> {
        std::fs::create_dir_all(dir)?;
        let mut state = State {
            attempts: read_json(dir, ATTEMPTS_FILE),
            quarantine: read_json(dir, QUARANTINE_FILE),
            closed: false,
        };
        let crashed = std::mem::take(&mut state.attempts.in_flight);
        let mut quarantined = false;
        for in_flight in crashed.values() {
            tracing::warn!(
                stream = %in_flight.stream,
                first = in_flight.events.first().map_or(0, |e| e.sequence),
                events = in_flight.events.len(),
                attempt = in_flight.attempt,
                "search: these events were being indexed when the process stopped"
            );
            let verdict = state.count_failure(&in_flight.stream, &in_flight.events, CRASHED, max_attempts);
            if let Verdict::Quarantined(event) = verdict {
                tracing::error!(
                    stream = %event.stream,
                    sequence = event.sequence,
                    resource = %event.resource,
                    attempts = event.attempts,
                    "search: event quarantined: it was being indexed at every crash; its item is indexed by name only"
                );
                quarantined = true;
            }
        }
        if quarantined {
            write_json(dir, QUARANTINE_FILE, &state.quarantine)?;
        }
        write_json(dir, ATTEMPTS_FILE, &state.attempts)?;
        Ok(Ledger {
            dir: dir.to_path_buf(),
            max_attempts: max_attempts.max(1),
            state: Mutex::new(state),
        })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Failed attempts at an event so far.
    pub fn attempts(&self, stream: &str, sequence: i64) -> u32 {
        self.state().attempts(stream, sequence)
    }

    /// The quarantine of an event, if it is (or was) quarantined.
    pub fn quarantined(&self, stream: &str, sequence: i64) -> Option<Quarantined> {
        self.state()
            .quarantine
            .events
            .iter()
            .find(|q| q.stream == stream && q.sequence == sequence)
            .cloned()
    }

    /// Whether an event must be handled on its own: it failed before or was
    /// quarantined.
    pub fn suspect(&self, stream: &str, sequence: i64) -> bool {
        let state = self.state();
        state.attempts(stream, sequence) > 0
            || state
                .quarantine
                .events
                .iter()
                .any(|q| q.stream == stream && q.sequence == sequence)
    }

    /// Records, durably, that `events` of `stream` are being handled by
    /// `generation`'s follower. Blocking (fsync): call off the runtime.
    pub fn begin(&self, generation: u64, stream: &str, events: Vec<Attempted>) -> std::io::Result<u32> {
        let mut state = self.state();
        if state.closed {
            return Err(std::io::Error::other("the search index is closed"));
        }
        let attempt = match events.as_slice() {
            [event] => state.attempts(stream, event.sequence) + 1,
            _ => 1,
        };
        state.attempts.in_flight.insert(
            follower(generation, stream),
            InFlight {
                generation,
                stream: stream.to_string(),
                events,
                attempt,
            },
        );
        write_json(&self.dir, ATTEMPTS_FILE, &state.attempts)?;
        Ok(attempt)
    }

    /// The events in flight were handled. Their failures are forgotten and
    /// the quarantine of each item they name, by an earlier event, is lifted.
    /// Not written at once: an in-flight entry left on disk by a crash after
    /// this costs at most one retry of events that are already in the index.
    pub fn succeeded(&self, generation: u64, stream: &str, events: &[Attempted]) -> std::io::Result<()> {
        let mut state = self.state();
        state.attempts.in_flight.remove(&follower(generation, stream));
        state
            .attempts
            .failures
            .retain(|f| !(f.stream == stream && events.iter().any(|e| e.sequence == f.sequence)));
        let mut lifted = false;
        for event in events {
            let Some(subject) = &event.subject else { continue };
            for entry in state.quarantine.events.iter_mut() {
                if !entry.lifted && &entry.resource == subject {
                    // Only the event itself, or a later one of the same
                    // stream, shows the item's state after it.
                    if entry.stream == stream && entry.sequence > event.sequence {
                        continue;
                    }
                    entry.lifted = true;
                    lifted = true;
                    tracing::info!(
                        stream = %entry.stream,
                        sequence = entry.sequence,
                        resource = %entry.resource,
                        "search: quarantine lifted: a later event for the item was indexed"
                    );
                }
            }
        }
        if lifted && !state.closed {
            write_json(&self.dir, QUARANTINE_FILE, &state.quarantine)?;
        }
        Ok(())
    }

    /// The events in flight failed with `error` (or a panic): counted, and
    /// quarantined once a single event has failed often enough. Blocking.
    pub fn failed(&self, generation: u64, stream: &str, events: &[Attempted], error: &str) -> std::io::Result<Verdict> {
        let mut state = self.state();
        state.attempts.in_flight.remove(&follower(generation, stream));
        let verdict = state.count_failure(stream, events, error, self.max_attempts);
        if state.closed {
            return Ok(verdict);
        }
        if let Verdict::Quarantined(_) = verdict {
            write_json(&self.dir, QUARANTINE_FILE, &state.quarantine)?;
        }
        write_json(&self.dir, ATTEMPTS_FILE, &state.attempts)?;
        Ok(verdict)
    }

    /// The events in flight were not handled for a reason that is not theirs
    /// (storage unavailable): nothing is counted.
    pub fn abandoned(&self, generation: u64, stream: &str) {
        self.state().attempts.in_flight.remove(&follower(generation, stream));
    }

    /// Forgets what `generation`'s followers had in flight (they were stopped).
    pub fn release(&self, generation: u64) {
        self.state()
            .attempts
            .in_flight
            .retain(|_, f| f.generation != generation);
    }

    /// The quarantined events still in force, newest first, at most
    /// [`LISTED`], and how many there are in all.
    pub fn list(&self) -> (Vec<Quarantined>, u64) {
        let state = self.state();
        let active: Vec<&Quarantined> = state.quarantine.events.iter().filter(|q| !q.lifted).collect();
        let count = active.len() as u64;
        let mut listed: Vec<Quarantined> = active.into_iter().cloned().collect();
        listed.sort_by(|a, b| b.time.cmp(&a.time).then(b.sequence.cmp(&a.sequence)));
        listed.truncate(LISTED);
        (listed, count)
    }

    /// A clean stop: nothing is in flight any more, and nothing is written
    /// after this. Blocking.
    pub fn close(&self) {
        let mut state = self.state();
        state.attempts.in_flight.clear();
        if let Err(error) = write_json(&self.dir, ATTEMPTS_FILE, &state.attempts) {
            tracing::warn!(%error, "search: cannot write the attempt ledger at close");
        }
        state.closed = true;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn event(sequence: i64) -> Attempted {
        Attempted {
            sequence,
            subject: Some(format!("records/{sequence}")),
        }
    }

    #[test]
    fn an_event_in_flight_at_every_start_is_quarantined_after_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        for crash in 1..=3 {
            let ledger = Ledger::open(dir.path(), 3).unwrap();
            assert!(ledger.quarantined("documents", 7).is_none(), "crash {crash}");
            assert_eq!(ledger.attempts("documents", 7), crash - 1);
            assert_eq!(ledger.begin(1, "documents", vec![event(7)]).unwrap(), crash);
            // The process dies here: no `succeeded`, no `close`.
        }
        let ledger = Ledger::open(dir.path(), 3).unwrap();
        let quarantined = ledger.quarantined("documents", 7).unwrap();
        assert_eq!(
            (
                quarantined.resource.as_str(),
                quarantined.reason.as_str(),
                quarantined.attempts
            ),
            ("records/7", CRASHED, 3)
        );
        assert_eq!(ledger.list().1, 1);
    }

    #[test]
    fn a_failed_batch_counts_once_for_each_event_and_narrows() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::open(dir.path(), 3).unwrap();
        ledger.begin(1, "documents", vec![event(1), event(2)]).unwrap();
        let verdict = ledger.failed(1, "documents", &[event(1), event(2)], "boom").unwrap();
        assert_eq!(verdict, Verdict::Retry(1));
        assert!(ledger.suspect("documents", 1) && ledger.suspect("documents", 2));
        // The good neighbour succeeds alone and is forgotten.
        ledger.begin(1, "documents", vec![event(1)]).unwrap();
        ledger.succeeded(1, "documents", &[event(1)]).unwrap();
        assert!(!ledger.suspect("documents", 1));
        // The poison one fails twice more, alone, and is quarantined.
        assert_eq!(
            ledger.failed(1, "documents", &[event(2)], "boom").unwrap(),
            Verdict::Retry(2)
        );
        let Verdict::Quarantined(q) = ledger.failed(1, "documents", &[event(2)], "boom").unwrap() else {
            panic!("not quarantined");
        };
        assert_eq!((q.sequence, q.attempts, q.reason.as_str()), (2, 3, "boom"));
        // A later event for the same item lifts it; an earlier one would not.
        let earlier = Attempted {
            sequence: 1,
            subject: Some("records/2".into()),
        };
        ledger.succeeded(1, "documents", &[earlier]).unwrap();
        assert_eq!(ledger.list().1, 1);
        let later = Attempted {
            sequence: 9,
            subject: Some("records/2".into()),
        };
        ledger.succeeded(1, "documents", &[later]).unwrap();
        assert_eq!(ledger.list().1, 0);
        // Still remembered, for a rebuild.
        assert!(ledger.quarantined("documents", 2).unwrap().lifted);
        drop(ledger);
        let reopened = Ledger::open(dir.path(), 3).unwrap();
        assert!(reopened.quarantined("documents", 2).unwrap().lifted);
    }

    #[test]
    fn a_clean_close_counts_nothing_and_a_broken_file_reads_as_empty() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::open(dir.path(), 3).unwrap();
        ledger.begin(1, "documents", vec![event(4)]).unwrap();
        ledger.close();
        assert!(ledger.begin(1, "documents", vec![event(5)]).is_err());
        let reopened = Ledger::open(dir.path(), 3).unwrap();
        assert_eq!(reopened.attempts("documents", 4), 0);
        drop(reopened);
        std::fs::write(dir.path().join(ATTEMPTS_FILE), b"{not json").unwrap();
        std::fs::write(dir.path().join(QUARANTINE_FILE), [0xff, 0x00]).unwrap();
        let reopened = Ledger::open(dir.path(), 3).unwrap();
        assert_eq!(reopened.list().1, 0);
    }
}
