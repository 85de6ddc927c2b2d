//! Content-addressed file store for eiso.
//!
//! Files are stored once, under the lowercase hex SHA-256 of their content, in an
//! [`object_store::ObjectStore`]: a local directory by default ([`BlobStore::local`]),
//! S3-compatible storage when scaled out ([`BlobStore::new`]). Uploads and downloads
//! stream in chunks; nothing here ever holds a whole file in memory.
//!
//! # Layout
//!
//! ```text
//! <root>/sha256/<first 2 hex>/<64 hex digest>   complete, verified content
//! <root>/staging/<uuid>                          an upload in progress or abandoned
//! <root>/staging/<uuid>#<n>                      (local backend) object_store's own temporary file
//! ```
//!
//! # Guarantees
//!
//! - **Nothing partial is ever visible under `sha256/`.** An upload is written to
//!   `staging/<uuid>` while it is hashed; only when the client stream has ended cleanly
//!   within the size limit is it linked (copy-if-not-exists: a hard link on the local
//!   backend) to its content address. An upload that is too large, whose client stream
//!   fails, or whose future is dropped, is aborted and its staging object removed.
//! - **Content is stored once.** If the address already holds the content, the new
//!   staging copy is deleted and the existing object kept. (If the existing object has the
//!   wrong *size* it is known to be damaged and is replaced by the freshly hashed copy.)
//! - **Reads are verified.** [`BlobStore::get`] hashes as it streams and withholds the
//!   final chunk until the digest and size of the whole content have been checked; on a
//!   mismatch the stream ends with [`BlobError::Corrupt`] instead, so a reader never
//!   receives a complete wrong file.
//! - **Durability (local backend).** object_store's `LocalFileSystem` never fsyncs. This
//!   crate does it itself: the staged file is `fsync`ed before it is linked to its address,
//!   and the address's directory (and its parents up to the root) after, so once `put`
//!   returns the content survives a process kill *and* a power loss (given a filesystem and
//!   disk that honour `fsync`). With other backends durability is the store's own (S3 acks
//!   a write once it is durable).
//!
//! # Crash (kill -9) at each point of `put`
//!
//! | killed while … | left behind | visible? |
//! |---|---|---|
//! | streaming the upload | local: `staging/<uuid>#1` (partial); S3: an incomplete multipart upload | no |
//! | after the upload completed, before the link | `staging/<uuid>` (complete) | no |
//! | after the link, before `put` returned | the blob (complete, fsynced) and perhaps `staging/<uuid>` | yes, complete |
//!
//! [`BlobStore::sweep_staging`] removes the abandoned staging files (on the local backend
//! including object_store's hidden `#<n>` temporaries, which its `list` does not show).
//! On S3, incomplete multipart uploads are not objects at all: configure the bucket's
//! `AbortIncompleteMultipartUpload` lifecycle rule.

use std::error::Error as StdError;
use std::io::Read;
use std::path::{Path as FsPath, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use bytes::{Bytes, BytesMut};
use futures::stream::BoxStream;
use futures::{Stream, StreamExt, TryStreamExt};
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{GetResultPayload, ObjectStore, WriteMultipart};
use sha2::{Digest, Sha256};

mod s3;
#[cfg(feature = "test-server")]
pub mod test_server;

pub use s3::S3Location;

/// Part size of multipart uploads on the local backend (no minimum there).
const LOCAL_PART_SIZE: usize = 1024 * 1024;

/// Chunks at least this large are hashed on the blocking pool, not on an
/// async worker (SHA-256 of 256 KiB takes about half a millisecond).
const OFF_RUNTIME_HASH_BYTES: usize = 256 * 1024;
/// Part size of multipart uploads on other backends: S3 requires at least 5 MiB for
/// every part but the last.
const REMOTE_PART_SIZE: usize = 5 * 1024 * 1024;
/// Parts of one upload in flight at once; an upload holds at most
/// `part_size * (UPLOAD_CONCURRENCY + 1)` bytes plus the chunk being received.
const UPLOAD_CONCURRENCY: usize = 2;
/// Read block used by [`BlobStore::verify`].
const VERIFY_CHUNK: usize = 1024 * 1024;

const STAGING: &str = "staging";
const CONTENT: &str = "sha256";

/// Errors of the blob store.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    /// No blob with this digest.
    #[error("blob {digest} not found")]
    NotFound { digest: String },
    /// The upload exceeded the size limit; nothing was stored.
    #[error("file larger than the limit of {max} bytes")]
    TooLarge { max: u64 },
    /// The stored content does not match its digest (or its recorded size).
    #[error("blob {digest} is corrupt: stored content does not match its digest")]
    Corrupt { digest: String },
    /// Not 64 lowercase hex characters.
    #[error("invalid digest: expected 64 lowercase hexadecimal characters")]
    InvalidDigest,
    /// The client's stream failed before it ended; nothing was stored.
    #[error("upload interrupted: {0}")]
    Interrupted(#[source] Box<dyn StdError + Send + Sync>),
    /// The underlying object store (or filesystem) failed. The text is kept for logs.
    #[error("blob store error: {0}")]
    Store(String),
}

impl From<object_store::Error> for BlobError {
    fn from(e: object_store::Error) -> Self {
        BlobError::Store(e.to_string())
    }
}

impl From<std::io::Error> for BlobError {
    fn from(e: std::io::Error) -> Self {
        BlobError::Store(e.to_string())
    }
}

fn join_error(e: tokio::task::JoinError) -> BlobError {
    BlobError::Store(format!("blocking task failed: {e}"))
}

/// A stored blob: its content address and size.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BlobRef {
    /// Lowercase hex SHA-256 of the content.
    pub digest: String,
    /// Size in bytes.
    pub size: u64,
}

