//! Recorded checks on real databases (a SQLite file, and a PostgreSQL server started for the
//! test from Debian's binaries): masking, clusters, feedback, re-checks, restarts, `kill -9`,
//! concurrent writers, a corrupt or locked file, and clusters covered by a new index.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::rc::Rc;
use std::time::Duration;

use piyao::store::{Location, QueueQuery, Storage};
use serde_json::{Value, json};

use crate::helpers::{Options, TestApp, bundled_corpus, copy_corpus, spawn_app_with};

/// A new rumor that is not in the corpus, and copies of it as group chats damage it.
const NEW_RUMOR: &str = "紧急通知：明天起本市全城停水三天，自来水厂检修，请大家赶紧储水，转发给亲友";
const COPIES: [&str; 5] = [
    "转发：紧急通知：明天起本市全城停水三天，自来水厂检修，请大家赶紧储水，转发给亲友",
    "紧急通知：明天起本市全城停水三天，自来水厂检修，请大家趕緊儲水，轉發給親友🙏🙏",
    "紧急通知 明天起本市全城停水三天 自来水厂检修 请大家赶紧储水",
    "紧急通知：明天起本市全城停水三天，自来水厂检修，请大家赶紧储水，转发给亲友。联系人王师傅138 1234 5678",
    "紧急通知：明天起本市全城停水３天，自来水厂检修，请大家赶紧储水，转发给亲友！！",
];
/// A known rumor (decided by the corpus, so never clustered).
const KNOWN: &str = "从今晚8点开始全国清查，不删聊天记录封群封号，收到请转发";

fn sqlite_in(dir: &Path) -> Location {
    Location::Sqlite(dir.join("piyao.db"))
}

async fn app_on(db: &Location) -> TestApp {
    spawn_app_with(Options { database: Some(db.clone()), ..Options::default() }).await
}

/// Wait until the server has written at least `n` checks.
async fn written(app: &TestApp, n: u64) -> Value {
    for _ in 0..2400 {
        let h = app.get("/healthz").await.json();
        if h["recording"]["written"].as_u64().unwrap_or(0) >= n {
            return h["recording"].clone();
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the writer never wrote {n} checks: {}", app.get("/healthz").await.text());
}

/// Read the database directly, on a thread of its own (the PostgreSQL client blocks on a
/// runtime of its own, which it may not do inside the test's).
fn with_store<T: Send>(db: &Location, f: impl FnOnce(&dyn Storage) -> T + Send) -> T {
    std::thread::scope(|s| {
        s.spawn(|| {
            let store = piyao::store::open(db).unwrap_or_else(|e| panic!("{e}"));
            f(store.as_ref())
        })
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e))
    })
}

fn uncovered(store: &dyn Storage) -> Vec<piyao::store::ClusterSummary> {
    store.queue(&QueueQuery { limit: 50, status: Some(piyao::store::ClusterStatus::Open), ..QueueQuery::default() }).unwrap()
}

