//! Revision throughput: new documents with a draft, and full publish cycles,
//! each spread over the clients (one connection each), which take the next
//! item from a shared counter until all are done.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, ensure};
use eiso_benchkit::rate::Rate;
use eiso_proto::eiso::documents::v1::{Revision, revision};
use eiso_proto::tonic::transport::Channel;

use crate::calls;
use crate::content::SplitMix64;
use crate::session;
use crate::session::Session;

/// What the revision workloads need.
#[derive(Clone)]
pub struct Bench {
    /// One per client.
    pub channels: Vec<Channel>,
    pub controller: Session,
    /// Signed in only when the revision workloads run.
    pub reviewer: Option<Session>,
    /// The unit owning the documents, `units/{id}`.
    pub unit: String,
    /// A short random id that makes this run's document codes unique.
    pub run: String,
}

/// `count` documents, each with its first revision (CreateDocument + CreateRevision).
pub async fn drafts(bench: &Bench, count: u32) -> anyhow::Result<Rate> {
    run_clients(bench, count, |bench, client_index, next, count| async move {
        let mut client = session::documents(&bench.controller, bench.channels[client_index].clone());
        let mut latencies = Vec::new();
        while let Some(item) = take(&next, count) {
            let began = Instant::now();
            let code = format!("BENCH-{}-D{item}", bench.run);
            let document = calls::create_document(&mut client, &bench.unit, &code).await?;
            let draft = calls::create_revision(&mut client, &document.name).await?;
            in_state(&draft, revision::State::Draft, "a draft")?;
            latencies.push(began.elapsed());
        }
        Ok(latencies)
    })
    .await
}

/// `count` publish cycles: CreateRevision, a 1 KiB upload, SubmitRevision,
/// ApproveRevision (the reviewer), PublishRevision. Each client cycles its own
/// document, created before the clock starts.
pub async fn publish_cycles(bench: &Bench, count: u32) -> anyhow::Result<Rate> {
    let reviewer = bench
        .reviewer
        .clone()
        .context("publish cycles need the reviewer signed in")?;
    let mut documents = Vec::new();
    for (index, channel) in bench.channels.iter().enumerate() {
        let mut client = session::documents(&bench.controller, channel.clone());
        let code = format!("BENCH-{}-C{index}", bench.run);
        documents.push(calls::create_document(&mut client, &bench.unit, &code).await?.name);
    }
    let documents = Arc::new(documents);
    run_clients(bench, count, move |bench, client_index, next, count| {
        let documents = documents.clone();
        let reviewer = reviewer.clone();
        async move {
            let channel = bench.channels[client_index].clone();
            let mut controller = session::documents(&bench.controller, channel.clone());
            let reviewer_name = reviewer.principal.clone();
            let mut reviewer = session::documents(&reviewer, channel);
            let document = &documents[client_index];
            let mut latencies = Vec::new();
            while let Some(item) = take(&next, count) {
                let began = Instant::now();
                let draft = calls::create_revision(&mut controller, document).await?;
                calls::upload_small(&mut controller, &draft.name, "ban-hanh.pdf", small_file(item)).await?;
                calls::submit(&mut controller, &draft.name, &reviewer_name).await?;
                let approved = calls::approve(&mut reviewer, &draft.name).await?;
                in_state(
                    &approved,
                    revision::State::Approved,
                    "approved after its only reviewer approved",
                )?;
                let published = calls::publish(&mut controller, &draft.name).await?;
                in_state(&published, revision::State::Effective, "effective after publication")?;
                latencies.push(began.elapsed());
            }
            Ok(latencies)
        }
    })
    .await
}

/// 1 KiB, different for every cycle (identical content would be stored once).
fn small_file(item: u64) -> Vec<u8> {
    let mut rng = SplitMix64(item ^ 0x00d0_cbe0_c4a1_0001);
    (0..128).flat_map(|_| rng.next_u64().to_le_bytes()).collect()
}

/// The next item from the shared counter, or `None` once all `count` are taken.
fn take(next: &AtomicU64, count: u64) -> Option<u64> {
    let item = next.fetch_add(1, Ordering::Relaxed);
    (item < count).then_some(item)
}

/// Fails unless `revision` is in `state`; `what` names that state in the message.
fn in_state(revision: &Revision, state: revision::State, what: &str) -> anyhow::Result<()> {
    ensure!(revision.state == state as i32, "{} is not {what}", revision.name);
    Ok(())
}

/// Runs one `client` task per channel over a shared counter of `count` items;
/// the clock covers all of them.
async fn run_clients<F, Fut>(bench: &Bench, count: u32, client: F) -> anyhow::Result<Rate>
where
    F: Fn(Bench, usize, Arc<AtomicU64>, u64) -> Fut,
    Fut: Future<Output = anyhow::Result<Vec<Duration>>> + Send + 'static,
{
    let next = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let tasks: Vec<_> = (0..bench.channels.len())
        .map(|index| tokio::spawn(client(bench.clone(), index, next.clone(), u64::from(count))))
        .collect();
    let mut latencies = Vec::with_capacity(count as usize);
    for task in futures::future::join_all(tasks).await {
        latencies.extend(task.context("a client task panicked")??);
    }
    Ok(Rate {
        count: latencies.len() as u64,
        elapsed: start.elapsed(),
        latencies,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_files_are_1_kib_and_differ() {
        assert_eq!(small_file(1).len(), 1024);
        assert_ne!(small_file(1), small_file(2));
    }
}
