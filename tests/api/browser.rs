//! Real headless Chromium, driven through chromedriver over the W3C WebDriver HTTP protocol (with
//! the awc client already in the dependencies): a phone-sized user checks a rumor and an unknown
//! message, and every page is screenshotted at phone and desktop width into `target/screenshots/`
//! and checked for sideways scrolling.
//!
//! Without chromium/chromedriver the tests print a note and pass, except in CI (`CI` set), where
//! a missing browser must fail rather than silently drop this coverage. Every wait is bounded, the
//! session is always deleted and chromedriver always killed (both on drop, so also on panic).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::helpers::spawn_app;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const PHONE: (u32, u32) = (360, 740);
const DESKTOP: (u32, u32) = (1280, 900);
/// Longest wait for chromedriver to start, an element to appear, or a text to change.
const WAIT: Duration = Duration::from_secs(20);
/// Tallest full-page screenshot, in CSS pixels.
const MAX_SHOT_HEIGHT: u64 = 6000;
/// The W3C key of an element reference in WebDriver responses.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

const SEED_RUMOR: &str = "从今晚8点开始全国清查，不删聊天记录封群封号，收到请转发";
const UNKNOWN_MESSAGE: &str = "周末一起去公园放风筝吧，天气预报说是晴天";
/// Two corpus variants glued together, as forwards often are.
const TWO_RUMORS: &str = "微信聊天记录要全部删掉，否则会被封群封号，大家互相转告。剩菜放冰箱一晚上吃了会致癌！";

/// Are chromium and chromedriver installed? Panics in CI when they are not.
fn browser_installed() -> bool {
    let installed = Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists();
    if !installed {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run the browser tests, but {CHROMIUM} or {CHROMEDRIVER} is missing: apt-get install chromium chromium-driver"
        );
        eprintln!("skipped: chromium not installed (need {CHROMIUM} and {CHROMEDRIVER}: apt-get install chromium chromium-driver)");
    }
    installed
}

fn screenshot_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target").join("screenshots")
}

/// A chromedriver process on a free port, killed on drop.
struct Chromedriver {
    child: Child,
    url: String,
}

