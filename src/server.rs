//! Builds the actix application from the engine; used by `piyao serve` and by the tests, which
//! bind port 0 and talk real HTTP to it.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::{Compress, Logger};
use actix_web::{App, HttpServer, web};

use crate::live::LiveEngine;

/// What every handler can reach.
pub struct AppState {
    pub live: Arc<LiveEngine>,
    /// Public base URL for absolute links (ClaimReview, WeChat replies); may be empty.
    pub public_url: String,
    /// WeChat Official Account token; the `/wechat` endpoint is off when `None`.
    pub wechat_token: Option<String>,
}

/// Start serving on `listener`. The returned server must be awaited (or spawned).
pub fn run(listener: TcpListener, state: AppState) -> std::io::Result<Server> {
    let state = web::Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .wrap(Compress::default())
            .wrap(Logger::new("%r %s %Dms"))
            .app_data(state.clone())
            .configure(crate::api::routes)
            .configure(crate::wechat::routes)
            .configure(crate::web::routes)
    })
    .listen(listener)?
    .run();
    Ok(server)
}

/// Poll the index folder and swap in a newly published generation. A generation that fails to
/// load is logged and retried; the old one keeps serving meanwhile.
pub fn spawn_reloader(live: Arc<LiveEngine>, every: Duration) {
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(every);
        loop {
            tick.tick().await;
            let l = live.clone();
            match web::block(move || l.refresh()).await {
                Ok(Ok(Some(generation))) => tracing::info!(generation, "serving new index generation"),
                Ok(Ok(None)) => {}
                Ok(Err(e)) => tracing::warn!(error = format!("{e:#}"), "could not load the new index; still serving the old one"),
                Err(e) => tracing::warn!(error = %e, "reload task failed"),
            }
        }
    });
}
