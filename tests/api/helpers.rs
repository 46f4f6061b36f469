//! Starting the real app on port 0 with a real index on disk, and talking HTTP to it.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use piyao::index::{self, IndexRoot};
use piyao::server::{Application, Settings};
use serde_json::Value;

/// The corpus shipped in the repository.
pub fn bundled_corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// Copy a corpus folder (claims/, regulations/, *.jsonl) into a fresh temporary folder.
pub fn copy_corpus(from: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(from, dir.path());
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

pub struct TestApp {
    pub address: String,
    pub index_dir: tempfile::TempDir,
    pub client: awc::Client,
}

pub struct Options {
    pub corpus: Option<PathBuf>,
    pub wechat_token: Option<String>,
    pub build_index: bool,
    /// Changes to the server's settings (limits, timeouts).
    pub settings: fn(Settings) -> Settings,
    /// Record checks into this database (off when `None`).
    pub database: Option<piyao::store::Location>,
    /// Open `/admin` with this token.
    pub admin_token: Option<&'static str>,
}

impl Default for Options {
    fn default() -> Options {
        // the tests' many checks from one address must not meet the anonymous rate limit
        Options {
            corpus: None,
            wechat_token: None,
            build_index: true,
            database: None,
            admin_token: None,
            settings: |s| Settings { limits: piyao::limits::LimitSettings { anonymous_rate: 0, ..s.limits }, ..s },
        }
    }
}

/// The app on the bundled corpus.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(Options::default()).await
}

pub async fn spawn_app_with(opts: Options) -> TestApp {
    let index_dir = tempfile::tempdir().expect("temp dir");
    let root = IndexRoot::new(index_dir.path());
    if opts.build_index {
        let corpus_dir = opts.corpus.unwrap_or_else(bundled_corpus);
        let loaded = piyao::corpus::load(&[corpus_dir]).unwrap_or_else(|e| panic!("corpus errors: {:?}", e.errors));
        index::build(&root, &loaded.corpus, &index::BuildProgress::SILENT).expect("index builds");
    }
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind port 0");
    let port = listener.local_addr().unwrap().port();
    let settings = Settings {
        public_url: format!("http://127.0.0.1:{port}"),
        wechat_token: opts.wechat_token.map(|t| piyao::wechat::Token::parse(&t).expect("a test token")),
        reload_every: Duration::from_millis(50),
        record: piyao::record::RecordSettings { location: opts.database, retention_days: piyao::record::DEFAULT_RETENTION_DAYS },
        admin_token: opts.admin_token.map(|t| t.parse().expect("a test admin token")),
        ..(opts.settings)(Settings::new(&format!("127.0.0.1:{port}"), root))
    };
    let app = Application::build_on(listener, settings).expect("server starts");
    assert_eq!(app.port(), port);
    actix_web::rt::spawn(app.run_until_stopped());
    let client = awc::Client::builder().timeout(Duration::from_secs(30)).finish();
    TestApp { address: format!("http://127.0.0.1:{port}"), index_dir, client }
}

/// A second server on `app`'s index folder (a replica reading the same volume). Its own
/// `index_dir` is an empty placeholder: reindex through `app`.
pub async fn spawn_replica(app: &TestApp) -> TestApp {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind port 0");
    let port = listener.local_addr().unwrap().port();
    let defaults = Settings::new(&format!("127.0.0.1:{port}"), IndexRoot::new(app.index_dir.path()));
    let settings = Settings { reload_every: Duration::from_millis(50), ..(Options::default().settings)(defaults) };
    let replica = Application::build_on(listener, settings).expect("replica starts");
    actix_web::rt::spawn(replica.run_until_stopped());
    let client = awc::Client::builder().timeout(Duration::from_secs(30)).finish();
    TestApp { address: format!("http://127.0.0.1:{port}"), index_dir: tempfile::tempdir().expect("temp dir"), client }
}

/// A response: status, content type and body.
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// A response header (names are lowercase).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).to_string()
    }

    /// The stable error code of a JSON error body.
    pub fn error_code(&self) -> String {
        self.json()["error"]["code"].as_str().unwrap_or_else(|| panic!("no error code in {}", self.text())).to_string()
    }
}

/// Turn a sent request into a `Reply` (a macro because awc's response type is unnameable here).
macro_rules! finish {
    ($sent:expr) => {{
        let mut r = $sent.await.expect("request sent");
        let status = r.status().as_u16();
        let content_type = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        let headers = r.headers().iter().map(|(n, v)| (n.as_str().to_string(), v.to_str().unwrap_or("").to_string())).collect();
        let body = r.body().limit(16 << 20).await.expect("body read").to_vec();
        Reply { status, content_type, headers, body }
    }};
}

/// POST a form with a `Cookie` header; redirects are not followed (their `Location` is the answer).
pub async fn finish_form(app: &TestApp, path: &str, cookie: &str, fields: &[(&str, &str)]) -> Reply {
    let client = awc::Client::builder().max_redirects(0).timeout(Duration::from_secs(30)).finish();
    finish!(client.post(app.url(path)).insert_header(("cookie", cookie)).send_form(&fields))
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> Reply {
        finish!(self.client.get(self.url(path)).send())
    }

    pub async fn get_with(&self, path: &str, header: (&str, &str)) -> Reply {
        finish!(self.client.get(self.url(path)).insert_header(header).send())
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Reply {
        finish!(self.client.post(self.url(path)).send_json(body))
    }

    /// POST JSON with extra headers.
    pub async fn post_json_with(&self, path: &str, body: &Value, headers: &[(&str, &str)]) -> Reply {
        let mut req = self.client.post(self.url(path));
        for h in headers {
            req = req.insert_header(*h);
        }
        finish!(req.send_json(body))
    }

    /// POST raw bytes with a given content type (or none).
    pub async fn post_raw(&self, path: &str, content_type: Option<&str>, body: Vec<u8>) -> Reply {
        let mut req = self.client.post(self.url(path));
        if let Some(ct) = content_type {
            req = req.insert_header(("content-type", ct));
        }
        finish!(req.send_body(body))
    }

    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        finish!(self.client.post(self.url(path)).send_form(&fields))
    }

    /// `POST /api/v1/check` with `{"text": …}`.
    pub async fn check(&self, text: &str) -> Value {
        let r = self.post_json("/api/v1/check", &serde_json::json!({ "text": text })).await;
        assert_eq!(r.status, 200, "check failed: {}", r.text());
        r.json()
    }

    /// The generation the server is answering from.
    pub async fn generation(&self) -> String {
        let r = self.get("/healthz").await;
        assert_eq!(r.status, 200, "{}", r.text());
        r.json()["index"]["generation"].as_str().unwrap().to_string()
    }

    /// Run `piyao reindex` (the real binary) on this app's index folder.
    pub fn reindex(&self, corpus: &Path) -> Output {
        std::process::Command::new(env!("CARGO_BIN_EXE_piyao"))
            .args(["reindex", "--corpus"])
            .arg(corpus)
            .arg("--index")
            .arg(self.index_dir.path())
            .env_remove("PIYAO_INDEX")
            .env_remove("PIYAO_CORPUS")
            .output()
            .expect("piyao runs")
    }

    /// Wait until the server answers from a generation other than `old`.
    pub async fn wait_for_new_generation(&self, old: &str) -> String {
        for _ in 0..200 {
            let r = self.get("/healthz").await;
            if r.status == 200 {
                let g = r.json()["index"]["generation"].as_str().unwrap().to_string();
                if g != old {
                    return g;
                }
            }
            actix_web::rt::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("the server never picked up a new generation");
    }
}