impl Chromedriver {
    async fn start() -> Chromedriver {
        let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let driver = Chromedriver { child, url: format!("http://127.0.0.1:{port}") };
        let client = awc::Client::builder().timeout(Duration::from_secs(5)).finish();
        let deadline = Instant::now() + WAIT;
        loop {
            if let Ok(mut r) = client.get(format!("{}/status", driver.url)).send().await
                && let Ok(body) = r.json::<Value>().await
                && body["value"]["ready"] == true
            {
                return driver;
            }
            assert!(Instant::now() < deadline, "chromedriver was not ready within {WAIT:?}");
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A browser session, deleted on drop (which closes Chromium).
struct Browser {
    client: awc::Client,
    /// `{driver}/session/{id}`.
    session: String,
    size: (u32, u32),
    /// Chromium's fresh profile folder, removed after the session is gone.
    _profile: tempfile::TempDir,
}

impl Browser {
    async fn open(driver: &Chromedriver, size: (u32, u32)) -> Browser {
        Browser::open_with_prefs(driver, size, json!({})).await
    }

    /// A browser whose default font size is `px` (Chrome's own font-size setting), as on a
    /// phone with large system fonts.
    async fn open_with_font_size(driver: &Chromedriver, size: (u32, u32), px: u32) -> Browser {
        Browser::open_with_prefs(driver, size, json!({"webkit": {"webprefs": {"default_font_size": px, "default_fixed_font_size": px}}}))
            .await
    }

    async fn open_with_prefs(driver: &Chromedriver, size: (u32, u32), prefs: Value) -> Browser {
        let profile = tempfile::tempdir().expect("profile folder");
        let args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ]
        .map(String::from)
        .into_iter()
        .chain([format!("--user-data-dir={}", profile.path().display()), format!("--window-size={},{}", size.0, size.1)])
        .collect::<Vec<_>>();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args, "prefs": prefs},
            "timeouts": {"pageLoad": 20_000, "script": 10_000, "implicit": 0},
        }}});
        let client = awc::Client::builder().timeout(Duration::from_secs(60)).finish();
        let created = call(&client, Method::POST, &format!("{}/session", driver.url), Some(caps)).await.expect("session created");
        let id = created["sessionId"].as_str().expect("session id").to_string();
        let browser = Browser { client, session: format!("{}/session/{id}", driver.url), size, _profile: profile };
        browser.set_viewport(size.0, size.1).await;
        browser
    }

    async fn cmd(&self, method: Method, path: &str, body: Option<Value>) -> Result<Value, String> {
        call(&self.client, method, &format!("{}{path}", self.session), body).await
    }

    async fn goto(&self, url: &str) {
        self.cmd(Method::POST, "/url", Some(json!({ "url": url }))).await.unwrap_or_else(|e| panic!("open {url}: {e}"));
    }

    /// Type `text` into the home page's box and press 查证, as a user would.
    async fn check_from_home(&self, home: &str, text: &str) {
        self.goto(home).await;
        self.type_into("#text", text).await;
        self.click("#submit").await;
    }

    async fn run(&self, script: &str) -> Value {
        self.cmd(Method::POST, "/execute/sync", Some(json!({"script": script, "args": []})))
            .await
            .unwrap_or_else(|e| panic!("{script}: {e}"))
    }

    /// The first element matching `css`, waiting for it to appear.
    async fn find(&self, css: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            match self.cmd(Method::POST, "/element", Some(json!({"using": "css selector", "value": css}))).await {
                Ok(v) => return v[ELEMENT].as_str().expect("element reference").to_string(),
                Err(e) if Instant::now() >= deadline => panic!("no `{css}` within {WAIT:?}: {e}"),
                Err(_) => actix_web::rt::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    async fn type_into(&self, css: &str, text: &str) {
        let el = self.find(css).await;
        self.cmd(Method::POST, &format!("/element/{el}/value"), Some(json!({ "text": text }))).await.expect("typed");
    }

    async fn click(&self, css: &str) {
        let el = self.find(css).await;
        self.cmd(Method::POST, &format!("/element/{el}/click"), Some(json!({}))).await.expect("clicked");
    }

    /// Wait until the element matching `css` shows text containing `expected`; return its text.
    async fn wait_for_text(&self, css: &str, expected: &str) -> String {
        let deadline = Instant::now() + WAIT;
        let mut last = String::new();
        while Instant::now() < deadline {
            if let Ok(v) = self.cmd(Method::POST, "/element", Some(json!({"using": "css selector", "value": css}))).await
                && let Some(el) = v[ELEMENT].as_str()
                && let Ok(text) = self.cmd(Method::GET, &format!("/element/{el}/text"), None).await
            {
                last = text.as_str().unwrap_or_default().to_string();
                if last.contains(expected) {
                    return last;
                }
            }
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("`{css}` did not show `{expected}` within {WAIT:?}; last text: {last:?}");
    }

    /// How many CSS pixels the page is wider than the window (0 when nothing scrolls sideways).
    async fn sideways_overflow(&self) -> i64 {
        self.run("return document.documentElement.scrollWidth - document.documentElement.clientWidth").await.as_i64().unwrap_or(i64::MAX)
    }

    /// Save the whole page as `target/screenshots/{name}.png`: the viewport grows to the page's
    /// height for the shot, then returns to its size.
    async fn screenshot(&self, name: &str) -> PathBuf {
        let height = self.run("return Math.ceil(document.documentElement.scrollHeight)").await.as_u64().unwrap_or(0);
        let height = height.clamp(u64::from(self.size.1), MAX_SHOT_HEIGHT);
        self.set_viewport(self.size.0, height as u32).await;
        let shot = self.cmd(Method::GET, "/screenshot", None).await;
        self.set_viewport(self.size.0, self.size.1).await;
        let png = base64_decode(shot.expect("screenshot taken").as_str().expect("base64 PNG"));
        assert!(png.starts_with(b"\x89PNG"), "{name}: not a PNG");
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).expect("screenshot folder");
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).expect("screenshot written");
        path
    }

    /// Lay the page out in a `width` × `height` CSS-pixel viewport, as a phone does below 600 px
    /// (honouring the viewport meta tag, overlay scrollbars). Headless Chromium will not shrink a
    /// window below 500 px, so `--window-size` alone cannot give a 360 px phone; this is
    /// chromedriver's DevTools pass-through.
    async fn set_viewport(&self, width: u32, height: u32) {
        let params = json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600});
        self.cmd(Method::POST, "/goog/cdp/execute", Some(json!({"cmd": "Emulation.setDeviceMetricsOverride", "params": params})))
            .await
            .expect("viewport set");
    }
}

impl Drop for Browser {
    /// Delete the session with a plain blocking request (drop cannot await), bounded by timeouts.
    fn drop(&mut self) {
        let Some(rest) = self.session.strip_prefix("http://") else { return };
        let Some((host, path)) = rest.split_once('/') else { return };
        let Ok(addr) = host.parse() else { return };
        if let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_secs(5)) {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(15)));
            let request = format!("DELETE /{path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            if stream.write_all(request.as_bytes()).is_ok() {
                let _ = stream.read_to_end(&mut Vec::new());
            }
        }
    }
}

