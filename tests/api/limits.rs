//! What one client may cost: rate limits per address and per API key, the cap on checks running
//! at once, the request time limit, and the caps on URLs, searches, batch results and permalinks.
//! Each of these failed before the hardening (issue 10): no 429, no 503 `busy`, a half-sent
//! body held its connection, a 9 KB URL reached the handlers, a 6,000-word search ran.

use std::io::{Read, Write};
use std::time::Duration;

use serde_json::json;

use crate::helpers::{Options, TestApp, spawn_app, spawn_app_with};
use piyao::limits::{ApiKeys, LimitSettings};
use piyao::server::Settings;

const RUMOR: &str = "从今晚8点开始全国清查，不删聊天记录封群封号，收到请转发";
const KEY: &str = "bot-key-0123456789abcdef";

fn keys() -> ApiKeys {
    ApiKeys::parse(&format!("[[key]]\nname = \"big-bot\"\nkey = \"{KEY}\"\nrate = 0\n")).unwrap()
}

/// Anonymous clients may make 1 check a second (bursts of 100); `big-bot` has no limit.
async fn limited_app() -> TestApp {
    spawn_app_with(Options {
        settings: |s| Settings { limits: LimitSettings { anonymous_rate: 1, api_keys: keys(), behind_proxy: true, ..s.limits }, ..s },
        ..Options::default()
    })
    .await
}

fn batch(n: usize) -> serde_json::Value {
    json!({ "items": (0..n).map(|i| json!({"id": i.to_string(), "text": RUMOR})).collect::<Vec<_>>(), "limit": 1 })
}

