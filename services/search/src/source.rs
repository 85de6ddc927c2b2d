//! Where the index gets its content: one [`Source`] per service event stream,
//! and the follower task that applies a stream to a generation.

use std::collections::VecDeque;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use eiso_platform::{ServiceError, ServiceResult};
use eiso_proto::eiso::event::v1::Event;
use futures::FutureExt;
use futures::stream::{BoxStream, StreamExt};
use tokio::sync::watch;

use crate::generation::{Change, Generation};
use crate::item::SearchItem;
use crate::quarantine::{Attempted, Ledger, Verdict};

pub type Answer<'a, T> = Pin<Box<dyn Future<Output = ServiceResult<T>> + Send + 'a>>;

/// Events handled per index change batch, at most.
const BATCH: usize = 256;
/// How the followers retry.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    /// Pause before following a stream again after an error; after the n-th
    /// failed attempt at the same event, `pause × 5^(n-1)`.
    pub pause: Duration,
    /// Failed attempts (errors, panics, crashes) after which an event is quarantined.
    pub max_attempts: u32,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            pause: Duration::from_secs(1),
            max_attempts: crate::quarantine::MAX_ATTEMPTS,
        }
    }
}

/// A service's event stream and the way to turn its events into index changes.
pub trait Source: Send + Sync + 'static {
    /// The stream's name (the service), e.g. `documents`; the cursor key.
    fn stream(&self) -> &'static str;
    /// Events after `after_sequence`, then new ones as they are committed.
    fn watch(&self, after_sequence: i64) -> BoxStream<'static, ServiceResult<Event>>;
    /// The stream's latest sequence (0 if empty).
    fn head(&self) -> Answer<'_, i64>;
    /// The changes that bring every item these events touch up to date with
    /// the service's current state. Must be idempotent: after a crash the
    /// same events are handled again.
    fn changes<'a>(&'a self, events: &'a [Event]) -> Answer<'a, Vec<Change>>;
    /// The item `event` is about, as the index names it (what `changes`
    /// upserts or deletes for it); `None` when it touches no item. An item
    /// whose event is quarantined is indexed under this name only.
    fn subject(&self, event: &Event) -> Option<String> {
        (!event.resource.is_empty()).then(|| event.resource.clone())
    }
}

/// Everything a follower works with.
pub(crate) struct Follower {
    pub generation: Arc<Generation>,
    pub source: Arc<dyn Source>,
    pub ledger: Arc<Ledger>,
    pub retry: Retry,
}

/// What became of one batch.
enum Outcome {
    /// Applied (or quarantined): the cursor moves to this sequence.
    Done(i64),
    /// Not applied: follow again from the cursor after this pause.
    Again(Duration),
    /// The index cannot take changes any more.
    Stop,
}

/// The next batch from `pending`: events in order, up to [`BATCH`], but an
/// event that failed before (or is quarantined) goes alone.
fn take_batch(pending: &mut VecDeque<Event>, ledger: &Ledger, stream: &str) -> Vec<Event> {
    let mut batch = Vec::new();
    while let Some(event) = pending.front() {
        let suspect = ledger.suspect(stream, event.sequence);
        if suspect && !batch.is_empty() {
            break;
        }
        batch.extend(pending.pop_front());
        if suspect || batch.len() >= BATCH {
            break;
        }
    }
    batch
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    let text = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".to_string());
    format!("panicked: {text}")
}

