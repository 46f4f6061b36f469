//! Builds the actix application from the engine, once, for `piyao serve` and for the tests
//! (which bind port 0 and talk real HTTP to it): `Application::build` binds, opens the live
//! index and starts the reloader; `port()` says where it listens.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::{Compress, Logger};
use actix_web::{App, HttpServer, web};
use anyhow::{Context, Result};

use crate::index::IndexRoot;
use crate::links::Links;
use crate::live::LiveEngine;
use crate::state::AppState;

/// What the server needs to start.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Address to listen on (ignored by `build_on`); port 0 picks a free port.
    pub bind: String,
    pub index: IndexRoot,
    /// Public base URL for absolute links; may be empty.
    pub public_url: String,
    pub wechat_token: Option<crate::wechat::Token>,
    /// How often to look for a newly published index generation.
    pub reload_every: Duration,
}

/// A bound, not yet awaited server.
pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Bind, open the live index and start looking for new generations. Call inside an actix
    /// runtime (the reloader is a task on it).
    pub fn build(settings: Settings) -> Result<Application> {
        let listener = TcpListener::bind(&settings.bind).with_context(|| format!("binding {}", settings.bind))?;
        Application::build_on(listener, settings)
    }

    /// The same on a listener bound beforehand (tests bind port 0 first, to know the public URL).
    pub fn build_on(listener: TcpListener, settings: Settings) -> Result<Application> {
        let port = listener.local_addr()?.port();
        let live = Arc::new(LiveEngine::open(settings.index).context("opening the index")?);
        crate::reload::spawn(live.clone(), settings.reload_every);
        let state = AppState { live, links: Links::new(&settings.public_url), wechat_token: settings.wechat_token };
        let server = run(listener, state)?;
        Ok(Application { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serve until the server is stopped.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

fn run(listener: TcpListener, state: AppState) -> std::io::Result<Server> {
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
