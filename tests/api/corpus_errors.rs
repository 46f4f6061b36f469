//! A broken corpus fails `piyao reindex` with `path:line: message` for each error, and the
//! index the server is answering from stays as it was.

use std::path::Path;

use crate::helpers::{TestApp, bundled_corpus, copy_corpus, spawn_app};

/// A valid claim; tests break one thing in it.
fn claim_toml(id: &str) -> String {
    format!(
        r#"id = "{id}"
title = "测试用的谣言"
rating = "false"
category = "society"
keywords = ["测试", "谣言文本", "请勿转发"]
summary = "这是一条测试用的辟谣摘要。"
variants = ["这是一条只在测试里出现的传闻文本，请勿转发", "测试传闻的第二种说法，收到请转发"]

[[sources]]
publisher = "测试发布方"
title = "测试辟谣文章"

[[regulations]]
regulation = "cybersecurity-law"
article = "13"
"#
    )
}

/// Break the corpus with `edit`, run reindex, and check the error and that nothing changed.
async fn assert_rejected(app: &TestApp, edit: impl FnOnce(&Path), expected: &[&str]) {
    let before = app.generation().await;
    let corpus = copy_corpus(&bundled_corpus());
    edit(corpus.path());
    let out = app.reindex(corpus.path());
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!out.status.success(), "reindex accepted a broken corpus:\n{stderr}");
    for e in expected {
        assert!(stderr.contains(e), "expected `{e}` in:\n{stderr}");
    }
    assert!(stderr.contains("the index was not changed"), "{stderr}");
    // the old index is still published and served
    actix_web::rt::time::sleep(std::time::Duration::from_millis(150)).await;
    assert_eq!(app.generation().await, before);
    assert_eq!(app.check("从今晚8点开始全国清查，不删聊天记录封群封号").await["verdict"], "false");
}

fn write(dir: &Path, rel: &str, text: &str) {
    std::fs::write(dir.join(rel), text).unwrap();
}

#[actix_web::test]
async fn duplicate_id() {
    let app = spawn_app().await;
    let line1 = r#"{"id":"bulk-ok","title":"t","rating":"false","summary":"s","variants":["一条批量导入的测试谣言文本"],"sources":[{"publisher":"p","title":"t"}]}"#;
    let line2 = r#"{"id":"wechat-purge-notice-2022","title":"t","rating":"false","summary":"s","variants":["另一条批量导入的测试谣言"],"sources":[{"publisher":"p","title":"t"}]}"#;
    assert_rejected(
        &app,
        |d| write(d, "bulk.jsonl", &format!("{line1}\n{line2}\n")),
        &["bulk.jsonl:2: duplicate claim id `wechat-purge-notice-2022`"],
    )
    .await;
}

#[actix_web::test]
async fn missing_field() {
    let app = spawn_app().await;
    let text = claim_toml("test-missing").replace("summary = \"这是一条测试用的辟谣摘要。\"\n", "");
    assert_rejected(&app, |d| write(d, "claims/test-missing.toml", &text), &["test-missing.toml:1: missing field `summary`"]).await;
}

#[actix_web::test]
async fn bad_rating() {
    let app = spawn_app().await;
    let text = claim_toml("test-rating").replace("rating = \"false\"", "rating = \"fake-news\"");
    assert_rejected(&app, |d| write(d, "claims/test-rating.toml", &text), &["test-rating.toml:3: rating `fake-news` is not one of"]).await;
}

#[actix_web::test]
async fn unknown_regulation() {
    let app = spawn_app().await;
    let text = claim_toml("test-reg").replace("regulation = \"cybersecurity-law\"", "regulation = \"no-such-law\"");
    assert_rejected(&app, |d| write(d, "claims/test-reg.toml", &text), &["test-reg.toml:14: unknown regulation `no-such-law`"]).await;
}

#[actix_web::test]
async fn unknown_article() {
    let app = spawn_app().await;
    let text = claim_toml("test-article").replace("article = \"13\"", "article = \"999\"");
    assert_rejected(
        &app,
        |d| write(d, "claims/test-article.toml", &text),
        &["test-article.toml:15: regulation `cybersecurity-law` has no article 999"],
    )
    .await;
}

#[actix_web::test]
async fn invalid_toml() {
    let app = spawn_app().await;
    let text = claim_toml("test-toml").replace("title = \"测试用的谣言\"", "title = \"测试用的谣言");
    assert_rejected(&app, |d| write(d, "claims/test-toml.toml", &text), &["test-toml.toml:2: invalid TOML"]).await;
}

#[actix_web::test]
async fn invalid_json_line() {
    let app = spawn_app().await;
    let good = r#"{"id":"bulk-ok","title":"t","rating":"false","summary":"s","variants":["一条批量导入的测试谣言文本"],"sources":[{"publisher":"p","title":"t"}]}"#;
    assert_rejected(&app, |d| write(d, "bulk.jsonl", &format!("{good}\n{{\"id\": \"x\",\n")), &["bulk.jsonl:2: invalid JSON"]).await;
}

#[actix_web::test]
async fn binary_file() {
    let app = spawn_app().await;
    assert_rejected(
        &app,
        |d| std::fs::write(d.join("blob.jsonl"), [0x7b, 0xff, 0x00, 0xfe, 0x0a]).unwrap(),
        &["blob.jsonl:1: not UTF-8 text"],
    )
    .await;
}