#[actix_web::test]
async fn a_client_over_its_rate_gets_429_with_retry_after_and_others_go_on() {
    let app = limited_app().await;
    let from = |ip: &'static str| [("x-forwarded-for", ip)];
    // the burst: one whole batch
    let r = app.post_json_with("/api/v1/check/batch", &batch(100), &from("198.51.100.7")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    // the next checks from the same address are refused (the bucket refills at 1 a second, so
    // on a slow machine one or two more may pass first), on the API and on the web page
    let mut refused = None;
    for _ in 0..50 {
        let r = app.post_json_with("/api/v1/check", &json!({"text": RUMOR}), &from("198.51.100.7")).await;
        if r.status != 200 {
            refused = Some(r);
            break;
        }
    }
    let r = refused.expect("the client was never refused");
    assert_eq!((r.status, r.error_code().as_str()), (429, "rate_limited"), "{}", r.text());
    let wait: u64 = r.header("retry-after").expect("Retry-After").parse().unwrap();
    assert!((1..=2).contains(&wait), "{wait}");
    let permalink = format!("/check?text={}", piyao::links::url_encode(RUMOR));
    let mut page = app.get_with(&permalink, ("x-forwarded-for", "198.51.100.7")).await;
    for _ in 0..50 {
        if page.status != 200 {
            break;
        }
        page = app.get_with(&permalink, ("x-forwarded-for", "198.51.100.7")).await;
    }
    assert_eq!(page.status, 429);
    assert!(page.content_type.starts_with("text/html") && page.text().contains("rate_limited"));
    // another address, and a known API key from the same address, are not affected
    let r = app.post_json_with("/api/v1/check", &json!({"text": RUMOR}), &from("198.51.100.8")).await;
    assert_eq!(r.status, 200);
    for header in [("x-api-key", KEY), ("authorization", &*format!("Bearer {KEY}"))] {
        for _ in 0..3 {
            let r = app.post_json_with("/api/v1/check/batch", &batch(100), &[from("198.51.100.7")[0], header]).await;
            assert_eq!(r.status, 200, "{}", r.text());
        }
    }
    // an unknown key is refused, not silently treated as anonymous
    let r = app.post_json_with("/api/v1/check", &json!({"text": RUMOR}), &[("x-api-key", "not-a-key-of-this-server")]).await;
    assert_eq!((r.status, r.error_code().as_str()), (401, "invalid_api_key"));
    // refusals are counted
    let health = app.get("/healthz").await.json();
    assert!(health["refused"]["rate_limited"].as_u64().unwrap() >= 2, "{health}");
    // after the wait the client may check again
    actix_web::rt::time::sleep(Duration::from_secs(wait)).await;
    let r = app.post_json_with("/api/v1/check", &json!({"text": RUMOR}), &from("198.51.100.7")).await;
    assert_eq!(r.status, 200, "{}", r.text());
}

#[actix_web::test]
async fn checks_beyond_the_running_cap_are_refused_as_busy() {
    let app = std::rc::Rc::new(
        spawn_app_with(Options {
            settings: |s| Settings {
                max_running_checks: 1,
                max_check_wait: Duration::ZERO,
                limits: LimitSettings { anonymous_rate: 0, ..s.limits },
                ..s
            },
            ..Options::default()
        })
        .await,
    );
    let long: String = RUMOR.repeat(300);
    let tasks: Vec<_> = (0..12)
        .map(|_| {
            let (app, long) = (app.clone(), long.clone());
            actix_web::rt::spawn(async move { app.post_json("/api/v1/check", &json!({"text": long})).await })
        })
        .collect();
    let (mut ok, mut busy) = (0, 0);
    for t in tasks {
        let r = t.await.unwrap();
        match r.status {
            200 => ok += 1,
            503 => {
                assert_eq!(r.error_code(), "busy");
                assert_eq!(r.header("retry-after"), Some("1"));
                busy += 1;
            }
            s => panic!("unexpected {s}: {}", r.text()),
        }
    }
    assert!(ok >= 1 && busy >= 1, "ok {ok}, busy {busy}");
    assert_eq!(app.get("/healthz").await.json()["refused"]["busy"].as_u64().unwrap(), busy);
}

#[actix_web::test]
async fn a_half_sent_body_is_cut_off_with_408() {
    let app = spawn_app_with(Options {
        settings: |s| Settings { requests: piyao::middleware::RequestLimits { timeout: Duration::from_secs(1) }, ..s },
        ..Options::default()
    })
    .await;
    let address = app.address.trim_start_matches("http://").to_string();
    // a blocking client in its own thread: the server runs on this test's runtime
    let client = std::thread::spawn(move || {
        let mut s = std::net::TcpStream::connect(address).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s.write_all(b"POST /api/v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"text\":")
            .unwrap();
        let started = std::time::Instant::now();
        let mut answer = Vec::new();
        let _ = s.read_to_end(&mut answer);
        (String::from_utf8_lossy(&answer).to_string(), started.elapsed())
    });
    while !client.is_finished() {
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    let (answer, took) = client.join().unwrap();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"request_timeout\""), "{answer}");
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[actix_web::test]
async fn long_urls_get_a_clear_414() {
    let app = spawn_app().await;
    let q = "谣".repeat(1000);
    let page = app.get(&format!("/check?text={}", piyao::links::url_encode(&q))).await;
    assert_eq!(page.status, 414);
    assert!(page.content_type.starts_with("text/html") && page.text().contains("uri_too_long"));
    let api = app.get(&format!("/api/v1/claims/x?{}", "a".repeat(9000))).await;
    assert_eq!((api.status, api.error_code().as_str()), (414, "uri_too_long"));
    // just under the limit is answered as usual
    let fits = app.get(&format!("/api/v1/claims/x?{}", "a".repeat(8000))).await;
    assert_eq!(fits.error_code(), "claim_not_found");
}

#[actix_web::test]
async fn searches_are_capped_and_permalinks_only_for_what_fits_a_url() {
    let app = spawn_app().await;
    let r = app.get(&format!("/claims?q={}", piyao::links::url_encode(&"封号".repeat(51)))).await;
    assert_eq!(r.status, 400);
    assert!(r.text().contains("at most 100"), "{}", r.text());
    let many: String = (0..11).map(|i| format!("词{i} ")).collect();
    let r = app.get(&format!("/claims?q={}", piyao::links::url_encode(&many))).await;
    assert_eq!(r.status, 400);
    assert!(r.text().contains("11 words"));
    let r = app.get(&format!("/claims?q={}", piyao::links::url_encode(&"封号 ".repeat(30)))).await;
    assert_eq!(r.status, 200, "repeated words count once");

    let short = app.post_form("/check", &[("text", RUMOR)]).await.text();
    assert!(short.contains("id=\"permalink\""));
    let long = app.post_form("/check", &[("text", &format!("{RUMOR}{}", "。这是一段很长的补充说明".repeat(40)))]).await;
    assert_eq!(long.status, 200);
    assert!(!long.text().contains("id=\"permalink\""), "a 500-character message gets no permalink");
}

#[actix_web::test]
async fn batch_results_are_capped_and_the_body_limit_fits_escaped_json() {
    // a server that answers at most 64 KiB per batch (4 MiB by default: the mechanism is the same)
    let app = spawn_app_with(Options {
        settings: |s| Settings { limits: LimitSettings { anonymous_rate: 0, max_batch_results_bytes: 64 * 1024, ..s.limits }, ..s },
        ..Options::default()
    })
    .await;
    let r = app.post_json("/api/v1/check/batch", &batch(10)).await;
    assert_eq!(r.status, 200, "ten short messages fit");
    let r = app.post_json("/api/v1/check/batch", &json!({ "items": batch(100)["items"], "limit": 20 })).await;
    assert_eq!((r.status, r.error_code().as_str()), (413, "results_too_large"), "{}", &r.text()[..r.text().len().min(300)]);
    assert!(r.text().contains("fewer items"));

    // 100 × 10,001 characters, every one escaped as \uXXXX: over 6 MB, within the body limit
    // (each item is refused on its own as too long, so nothing is checked)
    let item = "\\u8c23".repeat(10_001);
    let raw =
        format!("{{\"items\":[{}]}}", (0..100).map(|i| format!("{{\"id\":\"{i}\",\"text\":\"{item}\"}}")).collect::<Vec<_>>().join(","));
    assert!(raw.len() > 6_000_000);
    let r = app.post_raw("/api/v1/check/batch", Some("application/json"), raw.into_bytes()).await;
    assert_eq!(r.status, 200, "{}", &r.text()[..r.text().len().min(300)]);
    assert_eq!(r.json()["results"][99]["error"]["code"], "text_too_long");
}

#[actix_web::test]
async fn invisible_only_text_is_empty() {
    let app = spawn_app().await;
    let r = app.post_json("/api/v1/check", &json!({"text": "\u{2060}\u{2060}\u{2061}\u{feff}\u{200d}"})).await;
    assert_eq!((r.status, r.error_code().as_str()), (400, "empty_text"));
}

#[test]
fn serve_refuses_a_broken_api_keys_file_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys.toml");
    std::fs::write(&keys, "[[key]]\nname = \"bot\"\nkey = \"short\"\nrate = 5\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_piyao"))
        .args(["serve", "--bind", "127.0.0.1:0", "--index"])
        .arg(dir.path().join("index"))
        .arg("--corpus")
        .arg(crate::helpers::bundled_corpus())
        .arg("--api-keys")
        .arg(&keys)
        .env_remove("PIYAO_WECHAT_TOKEN")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("keys.toml: key 1 (`bot`): `key` must be at least 16 characters"), "{stderr}");
}
