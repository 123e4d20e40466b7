//! Keeps this process's search index in step with PostgreSQL. Every write to an organisation adds an
//! outbox row in its transaction; the follower applies the rows in order and the index stores the last
//! position it applied in its own commit, so after a crash it resumes exactly where it was. A full rebuild
//! (on first start, or `commonground reindex`) fills a fresh generation of the index from one consistent
//! snapshot and swaps it in while searches go on against the old one.

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use bytes::Bytes;
use deadpool_postgres::Pool;
use search_index::{Change, Coordinates, DirectoryIndex, OutboxEntry, SearchRequest, SearchResults};
use shared::ApiError;
use tokio::sync::Notify;
use uuid::Uuid;

use crate::organisation::Organisation;
use crate::recent_answers::{IndexVersion, RecentAnswers};
use crate::store;

/// What searches answer (503) until the first build of the index is done.
pub const INDEX_STARTING: &str =
    "the search index is being built for the first time; try again in a few seconds";
/// How often the follower looks at the outbox when nobody nudges it (writes from other replicas).
const POLL_INTERVAL: Duration = Duration::from_millis(100);
/// Outbox rows applied per index commit, at most.
const BATCH: i64 = 2_000;
/// Organisations read per query while rebuilding.
const REBUILD_PAGE: i64 = 5_000;
/// Searches for at most this many hits (those of earlier pages included) run on the request's thread.
const QUICK_SEARCH_HITS: usize = 50;

/// The search index of this process: the current generation, swapped whole by a rebuild.
pub struct SearchIndex {
    root: PathBuf,
    current: RwLock<(String, Arc<DirectoryIndex>)>,
    ready: AtomicBool,
    wake: Notify,
    answers: RecentAnswers,
}

