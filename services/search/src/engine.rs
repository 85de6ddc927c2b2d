//! The search engine: the serving generation, its followers, rebuilds and
//! the swap, and searches on behalf of a principal.
//!
//! Layout under the data directory: `search/gen-{n}/` holds one index;
//! `search/CURRENT` names the serving one. A rebuild fills `gen-{n+1}` from
//! the beginning of every stream while `gen-{n}` keeps serving; when the new
//! one has caught up with the heads seen at its start, `CURRENT` is switched
//! (write, fsync, rename), the old followers stop and the old directory goes.

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering as AtomicOrdering;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use eiso_platform::directory::Directory;
use eiso_platform::{Principal, ServiceError, ServiceResult};
use eiso_proto::eiso::identity::v1::Role;
use tantivy::TantivyDocument;
use tantivy::collector::TopDocs;
use tantivy::query::AllQuery;
use tantivy::schema::Value;
use tokio::sync::watch;

use crate::abbreviations::Abbreviations;
use crate::generation::{self, Generation, Unusable};
use crate::item::readers;
use crate::plan::Plan;
use crate::quarantine::{Ledger, Quarantined};
use crate::query::{self, Caller, Results, SearchQuery};
use crate::source::{Follower, Retry, Source};

const CURRENT: &str = "CURRENT";
/// How often a rebuild checks whether it has caught up.
const REBUILD_POLL: Duration = Duration::from_millis(200);

/// A rebuild's state, as `GetIndexStatus` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RebuildState {
    #[default]
    None,
    Running,
    Done,
    Failed,
}

/// Progress of the latest rebuild.
#[derive(Debug, Clone, Default)]
pub struct RebuildProgress {
    pub state: RebuildState,
    pub reason: String,
    pub start_time: Option<DateTime<Utc>>,
    pub end_time: Option<DateTime<Utc>>,
    pub events: u64,
    pub documents: u64,
    pub bytes: u64,
    pub events_remaining: u64,
    pub error: String,
}

impl RebuildProgress {
    fn seconds(&self) -> f64 {
        match self.start_time {
            Some(start) => {
                let end = self.end_time.unwrap_or_else(Utc::now);
                ((end - start).num_microseconds().unwrap_or(0) as f64 / 1e6).max(1e-6)
            }
            None => 0.0,
        }
    }

    pub fn documents_per_second(&self) -> f64 {
        if self.start_time.is_none() {
            0.0
        } else {
            self.documents as f64 / self.seconds()
        }
    }

    pub fn megabytes_per_second(&self) -> f64 {
        if self.start_time.is_none() {
            0.0
        } else {
            self.bytes as f64 / 1e6 / self.seconds()
        }
    }
}

/// One stream's position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamPosition {
    pub stream: String,
    pub indexed: i64,
    pub head: i64,
}

/// What `GetIndexStatus` reports.
#[derive(Debug, Clone, Default)]
pub struct Status {
    pub streams: Vec<StreamPosition>,
    pub documents: u64,
    pub disk_bytes: u64,
    pub commit_time: Option<DateTime<Utc>>,
    pub rebuild: RebuildProgress,
    /// The quarantined events, newest first (at most [`crate::quarantine::LISTED`]).
    pub quarantined: Vec<Quarantined>,
    /// How many events are quarantined in all.
    pub quarantined_count: u64,
}

/// One stored entry, for checking the index against the services' data.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entry {
    pub name: String,
    pub kind: String,
    pub title: String,
    pub status: String,
}

struct Serving {
    generation: Arc<Generation>,
    stop: watch::Sender<bool>,
}

struct Inner {
    dir: PathBuf,
    sources: Vec<Arc<dyn Source>>,
    directory: Arc<dyn Directory>,
    personal_data_roles: Vec<Role>,
    serving: RwLock<Option<Arc<Serving>>>,
    rebuild: Mutex<RebuildProgress>,
    /// The generation a running rebuild fills.
    building: Mutex<Option<Arc<Serving>>>,
    /// Held until closed: one process per index directory.
    lock: Mutex<Option<std::fs::File>>,
    /// Attempts and quarantined events, shared by every generation.
    ledger: Arc<Ledger>,
    retry: Retry,
    /// The built-in abbreviations and the office's, read at open.
    abbreviations: Arc<Abbreviations>,
}

