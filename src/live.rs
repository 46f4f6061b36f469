//! The engine the server answers with, swapped in place when a reindex publishes a new
//! generation, and the one check path every surface calls (API, batch, web page, WeChat).
//! Requests hold an `Arc` of the engine they started with, so a swap never fails a request in
//! flight. Checks run off the async workers (`spawn_blocking`): matching is CPU work.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use anyhow::Result;
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::engine::Engine;
use crate::index::{IndexRoot, Snapshot};
use crate::input::{Limit, MessageText};
use crate::metrics::CheckStats;
use crate::record::{Recorder, Surface};
use crate::response::CheckResponse;

pub struct LiveEngine {
    root: IndexRoot,
    current: RwLock<Option<Arc<Engine>>>,
    /// Checks running at once, over all clients: more than the cores only queue up.
    running: Semaphore,
    /// How long a check may wait for its turn before it is refused as `Busy`.
    max_wait: Duration,
    /// Checks refused as `Busy` since the start.
    busy: AtomicU64,
    /// Generations that failed to load since the start.
    reload_failures: AtomicU64,
    /// Latency and verdicts of every check (for `/metrics`).
    pub stats: CheckStats,
    /// Where every check is recorded (off unless `with_recorder`).
    pub recorder: Recorder,
}

/// Checks running at once by default: two per core (matching is CPU work; more only queue up).
pub fn default_max_running() -> usize {
    2 * std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// Longest message checked on the receiving worker rather than handed to a blocking thread.
const INLINE_CHARS: usize = 1_000;

/// How long a check waits for a free slot by default.
pub const DEFAULT_MAX_WAIT: Duration = Duration::from_secs(2);

/// Why a check could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error("the index is not ready: run `piyao reindex` (the server picks it up without a restart)")]
    IndexUnavailable,
    #[error("too many checks are running; try again in a second")]
    Busy,
    #[error("internal error; it has been logged")]
    Internal(#[source] anyhow::Error),
}

impl LiveEngine {
    /// Load the live generation of `root`, if there is one. At most two checks per core run at
    /// once; others wait up to `DEFAULT_MAX_WAIT`.
    pub fn open(root: IndexRoot) -> Result<LiveEngine> {
        LiveEngine::open_with(root, default_max_running(), DEFAULT_MAX_WAIT)
    }

    /// The same with `max_running` checks at once, each waiting at most `max_wait` for its turn.
    pub fn open_with(root: IndexRoot, max_running: usize, max_wait: Duration) -> Result<LiveEngine> {
        let engine = Engine::open(&root)?.map(Arc::new);
        Ok(LiveEngine {
            root,
            current: RwLock::new(engine),
            running: Semaphore::new(max_running.max(1)),
            max_wait,
            busy: AtomicU64::new(0),
            reload_failures: AtomicU64::new(0),
            stats: CheckStats::default(),
            recorder: Recorder::off("off: not configured"),
        })
    }

    /// Record every check with `recorder`.
    pub fn with_recorder(mut self, recorder: Recorder) -> LiveEngine {
        self.recorder = recorder;
        self
    }

    /// A slot to run a check in, or `Busy` after waiting `max_wait`.
    async fn slot(&self) -> Result<SemaphorePermit<'_>, CheckError> {
        match tokio::time::timeout(self.max_wait, self.running.acquire()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => {
                self.busy.fetch_add(1, Ordering::Relaxed);
                Err(CheckError::Busy)
            }
        }
    }

    /// Checks refused as `Busy` since the start.
    pub fn busy(&self) -> u64 {
        self.busy.load(Ordering::Relaxed)
    }

    /// The engine to answer the next request with; `None` until an index exists.
    pub fn get(&self) -> Option<Arc<Engine>> {
        self.current.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Check a message asked on `surface` on the current generation and record it. A message of
    /// up to `INLINE_CHARS` characters is checked on the worker that received it (well under a
    /// millisecond: handing it to another thread and back cost more than the check); a longer
    /// one off the async runtime's workers.
    pub async fn check(&self, surface: Surface, text: MessageText, limit: Limit) -> Result<CheckResponse, CheckError> {
        let engine = self.get().ok_or(CheckError::IndexUnavailable)?;
        let _slot = self.slot().await?;
        let recorder = self.recorder.clone();
        let text_chars = text.as_str().chars().count();
        let run = move || {
            let mut response = engine.check(&text, limit)?;
            recorder.record(surface, text.as_str(), &mut response, engine.generation());
            Ok::<_, anyhow::Error>(response)
        };
        let response = if text_chars <= INLINE_CHARS {
            // a panic answers this request with a 500, as it would from a blocking thread,
            // instead of taking the worker and its other connections down
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(run))
                .map_err(|_| CheckError::Internal(anyhow::anyhow!("check task panicked")))?
                .map_err(CheckError::Internal)?
        } else {
            tokio::task::spawn_blocking(run)
                .await
                .map_err(|e| CheckError::Internal(anyhow::anyhow!("check task failed: {e}")))?
                .map_err(CheckError::Internal)?
        };
        self.stats.record(response.took_ms, response.verdict);
        Ok(response)
    }

    /// Check several messages on one generation, in one task off the async workers, and record
    /// each.
    pub async fn check_many(&self, surface: Surface, texts: Vec<MessageText>, limit: Limit) -> Result<Vec<CheckResponse>, CheckError> {
        let engine = self.get().ok_or(CheckError::IndexUnavailable)?;
        let _slot = self.slot().await?;
        let recorder = self.recorder.clone();
        let responses = tokio::task::spawn_blocking(move || {
            texts
                .iter()
                .map(|t| {
                    let mut response = engine.check(t, limit)?;
                    recorder.record(surface, t.as_str(), &mut response, engine.generation());
                    Ok(response)
                })
                .collect::<Result<Vec<_>>>()
        })
        .await
        .map_err(|e| CheckError::Internal(anyhow::anyhow!("batch task failed: {e}")))?
        .map_err(CheckError::Internal)?;
        for r in &responses {
            self.stats.record(r.took_ms, r.verdict);
        }
        Ok(responses)
    }

    /// Note a generation that failed to load (the reloader retries it later).
    pub fn reload_failed(&self) {
        self.reload_failures.fetch_add(1, Ordering::Relaxed);
    }

    /// Generations that failed to load since the start.
    pub fn reload_failures(&self) -> u64 {
        self.reload_failures.load(Ordering::Relaxed)
    }

    /// The published generation, when it is not the one being served.
    pub fn pending(&self) -> Option<String> {
        let published = self.root.current()?;
        self.get().is_none_or(|e| e.generation() != published).then_some(published)
    }

    /// Load `generation` and answer from it from now on. On failure the old engine keeps serving.
    pub fn load(&self, generation: &str) -> Result<()> {
        let snapshot = Snapshot::open_generation(&self.root, generation)?;
        let engine = Arc::new(Engine::from_snapshot(snapshot));
        let old = self.current.write().unwrap_or_else(|e| e.into_inner()).replace(engine);
        // the old generation is freed here unless a check still holds it (then by that check)
        drop(old);
        crate::engine::release_freed_memory();
        Ok(())
    }
}
