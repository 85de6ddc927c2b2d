//! The file store this process keeps uploads in — `data_dir/blobs` on the
//! local disk, or the bucket of `[blob_store]` that replicas share — and its
//! sweep of content no file refers to.

use std::time::Duration;

use eiso_blobs::{BlobStore, S3Location};
use eiso_documents::Documents;
use eiso_platform::config::{BlobStoreKind, Config};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Opens the configured store; a bucket that does not answer (wrong name,
/// address or key) stops the start, named, rather than the first upload.
pub async fn open(config: &Config) -> anyhow::Result<BlobStore> {
    let settings = &config.blob_store;
    match settings.kind {
        BlobStoreKind::Local => {
            let dir = config.data_dir.join("blobs");
            BlobStore::local(&dir).map_err(|e| anyhow::anyhow!("cannot open the file store {}: {e}", dir.display()))
        }
        BlobStoreKind::S3 => {
            let mode = settings.copy_if_not_exists.trim();
            let location = S3Location {
                bucket: settings.bucket.clone(),
                endpoint: settings.endpoint.clone(),
                region: settings.region.clone(),
                path_style: settings.path_style,
                allow_http: settings.allow_http,
                access_key_id: settings.access_key_id.clone(),
                secret_access_key: settings.secret_access_key.clone(),
                session_token: settings.session_token.clone(),
                copy_if_not_exists: (mode != "none").then(|| mode.to_string()),
            };
            let where_ = format!(
                "bucket {} at {}",
                settings.bucket,
                settings.endpoint.as_deref().unwrap_or("AWS S3")
            );
            let store =
                BlobStore::s3(&location).map_err(|e| anyhow::anyhow!("cannot open the file store ({where_}): {e}"))?;
            store
                .check()
                .await
                .map_err(|e| anyhow::anyhow!("the file store ({where_}) does not answer: {e}"))?;
            tracing::info!(bucket = %settings.bucket, endpoint = settings.endpoint.as_deref().unwrap_or("AWS S3"), "files are kept in S3-compatible storage");
            Ok(store)
        }
    }
}

/// How old unreferenced content must be before it is deleted: older than any
/// upload between storing its content and recording its file.
const UNREFERENCED_AFTER: Duration = Duration::from_secs(24 * 3600);
/// How often a serving process sweeps.
const SWEEP_EVERY: Duration = Duration::from_secs(24 * 3600);

/// Deletes stored content no live file refers to (logged, never failing).
pub async fn sweep_unreferenced(documents: &Documents) {
    match documents.sweep_unreferenced_content(UNREFERENCED_AFTER).await {
        Ok(0) => {}
        Ok(swept) => tracing::info!(swept, "removed stored content no file refers to"),
        Err(error) => tracing::warn!(%error, "cannot sweep unreferenced content"),
    }
}

/// Sweeps daily until `stopped` turns true.
pub fn spawn_sweeps(documents: Documents, mut stopped: watch::Receiver<bool>) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::select! {
                () = tokio::time::sleep(SWEEP_EVERY) => {}
                _ = stopped.wait_for(|stop| *stop) => return,
            }
            sweep_unreferenced(&documents).await;
        }
    })
}
