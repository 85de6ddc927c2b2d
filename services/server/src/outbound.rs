//! The one shape of an outward delivery that follows the procedures
//! service's event stream (the national portal's sync, the applicants'
//! notifications): one task takes the stream in from its committed cursor,
//! another runs a delivery round every `interval`. A failure is logged and
//! tried again after `interval`; nothing is lost (the cursor moves only with
//! what was taken in). Among replicas only the holder of the delivery's
//! [`Lease`] follows and delivers, so nothing goes out twice; another takes
//! over when the holder dies or stops.

use std::time::Duration;

use eiso_platform::lease::Lease;
use eiso_platform::{Journal, ServiceResult};
use eiso_proto::eiso::event::v1::Event;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_stream::wrappers::ReceiverStream;

/// A follower of the stream with delivery rounds.
#[eiso_proto::tonic::async_trait]
pub trait Outbound: Clone + Send + Sync + 'static {
    /// For the logs: `portal sync`, `notifications`.
    const NAME: &'static str;
    /// The last event taken in.
    async fn cursor(&self) -> ServiceResult<i64>;
    /// Takes in what `events` brings until it ends.
    async fn follow(&self, events: ReceiverStream<ServiceResult<Event>>) -> ServiceResult<()>;
    /// Delivers what is due.
    async fn round(&self) -> ServiceResult<()>;
}

/// The time to live of a delivery's lease: renewed every `interval`, it
/// must outlast a few of them.
pub fn lease_ttl(interval: Duration) -> Duration {
    (interval * 3).max(eiso_platform::lease::DEFAULT_TTL)
}

/// Runs `outbound` until `stop`, while this process holds `lease`.
pub fn spawn<O: Outbound>(
    outbound: O,
    journal: Journal,
    interval: Duration,
    lease: Lease,
    stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    // Whether this process holds the lease, as the last round found.
    let (held_tx, held) = watch::channel(false);
    let follower = {
        let outbound = outbound.clone();
        let mut stop = stop.clone();
        let mut held = held.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = stop.wait_for(|stopped| *stopped) => break,
                    _ = held.wait_for(|held| *held) => {}
                }
                let followed = async {
                    let cursor = outbound.cursor().await?;
                    outbound.follow(journal.watch(cursor)).await
                };
                tokio::select! {
                    _ = stop.wait_for(|stopped| *stopped) => break,
                    _ = held.wait_for(|held| !*held) => {
                        tracing::info!("{}: another replica holds the lease; following stopped", O::NAME);
                    }
                    outcome = followed => {
                        if let Err(error) = outcome {
                            tracing::warn!(%error, "{}: the event stream broke off; resuming", O::NAME);
                        }
                    }
                }
                tokio::select! {
                    _ = stop.wait_for(|stopped| *stopped) => break,
                    () = tokio::time::sleep(interval) => {}
                }
            }
        })
    };
    let mut stop = stop;
    tokio::spawn(async move {
        loop {
            let holds = lease.hold().await.unwrap_or_else(|error| {
                tracing::warn!(%error, lease = lease.name(), "{}: cannot renew the lease", O::NAME);
                false
            });
            if holds != *held_tx.borrow() {
                tracing::info!(lease = lease.name(), holds, "{}: lease", O::NAME);
            }
            held_tx.send_replace(holds);
            if holds && let Err(error) = outbound.round().await {
                tracing::warn!(%error, "{}: a round failed", O::NAME);
            }
            tokio::select! {
                _ = stop.wait_for(|stopped| *stopped) => break,
                () = tokio::time::sleep(interval) => {}
            }
        }
        let _ = follower.await;
        if let Err(error) = lease.release().await {
            tracing::warn!(%error, "{}: cannot give the lease back", O::NAME);
        }
    })
}
