//! The one shape of an outward delivery that follows the procedures
//! service's event stream (the national portal's sync, the applicants'
//! notifications): one task takes the stream in from its committed cursor,
//! another runs a delivery round every `interval`. A failure is logged and
//! tried again after `interval`; nothing is lost (the cursor moves only with
//! what was taken in).

use std::time::Duration;

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

/// Runs `outbound` until `stop`.
pub fn spawn<O: Outbound>(
    outbound: O,
    journal: Journal,
    interval: Duration,
    stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    let follower = {
        let outbound = outbound.clone();
        let mut stop = stop.clone();
        tokio::spawn(async move {
            loop {
                let followed = async {
                    let cursor = outbound.cursor().await?;
                    outbound.follow(journal.watch(cursor)).await
                };
                tokio::select! {
                    _ = stop.wait_for(|stopped| *stopped) => break,
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
            if let Err(error) = outbound.round().await {
                tracing::warn!(%error, "{}: a round failed", O::NAME);
            }
            tokio::select! {
                _ = stop.wait_for(|stopped| *stopped) => break,
                () = tokio::time::sleep(interval) => {}
            }
        }
        let _ = follower.await;
    })
}
