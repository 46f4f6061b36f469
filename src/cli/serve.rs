//! `piyao serve`: serve the live index over HTTP, building it first if none exists.

use std::time::Duration;

use anyhow::Result;
use clap::Args;

use crate::config::{CorpusArgs, IndexArgs, OcrArgs, RecordArgs, ServeArgs};
use crate::index::IndexRoot;
use crate::limits::{ApiKeys, LimitSettings};
use crate::server::{Application, Settings};

#[derive(Debug, Clone, Args)]
pub struct ServeCommand {
    #[command(flatten)]
    pub serve: ServeArgs,
    #[command(flatten)]
    pub index: IndexArgs,
    #[command(flatten)]
    pub corpus: CorpusArgs,
    #[command(flatten)]
    pub ocr: OcrArgs,
    #[command(flatten)]
    pub record: RecordArgs,
}

pub fn run(c: &ServeCommand) -> Result<i32> {
    // settings first: a broken keys file should not wait for an index build
    let api_keys = match &c.serve.api_keys {
        Some(path) => ApiKeys::load(path).map_err(anyhow::Error::msg)?,
        None => ApiKeys::default(),
    };
    let root = IndexRoot::new(&c.index.index);
    if root.current().is_none() {
        eprintln!("no index at {}: building it from {:?}", root.path().display(), c.corpus.corpus);
        if super::reindex::build(&c.corpus, &c.index)? != 0 {
            return Ok(1);
        }
    }
    crate::text::warm_up();
    let settings = Settings {
        public_url: c.serve.public_url.clone(),
        wechat_token: c.serve.wechat_token.clone(),
        reload_every: Duration::from_millis(c.serve.reload_ms.max(50)),
        limits: LimitSettings {
            anonymous_rate: c.serve.rate_limit,
            api_keys,
            behind_proxy: c.serve.behind_proxy,
            ..LimitSettings::default()
        },
        ocr: c.ocr.settings(),
        picture_hosts: crate::wechat::PictureHosts::parse(&c.serve.picture_hosts),
        record: c.record.settings(&c.index.index),
        admin_token: c.serve.admin_token.clone(),
        ..Settings::new(&c.serve.bind, root)
    };
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(settings)?;
        eprintln!("piyao listening on http://{}", app_address(&c.serve.bind, app.port()));
        app.run_until_stopped().await.map_err(anyhow::Error::from)
    })?;
    Ok(0)
}

/// The bound address with the port actually chosen (for `--bind 127.0.0.1:0`).
fn app_address(bind: &str, port: u16) -> String {
    match bind.rsplit_once(':') {
        Some((host, _)) => format!("{host}:{port}"),
        None => format!("{bind}:{port}"),
    }
}