/// The search service's engine. Cheap to clone.
#[derive(Clone)]
pub struct Search {
    inner: Arc<Inner>,
}

fn generation_dir(dir: &Path, id: u64) -> PathBuf {
    dir.join(format!("gen-{id}"))
}

fn read_current(dir: &Path) -> Option<u64> {
    let text = std::fs::read_to_string(dir.join(CURRENT)).ok()?;
    text.trim().strip_prefix("gen-")?.parse().ok()
}

/// Points `CURRENT` at generation `id`, durably.
fn write_current(dir: &Path, id: u64) -> std::io::Result<()> {
    let temporary = dir.join("CURRENT.tmp");
    {
        use std::io::Write;
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(format!("gen-{id}\n").as_bytes())?;
        file.sync_all()?;
    }
    std::fs::rename(&temporary, dir.join(CURRENT))?;
    std::fs::File::open(dir)?.sync_all()
}

fn generation_ids(dir: &Path) -> Vec<u64> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| e.file_name().to_str()?.strip_prefix("gen-")?.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

fn internal(error: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal(format!("search index: {error}"))
}

impl Search {
    /// Opens the index under `dir` (creating or rebuilding it as needed) and
    /// starts following every source.
    pub async fn open(
        dir: &Path,
        sources: Vec<Arc<dyn Source>>,
        directory: Arc<dyn Directory>,
        personal_data_roles: Vec<Role>,
    ) -> anyhow::Result<Search> {
        Self::open_with(dir, sources, directory, personal_data_roles, Retry::default()).await
    }

