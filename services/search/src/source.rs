//! Where the index gets its content: one [`Source`] per service event stream,
//! and the follower task that applies a stream to a generation.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use eiso_platform::ServiceResult;
use eiso_proto::eiso::event::v1::Event;
use futures::FutureExt;
use futures::stream::{BoxStream, StreamExt};
use tokio::sync::watch;

use crate::generation::{Change, Generation};

pub type Answer<'a, T> = Pin<Box<dyn Future<Output = ServiceResult<T>> + Send + 'a>>;

/// Events handled per index change batch, at most.
const BATCH: usize = 256;
/// Pause before following a stream again after an error.
const RETRY: Duration = Duration::from_secs(1);

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
}

/// Applies `source`'s events to `generation`, from the cursor in its last
/// commit, until `stop` turns true.
pub async fn follow(generation: Arc<Generation>, source: Arc<dyn Source>, mut stop: watch::Receiver<bool>) {
    let stream_name = source.stream();
    let mut cursor = generation.committed().cursors.get(stream_name).copied().unwrap_or(0);
    loop {
        if *stop.borrow() {
            return;
        }
        let mut events = source.watch(cursor);
        loop {
            let first = tokio::select! {
                _ = stop.changed() => return,
                next = events.next() => next,
            };
            let first = match first {
                None => break,
                Some(Err(error)) => {
                    tracing::warn!(stream = stream_name, %error, "search: event stream failed; following again");
                    break;
                }
                Some(Ok(event)) => event,
            };
            let mut batch = vec![first];
            while batch.len() < BATCH {
                match events.next().now_or_never() {
                    Some(Some(Ok(event))) => batch.push(event),
                    _ => break,
                }
            }
            let last = batch.last().map_or(cursor, |e| e.sequence);
            let changes = match source.changes(&batch).await {
                Ok(changes) => changes,
                Err(error) => {
                    tracing::warn!(stream = stream_name, %error, "search: cannot load changed items; retrying");
                    break;
                }
            };
            if let Err(error) = generation.apply(stream_name, last, batch.len() as u64, changes).await {
                tracing::error!(stream = stream_name, %error, "search: index writer failed; following stops");
                return;
            }
            cursor = last;
        }
        tokio::select! {
            _ = stop.changed() => return,
            _ = tokio::time::sleep(RETRY) => {}
        }
    }
}
