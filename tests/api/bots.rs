//! What bot authors rely on: the OpenAPI document (validated against real responses), the batch
//! endpoint, and the WeChat Official Account endpoint.

mod json_schema;

use serde_json::{Value, json};
use sha1::{Digest, Sha1};

use crate::helpers::{Options, Reply, TestApp, spawn_app, spawn_app_with};
use json_schema::Validator;

const RUMOR: &str = "从今晚8点开始全国清查，不删聊天记录封群封号，收到请转发";
const RUMOR_CLAIM: &str = "wechat-purge-notice-2022";
const UNRELATED: &str = "周末一起去公园放风筝吧，天气预报说是晴天";

// ---------------------------------------------------------------------------------------------
// OpenAPI document

async fn openapi(app: &TestApp) -> Value {
    let r = app.get("/api/v1/openapi.json").await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.content_type.starts_with("application/json"), "{}", r.content_type);
    r.json()
}

/// Validate a real reply against what the document says `method path` answers with its status.
fn assert_matches_document(v: &Validator, method: &str, path: &str, reply: &Reply) {
    let errors = v.errors(v.response_schema(method, path, reply.status), &reply.json());
    assert!(errors.is_empty(), "{method} {path} → {} does not match the document:\n{}\n{}", reply.status, errors.join("\n"), reply.text());
}

#[actix_web::test]
async fn openapi_document_describes_every_route() {
    let app = spawn_app().await;
    let doc = openapi(&app).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."), "{}", doc["openapi"]);
    assert_eq!(doc["info"]["title"], "piyao");
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
    assert!(!doc["info"]["description"].as_str().unwrap().is_empty());
    for (path, method) in [
        ("/api/v1/check", "post"),
        ("/api/v1/check/batch", "post"),
        ("/api/v1/claims/{id}", "get"),
        ("/api/v1/regulations/{id}", "get"),
        ("/api/v1/openapi.json", "get"),
        ("/healthz", "get"),
    ] {
        let responses = doc["paths"][path][method]["responses"].as_object().unwrap_or_else(|| panic!("{method} {path} is not documented"));
        for (status, response) in responses {
            // OpenAPI requires a description on every response
            assert!(response["description"].as_str().is_some_and(|d| !d.is_empty()), "{method} {path} → {status} has no description");
        }
    }
    for status in ["400", "413", "415", "503"] {
        let schema = &doc["paths"]["/api/v1/check"]["post"]["responses"][status]["content"]["application/json"]["schema"];
        assert_eq!(schema["$ref"], "#/components/schemas/ErrorBody", "{status}");
    }
    // every $ref points at a schema that exists
    let mut refs = Vec::new();
    collect_refs(&doc, &mut refs);
    assert!(refs.len() > 20, "{refs:?}");
    for r in refs {
        assert!(doc.pointer(r.trim_start_matches('#')).is_some(), "dangling $ref {r}");
    }
}

fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, x) in map {
                match (k.as_str(), x) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => collect_refs(x, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|x| collect_refs(x, out)),
        _ => {}
    }
}