/// `true` if `s` is a SHA-256 digest as this store writes it: exactly 64 lowercase hex
/// characters. Every method refuses anything else, so a digest can never name a path
/// outside `sha256/`.
pub fn valid_digest(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn check_digest(s: &str) -> Result<(), BlobError> {
    if valid_digest(s) {
        Ok(())
    } else {
        Err(BlobError::InvalidDigest)
    }
}

/// Object path of a (valid) digest: `sha256/<first 2 hex>/<digest>`.
fn content_path(digest: &str) -> Path {
    Path::from_iter([CONTENT, &digest[..2], digest])
}

/// A content-addressed blob store. Cheap to clone (shares the underlying store).
#[derive(Clone)]
pub struct BlobStore {
    store: Arc<dyn ObjectStore>,
    /// Set for the local backend: used to fsync, and to sweep object_store's hidden
    /// temporary files.
    local: Option<Arc<LocalFileSystem>>,
    part_size: usize,
}

impl std::fmt::Debug for BlobStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlobStore")
            .field("store", &self.store.to_string())
            .finish()
    }
}

impl BlobStore {
    /// A store in the local directory `dir` (created if missing).
    pub fn local(dir: &FsPath) -> Result<Self, BlobError> {
        std::fs::create_dir_all(dir)?;
        let fs = Arc::new(LocalFileSystem::new_with_prefix(dir)?);
        Ok(Self {
            store: fs.clone(),
            local: Some(fs),
            part_size: LOCAL_PART_SIZE,
        })
    }

    /// A store over any object store (S3-compatible storage, or `InMemory`).
    pub fn new(store: Arc<dyn ObjectStore>) -> Self {
        Self {
            store,
            local: None,
            part_size: REMOTE_PART_SIZE,
        }
    }

    /// Streams `chunks` into the store and returns the content's address.
    ///
    /// The content is hashed as it arrives and written to a staging object; it becomes
    /// visible under its digest only once the stream has ended cleanly. More than
    /// `max_size` bytes → [`BlobError::TooLarge`]; a stream error → [`BlobError::Interrupted`]
    /// (a [`BlobError`] yielded by the stream is returned as is). In both cases the staging
    /// object is removed and nothing is stored. Memory held is bounded by a few multipart
    /// parts (1 MiB each on the local backend, 5 MiB elsewhere), whatever the file size.
    ///
    /// A stream that simply ends early is indistinguishable from a short file: compare
    /// the returned [`BlobRef`] with what the client declared if it declared anything.
    pub async fn put<S, E>(&self, chunks: S, max_size: u64) -> Result<BlobRef, BlobError>
    where
        S: Stream<Item = Result<Bytes, E>> + Send,
        E: Into<Box<dyn StdError + Send + Sync>>,
    {
        self.put_claimed(chunks, max_size, async |_: &str| Ok(())).await
    }

