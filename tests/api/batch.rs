//! `POST /api/v1/check/batch`: many messages in one request, each succeeding or failing alone.

use serde_json::{Value, json};

use crate::helpers::spawn_app;

const RUMOR: &str = "从今晚8点开始全国清查，不删聊天记录封群封号，收到请转发";
const RUMOR_CLAIM: &str = "wechat-purge-notice-2022";
const UNRELATED: &str = "周末一起去公园放风筝吧，天气预报说是晴天";

#[actix_web::test]
async fn batch_checks_each_item_in_order_and_keeps_bad_ones_apart() {
    let app = spawn_app().await;
    let items = json!([
        { "id": "rumor", "text": RUMOR },
        { "id": "blank", "text": "   " },
        { "id": "long", "text": "谣".repeat(10_001) },
        { "id": "unrelated", "text": UNRELATED },
        { "id": "rumor", "text": "從今晚８點開始全國清查，不刪聊天記錄封群封號，收到請轉發！" },
    ]);
    let r = app.post_json("/api/v1/check/batch", &json!({ "items": items, "limit": 1 })).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let results = r.json()["results"].as_array().unwrap().clone();
    let ids: Vec<&str> = results.iter().map(|x| x["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["rumor", "blank", "long", "unrelated", "rumor"], "duplicate ids are echoed in request order");

    assert_eq!(results[1]["error"]["code"], "empty_text");
    assert_eq!(results[2]["error"]["code"], "text_too_long");
    for failed in &results[1..3] {
        assert!(failed.get("verdict").is_none(), "{failed:#}");
        assert!(!failed["error"]["message"].as_str().unwrap().is_empty());
    }
    assert_eq!(results[0]["verdict"], "false");
    assert_eq!(results[4]["matches"][0]["claim_id"], RUMOR_CLAIM);
    assert_eq!(results[3]["verdict"], "unknown");
    for checked in [&results[0], &results[3], &results[4]] {
        assert!(checked.get("error").is_none(), "{checked:#}");
        assert!(checked["matches"].as_array().unwrap().len() <= 1, "limit applies to every item");
    }

    // a checked item is the /check response plus its id
    let mut single = app.post_json("/api/v1/check", &json!({ "text": RUMOR, "limit": 1 })).await.json();
    let mut batched = results[0].clone();
    for x in [&mut single, &mut batched] {
        x.as_object_mut().unwrap().remove("took_ms");
    }
    batched.as_object_mut().unwrap().remove("id");
    assert_eq!(batched, single);
}

#[actix_web::test]
async fn batch_request_errors_fail_the_whole_request() {
    let app = spawn_app().await;
    let path = "/api/v1/check/batch";
    let item = json!({ "id": "x", "text": "清查封号" });
    let cases = [
        (json!({ "items": [] }), 400, "empty_batch"),
        (json!({ "items": vec![item.clone(); 101] }), 400, "too_many_items"),
        (json!({ "items": [item, { "id": "", "text": "清查封号" }] }), 400, "empty_id"),
        (json!({ "items": [{ "text": "清查封号" }] }), 400, "invalid_request"),
        (json!({ "items": [{ "id": 7, "text": "清查封号" }] }), 400, "invalid_request"),
        (json!({ "text": "清查封号" }), 400, "invalid_request"),
        (json!({ "items": [{ "id": "x", "text": "清查封号" }], "limit": 21 }), 400, "invalid_limit"),
    ];
    for (body, status, code) in cases {
        let r = app.post_json(path, &body).await;
        assert_eq!((r.status, r.error_code().as_str()), (status, code), "{body}: {}", r.text());
    }
    let r = app.post_raw(path, Some("application/json"), b"not json".to_vec()).await;
    assert_eq!((r.status, r.error_code().as_str()), (400, "invalid_json"));
    let r = app.post_raw(path, Some("text/plain"), b"{\"items\": []}".to_vec()).await;
    assert_eq!((r.status, r.error_code().as_str()), (415, "unsupported_media_type"));
    let r = app.get(path).await;
    assert_eq!((r.status, r.error_code().as_str()), (404, "not_found"));

    let full = json!({ "items": (0..100).map(|i| json!({ "id": i.to_string(), "text": "清查封号" })).collect::<Vec<_>>() });
    let r = app.post_json(path, &full).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["results"].as_array().unwrap().len(), 100);
}

#[actix_web::test]
async fn batch_accepts_more_than_a_single_check_body() {
    let app = spawn_app().await;
    // 20 messages of 10,000 characters: 600 KB, over the 512 KB limit of /api/v1/check
    let long = format!("{RUMOR}{}", "。".repeat(10_000 - RUMOR.chars().count()));
    let items: Vec<Value> = (0..20).map(|i| json!({ "id": format!("m{i}"), "text": long })).collect();
    let body = json!({ "items": items });
    assert!(body.to_string().len() > 512 * 1024);
    let r = app.post_json("/api/v1/check/batch", &body).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.json()["results"].as_array().unwrap().iter().all(|x| x["verdict"] == "false"), "{}", r.text());
}
