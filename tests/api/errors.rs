//! Every error path of the API and the form: clear code, right status, server keeps serving.

use serde_json::json;

use crate::helpers::{Options, spawn_app, spawn_app_with};

#[actix_web::test]
async fn empty_text_is_400() {
    let app = spawn_app().await;
    for text in ["", "   \n\t  "] {
        let r = app.post_json("/api/v1/check", &json!({ "text": text })).await;
        assert_eq!(r.status, 400);
        assert_eq!(r.error_code(), "empty_text");
    }
}

#[actix_web::test]
async fn missing_or_mistyped_text_is_400() {
    let app = spawn_app().await;
    let r = app.post_json("/api/v1/check", &json!({ "message": "hi" })).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.error_code(), "invalid_request");
    assert!(r.json()["error"]["message"].as_str().unwrap().contains("text"), "{}", r.text());
    let r = app.post_json("/api/v1/check", &json!({ "text": 42 })).await;
    assert_eq!(r.error_code(), "invalid_request");
}

#[actix_web::test]
async fn too_long_text_is_413() {
    let app = spawn_app().await;
    let r = app.post_json("/api/v1/check", &json!({ "text": "谣".repeat(10_001) })).await;
    assert_eq!(r.status, 413);
    assert_eq!(r.error_code(), "text_too_long");
    let ok = app.post_json("/api/v1/check", &json!({ "text": "谣".repeat(10_000) })).await;
    assert_eq!(ok.status, 200, "{}", ok.text());
}

#[actix_web::test]
async fn huge_body_is_413() {
    let app = spawn_app().await;
    let body = format!("{{\"text\": \"{}\"}}", "a".repeat(2 << 20)).into_bytes();
    let r = app.post_raw("/api/v1/check", Some("application/json"), body).await;
    assert_eq!(r.status, 413);
    assert_eq!(r.error_code(), "payload_too_large");
}

#[actix_web::test]
async fn bad_limit_is_400() {
    let app = spawn_app().await;
    for limit in [0, 21, -3] {
        let r = app.post_json("/api/v1/check", &json!({ "text": "清查封号", "limit": limit })).await;
        assert_eq!(r.status, 400);
        assert_eq!(r.error_code(), "invalid_limit");
    }
}

#[actix_web::test]
async fn malformed_and_binary_json_is_400() {
    let app = spawn_app().await;
    for body in [b"{\"text\": \"abc\"".to_vec(), b"not json".to_vec(), vec![0xff, 0xfe, 0x00, 0x9c, 0x12]] {
        let r = app.post_raw("/api/v1/check", Some("application/json"), body).await;
        assert_eq!(r.status, 400, "{}", r.text());
        assert_eq!(r.error_code(), "invalid_json");
    }
}

#[actix_web::test]
async fn wrong_content_type_is_415() {
    let app = spawn_app().await;
    for ct in [Some("text/plain"), None] {
        let r = app.post_raw("/api/v1/check", ct, b"{\"text\": \"abc\"}".to_vec()).await;
        assert_eq!(r.status, 415, "{ct:?}: {}", r.text());
        assert_eq!(r.error_code(), "unsupported_media_type");
    }
}

#[actix_web::test]
async fn unknown_ids_are_404() {
    let app = spawn_app().await;
    let r = app.get("/api/v1/claims/no-such-claim").await;
    assert_eq!((r.status, r.error_code().as_str()), (404, "claim_not_found"));
    let r = app.get("/api/v1/regulations/no-such-law").await;
    assert_eq!((r.status, r.error_code().as_str()), (404, "regulation_not_found"));
    let r = app.get("/api/v1/nothing-here").await;
    assert_eq!((r.status, r.error_code().as_str()), (404, "not_found"));
}

#[actix_web::test]
async fn no_index_is_503_until_one_is_published() {
    let app = spawn_app_with(Options { build_index: false, ..Options::default() }).await;
    let r = app.get("/healthz").await;
    assert_eq!((r.status, r.error_code().as_str()), (503, "index_unavailable"));
    let r = app.post_json("/api/v1/check", &json!({ "text": "清查封号" })).await;
    assert_eq!((r.status, r.error_code().as_str()), (503, "index_unavailable"));
    let page = app.post_form("/check", &[("text", "清查封号")]).await;
    assert_eq!(page.status, 503);
    assert!(page.text().contains("index_unavailable"));

    let out = app.reindex(&crate::helpers::bundled_corpus());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    app.wait_for_new_generation("").await;
    assert_eq!(app.check("从今晚8点开始全国清查，不删聊天记录封群封号").await["verdict"], "false");
}

#[actix_web::test]
async fn form_errors_render_in_the_page_layout() {
    let app = spawn_app().await;
    let r = app.post_form("/check", &[("text", "   ")]).await;
    assert_eq!(r.status, 400);
    assert!(r.content_type.starts_with("text/html"));
    let html = r.text();
    assert!(html.contains("<html lang=\"zh-CN\">") && html.contains("empty_text"), "{html}");
    let r = app.post_form("/check", &[("text", &"谣".repeat(10_001))]).await;
    assert_eq!(r.status, 413);
    assert!(r.text().contains("text_too_long"));
    let r = app.get("/no/such/page").await;
    assert_eq!(r.status, 404);
    assert!(r.text().contains("<html lang=\"zh-CN\">"));
    // the server still answers after all that
    assert_eq!(app.get("/healthz").await.status, 200);
}