#[actix_web::test]
async fn real_responses_match_the_openapi_document() {
    let app = spawn_app().await;
    let doc = openapi(&app).await;
    let v = Validator::new(&doc);
    let check = "/api/v1/check";

    let rumor = app.post_json(check, &json!({ "text": RUMOR })).await;
    assert_eq!(rumor.json()["verdict"], "false");
    assert_matches_document(&v, "post", check, &rumor);
    let unknown = app.post_json(check, &json!({ "text": UNRELATED, "limit": 20 })).await;
    assert_eq!(unknown.json()["verdict"], "unknown");
    assert_matches_document(&v, "post", check, &unknown);

    let claim = app.get(&format!("/api/v1/claims/{RUMOR_CLAIM}")).await;
    assert_eq!(claim.status, 200);
    assert_matches_document(&v, "get", "/api/v1/claims/{id}", &claim);
    let regulation = app.get("/api/v1/regulations/cybersecurity-law").await;
    assert_eq!(regulation.status, 200);
    assert_matches_document(&v, "get", "/api/v1/regulations/{id}", &regulation);
    let health = app.get("/healthz").await;
    assert_eq!(health.status, 200);
    assert_matches_document(&v, "get", "/healthz", &health);

    let batch = app
        .post_json("/api/v1/check/batch", &json!({ "items": [{ "id": "1", "text": RUMOR }, { "id": "2", "text": " " }, { "id": "3", "text": UNRELATED }] }))
        .await;
    assert_eq!(batch.status, 200, "{}", batch.text());
    assert_matches_document(&v, "post", "/api/v1/check/batch", &batch);

    // error bodies, each with the status the document lists for it
    let errors = [
        (check, app.post_json(check, &json!({ "text": "" })).await, 400),
        (check, app.post_json(check, &json!({ "text": "谣".repeat(10_001) })).await, 413),
        (check, app.post_raw(check, Some("text/plain"), b"{\"text\": \"abc\"}".to_vec()).await, 415),
        ("/api/v1/check/batch", app.post_json("/api/v1/check/batch", &json!({ "items": [] })).await, 400),
    ];
    for (path, reply, status) in errors {
        assert_eq!(reply.status, status, "{}", reply.text());
        assert_matches_document(&v, "post", path, &reply);
    }
    let missing = app.get("/api/v1/claims/no-such-claim").await;
    assert_eq!(missing.status, 404);
    assert_matches_document(&v, "get", "/api/v1/claims/{id}", &missing);

    let no_index = spawn_app_with(Options { build_index: false, ..Options::default() }).await;
    let unavailable = no_index.get("/healthz").await;
    assert_eq!(unavailable.status, 503);
    assert_matches_document(&v, "get", "/healthz", &unavailable);
}

#[actix_web::test]
async fn broken_responses_fail_validation() {
    let app = spawn_app().await;
    let doc = openapi(&app).await;
    let v = Validator::new(&doc);
    let schema = v.response_schema("post", "/api/v1/check", 200);
    let good = app.check(RUMOR).await;
    assert_eq!(v.errors(schema, &good), Vec::<String>::new());

    let broken = |edit: &dyn Fn(&mut Value)| {
        let mut r = good.clone();
        edit(&mut r);
        v.errors(schema, &r)
    };
    let cases: [(&str, &dyn Fn(&mut Value), &str); 6] = [
        ("missing required field", &|r| drop(r.as_object_mut().unwrap().remove("verdict")), "missing required field `verdict`"),
        ("wrong type", &|r| r["confidence"] = json!("high"), "/confidence: expected number"),
        ("value outside the enum", &|r| r["verdict"] = json!("maybe"), "/verdict"),
        ("null where not nullable", &|r| r["matches"][0]["score"] = Value::Null, "/matches/0/score"),
        ("wrong item type", &|r| r["segments"] = json!([1, 2]), "/segments/0: expected object"),
        ("nested missing field", &|r| drop(r["matches"][0]["regulations"][0].as_object_mut().unwrap().remove("article")), "/regulations/0: missing required field `article`"),
    ];
    for (what, edit, expected) in cases {
        let errors = broken(edit);
        assert!(errors.iter().any(|e| e.contains(expected)), "{what}: expected an error containing {expected:?}, got {errors:?}");
    }

    // a batch result that is neither a check nor an error
    let batch = v.response_schema("post", "/api/v1/check/batch", 200);
    assert!(!v.errors(batch, &json!({ "results": [{ "id": "1" }] })).is_empty());
    assert!(!v.errors(batch, &json!({ "results": [{ "id": "1", "error": { "code": "empty_text" } }] })).is_empty());
    assert!(v.errors(batch, &json!({ "results": [{ "id": "1", "error": { "code": "empty_text", "message": "m" } }] })).is_empty());
    let error = v.response_schema("post", "/api/v1/check", 400);
    assert!(!v.errors(error, &json!({ "code": "empty_text", "message": "m" })).is_empty());
}