impl Follower {
    /// Applies the source's events to the generation, from the cursor in
    /// its last commit, until `stop` turns true.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let stream_name = self.source.stream();
        let mut cursor = self
            .generation
            .committed()
            .cursors
            .get(stream_name)
            .copied()
            .unwrap_or(0);
        loop {
            if *stop.borrow() {
                return;
            }
            let mut events = self.source.watch(cursor);
            let mut pending = VecDeque::new();
            let pause = loop {
                if pending.is_empty() {
                    let next = tokio::select! {
                        _ = stop.changed() => return,
                        next = events.next() => next,
                    };
                    match next {
                        None => break self.retry.pause,
                        Some(Err(error)) => {
                            tracing::warn!(stream = stream_name, %error, "search: event stream failed; following again");
                            break self.retry.pause;
                        }
                        Some(Ok(event)) => pending.push_back(event),
                    }
                }
                while pending.len() < BATCH {
                    match events.next().now_or_never() {
                        Some(Some(Ok(event))) => pending.push_back(event),
                        _ => break,
                    }
                }
                let batch = take_batch(&mut pending, &self.ledger, stream_name);
                match self.handle(&batch).await {
                    Outcome::Done(last) => cursor = last,
                    Outcome::Again(pause) => break pause,
                    Outcome::Stop => return,
                }
            };
            tokio::select! {
                _ = stop.changed() => return,
                _ = tokio::time::sleep(pause) => {}
            }
        }
    }

    /// Hands `batch` to the source and applies its changes, counting the
    /// attempt in the ledger; quarantines an event that keeps failing.
    async fn handle(&self, batch: &[Event]) -> Outcome {
        let stream = self.source.stream();
        let Some(last) = batch.last().map(|e| e.sequence) else {
            return Outcome::Again(self.retry.pause);
        };
        let attempted: Vec<Attempted> = batch
            .iter()
            .map(|event| Attempted {
                sequence: event.sequence,
                subject: self.source.subject(event),
            })
            .collect();
        let generation = self.generation.id;
        // An event quarantined before (by this index before a crash, or by
        // the one a rebuild replaces): one that killed the process is not
        // run again; one that failed with an error is tried once more.
        let known = match attempted.as_slice() {
            [event] => self
                .ledger
                .quarantined(stream, event.sequence)
                .map(|q| (event.clone(), q)),
            _ => None,
        };
        if let Some((event, quarantined)) = &known
            && quarantined.crashed()
        {
            return self.name_only(event, last).await;
        }
        let ledger = self.ledger.clone();
        let in_flight = attempted.clone();
        let begun = tokio::task::spawn_blocking(move || ledger.begin(generation, stream, in_flight)).await;
        let attempt = match begun {
            Ok(Ok(attempt)) => attempt,
            Ok(Err(error)) => {
                tracing::error!(stream, %error, "search: cannot record the attempt; retrying");
                return Outcome::Again(self.retry.pause);
            }
            Err(error) => {
                tracing::error!(stream, %error, "search: cannot record the attempt; retrying");
                return Outcome::Again(self.retry.pause);
            }
        };
        if attempt > 1 {
            tracing::info!(
                stream,
                sequence = last,
                attempt,
                "search: trying a failed event again, alone"
            );
        }
        let result = AssertUnwindSafe(self.source.changes(batch)).catch_unwind().await;
        let error = match result {
            Ok(Ok(changes)) => {
                if let Err(error) = self.generation.apply(stream, last, batch.len() as u64, changes).await {
                    tracing::error!(stream, %error, "search: index writer failed; following stops");
                    return Outcome::Stop;
                }
                let ledger = self.ledger.clone();
                let done = tokio::task::spawn_blocking(move || ledger.succeeded(generation, stream, &attempted)).await;
                if let Ok(Err(error)) = done {
                    tracing::warn!(stream, %error, "search: cannot record a lifted quarantine");
                }
                return Outcome::Done(last);
            }
            Ok(Err(ServiceError::Unavailable(error))) => {
                // Storage is down: not this event's fault, and not counted.
                tracing::warn!(stream, %error, "search: cannot load changed items; retrying");
                self.ledger.abandoned(generation, stream);
                return Outcome::Again(self.retry.pause);
            }
            Ok(Err(error)) => error.to_string(),
            Err(panic) => panic_message(panic.as_ref()),
        };
        if let Some((event, _)) = known {
            // Tried once more and failed again: it stays quarantined.
            self.ledger.abandoned(generation, stream);
            tracing::warn!(stream, sequence = last, %error, "search: a quarantined event failed again");
            return self.name_only(&event, last).await;
        }
        let ledger = self.ledger.clone();
        let failed = attempted.clone();
        let reason = error.clone();
        let verdict = tokio::task::spawn_blocking(move || ledger.failed(generation, stream, &failed, &reason)).await;
        match verdict {
            Ok(Ok(Verdict::Quarantined(quarantined))) => {
                tracing::error!(
                    stream,
                    sequence = quarantined.sequence,
                    resource = %quarantined.resource,
                    attempts = quarantined.attempts,
                    %error,
                    "search: event quarantined: its item is indexed by name only"
                );
                match attempted.first() {
                    Some(event) => self.name_only(event, last).await,
                    None => Outcome::Again(self.retry.pause),
                }
            }
            Ok(Ok(Verdict::Retry(attempts))) => {
                tracing::warn!(stream, sequence = last, events = batch.len(), attempts, %error, "search: cannot load changed items; retrying");
                let factor = 5u32.saturating_pow(attempts.saturating_sub(1).min(4));
                Outcome::Again(self.retry.pause.saturating_mul(factor))
            }
            Ok(Err(error)) => {
                tracing::error!(stream, %error, "search: cannot record a failed attempt; retrying");
                Outcome::Again(self.retry.pause)
            }
            Err(error) => {
                tracing::error!(stream, %error, "search: cannot record a failed attempt; retrying");
                Outcome::Again(self.retry.pause)
            }
        }
    }

    /// Indexes the item of a quarantined event by its name only and moves past it.
    async fn name_only(&self, event: &Attempted, last: i64) -> Outcome {
        let changes = match &event.subject {
            Some(name) => vec![Change::Upsert(Box::new(SearchItem::name_only(name)))],
            None => Vec::new(),
        };
        match self.generation.apply(self.source.stream(), last, 1, changes).await {
            Ok(()) => Outcome::Done(last),
            Err(error) => {
                tracing::error!(stream = self.source.stream(), %error, "search: index writer failed; following stops");
                Outcome::Stop
            }
        }
    }
}