#[actix_web::test]
async fn stricter_field_rules() {
    let app = spawn_app().await;
    let text = claim_toml("test-strict")
        .replace("title = \"测试辟谣文章\"", "title = \"测试辟谣文章\"\nurl = \"ftp://example.org/x\"\ndate = \"2999-01-01\"")
        .replace("\"测试传闻的第二种说法，收到请转发\"", "\"转发！\"");
    assert_rejected(
        &app,
        |d| write(d, "claims/test-strict.toml", &text),
        &[
            "test-strict.toml:12: `sources[1].url` = `ftp://example.org/x` is not an http(s) URL",
            "test-strict.toml:13: `sources[1].date` = `2999-01-01` is in the future",
            "test-strict.toml:7: variant `转发！` is too short",
        ],
    )
    .await;
}

#[actix_web::test]
async fn claim_without_source() {
    let app = spawn_app().await;
    let text = claim_toml("test-nosource").replace("[[sources]]\npublisher = \"测试发布方\"\ntitle = \"测试辟谣文章\"\n", "");
    assert_rejected(&app, |d| write(d, "claims/test-nosource.toml", &text), &["test-nosource.toml:1: a claim needs at least one source"])
        .await;
}

#[actix_web::test]
async fn all_errors_are_reported_at_once() {
    let app = spawn_app().await;
    let a = claim_toml("test-a").replace("rating = \"false\"", "rating = \"maybe\"");
    let b = claim_toml("test-b").replace("article = \"13\"", "article = \"998\"");
    assert_rejected(
        &app,
        |d| {
            write(d, "claims/test-a.toml", &a);
            write(d, "claims/test-b.toml", &b);
        },
        &["test-a.toml:3:", "test-b.toml:15:", "2 error(s)"],
    )
    .await;
}

#[actix_web::test]
async fn valid_addition_is_accepted_with_warnings() {
    let app = spawn_app().await;
    let before = app.generation().await;
    let corpus = copy_corpus(&bundled_corpus());
    let text = claim_toml("test-added").replace("rating = \"false\"", "rating = \"false\"\ncolour = \"red\"");
    write(corpus.path(), "claims/test-added.toml", &text);
    let out = app.reindex(corpus.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("test-added.toml:4: warning: unknown field `colour` is ignored"), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("claims") && stdout.contains("variants") && stdout.contains("regulations"), "{stdout}");
    app.wait_for_new_generation(&before).await;
    let r = app.check("这是一条只在测试里出现的传闻文本，请勿转发").await;
    assert_eq!(r["matches"][0]["claim_id"], "test-added");
}

#[actix_web::test]
async fn repeated_variant_and_old_article_number_warn() {
    let app = spawn_app().await;
    let before = app.generation().await;
    let corpus = copy_corpus(&bundled_corpus());
    let loaded = piyao::corpus::load(&[bundled_corpus()]).unwrap();
    let taken = &loaded.corpus.claims.iter().find(|c| c.id == "forward-500-times-jail").unwrap().variants[0];
    let text = claim_toml("test-warnings")
        .replace("\"测试传闻的第二种说法，收到请转发\"", &format!("{taken:?}"))
        .replace("article = \"13\"", "article = \"12\"");
    write(corpus.path(), "claims/test-warnings.toml", &text);
    let out = app.reindex(corpus.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("test-warnings.toml:7: warning: this variant also belongs to claim `forward-500-times-jail`"), "{stderr}");
    assert!(stderr.contains("test-warnings.toml:15: warning: cybersecurity-law article 12 was renumbered; cite article 13"), "{stderr}");
    app.wait_for_new_generation(&before).await;
    let c = app.get("/api/v1/claims/test-warnings").await.json();
    assert_eq!(c["regulations"][0]["article"], "13", "the old number resolves to the current article");
}

#[actix_web::test]
async fn symlink_loop() {
    let app = spawn_app().await;
    assert_rejected(
        &app,
        |d| {
            std::fs::create_dir(d.join("more")).unwrap();
            std::os::unix::fs::symlink("..", d.join("more/up")).unwrap();
            std::os::unix::fs::symlink("../more", d.join("more/again")).unwrap();
        },
        &["/more/", "reached twice (a symlink loop"],
    )
    .await;
}

#[actix_web::test]
async fn bulk_file_with_short_real_rumors_loads_with_warnings_and_matches() {
    let app = spawn_app().await;
    let before = app.generation().await;
    let corpus = copy_corpus(&bundled_corpus());
    let line = r#"{"id":"bulk-short-lockdown","title":"某市封城了？","rating":"false","summary":"当地政府没有发布封城通告。","variants":["某某市封城了"],"sources":[{"publisher":"p","title":"t"}]}"#;
    let line2 = r#"{"id":"bulk-short-bank","title":"银行要倒闭？","rating":"false","summary":"这家银行正常营业。","variants":["银行要倒闭"],"sources":[{"publisher":"p","title":"t"}]}"#;
    write(corpus.path(), "bulk.jsonl", &format!("{line}\n{line2}\n"));
    let out = app.reindex(corpus.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("bulk.jsonl:2: warning: variant `银行要倒闭` is short (5 characters)"), "{stderr}");
    assert!(stderr.contains("bulk.jsonl:1: warning: no `category`"), "{stderr}");
    // the bundled corpus itself is clean: every warning is about the bulk file
    assert!(stderr.lines().filter(|l| l.contains("warning")).all(|l| l.contains("bulk.jsonl")), "{stderr}");
    app.wait_for_new_generation(&before).await;
    let r = app.check("银行要倒闭").await;
    assert_eq!((r["verdict"].as_str(), r["matches"][0]["claim_id"].as_str()), (Some("false"), Some("bulk-short-bank")));
}
