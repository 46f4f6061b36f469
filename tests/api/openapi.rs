//! The OpenAPI document bot authors generate clients from: it describes every route, and real
//! responses are validated against it (with negative tests of the validator itself).

mod json_schema;

use serde_json::{Value, json};

use crate::helpers::{Options, Reply, TestApp, spawn_app, spawn_app_with};
use json_schema::Validator;

const RUMOR: &str = "从今晚8点开始全国清查，不删聊天记录封群封号，收到请转发";
const RUMOR_CLAIM: &str = "wechat-purge-notice-2022";
const UNRELATED: &str = "周末一起去公园放风筝吧，天气预报说是晴天";

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
        ("/api/v1/check/image", "post"),
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

    let screenshot = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/images/wechat-purge-chat.png")).unwrap();
    let image = app.post_raw("/api/v1/check/image", Some("image/png"), screenshot).await;
    assert_eq!((image.status, &image.json()["matches"][0]["claim_id"]), (200, &json!(RUMOR_CLAIM)), "{}", image.text());
    assert_matches_document(&v, "post", "/api/v1/check/image", &image);
    for (body, status) in [(Vec::new(), 400), (b"GIF89a".to_vec(), 422), (b"plain text".to_vec(), 415)] {
        let refused = app.post_raw("/api/v1/check/image", Some("image/png"), body).await;
        assert_eq!(refused.status, status, "{}", refused.text());
        assert_matches_document(&v, "post", "/api/v1/check/image", &refused);
    }

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
        .post_json(
            "/api/v1/check/batch",
            &json!({ "items": [{ "id": "1", "text": RUMOR }, { "id": "2", "text": " " }, { "id": "3", "text": UNRELATED }] }),
        )
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
    // (what is broken, how, what the validator must say)
    type Case<'a> = (&'a str, &'a dyn Fn(&mut Value), &'a str);
    let cases: [Case; 6] = [
        ("missing required field", &|r| drop(r.as_object_mut().unwrap().remove("verdict")), "missing required field `verdict`"),
        ("wrong type", &|r| r["confidence"] = json!("high"), "/confidence: expected number"),
        ("value outside the enum", &|r| r["verdict"] = json!("maybe"), "/verdict"),
        ("null where not nullable", &|r| r["matches"][0]["score"] = Value::Null, "/matches/0/score"),
        ("wrong item type", &|r| r["segments"] = json!([1, 2]), "/segments/0: expected object"),
        (
            "nested missing field",
            &|r| drop(r["matches"][0]["regulations"][0].as_object_mut().unwrap().remove("article")),
            "/regulations/0: missing required field `article`",
        ),
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
        json!({ "kind": "a" }),                        // required
        json!({ "kind": "c", "n": 1 }),                // enum through $ref
        json!({ "kind": "a", "n": -1 }),               // minimum
        json!({ "kind": "a", "n": 1.5 }),              // integer
        json!({ "kind": "a", "n": 1, "note": 2 }),     // type list
        json!({ "kind": "a", "n": 1, "either": 1 }),   // oneOf: both branches match
        json!({ "kind": "a", "n": 1, "any": 1 }),      // anyOf: no branch matches
        json!({ "kind": "a", "n": 1, "tags": [1] }),   // items
        json!({ "kind": "a", "n": 1, "extra": true }), // additionalProperties: false
        json!([]),                                     // type
    ] {
        assert!(!v.errors(thing, &bad).is_empty(), "accepted {bad}");
    }
}