#[derive(Debug, thiserror::Error)]
pub enum IndexerError {
    #[error("search index: {0}")]
    Index(#[from] search_index::SearchIndexError),
    #[error("search index folder {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("reading the directory: {0}")]
    Database(#[from] ApiError),
}

impl From<tokio_postgres::Error> for IndexerError {
    fn from(error: tokio_postgres::Error) -> Self {
        IndexerError::Database(error.into())
    }
}

impl From<deadpool_postgres::PoolError> for IndexerError {
    fn from(error: deadpool_postgres::PoolError) -> Self {
        IndexerError::Database(error.into())
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> IndexerError + '_ {
    move |source| IndexerError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The name of the generation `root/CURRENT` points at, if any.
fn current_generation(root: &Path) -> Option<String> {
    std::fs::read_to_string(root.join("CURRENT"))
        .ok()
        .map(|name| name.trim().to_string())
        .filter(|name| !name.is_empty() && root.join(name).is_dir())
}

impl SearchIndex {
    /// Opens the current generation under `root`, or an empty one to be filled by the first rebuild. A
    /// generation that cannot be opened (built by an older version with another schema, or damaged) is
    /// set aside and rebuilt from PostgreSQL, the source of truth, as on a first start.
    pub fn open(root: &Path) -> Result<Arc<SearchIndex>, IndexerError> {
        std::fs::create_dir_all(root).map_err(io(root))?;
        let opened = current_generation(root).and_then(|name| {
            match DirectoryIndex::open_or_create(&root.join(&name)) {
                Ok(index) => Some((name, index)),
                Err(error) => {
                    tracing::warn!(%error, generation = %name, "cannot open the search index; rebuilding it");
                    None
                }
            }
        });
        let (generation, index) = match opened {
            Some(opened) => opened,
            None => {
                let current = root.join("CURRENT");
                if current.exists() {
                    std::fs::remove_file(&current).map_err(io(&current))?;
                }
                (String::new(), DirectoryIndex::in_memory()?)
            }
        };
        let ready = !generation.is_empty();
        Ok(Arc::new(SearchIndex {
            root: root.to_path_buf(),
            current: RwLock::new((generation, Arc::new(index))),
            ready: AtomicBool::new(ready),
            wake: Notify::new(),
            answers: RecentAnswers::default(),
        }))
    }

    /// The index searches use now.
    pub fn index(&self) -> Arc<DirectoryIndex> {
        self.current
            .read()
            .expect("the index lock is never poisoned")
            .1
            .clone()
    }

    /// The name of the generation in use, and its index.
    pub fn current(&self) -> (String, Arc<DirectoryIndex>) {
        self.current
            .read()
            .expect("the index lock is never poisoned")
            .clone()
    }

    /// Whether the index holds the directory (false until the first build finishes).
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// Searches the current generation; 503 until the first build is done. A page of a few hits is found
    /// on the thread that took the request: such a search takes a fraction of a millisecond of processor
    /// time, less than handing it to another thread costs (BENCHMARKS.md, "Searches on the request's
    /// thread"). Long pages and exports are searched on the blocking threads, off the async ones.
    pub async fn search(&self, request: SearchRequest) -> Result<SearchResults, ApiError> {
        let (_, index) = self.ready_index()?;
        search(index, request).await
    }

    /// The answer to `request` as `render` writes it, kept for as long as the index does not change, so a
    /// repeated search (for the same audience) is answered from what was sent before.
    pub async fn answer(
        &self,
        request: SearchRequest,
        render: impl FnOnce(SearchResults) -> Result<Bytes, ApiError>,
    ) -> Result<Bytes, ApiError> {
        let (generation, index) = self.ready_index()?;
        // Read before searching, so an answer is never kept as newer than the index it was found in.
        let version = IndexVersion {
            generation,
            reader: index.reader_generation(),
        };
        let key = RecentAnswers::key(&request);
        if let Some(answer) = key.as_ref().and_then(|key| self.answers.get(&version, key)) {
            return Ok(answer);
        }
        let answer = render(search(index, request).await?)?;
        if let Some(key) = key {
            self.answers.keep(version, key, &answer);
        }
        Ok(answer)
    }

    /// The generation in use and its index, or 503 until the first build is done.
    fn ready_index(&self) -> Result<(String, Arc<DirectoryIndex>), ApiError> {
        if !self.is_ready() {
            return Err(ApiError::Starting(INDEX_STARTING));
        }
        Ok(self.current())
    }

    /// Asks the follower to look at the outbox now (after a write in this process).
    pub fn nudge(&self) {
        self.wake.notify_one();
    }

    /// Follows the outbox for as long as the process runs: builds the index first if there is none, picks
    /// up a generation rebuilt by another process, and applies new outbox rows as they come.
    pub async fn follow(self: Arc<Self>, pool: Pool) {
        loop {
            if let Err(error) = self.step(&pool).await {
                tracing::warn!(%error, "search index follower");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(POLL_INTERVAL) => {}
            }
        }
    }

    async fn step(self: &Arc<Self>, pool: &Pool) -> Result<(), IndexerError> {
        let on_disk = current_generation(&self.root);
        let in_use = self.current.read().expect("unpoisoned").0.clone();
        match on_disk {
            None => {
                tracing::info!("building the search index from PostgreSQL");
                let (name, index) = rebuild(pool, &self.root, |_| {}).await?;
                self.swap(name, index);
            }
            Some(name) if name != in_use => {
                let root = self.root.clone();
                let opened = name.clone();
                let index =
                    tokio::task::spawn_blocking(move || DirectoryIndex::open_or_create(&root.join(opened)))
                        .await
                        .expect("opening the index does not panic")?;
                self.swap(name, index);
            }
            Some(_) => {}
        }
        catch_up(&self.index(), pool).await?;
        self.ready.store(true, Ordering::Release);
        Ok(())
    }

    fn swap(&self, name: String, index: DirectoryIndex) {
        let previous = {
            let mut current = self.current.write().expect("unpoisoned");
            std::mem::replace(&mut *current, (name.clone(), Arc::new(index))).0
        };
        tracing::info!(generation = %name, "search index generation in use");
        // Older generations go; the one just replaced stays until the next swap, as searches and merges may
        // still be using it.
        let entries = std::fs::read_dir(&self.root).into_iter().flatten().flatten();
        for entry in entries {
            let file_name = entry.file_name().to_string_lossy().into_owned();
            if file_name.starts_with("generation-") && file_name != name && file_name != previous {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
}

/// Searches `index`: a page of a few hits on this thread, a longer one on the blocking threads.
async fn search(index: Arc<DirectoryIndex>, request: SearchRequest) -> Result<SearchResults, ApiError> {
    if request.offset + request.limit <= QUICK_SEARCH_HITS {
        // A search that panicked answers 500, as one on the blocking threads does, instead of dropping
        // the connection; the index holds nothing a search could leave half-changed.
        std::panic::catch_unwind(AssertUnwindSafe(|| index.search(&request)))
            .map_err(|_| ApiError::Internal("the search panicked".to_string()))?
    } else {
        tokio::task::spawn_blocking(move || index.search(&request))
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?
    }
    .map_err(|e| ApiError::Internal(format!("search index: {e}")))
}

/// The index's view of an organisation.
pub fn document(organisation: &Organisation) -> search_index::Organisation {
    let input = &organisation.input;
    let nation = input
        .locations
        .first()
        .map(|l| shared::places::nearest(l.latitude, l.longitude).nation.clone())
        .unwrap_or_default();
    search_index::Organisation {
        id: organisation.id.to_string(),
        name: input.name.clone(),
        description: input.description.clone(),
        themes: input.themes.clone(),
        communities: input.communities.clone(),
        languages: input.languages.clone(),
        membership: Some(crate::store::name_of(&input.membership)),
        nation,
        locations: input
            .locations
            .iter()
            .zip(&organisation.location_ids)
            .map(|(location, id)| search_index::Location {
                id: id.to_string(),
                town: location.town.clone().unwrap_or_default(),
                coordinates: Coordinates::new(location.latitude, location.longitude),
                precision: location.precision,
            })
            .collect(),
        visibility: input.visibility,
    }
}

/// Applies every outbox row after the index's position, in batches, each committed with its position.
/// Returns how many rows were applied.
pub async fn catch_up(index: &Arc<DirectoryIndex>, pool: &Pool) -> Result<usize, IndexerError> {
    let mut applied = 0;
    let reader = index.clone();
    let mut after = tokio::task::spawn_blocking(move || reader.last_applied_position())
        .await
        .expect("reading the position does not panic")?
        .unwrap_or(0);
    loop {
        let client = pool.get().await?;
        let rows = client
            .query(
                "SELECT position, organisation_id FROM directory.outbox WHERE position > $1
                 ORDER BY position LIMIT $2",
                &[&after, &BATCH],
            )
            .await?;
        let Some(last) = rows.last() else {
            return Ok(applied);
        };
        after = last.get(0);
        let mut ids: Vec<Uuid> = rows.iter().map(|r| r.get(1)).collect();
        ids.sort();
        ids.dedup();
        let organisations = store::load_many(&client, &ids).await?;
        drop(client);
        let entries: Vec<OutboxEntry> = rows
            .iter()
            .map(|row| {
                let id: Uuid = row.get(1);
                let change = match organisations.iter().find(|o| o.id == id) {
                    Some(organisation) => Change::Upsert(document(organisation)),
                    None => Change::Delete {
                        organisation_id: id.to_string(),
                    },
                };
                OutboxEntry {
                    position: row.get(0),
                    change,
                }
            })
            .collect();
        let writer = index.clone();
        applied += tokio::task::spawn_blocking(move || writer.apply(&entries))
            .await
            .expect("applying does not panic")?;
    }
}

/// Builds a new generation of the index under `root` (which must exist: a follower whose folder was taken
/// away must not make it again) from one consistent snapshot of PostgreSQL, makes it current, and returns
/// it; `progress` hears how many organisations are in so far.
pub async fn rebuild(
    pool: &Pool,
    root: &Path,
    progress: impl FnMut(u64) + Send + 'static,
) -> Result<(String, DirectoryIndex), IndexerError> {
    let name = format!(
        "generation-{}",
        time::OffsetDateTime::now_utc().unix_timestamp_nanos()
    );
    let directory = root.join(&name);
    std::fs::create_dir(&directory).map_err(io(&directory))?;

    let mut client = pool.get().await?;
    let snapshot = client
        .build_transaction()
        .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await?;
    let position: i64 = snapshot
        .query_one("SELECT coalesce(max(position), 0) FROM directory.outbox", &[])
        .await?
        .get(0);
    // The blocking builder pulls organisations from this channel while pages are read.
    let (pages, mut received) = tokio::sync::mpsc::channel::<Vec<search_index::Organisation>>(2);
    let builder_directory = directory.clone();
    let builder = tokio::task::spawn_blocking(move || {
        let organisations = std::iter::from_fn(move || received.blocking_recv()).flatten();
        DirectoryIndex::rebuild(&builder_directory, organisations, position, progress)
    });
    let mut after = None;
    loop {
        let page = store::list(&snapshot, after, REBUILD_PAGE).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        let documents = page.iter().map(document).collect();
        if pages.send(documents).await.is_err() {
            break;
        }
    }
    drop(pages);
    snapshot.commit().await?;
    let index = builder.await.expect("building the index does not panic")?;
    let pointer = root.join("CURRENT.new");
    std::fs::write(&pointer, &name).map_err(io(&pointer))?;
    std::fs::rename(&pointer, root.join("CURRENT")).map_err(io(root))?;
    Ok((name, index))
}