    /// [`BlobStore::put`], with `claim` called with the digest once the content
    /// is known and before it is made visible at its address (or found there
    /// already): where replicas share the store, the caller records there that
    /// the content is about to be referenced, so that a concurrent sweep of
    /// unreferenced content leaves it alone. A failed claim fails the upload
    /// and stores nothing.
    pub async fn put_claimed<S, E, C>(&self, chunks: S, max_size: u64, claim: C) -> Result<BlobRef, BlobError>
    where
        S: Stream<Item = Result<Bytes, E>> + Send,
        E: Into<Box<dyn StdError + Send + Sync>>,
        C: AsyncFnOnce(&str) -> Result<(), BlobError>,
    {
        let staging = Path::from_iter([STAGING, &uuid::Uuid::new_v4().to_string()]);
        let upload = self.store.put_multipart(&staging).await?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, self.part_size);
        let mut hasher = Sha256::new();
        let mut size: u64 = 0;

        let mut chunks = std::pin::pin!(chunks);
        let failure = loop {
            match chunks.next().await {
                None => break None,
                Some(Err(e)) => {
                    let e: Box<dyn StdError + Send + Sync> = e.into();
                    break Some(match e.downcast::<BlobError>() {
                        Ok(b) => *b,
                        Err(e) => BlobError::Interrupted(e),
                    });
                }
                Some(Ok(chunk)) => {
                    let len = chunk.len() as u64;
                    if size.saturating_add(len) > max_size {
                        break Some(BlobError::TooLarge { max: max_size });
                    }
                    // Back-pressure: wait for a part slot before buffering more.
                    if let Err(e) = writer.wait_for_capacity(UPLOAD_CONCURRENCY).await {
                        break Some(e.into());
                    }
                    size += len;
                    // Hashing a large chunk takes milliseconds: do it off the
                    // async workers so other calls are not held up.
                    if chunk.len() >= OFF_RUNTIME_HASH_BYTES {
                        let mut moved = std::mem::take(&mut hasher);
                        let piece = chunk.clone();
                        match tokio::task::spawn_blocking(move || {
                            moved.update(&piece);
                            moved
                        })
                        .await
                        {
                            Ok(updated) => hasher = updated,
                            Err(e) => break Some(join_error(e)),
                        }
                    } else {
                        hasher.update(&chunk);
                    }
                    writer.put(chunk);
                }
            }
        };
        if let Some(err) = failure {
            if let Err(e) = writer.abort().await {
                tracing::warn!(%staging, error = %e, "could not abort a failed upload; sweep_staging will remove it");
            }
            return Err(err);
        }

        // From here on the staging object is complete; make sure it does not outlive us
        // even if this future is dropped (a kill leaves it to sweep_staging).
        writer.finish().await?;
        let mut guard = StagingGuard {
            store: Some(self.store.clone()),
            path: staging.clone(),
        };

        let digest = hex::encode(hasher.finalize());
        let target = content_path(&digest);

        if let Some(fs) = &self.local {
            let file = fs.path_to_filesystem(&staging)?;
            tokio::task::spawn_blocking(move || std::fs::File::open(file)?.sync_all())
                .await
                .map_err(join_error)??;
        }

        claim(&digest).await?;
        let deduplicated = self.link(&staging, &target, size).await?;

        if let Some(fs) = &self.local {
            let file = fs.path_to_filesystem(&target)?;
            tokio::task::spawn_blocking(move || sync_parent_dirs(&file, 3))
                .await
                .map_err(join_error)??;
        }