/// One WebDriver command: the `value` of the reply, or the driver's error.
async fn call(client: &awc::Client, method: Method, url: &str, body: Option<Value>) -> Result<Value, String> {
    let req = client.request(method, url);
    let sent = match body {
        Some(b) => req.send_json(&b).await,
        None => req.send().await,
    };
    let mut reply = sent.map_err(|e| format!("{url}: {e}"))?;
    let bytes = reply.body().limit(64 << 20).await.map_err(|e| format!("{url}: {e}"))?;
    let v: Value = serde_json::from_slice(&bytes).map_err(|e| format!("{url}: not JSON: {e}"))?;
    if reply.status().is_success() { Ok(v["value"].clone()) } else { Err(format!("{url}: {} {}", reply.status(), v["value"])) }
}

/// Standard base64 (screenshots); no extra crate for one decoder.
fn base64_decode(s: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64: {c}"),
    };
    let digits: Vec<u8> = s.bytes().filter(|c| !c.is_ascii_whitespace() && *c != b'=').map(value).collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, d)| n | (u32::from(*d) << (18 - 6 * i)));
        out.extend(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}

#[test]
fn base64_round_trip() {
    assert_eq!(base64_decode("aGVsbG8="), b"hello");
    assert_eq!(base64_decode("aGk="), b"hi");
    assert_eq!(base64_decode("YWJj"), b"abc");
}

#[actix_web::test]
async fn phone_user_checks_a_rumor_and_an_unknown_message() {
    if !browser_installed() {
        return;
    }
    let app = spawn_app().await;
    let driver = Chromedriver::start().await;
    let browser = Browser::open(&driver, PHONE).await;

    browser.goto(&app.url("/")).await;
    assert_eq!(browser.run("return document.documentElement.clientWidth").await, 360, "phone-sized viewport");
    browser.type_into("#text", SEED_RUMOR).await;
    browser.click("#submit").await;
    let verdict = browser.wait_for_text("#verdict .badge", "谣言").await;
    assert!(verdict.contains("谣言"), "{verdict}");
    browser.find("#message mark").await;
    assert_eq!(browser.sideways_overflow().await, 0, "the result page fits a 360 px phone");

    // the copy button is there only with JavaScript, and says when it copied
    let reply = browser.wait_for_text("#reply", "【辟谣】").await;
    assert!(reply.contains("复制这段话"), "{reply}");
    browser.click("#copy-reply").await;
    browser.wait_for_text("#copy-reply", "已复制").await;

    browser.check_from_home(&app.url("/"), UNKNOWN_MESSAGE).await;
    browser.wait_for_text("#verdict .badge", "未收录").await;
    browser.wait_for_text("#verdict", "未收录 ≠ 属实").await;
}

#[actix_web::test]
async fn a_forwarded_debunk_is_shown_as_a_debunk_on_a_phone() {
    if !browser_installed() {
        return;
    }
    let app = spawn_app().await;
    let driver = Chromedriver::start().await;
    let browser = Browser::open(&driver, PHONE).await;

    browser.check_from_home(&app.url("/"), "【辟谣】网传“从今晚开始全国清查微信群，不删聊天记录封群封号”系谣言，请勿转发！").await;
    let stance = browser.wait_for_text("#stance", "这是一条辟谣").await;
    assert!(stance.contains("✓"), "{stance}");
    let reply = browser.wait_for_text("#reply", "这条消息本身就是辟谣").await;
    assert!(reply.contains("【辟谣】"), "{reply}");
    assert_eq!(browser.sideways_overflow().await, 0, "the result page fits a 360 px phone");
}

#[actix_web::test]
async fn a_screenshot_uploaded_on_a_phone_gets_a_verdict() {
    if !browser_installed() {
        return;
    }
    let app = spawn_app().await;
    let driver = Chromedriver::start().await;
    let browser = Browser::open(&driver, PHONE).await;
    let screenshot = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/images/wechat-purge-chat.png");

    browser.goto(&app.url("/")).await;
    // choosing the file sends the form (picture.js); the form's own button is for pages without JavaScript
    browser.type_into("#image", screenshot.to_str().unwrap()).await;
    browser.wait_for_text("#verdict .badge", "谣言").await;
    browser.wait_for_text("#verdict", "全国清查").await;
    browser.find("#picture img").await;
    let message = browser.wait_for_text("#message", "从今晚8点开始全国清查").await;
    assert!(message.contains("识别出"), "{message}");
    assert_eq!(browser.sideways_overflow().await, 0, "the result page with its picture fits a 360 px phone");
    browser.screenshot("phone-image-result").await;
}

