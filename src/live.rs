//! The engine the server answers with, swapped in place when a reindex publishes a new
//! generation. Requests hold an `Arc` of the engine they started with, so a swap never fails
//! a request in flight.

use std::sync::{Arc, RwLock};

use anyhow::Result;

use crate::engine::Engine;
use crate::index::IndexRoot;

pub struct LiveEngine {
    root: IndexRoot,
    current: RwLock<Option<Arc<Engine>>>,
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

    /// Load the published generation if it differs from the one being served. Returns the new
    /// generation's name when a swap happened. On failure the old engine keeps serving.
    pub fn refresh(&self) -> Result<Option<String>> {
        let Some(published) = self.root.current() else { return Ok(None) };
        if self.get().is_some_and(|e| e.generation() == published) {
            return Ok(None);
        }
        let snapshot = crate::index::Snapshot::open_generation(&self.root, &published)?;
        let engine = Arc::new(Engine::from_snapshot(snapshot));
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Some(engine);
        Ok(Some(published))
    }
}