        guard.disarm();
        match self.store.delete(&staging).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => tracing::warn!(%staging, error = %e, "could not delete a staging object; sweep_staging will"),
        }
        tracing::debug!(%digest, size, deduplicated, "blob stored");
        Ok(BlobRef { digest, size })
    }

    /// Makes the complete staging object visible at `target`. Returns `true` if the
    /// content was already there.
    async fn link(&self, staging: &Path, target: &Path, size: u64) -> Result<bool, BlobError> {
        match self.store.copy_if_not_exists(staging, target).await {
            Ok(()) => Ok(false),
            Err(object_store::Error::AlreadyExists { .. }) => self.keep_or_repair(staging, target, size).await,
            // S3 without a conditional-copy configuration: not atomic, but the content is
            // addressed by its hash, so a racing writer writes the same bytes.
            Err(object_store::Error::NotSupported { .. } | object_store::Error::NotImplemented) => {
                match self.store.head(target).await {
                    Ok(_) => self.keep_or_repair(staging, target, size).await,
                    Err(object_store::Error::NotFound { .. }) => {
                        self.store.copy(staging, target).await?;
                        Ok(false)
                    }
                    Err(e) => Err(e.into()),
                }
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn keep_or_repair(&self, staging: &Path, target: &Path, size: u64) -> Result<bool, BlobError> {
        let existing = self.store.head(target).await?;
        if existing.size == size {
            return Ok(true);
        }
        tracing::warn!(%target, stored = existing.size, expected = size, "stored blob has the wrong size; replacing it");
        // Atomic replace on the local backend (link to a temporary, then rename).
        self.store.copy(staging, target).await?;
        Ok(false)
    }

    /// Streams the blob `digest` in chunks of at most `chunk_size` bytes (at least 1),
    /// verifying it on the way: the last chunk is only yielded once the digest and size
    /// of the whole content have been checked; on a mismatch the stream yields
    /// [`BlobError::Corrupt`] instead and ends. At most about two chunks are held.
    pub async fn get(&self, digest: &str, chunk_size: usize) -> Result<BlobReader, BlobError> {
        check_digest(digest)?;
        let chunk_size = chunk_size.max(1);
        let result = match self.store.get(&content_path(digest)).await {
            Ok(r) => r,
            Err(object_store::Error::NotFound { .. }) => return Err(BlobError::NotFound { digest: digest.into() }),
            Err(e) => return Err(e.into()),
        };
        let size = result.meta.size;
        let inner: BoxStream<'static, Result<Bytes, BlobError>> = match result.payload {
            // object_store reads local files in 8 KiB pieces, one blocking task each;
            // read in chunk-sized blocks instead.
            GetResultPayload::File(file, _) => file_stream(file, chunk_size),
            GetResultPayload::Stream(s) => s.map_err(BlobError::from).boxed(),
        };
        Ok(BlobReader {
            inner,
            digest: digest.to_owned(),
            expected_size: size,
            chunk_size,
            hasher: Sha256::new(),
            seen: 0,
            pending: BytesMut::new(),
            done: false,
        })
    }

    /// Reads the whole blob and recomputes its digest: [`BlobError::Corrupt`] if it does
    /// not match.
    pub async fn verify(&self, digest: &str) -> Result<BlobRef, BlobError> {
        let mut reader = self.get(digest, VERIFY_CHUNK).await?;
        let mut size = 0u64;
        while let Some(chunk) = reader.next().await {
            size += chunk?.len() as u64;
        }
        Ok(BlobRef {
            digest: digest.to_owned(),
            size,
        })
    }

    /// Whether the store answers (the bucket exists and the credentials are
    /// accepted): asked at start, so a wrong bucket or key stops the server
    /// instead of failing the first upload.
    pub async fn check(&self) -> Result<(), BlobError> {
        // A listing, not a HEAD: a HEAD's refusal has no body, and some stores
        // answer it 404 whatever the signature.
        self.store.list_with_delimiter(Some(&Path::from(STAGING))).await?;
        Ok(())
    }

    /// The size of the blob `digest`, or `None` if it is not stored.
    pub async fn exists(&self, digest: &str) -> Result<Option<u64>, BlobError> {
        check_digest(digest)?;
        match self.store.head(&content_path(digest)).await {
            Ok(meta) => Ok(Some(meta.size)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Removes staging objects last modified more than `older_than` ago (uploads
    /// abandoned by a crash); returns how many were removed. Choose `older_than` well
    /// above the longest time an upload in progress may stay idle: a live upload whose
    /// staging file is swept fails when it completes.
    pub async fn sweep_staging(&self, older_than: Duration) -> Result<usize, BlobError> {
        let cutoff = SystemTime::now()
            .checked_sub(older_than)
            .unwrap_or(SystemTime::UNIX_EPOCH);
        if let Some(fs) = &self.local {
            // object_store's listing hides its `#<n>` temporaries, which is exactly what
            // an upload killed mid-stream leaves: walk the directory itself.
            let dir = fs.path_to_filesystem(&Path::from(STAGING))?;
            return tokio::task::spawn_blocking(move || sweep_dir(&dir, cutoff))
                .await
                .map_err(join_error)?;
        }
        let cutoff_ms = cutoff
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        let mut listing = self.store.list(Some(&Path::from(STAGING)));
        let mut removed = 0;
        while let Some(meta) = listing.next().await {
            let meta = meta?;
            if meta.last_modified.timestamp_millis() < cutoff_ms {
                match self.store.delete(&meta.location).await {
                    Ok(()) => removed += 1,
                    Err(object_store::Error::NotFound { .. }) => {}
                    Err(e) => return Err(e.into()),
                }
            }
        }
        Ok(removed)
    }
}

impl BlobStore {
    /// Deletes stored content whose digest is not in `keep` and that was written
    /// more than `older_than` ago: content left behind by a crash between storing a
    /// file and recording it, and content whose last reference was destroyed.
    /// Returns how many were deleted.
    ///
    /// Only safe while nothing else writes to the store: an upload that finds its
    /// content already stored (deduplication) reuses it without refreshing its
    /// time, so a concurrent sweep could delete it. Where uploads run meanwhile,
    /// list with [`BlobStore::unreferenced`], claim each digest against the
    /// uploads' claims ([`BlobStore::put_claimed`]), and [`BlobStore::delete`].
    pub async fn sweep_unreferenced(
        &self,
        keep: &std::collections::HashSet<String>,
        older_than: Duration,
    ) -> Result<usize, BlobError> {
        let mut removed = 0;
        for digest in self.unreferenced(keep, older_than).await? {
            if self.delete(&digest).await? {
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// The digests of stored content not in `keep` and written more than
    /// `older_than` ago: what [`BlobStore::sweep_unreferenced`] would delete.
    pub async fn unreferenced(
        &self,
        keep: &std::collections::HashSet<String>,
        older_than: Duration,
    ) -> Result<Vec<String>, BlobError> {
        let cutoff_ms = SystemTime::now()
            .checked_sub(older_than)
            .unwrap_or(SystemTime::UNIX_EPOCH)
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        let mut doomed = Vec::new();
        let mut listing = self.store.list(Some(&Path::from(CONTENT)));
        while let Some(meta) = listing.next().await {
            let meta = meta?;
            let Some(digest) = meta.location.filename() else {
                continue;
            };
            if valid_digest(digest) && !keep.contains(digest) && meta.last_modified.timestamp_millis() < cutoff_ms {
                doomed.push(digest.to_string());
            }
        }
        Ok(doomed)
    }

    /// Every piece of content the store holds, as its address and size, in no
    /// particular order; the staging area (uploads in progress) is left out.
    /// Streams the listing: nothing is collected in memory.
    pub fn list(&self) -> BoxStream<'static, Result<BlobRef, BlobError>> {
        self.store
            .list(Some(&Path::from(CONTENT)))
            .map_err(BlobError::from)
            .try_filter_map(|meta| async move {
                // Only `sha256/<first 2 hex>/<digest>`: anything else there
                // was not written by this store.
                let blob = meta
                    .location
                    .filename()
                    .filter(|digest| valid_digest(digest) && meta.location == content_path(digest))
                    .map(|digest| BlobRef {
                        digest: digest.to_string(),
                        size: meta.size,
                    });
                Ok(blob)
            })
            .boxed()
    }

    /// Deletes the content `digest`; `false` if it was not there.
    pub async fn delete(&self, digest: &str) -> Result<bool, BlobError> {
        check_digest(digest)?;
        match self.store.delete(&content_path(digest)).await {
            Ok(()) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }
}

/// Deletes a staging object if `put` is dropped between completing the upload and
/// linking it.
struct StagingGuard {
    store: Option<Arc<dyn ObjectStore>>,
    path: Path,
}

impl StagingGuard {
    fn disarm(&mut self) {
        self.store = None;
    }
}

impl Drop for StagingGuard {
    fn drop(&mut self) {
        if let (Some(store), Ok(rt)) = (self.store.take(), tokio::runtime::Handle::try_current()) {
            let path = std::mem::take(&mut self.path);
            rt.spawn(async move {
                let _ = store.delete(&path).await;
            });
        }
    }
}

/// fsyncs the parent directory of `file` and its parents, `levels` in all.
fn sync_parent_dirs(file: &FsPath, levels: usize) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let mut dir = file.parent();
        for _ in 0..levels {
            let Some(d) = dir else { break };
            std::fs::File::open(d)?.sync_all()?;
            dir = d.parent();
        }
    }
    #[cfg(not(unix))]
    let _ = (file, levels);
    Ok(())
}

fn sweep_dir(dir: &PathBuf, cutoff: SystemTime) -> Result<usize, BlobError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e.into()),
    };
    let mut removed = 0;
    for entry in entries {
        let entry = entry?;
        let meta = match entry.metadata() {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e.into()),
        };
        if !meta.is_file() || meta.modified()? >= cutoff {
            continue;
        }
        match std::fs::remove_file(entry.path()) {
            Ok(()) => removed += 1,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(removed)
}

/// Reads a local file in blocks of `block` bytes, each on the blocking pool.
fn file_stream(file: std::fs::File, block: usize) -> BoxStream<'static, Result<Bytes, BlobError>> {
    futures::stream::try_unfold(Some(file), move |file| async move {
        let Some(mut file) = file else { return Ok(None) };
        let (file, buf) = tokio::task::spawn_blocking(move || {
            let mut buf = Vec::with_capacity(block);
            (&mut file).take(block as u64).read_to_end(&mut buf)?;
            Ok::<_, std::io::Error>((file, buf))
        })
        .await
        .map_err(join_error)??;
        if buf.is_empty() {
            Ok(None)
        } else {
            Ok(Some((Bytes::from(buf), Some(file))))
        }
    })
    .boxed()
}

/// The verified content stream returned by [`BlobStore::get`]; see there.
pub struct BlobReader {
    inner: BoxStream<'static, Result<Bytes, BlobError>>,
    digest: String,
    expected_size: u64,
    chunk_size: usize,
    hasher: Sha256,
    seen: u64,
    pending: BytesMut,
    done: bool,
}

impl BlobReader {
    /// The size of the blob as stored (the number of bytes a successful read yields).
    pub fn size(&self) -> u64 {
        self.expected_size
    }

    /// The digest being read.
    pub fn digest(&self) -> &str {
        &self.digest
    }

    fn corrupt(&mut self) -> BlobError {
        self.done = true;
        self.pending = BytesMut::new();
        tracing::warn!(digest = %self.digest, "stored blob does not match its digest");
        BlobError::Corrupt {
            digest: self.digest.clone(),
        }
    }
}

impl std::fmt::Debug for BlobReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlobReader")
            .field("digest", &self.digest)
            .field("size", &self.expected_size)
            .field("seen", &self.seen)
            .finish()
    }
}

impl Stream for BlobReader {
    type Item = Result<Bytes, BlobError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if this.done {
                return Poll::Ready(None);
            }
            // A full chunk with at least one byte after it is certainly not the last one.
            if this.pending.len() > this.chunk_size {
                return Poll::Ready(Some(Ok(this.pending.split_to(this.chunk_size).freeze())));
            }
            match this.inner.poll_next_unpin(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(bytes))) => {
                    this.seen += bytes.len() as u64;
                    if this.seen > this.expected_size {
                        return Poll::Ready(Some(Err(this.corrupt())));
                    }
                    this.hasher.update(&bytes);
                    this.pending.extend_from_slice(&bytes);
                }
                Poll::Ready(Some(Err(e))) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(e)));
                }
                Poll::Ready(None) => {
                    let actual = hex::encode(std::mem::take(&mut this.hasher).finalize());
                    if this.seen != this.expected_size || actual != this.digest {
                        return Poll::Ready(Some(Err(this.corrupt())));
                    }
                    this.done = true;
                    if this.pending.is_empty() {
                        return Poll::Ready(None);
                    }
                    return Poll::Ready(Some(Ok(this.pending.split().freeze())));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn digest_validation() {
        let ok = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assert!(valid_digest(ok));
        assert!(!valid_digest(&ok.to_uppercase()));
        assert!(!valid_digest(&ok[..63]));
        assert!(!valid_digest(&format!("{ok}0")));
        assert!(!valid_digest("../etc/passwd"));
        assert!(!valid_digest(&format!("../{}", &ok[3..])));
        assert!(!valid_digest(""));
    }

    #[tokio::test]
    async fn list_gives_the_content_and_not_the_staging_area() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::local(dir.path()).unwrap();
        let mut stored = Vec::new();
        for content in [&b"first"[..], b"second, longer", b"first"] {
            let chunks = futures::stream::iter([Ok::<_, std::io::Error>(Bytes::copy_from_slice(content))]);
            stored.push(store.put(chunks, 1024).await.unwrap());
        }
        // An upload cut off by a crash, and a stray file.
        std::fs::create_dir_all(dir.path().join(STAGING)).unwrap();
        std::fs::write(dir.path().join(STAGING).join("abandoned"), b"partial").unwrap();
        std::fs::write(dir.path().join(CONTENT).join("notes.txt"), b"stray").unwrap();

        let mut listed: Vec<BlobRef> = store.list().try_collect().await.unwrap();
        listed.sort_by(|a, b| a.digest.cmp(&b.digest));
        stored.sort_by(|a, b| a.digest.cmp(&b.digest));
        stored.dedup();
        assert_eq!(listed, stored);
    }

    #[test]
    fn content_path_layout() {
        let d = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assert_eq!(content_path(d).as_ref(), format!("sha256/e3/{d}"));
    }
}
