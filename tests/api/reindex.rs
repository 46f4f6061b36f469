//! Reindexing while the server answers: the swap never fails a request.

use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crate::helpers::{bundled_corpus, copy_corpus, spawn_app};

#[actix_web::test]
async fn reindex_under_load_fails_no_request() {
    // the workers are tasks on this test's single-threaded runtime: shared, never sent
    let app = Rc::new(spawn_app().await);
    let stop = Arc::new(AtomicBool::new(false));
    let ok = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for w in 0..4 {
        let (app, stop, ok, failed) = (app.clone(), stop.clone(), ok.clone(), failed.clone());
        workers.push(actix_web::rt::spawn(async move {
            let msgs = ["从今晚8点开始全国清查，不删聊天记录封群封号", "周末一起去公园放风筝吧", "转发超过500次就要坐牢"];
            let mut i = w;
            // bounded: stops when told, or after 5,000 requests
            while !stop.load(Ordering::Relaxed) && i < 5_000 {
                let r = app.post_json("/api/v1/check", &serde_json::json!({"text": msgs[i % msgs.len()]})).await;
                if r.status == 200 {
                    ok.fetch_add(1, Ordering::Relaxed)
                } else {
                    failed.fetch_add(1, Ordering::Relaxed)
                };
                i += 4;
            }
        }));
    }

    let corpus = copy_corpus(&bundled_corpus());
    let mut generation = app.generation().await;
    for round in 0..3 {
        let id = format!("load-test-{round}");
        let claim = format!(
            "id = \"{id}\"\ntitle = \"t\"\nrating = \"false\"\ncategory = \"society\"\nkeywords = [\"重建\", \"索引\", \"测试\"]\nsummary = \"s\"\nvariants = [\"第{round}轮重建索引时加入的测试传闻文本，请勿转发\"]\n[[sources]]\npublisher = \"p\"\ntitle = \"t\"\n"
        );
        std::fs::write(corpus.path().join(format!("claims/{id}.toml")), claim).unwrap();
        let out = app.reindex(corpus.path());
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        generation = app.wait_for_new_generation(&generation).await;
    }
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.await.unwrap();
    }
    assert_eq!(failed.load(Ordering::Relaxed), 0, "requests failed during reindex");
    assert!(ok.load(Ordering::Relaxed) > 20, "too few requests ran: {}", ok.load(Ordering::Relaxed));
    let r = app.check("第2轮重建索引时加入的测试传闻文本").await;
    assert_eq!(r["matches"][0]["claim_id"], "load-test-2");
}

#[actix_web::test]
async fn crashed_reindex_leaves_the_old_index_serving() {
    let app = spawn_app().await;
    let before = app.generation().await;
    // what a reindex killed half-way leaves: an unpublished generation with partial files
    let leftover = app.index_dir.path().join("gen-1");
    std::fs::create_dir_all(&leftover).unwrap();
    std::fs::write(leftover.join("meta.json"), b"{ partial").unwrap();
    actix_web::rt::time::sleep(std::time::Duration::from_millis(150)).await;
    assert_eq!(app.generation().await, before);
    assert_eq!(app.check("从今晚8点开始全国清查，不删聊天记录封群封号").await["verdict"], "false");
    // the next reindex cleans it up and publishes
    let out = app.reindex(&bundled_corpus());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    app.wait_for_new_generation(&before).await;
    assert!(!leftover.exists());
}

/// A small corpus, so that hundreds of reindexes stay cheap.
fn tiny_corpus() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let from = bundled_corpus();
    std::fs::create_dir_all(dir.path().join("claims")).unwrap();
    std::fs::create_dir_all(dir.path().join("regulations")).unwrap();
    std::fs::copy(from.join("claims/wechat-purge-notice-2022.toml"), dir.path().join("claims/wechat-purge-notice-2022.toml")).unwrap();
    for r in ["cybersecurity-law", "group-info-provisions", "public-security-punishments-law"] {
        std::fs::copy(from.join(format!("regulations/{r}.toml")), dir.path().join(format!("regulations/{r}.toml"))).unwrap();
    }
    dir
}

/// What `CURRENT` names opens as a whole generation, exactly as `serve` would open it.
fn assert_current_is_complete(index: &std::path::Path, after: &str) {
    let root = piyao::index::IndexRoot::new(index);
    let name = root.current().unwrap_or_else(|| panic!("{after}: CURRENT names no generation"));
    let snapshot = piyao::index::Snapshot::open_generation(&root, &name).unwrap_or_else(|e| panic!("{after}: {name} is broken: {e:#}"));
    assert!(snapshot.num_docs() > 0 && !snapshot.corpus.claims.is_empty(), "{after}: {name} is empty");
}