#[test]
fn validator_understands_the_keywords_it_claims() {
    let doc = json!({ "components": { "schemas": {
        "Kind": { "type": "string", "enum": ["a", "b"] },
        "Thing": {
            "type": "object",
            "required": ["kind", "n"],
            "additionalProperties": false,
            "properties": {
                "kind": { "$ref": "#/components/schemas/Kind" },
                "n": { "type": "integer", "minimum": 0 },
                "note": { "type": ["string", "null"] },
                "old": { "type": "string", "nullable": true },
                "either": { "oneOf": [{ "type": "integer" }, { "type": "number" }] },
                "any": { "anyOf": [{ "type": "boolean" }, { "type": "string" }] },
                "tags": { "type": "array", "items": { "type": "string" } }
            }
        }
    }}});
    let v = Validator::new(&doc);
    let thing = v.component("Thing");
    let ok = json!({ "kind": "a", "n": 3, "note": null, "old": null, "either": 1.5, "any": "x", "tags": ["t"] });
    assert_eq!(v.errors(thing, &ok), Vec::<String>::new());
    for bad in [
        json!({ "kind": "a" }),                         // required
        json!({ "kind": "c", "n": 1 }),                 // enum through $ref
        json!({ "kind": "a", "n": -1 }),                // minimum
        json!({ "kind": "a", "n": 1.5 }),               // integer
        json!({ "kind": "a", "n": 1, "note": 2 }),      // type list
        json!({ "kind": "a", "n": 1, "either": 1 }),    // oneOf: both branches match
        json!({ "kind": "a", "n": 1, "any": 1 }),       // anyOf: no branch matches
        json!({ "kind": "a", "n": 1, "tags": [1] }),    // items
        json!({ "kind": "a", "n": 1, "extra": true }),  // additionalProperties: false
        json!([]),                                       // type
    ] {
        assert!(!v.errors(thing, &bad).is_empty(), "accepted {bad}");
    }
}

// ---------------------------------------------------------------------------------------------
// POST /api/v1/check/batch

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

// ---------------------------------------------------------------------------------------------
// WeChat Official Account: /wechat

const TOKEN: &str = "test-token";

async fn wechat_app() -> TestApp {
    spawn_app_with(Options { wechat_token: Some(TOKEN.into()), ..Options::default() }).await
}

/// `/wechat?…` signed as WeChat signs it: hex SHA-1 of token, timestamp and nonce, sorted.
fn signed(token: &str, extra: &str) -> String {
    let (timestamp, nonce) = ("1700000000", "nonce123");
    let mut parts = [token, timestamp, nonce];
    parts.sort();
    let signature: String = Sha1::digest(parts.concat()).iter().map(|b| format!("{b:02x}")).collect();
    format!("/wechat?signature={signature}&timestamp={timestamp}&nonce={nonce}{extra}")
}

fn message(msg_type: &str, inner: &str) -> Vec<u8> {
    format!(
        "<xml><ToUserName><![CDATA[gh_x]]></ToUserName><FromUserName><![CDATA[openid]]></FromUserName>\
         <CreateTime>1700000000</CreateTime><MsgType><![CDATA[{msg_type}]]></MsgType>{inner}<MsgId>123</MsgId></xml>"
    )
    .into_bytes()
}

fn text_message(content: &str) -> Vec<u8> {
    message("text", &format!("<Content><![CDATA[{content}]]></Content>"))
}

/// A passive text reply, read back: (ToUserName, FromUserName, CreateTime, MsgType, Content).
struct TextReply {
    to: String,
    from: String,
    create_time: u64,
    msg_type: String,
    content: String,
}

async fn post_wechat(app: &TestApp, body: Vec<u8>) -> TextReply {
    let r = app.post_raw(&signed(TOKEN, ""), Some("text/xml"), body).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.content_type.contains("xml"), "{}", r.content_type);
    let xml = r.text();
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("reply is not XML ({e}): {xml}"));
    let field = |name: &str| -> String {
        let node = doc.root_element().children().find(|n| n.has_tag_name(name)).unwrap_or_else(|| panic!("no {name} in {xml}"));
        node.children().filter_map(|c| c.text()).collect()
    };
    TextReply {
        to: field("ToUserName"),
        from: field("FromUserName"),
        create_time: field("CreateTime").parse().unwrap(),
        msg_type: field("MsgType"),
        content: field("Content"),
    }
}

#[actix_web::test]
async fn wechat_url_verification_echoes_only_when_signed() {
    let app = wechat_app().await;
    let r = app.get(&signed(TOKEN, "&echostr=5923481923")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.content_type.starts_with("text/plain"), "{}", r.content_type);
    assert_eq!(r.text(), "5923481923");

    for path in [
        signed("wrong-token", "&echostr=5923481923"),
        signed(TOKEN, "&echostr=5923481923").replace("timestamp=1700000000", "timestamp=1700000001"),
        "/wechat?echostr=5923481923".to_string(),
        "/wechat".to_string(),
    ] {
        let r = app.get(&path).await;
        assert_eq!((r.status, r.error_code().as_str()), (403, "invalid_signature"), "{path}");
        assert!(!r.text().contains("5923481923"));
    }
}

