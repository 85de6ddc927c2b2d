//! One index directory with its single writer thread and its reader.
//!
//! All writes go through one thread that owns the `IndexWriter`: applying
//! changes, committing and merging never run on the async runtime. Each
//! commit carries, in its payload, the cursor of every stream whose events it
//! contains, so that after a crash the followers resume exactly after what is
//! in the index: nothing lost, nothing applied twice.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tantivy::directory::MmapDirectory;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};
use tokio::sync::{oneshot, watch};

use crate::analysis;
use crate::item::SearchItem;
use crate::schema::{Fields, SCHEMA_VERSION};

/// Changes are committed at most this long after they were applied.
pub const COMMIT_INTERVAL: Duration = Duration::from_millis(250);
/// Memory the writer may use for buffering before it writes a segment.
const WRITER_MEMORY: usize = 96 << 20;

/// What a commit's payload says.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Payload {
    pub schema_version: i32,
    /// Stream name → the last event sequence whose effect is committed.
    pub cursors: BTreeMap<String, i64>,
    /// When this commit was made.
    pub commit_time: Option<DateTime<Utc>>,
}

/// A change to the index.
#[derive(Debug, Clone)]
pub enum Change {
    Upsert(Box<SearchItem>),
    Delete(String),
}

enum Command {
    Apply {
        stream: String,
        cursor: i64,
        events: u64,
        changes: Vec<Change>,
    },
    Flush(oneshot::Sender<Result<(), String>>),
}

/// Counters of what this generation has taken in since it was opened.
#[derive(Debug, Default)]
pub struct Intake {
    pub events: AtomicU64,
    pub documents: AtomicU64,
    pub bytes: AtomicU64,
}

/// Why an index directory cannot be used as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unusable {
    Missing,
    SchemaChanged,
    Broken(String),
}

pub struct Generation {
    pub id: u64,
    pub dir: PathBuf,
    pub fields: Fields,
    pub index: Index,
    pub reader: IndexReader,
    commands: Mutex<Option<SyncSender<Command>>>,
    committed: watch::Receiver<Payload>,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
    pub intake: Arc<Intake>,
    /// Set once the writer thread has failed; writes are refused after.
    failure: Arc<Mutex<Option<String>>>,
}

impl std::fmt::Debug for Generation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Generation")
            .field("id", &self.id)
            .field("dir", &self.dir)
            .finish()
    }
}

/// Reads the payload of the last commit in `dir`, checking that the index
/// there has this build's layout.
pub fn inspect(dir: &Path) -> Result<Payload, Unusable> {
    if !dir.join("meta.json").exists() {
        return Err(Unusable::Missing);
    }
    let index = Index::open_in_dir(dir).map_err(|e| Unusable::Broken(e.to_string()))?;
    if Fields::matching(&index.schema()).is_none() {
        return Err(Unusable::SchemaChanged);
    }
    let metas = index.load_metas().map_err(|e| Unusable::Broken(e.to_string()))?;
    let payload = match metas.payload {
        None => Payload::default(),
        Some(text) => serde_json::from_str(&text).map_err(|e| Unusable::Broken(format!("commit payload: {e}")))?,
    };
    if payload.schema_version != SCHEMA_VERSION {
        return Err(Unusable::SchemaChanged);
    }
    Ok(payload)
}