/// Pairs of `piyao reindex` started together on one folder, some killed at a random point,
/// while the server answers. Not timed: the figures that matter are failures, which must be 0.
/// Before the flock lock, 39 such pairs published a generation holding only `corpus.json` twice.
#[actix_web::test]
async fn concurrent_and_killed_reindexes_never_publish_a_broken_generation() {
    let pairs: usize = std::env::var("PIYAO_STRESS_PAIRS").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    let app = Rc::new(spawn_app().await);
    let corpus = tiny_corpus();
    let index = app.index_dir.path().to_path_buf();
    let done = Arc::new(AtomicBool::new(false));

    let runner = {
        let (index, corpus, done) = (index.clone(), corpus.path().to_path_buf(), done.clone());
        std::thread::spawn(move || {
            let reindex = || {
                std::process::Command::new(env!("CARGO_BIN_EXE_piyao"))
                    .args(["reindex", "--corpus"])
                    .arg(&corpus)
                    .arg("--index")
                    .arg(&index)
                    .env_remove("PIYAO_INDEX")
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .expect("piyao runs")
            };
            // a fixed pseudo-random sequence: the same kill points on every run
            let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
            let mut next = move || {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed
            };
            let (mut killed, mut succeeded) = (0, 0);
            for pair in 0..pairs {
                let (a, mut b) = (reindex(), reindex());
                if pair % 3 == 0 {
                    std::thread::sleep(std::time::Duration::from_millis(next() % 600));
                    if b.try_wait().unwrap().is_none() {
                        b.kill().unwrap();
                        killed += 1;
                    }
                }
                for child in [a, b] {
                    let out = child.wait_with_output().unwrap();
                    if out.status.success() {
                        succeeded += 1;
                    } else {
                        // only a kill may fail a reindex: a second one waits for the first
                        assert!(out.status.code().is_none(), "pair {pair}: reindex failed: {}", String::from_utf8_lossy(&out.stderr));
                    }
                }
                assert_current_is_complete(&index, &format!("pair {pair}"));
            }
            done.store(true, Ordering::Relaxed);
            (killed, succeeded)
        })
    };

    // the server keeps answering all along
    let (mut answered, mut refused) = (0usize, Vec::new());
    while !done.load(Ordering::Relaxed) && !runner.is_finished() {
        let r = app.post_json("/api/v1/check", &serde_json::json!({"text": "从今晚8点开始全国清查，不删聊天记录封群封号"})).await;
        if r.status == 200 {
            answered += 1;
        } else {
            refused.push(format!("{}: {}", r.status, r.text()));
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let (killed, succeeded) = runner.join().expect("no pair broke the index");
    assert!(refused.is_empty(), "the server refused checks during reindexes: {refused:?}");
    assert!(answered > 0);
    assert!(killed > 0 && succeeded >= pairs, "killed {killed}, succeeded {succeeded}");

    // no leftovers beyond the live generation and the one before it
    let generations =
        std::fs::read_dir(&index).unwrap().filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with("gen-")).count();
    assert!(generations <= 2, "{generations} generations left behind");
    // and everything starts on what is left
    let check = std::process::Command::new(env!("CARGO_BIN_EXE_piyao"))
        .args(["check", "--index"])
        .arg(&index)
        .arg("从今晚8点开始全国清查，不删聊天记录封群封号")
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));
    // what `serve` opens at startup
    let live = piyao::live::LiveEngine::open(piyao::index::IndexRoot::new(&index)).expect("serve would start");
    assert!(live.get().is_some());
}

/// Several `piyao serve` processes may read one index folder (a shared volume): one reindex
/// publishes, every replica swaps, and none fails a request meanwhile.
#[actix_web::test]
async fn replicas_on_one_index_all_swap_under_load() {
    let a = Rc::new(spawn_app().await);
    let b = Rc::new(crate::helpers::spawn_replica(&a).await);
    let stop = Arc::new(AtomicBool::new(false));
    let ok = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for (w, app) in [a.clone(), b.clone(), a.clone(), b.clone()].into_iter().enumerate() {
        let (stop, ok, failed) = (stop.clone(), ok.clone(), failed.clone());
        workers.push(actix_web::rt::spawn(async move {
            let mut i = w;
            while !stop.load(Ordering::Relaxed) && i < 5_000 {
                let r = app.post_json("/api/v1/check", &serde_json::json!({"text": "从今晚8点开始全国清查，不删聊天记录封群封号"})).await;
                let counter = if r.status == 200 { &ok } else { &failed };
                counter.fetch_add(1, Ordering::Relaxed);
                i += 4;
            }
        }));
    }

    let corpus = copy_corpus(&bundled_corpus());
    let (mut gen_a, mut gen_b) = (a.generation().await, b.generation().await);
    assert_eq!(gen_a, gen_b, "both replicas serve the published generation");
    for round in 0..2 {
        let id = format!("replica-test-{round}");
        let claim = format!(
            "id = \"{id}\"\ntitle = \"t\"\nrating = \"false\"\ncategory = \"society\"\nkeywords = [\"副本\", \"索引\", \"测试\"]\nsummary = \"s\"\nvariants = [\"第{round}轮副本共享索引时加入的测试传闻文本，请勿转发\"]\n[[sources]]\npublisher = \"p\"\ntitle = \"t\"\n"
        );
        std::fs::write(corpus.path().join(format!("claims/{id}.toml")), claim).unwrap();
        // off the runtime, so that both servers keep answering while the index is built
        let (corpus_path, index) = (corpus.path().to_path_buf(), a.index_dir.path().to_path_buf());
        let out = actix_web::rt::task::spawn_blocking(move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_piyao"))
                .args(["reindex", "--corpus"])
                .arg(corpus_path)
                .arg("--index")
                .arg(index)
                .env_remove("PIYAO_INDEX")
                .output()
                .expect("piyao runs")
        })
        .await
        .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        gen_a = a.wait_for_new_generation(&gen_a).await;
        gen_b = b.wait_for_new_generation(&gen_b).await;
        assert_eq!(gen_a, gen_b, "every replica swaps to the one published generation");
    }
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.await.unwrap();
    }
    assert_eq!(failed.load(Ordering::Relaxed), 0, "requests failed during reindex");
    assert!(ok.load(Ordering::Relaxed) > 20, "too few requests ran: {}", ok.load(Ordering::Relaxed));
    for app in [&a, &b] {
        assert_eq!(app.check("第1轮副本共享索引时加入的测试传闻文本").await["matches"][0]["claim_id"], "replica-test-1");
    }
}
