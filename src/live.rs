//! The engine the server answers with, swapped in place when a reindex publishes a new
//! generation, and the one check path every surface calls (API, batch, web page, WeChat).
//! Requests hold an `Arc` of the engine they started with, so a swap never fails a request in
//! flight. Checks run off the async workers (`spawn_blocking`): matching is CPU work.

use std::sync::{Arc, RwLock};

use anyhow::Result;

use crate::engine::Engine;
use crate::index::{IndexRoot, Snapshot};
use crate::input::{Limit, MessageText};
use crate::response::CheckResponse;

pub struct LiveEngine {
    root: IndexRoot,
    current: RwLock<Option<Arc<Engine>>>,
}

/// Why a check could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error("the index is not ready: run `piyao reindex` (the server picks it up without a restart)")]
    IndexUnavailable,
    #[error("internal error; it has been logged")]
    Internal(#[source] anyhow::Error),
}

impl LiveEngine {
    /// Load the live generation of `root`, if there is one.
    pub fn open(root: IndexRoot) -> Result<LiveEngine> {
        let engine = Engine::open(&root)?.map(Arc::new);
        Ok(LiveEngine { root, current: RwLock::new(engine) })
    }

    /// The engine to answer the next request with; `None` until an index exists.
    pub fn get(&self) -> Option<Arc<Engine>> {
        self.current.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Check a message on the current generation, off the async runtime's workers.
    pub async fn check(&self, text: MessageText, limit: Limit) -> Result<CheckResponse, CheckError> {
        let engine = self.get().ok_or(CheckError::IndexUnavailable)?;
        tokio::task::spawn_blocking(move || engine.check(&text, limit))
            .await
            .map_err(|e| CheckError::Internal(anyhow::anyhow!("check task failed: {e}")))?
            .map_err(CheckError::Internal)
    }

    /// Check several messages on one generation, in one task off the async workers.
    pub async fn check_many(&self, texts: Vec<MessageText>, limit: Limit) -> Result<Vec<CheckResponse>, CheckError> {
        let engine = self.get().ok_or(CheckError::IndexUnavailable)?;
        tokio::task::spawn_blocking(move || texts.iter().map(|t| engine.check(t, limit)).collect::<Result<Vec<_>>>())
            .await
            .map_err(|e| CheckError::Internal(anyhow::anyhow!("batch task failed: {e}")))?
            .map_err(CheckError::Internal)
    }

    /// The published generation, when it is not the one being served.
    pub fn pending(&self) -> Option<String> {
        let published = self.root.current()?;
        (!self.get().is_some_and(|e| e.generation() == published)).then_some(published)
    }

    /// Load `generation` and answer from it from now on. On failure the old engine keeps serving.
    pub fn load(&self, generation: &str) -> Result<()> {
        let snapshot = Snapshot::open_generation(&self.root, generation)?;
        let engine = Arc::new(Engine::from_snapshot(snapshot));
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Some(engine);
        Ok(())
    }
}
