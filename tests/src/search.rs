//! The search index, as the tests wait for it: the indexer follows the
//! services' event streams asynchronously.

use std::time::Duration;

use eiso_proto::eiso::search::v1::{GetIndexStatusRequest, IndexStatus, rebuild_progress};
use tokio::time::Instant;

use crate::SearchClient;

/// Whether the index has caught up: no rebuild running, and every stream
/// indexed to its head.
pub fn caught_up(status: &IndexStatus) -> bool {
    let rebuilding = status
        .rebuild
        .as_ref()
        .is_some_and(|r| r.state == rebuild_progress::State::Running as i32);
    !rebuilding && status.streams.iter().all(|s| s.lag == 0)
}

/// Waits up to `within` for the index to catch up: its status then, or the
/// last status read when it did not.
pub async fn wait_caught_up(client: &mut SearchClient, within: Duration) -> Result<IndexStatus, IndexStatus> {
    let deadline = Instant::now() + within;
    loop {
        let status = client
            .get_index_status(GetIndexStatusRequest {})
            .await
            .expect("GetIndexStatus")
            .into_inner();
        if caught_up(&status) {
            return Ok(status);
        }
        if Instant::now() > deadline {
            return Err(status);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
