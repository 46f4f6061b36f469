//! Builds the actix application from the engine, once, for `piyao serve` and for the tests
//! (which bind port 0 and talk real HTTP to it): `Application::build` binds, opens the live
//! index and starts the reloader; `port()` says where it listens.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::{Compress, from_fn};
use actix_web::{App, HttpServer, web};
use anyhow::{Context, Result};

use crate::index::IndexRoot;
use crate::limits::{LimitSettings, Limits};
use crate::links::Links;
use crate::live::{self, LiveEngine};
use crate::middleware::{RequestLimits, requests, security_headers};
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
    /// Checks per second per client.
    pub limits: LimitSettings,
    /// How long a request may take to arrive and be answered.
    pub requests: RequestLimits,
    /// Checks running at once (all clients), and how long one waits for its turn.
    pub max_running_checks: usize,
    pub max_check_wait: Duration,
    /// How pictures are read (image checks are off when Tesseract is missing).
    pub ocr: crate::ocr::OcrSettings,
    /// Hosts WeChat pictures may be fetched from.
    pub picture_hosts: crate::wechat::PictureHosts,
    /// Where checks are recorded (off by default here; `piyao serve` records beside the index).
    pub record: crate::record::RecordSettings,
    /// Opens the editors' pages under `/admin` (off when `None`).
    pub admin_token: Option<crate::admin::AdminToken>,
}

impl Settings {
    /// The defaults of `piyao serve` for an index folder, listening on `bind`.
    pub fn new(bind: &str, index: IndexRoot) -> Settings {
        Settings {
            bind: bind.to_string(),
            index,
            public_url: String::new(),
            wechat_token: None,
            reload_every: Duration::from_millis(500),
            limits: LimitSettings::default(),
            requests: RequestLimits::default(),
            max_running_checks: live::default_max_running(),
            max_check_wait: live::DEFAULT_MAX_WAIT,
            ocr: crate::ocr::OcrSettings::default(),
            picture_hosts: crate::wechat::PictureHosts::default(),
            record: crate::record::RecordSettings { location: None, retention_days: crate::record::DEFAULT_RETENTION_DAYS },
            admin_token: None,
        }
    }
}

/// A bound, not yet awaited server.
pub struct Application {
    port: u16,
    server: Server,
    recorder: crate::record::Recorder,
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
        let recorder = crate::record::Recorder::start(&settings.record);
        let live = Arc::new(
            LiveEngine::open_with(settings.index, settings.max_running_checks, settings.max_check_wait)
                .context("opening the index")?
                .with_recorder(recorder.clone()),
        );
        crate::reload::spawn(live.clone(), settings.reload_every);
        let state = AppState {
            live,
            links: Links::new(&settings.public_url),
            wechat_token: settings.wechat_token,
            limits: Limits::new(settings.limits),
            ocr: Arc::new(crate::ocr::Ocr::start(settings.ocr)),
            picture_hosts: settings.picture_hosts,
            admin: settings.admin_token.map(crate::admin::Admin::new),
        };
        let server = run(listener, state, settings.requests)?;
        Ok(Application { port, server, recorder })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serve until the server is stopped (SIGINT/SIGTERM: in-flight requests finish), then
    /// write the checks still waiting to be recorded.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        let recorder = self.recorder;
        let _ = web::block(move || recorder.flush(Duration::from_secs(10))).await;
        result
    }
}

fn run(listener: TcpListener, state: AppState, requests_limits: RequestLimits) -> std::io::Result<Server> {
    let state = web::Data::new(state);
    let requests_limits = web::Data::new(requests_limits);
    let request_stats = web::Data::new(crate::metrics::RequestStats::default());
    let server = HttpServer::new(move || {
        App::new()
            .wrap(Compress::default())
            .wrap(security_headers())
            .wrap(from_fn(requests))
            .app_data(state.clone())
            .app_data(requests_limits.clone())
            .app_data(request_stats.clone())
            .configure(crate::api::routes)
            .configure(crate::wechat::routes)
            .configure(crate::admin::routes)
            .configure(crate::web::routes)
    })
    // the head of a request must arrive within 5 s (the body is bounded by `RequestLimits`)
    .client_request_timeout(Duration::from_secs(5))
    .listen(listener)?
    .run();
    Ok(server)
}
