//! Security headers on every response, pages that satisfy their own CSP (no inline script), and
//! the request id in the `X-Request-Id` header and in every JSON error body. None of these
//! headers was sent before issue 10: pages could be framed.

use serde_json::json;

use crate::helpers::spawn_app;

#[actix_web::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn_app().await;
    let pages = ["/", "/claims", "/claims/wechat-purge-notice-2022", "/regulations", "/check?text=%E6%B8%85%E6%9F%A5", "/nope"];
    let others = ["/healthz", "/api/v1/openapi.json", "/static/style.css", "/static/reply.js", "/favicon.svg", "/api/v1/nope"];
    for path in pages.iter().chain(&others) {
        let r = app.get(path).await;
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"), "{path}");
        assert_eq!(r.header("x-frame-options"), Some("DENY"), "{path}");
        assert_eq!(r.header("referrer-policy"), Some("no-referrer"), "{path}");
        let csp = r.header("content-security-policy").unwrap_or_else(|| panic!("no CSP on {path}"));
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{csp}");
    }
    // the pages meet it: every script is loaded from our origin, except JSON-LD data blocks
    for path in pages {
        let html = app.get(path).await.text();
        for tag in html.split("<script").skip(1) {
            let head = &tag[..tag.find('>').unwrap()];
            assert!(head.contains("src=\"/static/") || head.contains("application/ld+json"), "inline script on {path}: <script{head}>");
        }
        assert!(!html.contains(" style=\"") && !html.contains("<style"), "inline style on {path}");
        assert!(!html.contains(" onclick=") && !html.contains("javascript:"), "inline handler on {path}");
    }
}

#[actix_web::test]
async fn request_ids_tie_errors_to_log_lines() {
    let app = spawn_app().await;
    let r = app.post_json("/api/v1/check", &json!({"text": ""})).await;
    let id = r.header("x-request-id").expect("a request id").to_string();
    assert_eq!(id.len(), 16);
    assert_eq!(r.json()["error"]["request_id"], id.as_str());
    // a sane id from a proxy is kept, a hostile one replaced
    let r = app.post_json_with("/api/v1/check", &json!({"text": ""}), &[("x-request-id", "edge-42.a_b")]).await;
    assert_eq!(r.header("x-request-id"), Some("edge-42.a_b"));
    assert_eq!(r.json()["error"]["request_id"], "edge-42.a_b");
    let r = app.post_json_with("/api/v1/check", &json!({"text": ""}), &[("x-request-id", "<script>alert(1)</script>")]).await;
    assert_ne!(r.header("x-request-id"), Some("<script>alert(1)</script>"));
    // the error page shows it too, and a success carries it in the header
    let page = app.get("/claims/nope").await;
    let id = page.header("x-request-id").unwrap().to_string();
    assert!(page.text().contains(&id), "the error page names its request id");
    let ok = app.post_json("/api/v1/check", &json!({"text": "清查封号"})).await;
    assert_eq!(ok.status, 200);
    assert!(ok.header("x-request-id").is_some());
}