    /// [`Search::open`] with how the followers retry a failed event.
    pub async fn open_with(
        dir: &Path,
        sources: Vec<Arc<dyn Source>>,
        directory: Arc<dyn Directory>,
        personal_data_roles: Vec<Role>,
        retry: Retry,
    ) -> anyhow::Result<Search> {
        std::fs::create_dir_all(dir)?;
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join("LOCK"))?;
        if let Err(error) = lock.try_lock() {
            anyhow::bail!(
                "the search index in {} is in use by another process ({error}): each eiso-server needs its own \
                 (set search_dir / EISO_SEARCH_DIR)",
                dir.display()
            );
        }
        let abbreviations = Arc::new(Abbreviations::load(dir)?);
        // What was in flight at a crash is counted here, before any follower runs.
        let ledger = Arc::new(Ledger::open(dir, retry.max_attempts)?);
        let search = Search {
            inner: Arc::new(Inner {
                dir: dir.to_path_buf(),
                sources,
                directory,
                personal_data_roles,
                serving: RwLock::new(None),
                rebuild: Mutex::new(RebuildProgress::default()),
                building: Mutex::new(None),
                lock: Mutex::new(Some(lock)),
                ledger,
                retry,
                abbreviations,
            }),
        };
        let current = read_current(dir);
        let usable = match current {
            Some(id) => generation::inspect(&generation_dir(dir, id)).map(|_| id),
            None => Err(Unusable::Missing),
        };
        // A rebuild cut off by a crash, or generations already replaced.
        for id in generation_ids(dir) {
            if Some(id) != usable.as_ref().ok().copied() {
                let _ = std::fs::remove_dir_all(generation_dir(dir, id));
            }
        }
        match usable {
            Ok(id) => {
                let generation = Generation::open(id, &generation_dir(dir, id))?;
                search.serve(search.start(generation));
            }
            Err(why) => {
                let reason = match why {
                    Unusable::Missing => "index missing".to_string(),
                    Unusable::SchemaChanged => "schema changed".to_string(),
                    Unusable::Broken(error) => format!("index unreadable: {error}"),
                };
                tracing::info!(%reason, "search: building the index from the event streams");
                let id = current.map_or(1, |id| id + 1);
                let generation = Generation::open(id, &generation_dir(dir, id))?;
                write_current(dir, id)?;
                // Nothing usable to keep serving: the new index serves while it fills.
                search.serve(search.start(generation.clone()));
                search.watch_rebuild(generation, reason, None).await;
            }
        }
        Ok(search)
    }

    fn start(&self, generation: Arc<Generation>) -> Arc<Serving> {
        let (stop, stopped) = watch::channel(false);
        for source in &self.inner.sources {
            let follower = Follower {
                generation: generation.clone(),
                source: source.clone(),
                ledger: self.inner.ledger.clone(),
                retry: self.inner.retry,
            };
            tokio::spawn(follower.run(stopped.clone()));
        }
        Arc::new(Serving { generation, stop })
    }

    fn serve(&self, serving: Arc<Serving>) -> Option<Arc<Serving>> {
        let mut slot = self.inner.serving.write().unwrap_or_else(|e| e.into_inner());
        slot.replace(serving)
    }

    fn serving(&self) -> ServiceResult<Arc<Serving>> {
        self.inner
            .serving
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
            .ok_or_else(|| ServiceError::Unavailable("the search index is not open".into()))
    }

    async fn heads(&self) -> ServiceResult<Vec<(String, i64)>> {
        let mut heads = Vec::new();
        for source in &self.inner.sources {
            heads.push((source.stream().to_string(), source.head().await?));
        }
        Ok(heads)
    }

    /// Starts a rebuild unless one is running; returns its progress.
    pub async fn rebuild(&self, reason: &str) -> ServiceResult<RebuildProgress> {
        if self.rebuild_progress().state == RebuildState::Running {
            return Ok(self.rebuild_progress());
        }
        let serving = self.serving()?;
        let id = generation_ids(&self.inner.dir)
            .into_iter()
            .max()
            .unwrap_or(serving.generation.id)
            .max(serving.generation.id)
            + 1;
        let dir = generation_dir(&self.inner.dir, id);
        let generation = tokio::task::spawn_blocking(move || Generation::open(id, &dir))
            .await
            .map_err(internal)?
            .map_err(internal)?;
        let building = self.start(generation.clone());
        *self.inner.building.lock().unwrap_or_else(|e| e.into_inner()) = Some(building.clone());
        self.watch_rebuild(generation, reason.to_string(), Some(building)).await;
        Ok(self.rebuild_progress())
    }

    /// Tracks `generation` filling up; when it has caught up with the heads
    /// of the moment it started, swaps it in (if `building`, it is not
    /// serving yet).
    async fn watch_rebuild(&self, generation: Arc<Generation>, reason: String, building: Option<Arc<Serving>>) {
        {
            let mut progress = self.inner.rebuild.lock().unwrap_or_else(|e| e.into_inner());
            *progress = RebuildProgress {
                state: RebuildState::Running,
                reason,
                start_time: Some(Utc::now()),
                ..Default::default()
            };
        }
        let search = self.clone();
        tokio::spawn(async move {
            let outcome = search.complete_rebuild(&generation, building.clone()).await;
            let failed = {
                let mut progress = search.inner.rebuild.lock().unwrap_or_else(|e| e.into_inner());
                progress.end_time = Some(Utc::now());
                progress.events = generation.intake.events.load(AtomicOrdering::Relaxed);
                progress.documents = generation.intake.documents.load(AtomicOrdering::Relaxed);
                progress.bytes = generation.intake.bytes.load(AtomicOrdering::Relaxed);
                match outcome {
                    Ok(()) => {
                        progress.state = RebuildState::Done;
                        progress.events_remaining = 0;
                        tracing::info!(
                            documents = progress.documents,
                            megabytes = progress.bytes as f64 / 1e6,
                            seconds = progress.seconds(),
                            documents_per_second = progress.documents_per_second(),
                            megabytes_per_second = progress.megabytes_per_second(),
                            "search: index rebuilt"
                        );
                        false
                    }
                    Err(error) => {
                        progress.state = RebuildState::Failed;
                        progress.error = error.to_string();
                        tracing::error!(%error, "search: rebuild failed; the previous index keeps serving");
                        true
                    }
                }
            };
            if failed && let Some(building) = building {
                let _ = building.stop.send(true);
                building.generation.close().await;
                search.inner.ledger.release(building.generation.id);
                let _ = std::fs::remove_dir_all(&building.generation.dir);
            }
            *search.inner.building.lock().unwrap_or_else(|e| e.into_inner()) = None;
        });
    }

    async fn complete_rebuild(
        &self,
        generation: &Arc<Generation>,
        building: Option<Arc<Serving>>,
    ) -> ServiceResult<()> {
        let heads = self.heads().await?;
        loop {
            if let Some(failure) = generation.failure() {
                return Err(ServiceError::Internal(failure));
            }
            let committed = generation.committed();
            let remaining: i64 = heads
                .iter()
                .map(|(stream, head)| (head - committed.cursors.get(stream).copied().unwrap_or(0)).max(0))
                .sum();
            {
                let mut progress = self.inner.rebuild.lock().unwrap_or_else(|e| e.into_inner());
                progress.events = generation.intake.events.load(AtomicOrdering::Relaxed);
                progress.documents = generation.intake.documents.load(AtomicOrdering::Relaxed);
                progress.bytes = generation.intake.bytes.load(AtomicOrdering::Relaxed);
                progress.events_remaining = remaining as u64;
            }
            if remaining == 0 {
                break;
            }
            tokio::time::sleep(REBUILD_POLL).await;
        }
        generation.flush().await.map_err(ServiceError::Internal)?;
        if let Some(building) = building {
            let dir = self.inner.dir.clone();
            let id = generation.id;
            tokio::task::spawn_blocking(move || write_current(&dir, id))
                .await
                .map_err(internal)?
                .map_err(internal)?;
            if let Some(old) = self.serve(building) {
                let _ = old.stop.send(true);
                old.generation.close().await;
                self.inner.ledger.release(old.generation.id);
                let _ = std::fs::remove_dir_all(&old.generation.dir);
            }
        }
        Ok(())
    }

    pub fn rebuild_progress(&self) -> RebuildProgress {
        self.inner.rebuild.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Stream positions, size and rebuild progress.
    pub async fn status(&self) -> ServiceResult<Status> {
        let serving = self.serving()?;
        let committed = serving.generation.committed();
        let mut streams = Vec::new();
        for (stream, head) in self.heads().await? {
            let indexed = committed.cursors.get(&stream).copied().unwrap_or(0);
            streams.push(StreamPosition { stream, indexed, head });
        }
        let generation = serving.generation.clone();
        let (documents, disk_bytes) =
            tokio::task::spawn_blocking(move || (generation.document_count(), generation.disk_bytes()))
                .await
                .map_err(internal)?;
        let mut rebuild = self.rebuild_progress();
        if rebuild.state == RebuildState::Running
            && let Some(building) = self.inner.building.lock().unwrap_or_else(|e| e.into_inner()).as_ref()
        {
            rebuild.events = building.generation.intake.events.load(AtomicOrdering::Relaxed);
            rebuild.documents = building.generation.intake.documents.load(AtomicOrdering::Relaxed);
            rebuild.bytes = building.generation.intake.bytes.load(AtomicOrdering::Relaxed);
        }
        let (quarantined, quarantined_count) = self.inner.ledger.list();
        Ok(Status {
            streams,
            documents,
            disk_bytes,
            commit_time: committed.commit_time,
            rebuild,
            quarantined,
            quarantined_count,
        })
    }

    /// The reader tokens of `principal`: one for each role binding, and one
    /// for any root where the binding is at a root.
    pub async fn caller(&self, principal: &Principal) -> ServiceResult<Caller> {
        let mut tokens = vec![readers::EVERYONE.to_string()];
        for (role, unit) in &principal.bindings {
            if unit.is_empty() {
                continue;
            }
            let mut own = vec![readers::bound(*role, unit)];
            if self.inner.directory.ancestors(unit).await?.len() == 1 {
                own.push(readers::bound(*role, readers::ANY_ROOT));
            }
            for token in own {
                if !tokens.contains(&token) {
                    tokens.push(token);
                }
            }
        }
        let personal_data = principal.roles().any(|r| self.inner.personal_data_roles.contains(&r));
        Ok(Caller { tokens, personal_data })
    }

    /// Where units sit in the tree.
    pub fn directory(&self) -> &dyn Directory {
        self.inner.directory.as_ref()
    }

    /// The abbreviations searches expand.
    pub fn abbreviations(&self) -> &Abbreviations {
        &self.inner.abbreviations
    }

    /// Runs `query` for `principal`, off the async runtime. A query with nothing to
    /// look for (only punctuation, or only excluded words) is refused.
    pub async fn search(&self, principal: &Principal, query: SearchQuery) -> ServiceResult<Results> {
        if Plan::new(&query.text, &self.inner.abbreviations).required.is_empty() {
            return Err(ServiceError::invalid(
                "query",
                "has no word to look for: give at least one word or code that is not excluded with `-`",
            ));
        }
        let caller = self.caller(principal).await?;
        let serving = self.serving()?;
        let abbreviations = self.inner.abbreviations.clone();
        tokio::task::spawn_blocking(move || query::run(&serving.generation, &caller, &query, &abbreviations))
            .await
            .map_err(internal)?
            .map_err(internal)
    }

    /// Commits what the followers have applied (tests, shutdown).
    pub async fn flush(&self) -> ServiceResult<()> {
        self.serving()?.generation.flush().await.map_err(ServiceError::Internal)
    }

    /// Every entry of the serving index.
    pub async fn entries(&self) -> ServiceResult<Vec<Entry>> {
        let serving = self.serving()?;
        tokio::task::spawn_blocking(move || entries(&serving.generation))
            .await
            .map_err(internal)?
            .map_err(internal)
    }

    /// Stops following and commits; the index is consistent on disk after.
    pub async fn close(&self) {
        let building = self.inner.building.lock().unwrap_or_else(|e| e.into_inner()).take();
        let serving = self.inner.serving.write().unwrap_or_else(|e| e.into_inner()).take();
        for part in [building, serving].into_iter().flatten() {
            let _ = part.stop.send(true);
            part.generation.close().await;
        }
        // A clean stop: what was in flight is not a crash.
        let ledger = self.inner.ledger.clone();
        let _ = tokio::task::spawn_blocking(move || ledger.close()).await;
        self.inner.lock.lock().unwrap_or_else(|e| e.into_inner()).take();
    }
}

