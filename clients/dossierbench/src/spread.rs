//! Calls spread over connections: one task per channel, each taking the next
//! item when its previous call returns (receipts and transitions alike).

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use eiso_proto::tonic::transport;

use crate::session::{self, Dossiers, Session};

/// Makes `call(client, item)` for every item of `items`, over `channels` as
/// `counter`; the wall time of the whole and what each call returned (in no
/// particular order). The first failed call fails the run.
pub async fn over_channels<T, R, F, Fut>(
    channels: &[transport::Channel],
    counter: &Session,
    items: Vec<T>,
    call: F,
) -> anyhow::Result<(Duration, Vec<R>)>
where
    T: Clone + Send + Sync + 'static,
    R: Send + 'static,
    F: Fn(Dossiers, T) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = anyhow::Result<R>> + Send,
{
    let items = Arc::new(items);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let tasks = channels.iter().map(|channel| {
        let client = session::dossiers(counter, channel.clone());
        let items = Arc::clone(&items);
        let next = Arc::clone(&next);
        let call = call.clone();
        tokio::spawn(async move {
            let mut results = Vec::new();
            while let Some(item) = items.get(next.fetch_add(1, Ordering::Relaxed)) {
                results.push(call(client.clone(), item.clone()).await?);
            }
            anyhow::Ok(results)
        })
    });
    let finished = futures::future::try_join_all(tasks)
        .await
        .context("a client task panicked")?;
    let elapsed = started.elapsed();
    let mut results = Vec::new();
    for result in finished {
        results.extend(result?);
    }
    Ok((elapsed, results))
}