/// Checks on every surface are recorded masked, the copies of one new rumor form one cluster,
/// and feedback and re-checks find the stored check.
async fn records_masks_clusters(db: Location) {
    let app = app_on(&db).await;
    let mut ids = Vec::new();
    for text in std::iter::once(NEW_RUMOR).chain(COPIES) {
        let r = app.check(text).await;
        assert_eq!(r["verdict"], "unknown", "{text}");
        let id = r["check_id"].as_str().expect("a check_id").to_string();
        assert!(id.len() == 24 && id.chars().all(|c| c.is_ascii_hexdigit()), "{id}");
        ids.push(id);
    }
    let page = app.post_form("/check", &[("text", NEW_RUMOR)]).await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("name=\"check_id\""), "the result page has the feedback form");
    let known = app.check(KNOWN).await;
    assert_eq!(known["verdict"], "false");
    let batch = app.post_json("/api/v1/check/batch", &json!({"items": [{"id": "a", "text": COPIES[0]}]})).await.json();
    assert!(batch["results"][0]["check_id"].is_string());

    // feedback: stored (after the check itself is written), unknown ids and bad bodies refused
    let r = app
        .post_json(
            "/api/v1/feedback",
            &json!({"check_id": known["check_id"], "helpful": false, "comment": "不对，加我微信 zhang_san88 细聊"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let r = app.post_json("/api/v1/feedback", &json!({"check_id": "0123456789abcdef01234567", "helpful": true})).await;
    assert_eq!((r.status, r.error_code().as_str()), (404, "check_not_found"));
    let r = app.post_json("/api/v1/feedback", &json!({"check_id": ids[0]})).await;
    assert_eq!((r.status, r.error_code().as_str()), (400, "invalid_request"));
    let r = app.post_json("/api/v1/feedback", &json!({"check_id": ids[0], "helpful": true, "comment": "长".repeat(2001)})).await;
    assert_eq!((r.status, r.error_code().as_str()), (400, "invalid_request"));
    let r = app.post_form("/feedback", &[("check_id", &ids[1]), ("helpful", "yes")]).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().contains("谢谢你的反馈"));

    // re-check: the stored text, masked, checked again
    let r = app.get(&format!("/api/v1/checks/{}", ids[4])).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = r.json();
    assert!(r["text"].as_str().unwrap().contains("【手机号】"), "{r}");
    assert!(!r["text"].as_str().unwrap().contains("5678"));
    assert_eq!(
        (r["original_verdict"].as_str(), r["current"]["verdict"].as_str(), r["changed"].as_bool()),
        (Some("unknown"), Some("unknown"), Some(false))
    );
    assert_eq!(app.get("/api/v1/checks/nope").await.error_code(), "check_not_found");

    written(&app, 9).await;
    with_store(&db, |store| {
        let known_row = store.check(known["check_id"].as_str().unwrap()).unwrap().expect("stored");
        assert_eq!(
            (known_row.verdict.as_str(), known_row.top_claim.as_deref(), known_row.cluster_id),
            ("false", Some("wechat-purge-notice-2022"), None)
        );
        let queue = uncovered(store);
        let ours: Vec<_> = queue.iter().filter(|c| c.representative.contains("停水")).collect();
        assert_eq!(ours.len(), 1, "one cluster for all copies: {queue:#?}");
        assert_eq!(ours[0].count, 8, "{:#?}", ours[0]);
        assert_eq!(ours[0].surfaces, vec!["api", "web", "batch"]);
        let detail = store.cluster(ours[0].id).unwrap().unwrap();
        assert!(detail.variants.iter().all(|v| !v.text.contains("1234")), "{detail:#?}");
        let feedback = store.feedback_by_claim().unwrap();
        let purge = feedback.iter().find(|f| f.claim_id.as_deref() == Some("wechat-purge-notice-2022")).expect("feedback on the claim");
        assert_eq!((purge.helpful, purge.unhelpful), (0, 1));
        assert_eq!(purge.comments[0].comment, "不对，加我微信 【微信号】 细聊");
    });
}

/// 8 concurrent clients × 1,000 checks each (batches of 100): every one is recorded.
async fn concurrent_writers_lose_nothing(db: Location) {
    let app = Rc::new(app_on(&db).await);
    let mut workers = Vec::new();
    for w in 0..8 {
        let app = app.clone();
        workers.push(actix_web::rt::spawn(async move {
            let mut ids = Vec::new();
            for b in 0..10 {
                let items: Vec<Value> =
                    (0..100).map(|i| json!({"id": format!("{w}-{b}-{i}"), "text": format!("第{w}组第{b}批第{i}条：听说{i}号楼明天停电{b}小时，是真的吗")})).collect();
                let r = app.post_json("/api/v1/check/batch", &json!({ "items": items, "limit": 1 })).await;
                assert_eq!(r.status, 200, "{}", r.text());
                ids.extend(r.json()["results"].as_array().unwrap().iter().map(|x| x["check_id"].as_str().unwrap().to_string()));
            }
            ids
        }));
    }
    let mut ids = Vec::new();
    for w in workers {
        ids.extend(w.await.unwrap());
    }
    assert_eq!(ids.len(), 8000);
    let status = written(&app, 8000).await;
    assert_eq!(status["dropped"], 0, "{status}");
    assert_eq!(status["failed_batches"], 0, "{status}");
    with_store(&db, |store| {
        assert_eq!(store.counts().unwrap().checks, 8000);
        for id in ids.iter().step_by(97) {
            assert!(store.check(id).unwrap().is_some(), "{id} not stored");
        }
    });
}

/// `piyao serve` as a real process on `index`, recording into `database`.
fn serve(index: &Path, database: &str, log: &Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_piyao"))
        .args(["serve", "--bind", "127.0.0.1:0", "--rate-limit", "0", "--database", database, "--corpus"])
        .arg(bundled_corpus())
        .arg("--index")
        .arg(index)
        .env_remove("PIYAO_RECORD")
        .env_remove("PIYAO_ADMIN_TOKEN")
        .stderr(std::fs::File::create(log).unwrap())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..1200 {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if let Some(rest) = text.split("piyao listening on ").nth(1) {
            return (child, format!("http://{}", rest.lines().next().unwrap().trim().trim_start_matches("http://")));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("serve did not start: {}", std::fs::read_to_string(log).unwrap_or_default());
}

fn client_for(address: &str) -> TestApp {
    TestApp { address: address.to_string(), index_dir: tempfile::tempdir().unwrap(), client: awc::Client::default() }
}

/// A stop (SIGTERM) keeps every check; `kill -9` loses at most what was not yet written.
async fn restarts_keep_everything(db: Location) {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let database = match &db {
        Location::Sqlite(p) => p.display().to_string(),
        Location::Postgres(url) => url.clone(),
    };
    let log = dir.path().join("serve.log");
    let (mut child, address) = serve(&index, &database, &log);
    let app = client_for(&address);
    let mut ids = Vec::new();
    for i in 0..200 {
        ids.push(app.check(&format!("{NEW_RUMOR}（第{i}次转发）")).await["check_id"].as_str().unwrap().to_string());
    }
    // a graceful stop writes what is pending
    Command::new("kill").arg("-TERM").arg(child.id().to_string()).status().unwrap();
    child.wait().unwrap();
    let (mut child, address) = serve(&index, &database, &log);
    let app = client_for(&address);
    for id in &ids {
        let r = app.get(&format!("/api/v1/checks/{id}")).await;
        assert_eq!(r.status, 200, "{id} lost across a restart: {}", r.text());
    }
    // kill -9 right after the last answer: what the writer had not written yet is lost
    let mut later = Vec::new();
    for i in 0..300 {
        later.push(app.check(&format!("听说{i}号楼明天停电，是真的吗")).await["check_id"].as_str().unwrap().to_string());
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let (kept, total) =
        with_store(&db, |store| (later.iter().filter(|id| store.check(id).unwrap().is_some()).count(), store.counts().unwrap().checks));
    let lost = later.len() - kept;
    println!("kill -9 after 300 sequential checks on {}: {lost} not recorded", db.describe());
    assert!(lost <= piyao::record::MAX_BATCH, "lost {lost}");
    assert_eq!(total as usize, ids.len() + kept);
}

#[actix_web::test]
async fn sqlite_records_masks_and_clusters_checks() {
    let dir = tempfile::tempdir().unwrap();
    records_masks_clusters(sqlite_in(dir.path())).await;
}

#[actix_web::test]
async fn sqlite_keeps_every_check_of_eight_concurrent_writers() {
    let dir = tempfile::tempdir().unwrap();
    concurrent_writers_lose_nothing(sqlite_in(dir.path())).await;
}

#[actix_web::test]
async fn sqlite_keeps_checks_across_restarts_and_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    restarts_keep_everything(sqlite_in(dir.path())).await;
}

#[actix_web::test]
async fn postgres_records_masks_and_clusters_checks() {
    let pg = Postgres::start();
    records_masks_clusters(pg.database("records")).await;
}

#[actix_web::test]
async fn postgres_keeps_every_check_of_eight_concurrent_writers() {
    let pg = Postgres::start();
    concurrent_writers_lose_nothing(pg.database("writers")).await;
}

#[actix_web::test]
async fn postgres_keeps_checks_across_restarts_and_kill_9() {
    let pg = Postgres::start();
    restarts_keep_everything(pg.database("restarts")).await;
}

#[actix_web::test]
async fn two_replicas_share_one_postgres_queue() {
    let pg = Postgres::start();
    let db = pg.database("replicas");
    let (a, b) = (app_on(&db).await, app_on(&db).await);
    for app in [&a, &b, &a] {
        app.check(NEW_RUMOR).await;
    }
    written(&a, 2).await;
    written(&b, 1).await;
    let queue = with_store(&db, uncovered);
    assert_eq!(queue.len(), 1, "{queue:#?}");
    assert_eq!(queue[0].count, 3);
}

#[actix_web::test]
async fn a_corrupt_or_locked_database_turns_recording_off_and_checks_go_on() {
    let dir = tempfile::tempdir().unwrap();
    let corrupt = dir.path().join("corrupt.db");
    std::fs::write(&corrupt, b"this is not a database, just text that someone saved here by mistake....".repeat(100)).unwrap();
    let locked = dir.path().join("locked.db");
    let lock = rusqlite::Connection::open(&locked).unwrap();
    lock.execute_batch("PRAGMA journal_mode=DELETE; CREATE TABLE t (x); BEGIN EXCLUSIVE; INSERT INTO t VALUES (1);").unwrap();
    let unreachable = Location::Postgres("postgres://piyao:secret@127.0.0.1:1/piyao".into());
    for (db, expected) in [
        (Location::Sqlite(corrupt.clone()), "not a database"),
        (Location::Sqlite(locked.clone()), "locked"),
        (unreachable, "postgres postgres://piyao:***@127.0.0.1:1/piyao"),
    ] {
        let app = app_on(&db).await;
        let health = app.get("/healthz").await.json();
        assert_eq!(health["recording"]["enabled"], false, "{health}");
        let detail = health["recording"]["detail"].as_str().unwrap();
        assert!(detail.contains(expected), "{detail}");
        assert!(!detail.contains("secret"));
        let r = app.check(KNOWN).await;
        assert_eq!((r["verdict"].as_str(), r["check_id"].is_null()), (Some("false"), true));
        let fb = app.post_json("/api/v1/feedback", &json!({"check_id": "0123456789abcdef01234567", "helpful": true})).await;
        assert_eq!((fb.status, fb.error_code().as_str()), (503, "recording_off"));
        assert!(app.get("/metrics").await.text().contains("piyao_recording_enabled 0"));
    }
    // the files were left as they were
    assert!(std::fs::read(&corrupt).unwrap().starts_with(b"this is not a database"));
    drop(lock);
}

#[actix_web::test]
async fn no_record_keeps_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app_with(Options::default()).await;
    let r = app.check(NEW_RUMOR).await;
    assert!(r["check_id"].is_null());
    let h = app.get("/healthz").await.json();
    assert_eq!(h["recording"]["enabled"], false);
    assert!(!dir.path().join("piyao.db").exists());
}

#[actix_web::test]
async fn a_cluster_is_covered_when_a_new_debunk_answers_it() {
    // the corpus without one claim: its rumor is asked, unanswered, and clustered
    let corpus = copy_corpus(&bundled_corpus());
    let claim = corpus.path().join("claims/wechat-purge-notice-2022.toml");
    let saved = std::fs::read_to_string(&claim).unwrap();
    std::fs::remove_file(&claim).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_in(dir.path());
    let app = spawn_app_with(Options { corpus: Some(corpus.path().to_path_buf()), database: Some(db.clone()), ..Options::default() }).await;
    let asked = app.check(KNOWN).await;
    assert_eq!(asked["verdict"], "unknown");
    written(&app, 1).await;
    assert_eq!(with_store(&db, uncovered).len(), 1);
    // the debunk is added and indexed: the cluster leaves the queue, covered by it
    std::fs::write(&claim, saved).unwrap();
    let old = app.generation().await;
    let out = app.reindex(corpus.path());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    app.wait_for_new_generation(&old).await;
    for _ in 0..200 {
        let (all, open) =
            with_store(&db, |store| (store.queue(&QueueQuery { limit: 10, ..QueueQuery::default() }).unwrap(), uncovered(store)));
        if all[0].status == piyao::store::ClusterStatus::Covered {
            assert_eq!(all[0].covered_by.as_deref(), Some("wechat-purge-notice-2022"));
            assert!(open.is_empty());
            let r = app.get(&format!("/api/v1/checks/{}", asked["check_id"].as_str().unwrap())).await.json();
            assert_eq!(
                (r["original_verdict"].as_str(), r["current"]["verdict"].as_str(), r["changed"].as_bool()),
                (Some("unknown"), Some("false"), Some(true))
            );
            return;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the cluster was never marked covered");
}

/// A throwaway PostgreSQL server (Debian's `postgresql` package), stopped when dropped.
pub struct Postgres {
    bin: PathBuf,
    data: PathBuf,
    port: u16,
    _dir: tempfile::TempDir,
}

fn as_postgres(cmd: &Path) -> Command {
    // PostgreSQL refuses to run as root: run its programs as the `postgres` user then
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(cmd);
        c
    } else {
        Command::new(cmd)
    }
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0").unwrap_or(false)
}

impl Postgres {
    pub fn start() -> Postgres {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()
            .and_then(|d| d.filter_map(Result::ok).map(|e| e.path().join("bin")).filter(|b| b.join("initdb").exists()).max())
            .expect("PostgreSQL is not installed: apt-get install postgresql (bash .ci/run does)");
        let dir = tempfile::tempdir().unwrap();
        if is_root() {
            assert!(Command::new("chown").args(["-R", "postgres:postgres"]).arg(dir.path()).status().unwrap().success());
        }
        let data = dir.path().join("data");
        let out = as_postgres(&bin.join("initdb"))
            .args(["-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale", "C", "-D"])
            .arg(&data)
            .output()
            .unwrap();
        assert!(out.status.success(), "initdb: {}", String::from_utf8_lossy(&out.stderr));
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let options = format!("-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off", dir.path().display());
        let out = as_postgres(&bin.join("pg_ctl"))
            .args(["-D"])
            .arg(&data)
            .args(["-o", &options, "-l"])
            .arg(dir.path().join("log"))
            .args(["-w", "-t", "60", "start"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "pg_ctl start: {} {}",
            String::from_utf8_lossy(&out.stdout),
            std::fs::read_to_string(dir.path().join("log")).unwrap_or_default()
        );
        Postgres { bin, data, port, _dir: dir }
    }

    /// A new empty database on this server.
    pub fn database(&self, name: &str) -> Location {
        let port = self.port;
        std::thread::scope(|s| {
            s.spawn(|| {
                let mut admin =
                    postgres::Client::connect(&format!("host=127.0.0.1 port={port} user=postgres dbname=postgres"), postgres::NoTls)
                        .unwrap();
                admin.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
            })
            .join()
            .unwrap()
        });
        Location::Postgres(format!("postgres://postgres@127.0.0.1:{}/{name}", self.port))
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = as_postgres(&self.bin.join("pg_ctl")).args(["-D"]).arg(&self.data).args(["-m", "immediate", "stop"]).output();
    }
}

#[actix_web::test]
async fn piyao_queue_prints_the_most_asked_uncovered_clusters() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_in(dir.path());
    let app = app_on(&db).await;
    for text in [NEW_RUMOR, COPIES[0], COPIES[1], "听说3号楼明天停电一整天，是真的吗"] {
        app.check(text).await;
    }
    written(&app, 4).await;
    let Location::Sqlite(path) = &db else { unreachable!() };
    let queue = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_piyao")).arg("queue").arg("--database").arg(path).args(args).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let table = queue(&[]);
    let rows: Vec<&str> = table.lines().skip(1).collect();
    assert_eq!(rows.len(), 2, "{table}");
    assert!(rows[0].trim_start().starts_with("3 ") && rows[0].contains("停水"), "most asked first: {table}");
    let json: Vec<Value> = queue(&["--json", "--sort", "recent"]).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(json[0]["representative"].as_str().unwrap().contains("停电"), "most recent first");
    let missing = Command::new(env!("CARGO_BIN_EXE_piyao")).args(["queue", "--database"]).arg(dir.path().join("nope.db")).output().unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no database at"));
}