fn entries(generation: &Generation) -> tantivy::Result<Vec<Entry>> {
    collect_entries(&generation.reader.searcher(), &generation.fields)
}

fn collect_entries(searcher: &tantivy::Searcher, fields: &crate::schema::Fields) -> tantivy::Result<Vec<Entry>> {
    let count = searcher.num_docs() as usize;
    let mut out = Vec::with_capacity(count);
    for (_, address) in searcher.search(&AllQuery, &TopDocs::with_limit(count.max(1)).order_by_score())? {
        let doc: TantivyDocument = searcher.doc(address)?;
        let text = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        out.push(Entry {
            name: text(fields.name),
            kind: text(fields.kind),
            title: text(fields.title),
            status: text(fields.status),
        });
    }
    out.sort();
    Ok(out)
}

/// The entries of the index under `dir` as last committed, read without a
/// writer (for checking an index after a crash, with the server stopped).
pub fn read_entries(dir: &Path) -> anyhow::Result<Vec<Entry>> {
    let id = read_current(dir).ok_or_else(|| anyhow::anyhow!("no CURRENT index in {}", dir.display()))?;
    let gen_dir = generation_dir(dir, id);
    generation::inspect(&gen_dir).map_err(|e| anyhow::anyhow!("index unusable: {e:?}"))?;
    let index = tantivy::Index::open_in_dir(&gen_dir)?;
    crate::analysis::register(&index);
    let fields = crate::schema::Fields::matching(&index.schema()).ok_or_else(|| anyhow::anyhow!("schema differs"))?;
    let reader = index.reader()?;
    Ok(collect_entries(&reader.searcher(), &fields)?)
}
