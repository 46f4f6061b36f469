//! `piyao serve`: serve the live index over HTTP, building it first if none exists.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};

use crate::config::{CorpusArgs, IndexArgs, ServeArgs};
use crate::index::IndexRoot;
use crate::live::LiveEngine;
use crate::server::{self, AppState};

pub fn run(serve: &ServeArgs, index: &IndexArgs, corpus: &CorpusArgs) -> Result<i32> {
    let root = IndexRoot::new(&index.index);
    if root.current().is_none() {
        eprintln!("no index at {}: building it from {:?}", root.path().display(), corpus.corpus);
        if super::reindex::run(corpus, index)? != 0 {
            return Ok(1);
        }
    }
    crate::text::warm_up();
    let live = Arc::new(LiveEngine::open(root).context("opening the index")?);
    let listener = TcpListener::bind(&serve.bind).with_context(|| format!("binding {}", serve.bind))?;
    let addr = listener.local_addr()?;
    let state = AppState { live: live.clone(), public_url: serve.public_url.clone(), wechat_token: serve.wechat_token.clone() };
    let reload = Duration::from_millis(serve.reload_ms.max(50));
    actix_web::rt::System::new().block_on(async move {
        server::spawn_reloader(live, reload);
        eprintln!("piyao listening on http://{addr}");
        server::run(listener, state)?.await
    })?;
    Ok(0)
}