#[actix_web::test]
async fn wechat_rumor_gets_a_verdict_reply() {
    let app = wechat_app().await;
    let before = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let reply = post_wechat(&app, text_message(RUMOR)).await;
    assert_eq!((reply.to.as_str(), reply.from.as_str()), ("openid", "gh_x"), "sender and recipient swapped");
    assert_eq!(reply.msg_type, "text");
    assert!(reply.create_time >= before, "CreateTime is now, not the message's: {}", reply.create_time);
    let c = &reply.content;
    assert!(c.starts_with("【谣言】"), "{c}");
    let title = app.get(&format!("/api/v1/claims/{RUMOR_CLAIM}")).await.json()["title"].as_str().unwrap().to_string();
    assert!(c.contains(&title), "{c}");
    assert!(c.ends_with(&format!("{}/claims/{RUMOR_CLAIM}", app.address)), "{c}");
    assert!(c.len() <= 2048, "{} bytes", c.len());
}

#[actix_web::test]
async fn wechat_unknown_message_is_not_in_the_database() {
    let app = wechat_app().await;
    let c = post_wechat(&app, text_message(UNRELATED)).await.content;
    assert!(c.starts_with("【未收录】"), "{c}");
    assert!(c.contains("未收录不等于属实"), "{c}");
}

#[actix_web::test]
async fn wechat_anything_but_usable_text_gets_a_polite_reply() {
    let app = wechat_app().await;
    let image = post_wechat(&app, message("image", "<PicUrl><![CDATA[http://example.org/a.jpg]]></PicUrl><MediaId><![CDATA[m]]></MediaId>")).await;
    assert!(image.content.contains("只能核查文字"), "{}", image.content);
    let voice = post_wechat(&app, message("voice", "<MediaId><![CDATA[m]]></MediaId><Format><![CDATA[amr]]></Format>")).await;
    assert_eq!(voice.content, image.content);
    let empty = post_wechat(&app, text_message("  ")).await;
    assert!(empty.content.contains("发给我"), "{}", empty.content);
    let long = post_wechat(&app, text_message(&"谣".repeat(10_001))).await;
    assert!(long.content.contains("10001") && long.content.contains("10000"), "{}", long.content);
    let subscribe = post_wechat(&app, message("event", "<Event><![CDATA[subscribe]]></Event>")).await;
    assert!(subscribe.content.contains("感谢关注"), "{}", subscribe.content);

    // events that expect no answer get WeChat's "success"
    let r = app.post_raw(&signed(TOKEN, ""), Some("text/xml"), message("event", "<Event><![CDATA[unsubscribe]]></Event>")).await;
    assert_eq!((r.status, r.text().as_str()), (200, "success"));
}

#[actix_web::test]
async fn wechat_refuses_unsigned_and_malformed_posts() {
    let app = wechat_app().await;
    for path in [signed("wrong-token", ""), "/wechat".to_string()] {
        let r = app.post_raw(&path, Some("text/xml"), text_message(RUMOR)).await;
        assert_eq!((r.status, r.error_code().as_str()), (403, "invalid_signature"), "{path}");
    }
    for body in [b"<xml><ToUserName>".to_vec(), b"not xml".to_vec(), vec![0xff, 0xfe], b"<xml><Content>hi</Content></xml>".to_vec()] {
        let r = app.post_raw(&signed(TOKEN, ""), Some("text/xml"), body).await;
        assert_eq!((r.status, r.error_code().as_str()), (400, "invalid_xml"), "{}", r.text());
    }
    // the signature is checked before the body is parsed
    let r = app.post_raw(&signed("wrong-token", ""), Some("text/xml"), b"not xml".to_vec()).await;
    assert_eq!(r.status, 403);
}

#[actix_web::test]
async fn wechat_is_off_without_a_token() {
    let app = spawn_app().await;
    let r = app.get(&signed(TOKEN, "&echostr=1")).await;
    assert_eq!((r.status, r.error_code().as_str()), (404, "not_found"));
    let r = app.post_raw(&signed(TOKEN, ""), Some("text/xml"), text_message(RUMOR)).await;
    assert_eq!((r.status, r.error_code().as_str()), (404, "not_found"));
}