#[actix_web::test]
async fn every_page_fits_phone_and_desktop_screens() {
    if !browser_installed() {
        return;
    }
    let app = spawn_app().await;
    let driver = Chromedriver::start().await;
    let check = |text: &str| piyao::links::check_path(text).expect("a short message has a permalink");
    let (rumor, unknown, two_rumors) = (check(SEED_RUMOR), check(UNKNOWN_MESSAGE), check(TWO_RUMORS));
    let pages = [
        ("home", "/", "#text"),
        ("result", rumor.as_str(), "#verdict .badge"),
        ("result-unknown", unknown.as_str(), "#verdict .badge"),
        ("result-two-rumors", two_rumors.as_str(), ".part-claim"),
        ("claims", "/claims", ".claim-list"),
        ("claim", "/claims/wechat-purge-notice-2022", "#variants"),
        ("regulation", "/regulations/cybersecurity-law", "#art-13"),
    ];
    let large_fonts = [("result", rumor.as_str()), ("claims", "/claims"), ("regulation", "/regulations/cybersecurity-law")];
    for (size_name, size) in [("phone", PHONE), ("desktop", DESKTOP)] {
        let browser = Browser::open(&driver, size).await;
        for (name, path, landmark) in pages {
            browser.goto(&app.url(path)).await;
            browser.find(landmark).await;
            assert_eq!(browser.sideways_overflow().await, 0, "{path} scrolls sideways at {size:?}");
            let file = browser.screenshot(&format!("{name}-{size_name}")).await;
            assert!(std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0) > 1000, "{}", file.display());
        }
    }

    // Older relatives often turn the system font up: 28 px text must still fit 360 px.
    let browser = Browser::open_with_font_size(&driver, PHONE, 28).await;
    for (name, path) in large_fonts {
        browser.goto(&app.url(path)).await;
        let size = browser.run("return parseFloat(getComputedStyle(document.body).fontSize)").await.as_f64().unwrap_or(0.0);
        assert!(size > 28.0, "the page follows the larger default font: {size}px");
        assert_eq!(browser.sideways_overflow().await, 0, "{path} scrolls sideways with large fonts");
        browser.screenshot(&format!("{name}-phone-large-font")).await;
    }
}

#[actix_web::test]
async fn an_editor_signs_in_finds_an_unanswered_message_and_drafts_its_debunk() {
    if !browser_installed() {
        return;
    }
    const TOKEN: &str = "editors-token-for-the-browser";
    let dir = tempfile::tempdir().unwrap();
    let db = piyao::store::Location::Sqlite(dir.path().join("piyao.db"));
    let app =
        crate::helpers::spawn_app_with(crate::helpers::Options { database: Some(db), admin_token: Some(TOKEN), ..Default::default() })
            .await;
    let driver = Chromedriver::start().await;
    let browser = Browser::open(&driver, DESKTOP).await;

    // two people ask about the same new forward; one says the answer did not help
    browser.check_from_home(&app.url("/"), UNKNOWN_MESSAGE).await;
    browser.wait_for_text("#verdict .badge", "未收录").await;
    browser.click("#helpful-no").await;
    browser.wait_for_text("#thanks", "谢谢你的反馈").await;
    browser.check_from_home(&app.url("/"), &format!("转发：{UNKNOWN_MESSAGE}")).await;
    browser.wait_for_text("#verdict .badge", "未收录").await;

    // the editor signs in and finds it at the top of the queue, asked twice
    browser.goto(&app.url("/admin")).await;
    browser.wait_for_text("#error", "login_required").await;
    browser.goto(&app.url("/admin/login")).await;
    browser.type_into("#token", TOKEN).await;
    browser.click("#login-submit").await;
    let first = browser.wait_for_text("#queue li.cluster", &UNKNOWN_MESSAGE.chars().take(8).collect::<String>()).await;
    assert!(first.contains("被问 2 次"), "{first}");
    browser.click("#queue li.cluster a").await;
    let cluster = browser.wait_for_text("#cluster", "不同版本").await;
    assert!(cluster.contains("转发："), "both wordings are listed: {cluster}");
    let draft = browser.run("return document.querySelector('#draft-toml').value").await;
    let draft = draft.as_str().unwrap();
    assert!(draft.contains("id = \"") && draft.contains("variants = [") && draft.contains("[[sources]]"), "{draft}");
    toml::from_str::<toml::Table>(draft).expect("the draft is TOML");
    browser.screenshot("admin-cluster").await;
    // not a claim after all: ignored, and gone from the open queue
    browser.click("#ignore").await;
    browser.wait_for_text("#cluster h1", "已忽略").await;
    browser.goto(&app.url("/admin")).await;
    browser.wait_for_text("#queue", "没有符合条件的问题簇").await;
}