impl Generation {
    /// Opens the index in `dir`, creating an empty one if there is none.
    pub fn open(id: u64, dir: &Path) -> tantivy::Result<Arc<Generation>> {
        std::fs::create_dir_all(dir)?;
        let (schema, fields) = Fields::schema();
        let directory = MmapDirectory::open(dir)?;
        let index = Index::open_or_create(directory, schema)?;
        analysis::register(&index);
        let payload = match index.load_metas()?.payload {
            Some(text) => serde_json::from_str(&text).unwrap_or_default(),
            None => Payload::default(),
        };
        let payload = Payload {
            schema_version: SCHEMA_VERSION,
            ..payload
        };
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 2);
        let writer: IndexWriter<TantivyDocument> = index.writer_with_num_threads(threads, WRITER_MEMORY)?;
        let (commands, receiver) = sync_channel(64);
        let (committed_tx, committed) = watch::channel(payload.clone());
        let intake = Arc::new(Intake::default());
        let failure = Arc::new(Mutex::new(None));
        let worker = WriterThread {
            writer,
            reader: reader.clone(),
            fields,
            payload,
            dirty: false,
            committed: committed_tx,
            intake: intake.clone(),
            failure: failure.clone(),
        };
        let thread = std::thread::Builder::new()
            .name(format!("search-writer-{id}"))
            .spawn(move || worker.run(receiver))?;
        Ok(Arc::new(Generation {
            id,
            dir: dir.to_path_buf(),
            fields,
            index,
            reader,
            commands: Mutex::new(Some(commands)),
            committed,
            thread: Mutex::new(Some(thread)),
            intake,
            failure,
        }))
    }

    /// The payload of the last commit.
    pub fn committed(&self) -> Payload {
        self.committed.borrow().clone()
    }

    /// A receiver that changes on every commit.
    pub fn watch_commits(&self) -> watch::Receiver<Payload> {
        self.committed.clone()
    }

    pub fn failure(&self) -> Option<String> {
        self.failure.lock().ok().and_then(|f| f.clone())
    }

    fn sender(&self) -> Result<SyncSender<Command>, String> {
        self.commands
            .lock()
            .map_err(|_| "search writer lock poisoned".to_string())?
            .clone()
            .ok_or_else(|| "the search index is closed".to_string())
    }

    /// Queues `changes` made by the events of `stream` up to `cursor`. Waits
    /// (off the runtime) while the writer is busy.
    pub async fn apply(&self, stream: &str, cursor: i64, events: u64, changes: Vec<Change>) -> Result<(), String> {
        if let Some(failure) = self.failure() {
            return Err(failure);
        }
        let sender = self.sender()?;
        let command = Command::Apply {
            stream: stream.to_string(),
            cursor,
            events,
            changes,
        };
        tokio::task::spawn_blocking(move || sender.send(command))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|_| "the search writer stopped".to_string())
    }

    /// Commits what has been applied, now.
    pub async fn flush(&self) -> Result<(), String> {
        let sender = self.sender()?;
        let (reply, answer) = oneshot::channel();
        tokio::task::spawn_blocking(move || sender.send(Command::Flush(reply)))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|_| "the search writer stopped".to_string())?;
        answer.await.map_err(|_| "the search writer stopped".to_string())?
    }

    /// Commits what is pending and stops the writer thread.
    pub async fn close(&self) {
        let sender = self.commands.lock().ok().and_then(|mut s| s.take());
        drop(sender);
        let thread = self.thread.lock().ok().and_then(|mut t| t.take());
        if let Some(thread) = thread {
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
    }

    /// Items in the index.
    pub fn document_count(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Bytes on disk.
    pub fn disk_bytes(&self) -> u64 {
        dir_size(&self.dir)
    }
}

fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

struct WriterThread {
    writer: IndexWriter<TantivyDocument>,
    reader: IndexReader,
    fields: Fields,
    /// Cursors of what has been applied (committed or not).
    payload: Payload,
    dirty: bool,
    committed: watch::Sender<Payload>,
    intake: Arc<Intake>,
    failure: Arc<Mutex<Option<String>>>,
}

impl WriterThread {
    fn run(mut self, commands: Receiver<Command>) {
        let mut last_commit = Instant::now();
        loop {
            let wait = if self.dirty {
                COMMIT_INTERVAL.saturating_sub(last_commit.elapsed())
            } else {
                Duration::from_secs(3600)
            };
            match commands.recv_timeout(wait) {
                Ok(Command::Apply {
                    stream,
                    cursor,
                    events,
                    changes,
                }) => {
                    if let Err(error) = self.apply(changes) {
                        self.fail(format!("cannot index: {error}"));
                        return;
                    }
                    self.payload.cursors.insert(stream, cursor);
                    self.intake.events.fetch_add(events, Ordering::Relaxed);
                    self.dirty = true;
                }
                Ok(Command::Flush(reply)) => {
                    let result = self.commit().map_err(|e| e.to_string());
                    last_commit = Instant::now();
                    let failed = result.is_err();
                    let _ = reply.send(result.clone());
                    if let (true, Err(error)) = (failed, result) {
                        self.fail(format!("cannot commit: {error}"));
                        return;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => {
                    if let Err(error) = self.commit() {
                        tracing::error!(%error, "search index: last commit failed");
                    }
                    let _ = self.writer.wait_merging_threads();
                    return;
                }
            }
            if self.dirty && last_commit.elapsed() >= COMMIT_INTERVAL {
                if let Err(error) = self.commit() {
                    self.fail(format!("cannot commit: {error}"));
                    return;
                }
                last_commit = Instant::now();
            }
        }
    }

    fn fail(&self, message: String) {
        tracing::error!(error = %message, "search index writer stopped");
        if let Ok(mut failure) = self.failure.lock() {
            *failure = Some(message);
        }
    }

    fn apply(&mut self, changes: Vec<Change>) -> tantivy::Result<()> {
        for change in changes {
            match change {
                Change::Delete(name) => {
                    self.writer.delete_term(Term::from_field_text(self.fields.name, &name));
                }
                Change::Upsert(item) => {
                    self.writer
                        .delete_term(Term::from_field_text(self.fields.name, &item.name));
                    self.writer.add_document(item.to_document(&self.fields))?;
                    self.intake.documents.fetch_add(1, Ordering::Relaxed);
                    self.intake.bytes.fetch_add(item.text_bytes() as u64, Ordering::Relaxed);
                }
            }
        }
        Ok(())
    }

    fn commit(&mut self) -> tantivy::Result<()> {
        if !self.dirty {
            return Ok(());
        }
        self.payload.commit_time = Some(Utc::now());
        let payload =
            serde_json::to_string(&self.payload).map_err(|e| tantivy::TantivyError::InternalError(e.to_string()))?;
        let mut prepared = self.writer.prepare_commit()?;
        prepared.set_payload(&payload);
        prepared.commit()?;
        self.reader.reload()?;
        self.dirty = false;
        self.committed.send_replace(self.payload.clone());
        Ok(())
    }
}
