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
            "id = \"{id}\"\ntitle = \"t\"\nrating = \"false\"\nsummary = \"s\"\nvariants = [\"第{round}轮重建索引时加入的测试谣言文本，请勿转发\"]\n[[sources]]\npublisher = \"p\"\ntitle = \"t\"\n"
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
    let r = app.check("第2轮重建索引时加入的测试谣言文本").await;
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
