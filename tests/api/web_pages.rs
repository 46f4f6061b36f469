//! The HTML pages over real HTTP: each renders with the right status and the content a reader
//! needs (verdict in words, highlights, sources, articles, chat reply), browsing and search work,
//! the ClaimReview JSON-LD parses, and errors render in the site layout.

use crate::helpers::{Options, TestApp, spawn_app, spawn_app_with};

const SEED_RUMOR: &str = "从今晚8点开始全国清查，不删聊天记录封群封号，收到请转发";
const UNKNOWN_MESSAGE: &str = "周末一起去公园放风筝吧，天气预报说是晴天";

/// GET a page and insist it is a 200 HTML page in the site layout.
async fn page(app: &TestApp, path: &str) -> String {
    let r = app.get(path).await;
    assert_eq!(r.status, 200, "{path}: {}", r.text());
    assert!(r.content_type.starts_with("text/html"), "{path}: {}", r.content_type);
    let html = r.text();
    assert!(html.contains("<html lang=\"zh-CN\">"), "{path}: not in the layout");
    html
}

/// The text between the first `start` and the next `end` after it.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html.find(start).unwrap_or_else(|| panic!("no `{start}` in {html}")) + start.len();
    let len = html[from..].find(end).unwrap_or_else(|| panic!("no `{end}` after `{start}`"));
    &html[from..from + len]
}

/// Claim ids linked as list entries of `/claims`.
fn listed_claims(html: &str) -> Vec<String> {
    html.split("<h2><a href=\"/claims/").skip(1).map(|s| s[..s.find('"').unwrap()].to_string()).collect()
}

async fn claim_count(app: &TestApp) -> usize {
    app.get("/healthz").await.json()["index"]["claims"].as_u64().unwrap() as usize
}

#[actix_web::test]
async fn home_page_has_the_form_examples_and_link_preview() {
    let app = spawn_app().await;
    let html = page(&app, "/").await;
    assert!(html.contains("<form method=\"post\" action=\"/check\""), "{html}");
    assert!(html.contains("<textarea id=\"text\" name=\"text\""), "{html}");
    assert!(html.contains(">查证</button>"), "{html}");
    // examples are real variants from the corpus, linked as check permalinks
    assert!(html.contains("微信聊天记录要全部删掉，否则会被封群封号"), "{html}");
    assert!(html.matches("<li><a href=\"/check?text=").count() >= 3, "{html}");
    assert!(html.contains("<title>辟谣 piyao</title>"), "{html}");
    assert!(html.contains("<meta name=\"description\" content=\""), "{html}");
    assert!(html.contains("<meta property=\"og:title\""), "{html}");
    assert!(html.contains(&format!("<meta property=\"og:url\" content=\"{}/\">", app.address)), "{html}");
    assert!(html.contains("<link rel=\"icon\" href=\"/favicon.svg\""), "{html}");
}

#[actix_web::test]
async fn example_links_check_their_rumor() {
    let app = spawn_app().await;
    let home = page(&app, "/").await;
    let first = between(&home, "<li><a href=\"", "\"").replace("&amp;", "&");
    let result = page(&app, &first).await;
    assert!(between(&result, "id=\"verdict\"", "</section>").contains("谣言"), "{result}");
}

#[actix_web::test]
async fn result_page_explains_the_rumor() {
    let app = spawn_app().await;
    let r = app.post_form("/check", &[("text", SEED_RUMOR)]).await;
    assert_eq!(r.status, 200);
    let html = r.text();

    let verdict = between(&html, "id=\"verdict\"", "</section>");
    assert!(verdict.contains("class=\"badge false\"") && verdict.contains("谣言"), "{verdict}");
    assert!(verdict.contains("全国清查微信群"), "the matched debunk's title: {verdict}");
    assert!(verdict.contains("真相") && verdict.contains("微信方面予以否认"), "its summary, first thing on a phone: {verdict}");
    assert!(html.contains("<title>谣言 · 全国清查微信群"), "{html}");

    // the matched parts of the user's own text are highlighted
    let message = between(&html, "id=\"message\"", "</section>");
    let marked = between(message, "<mark>", "</mark>");
    assert!(marked.chars().count() >= 2 && SEED_RUMOR.contains(marked), "{marked}");

    let card = between(&html, "id=\"match-wechat-purge-notice-2022\"", "</section>");
    assert!(card.contains("详细解释") && card.contains("网络安全法要求网络运营者留存网络日志"), "explanation: {card}");
    assert!(card.contains("快科技") && card.contains("2022-07-18"), "sources with dates: {card}");
    assert!(card.contains("<details>") && card.contains("第十三条"), "articles fold open: {card}");
    assert!(card.contains("修改前为第12条"), "former number: {card}");
    assert!(card.contains("href=\"/regulations/cybersecurity-law#art-13\""), "{card}");

    // a reply to paste into the chat, linking the debunk absolutely
    let reply = between(&html, "<textarea id=\"reply-text\" readonly", "</textarea>");
    assert!(reply.contains("【辟谣】这条消息是谣言。"), "{reply}");
    assert!(reply.contains(&format!("{}/claims/wechat-purge-notice-2022", app.address)), "{reply}");
    assert!(html.contains("id=\"copy-reply\""), "copy button: {html}");

    // the permalink shows the same result
    let permalink = between(between(&html, "id=\"permalink\"", "</section>"), "<a href=\"", "\"").replace("&amp;", "&");
    assert!(permalink.starts_with(&format!("{}/check?text=", app.address)), "{permalink}");
    let again = page(&app, permalink.trim_start_matches(&app.address)).await;
    assert!(between(&again, "id=\"verdict\"", "</section>").contains("谣言"));
    assert!(again.contains("<meta name=\"robots\" content=\"noindex\">"), "user text is not for search engines");
}

#[actix_web::test]
async fn unknown_message_is_not_called_true() {
    let app = spawn_app().await;
    let html = app.post_form("/check", &[("text", UNKNOWN_MESSAGE)]).await.text();
    let verdict = between(&html, "id=\"verdict\"", "</section>");
    assert!(verdict.contains("未收录") && verdict.contains("未收录 ≠ 属实"), "{verdict}");
    assert!(!html.contains("<mark>"), "nothing matched, nothing highlighted");
    let reply = between(&html, "<textarea id=\"reply-text\" readonly", "</textarea>");
    assert!(reply.contains("【提醒】") && !reply.contains("【辟谣】"), "{reply}");
}

#[actix_web::test]
async fn message_with_two_rumors_is_split_into_parts() {
    let app = spawn_app().await;
    // two variants from the corpus, verbatim, glued as forwards often are
    let msg = "微信聊天记录要全部删掉，否则会被封群封号，大家互相转告。剩菜放冰箱一晚上吃了会致癌！";
    let html = app.post_form("/check", &[("text", msg)]).await.text();
    let message = between(&html, "id=\"message\"", "</section>");
    assert!(message.contains("几种不同的说法"), "{message}");
    assert!(message.contains("href=\"#match-wechat-purge-notice-2022\""), "{message}");
    assert!(message.contains("href=\"#match-overnight-dishes-cause-cancer\""), "{message}");
    assert!(message.matches("<mark>").count() >= 2, "{message}");
    let reply = between(&html, "<textarea id=\"reply-text\" readonly", "</textarea>");
    assert!(reply.contains("①") && reply.contains("②"), "{reply}");
}

#[actix_web::test]
async fn user_text_is_escaped() {
    let app = spawn_app().await;
    let html = app.post_form("/check", &[("text", "<script>alert('清查封号')</script>")]).await.text();
    assert!(!html.contains("<script>alert"), "{html}");
    let message = between(&html, "id=\"message\"", "</section>");
    assert!(message.contains("&#60;script&#62;alert") || message.contains("&lt;script&gt;alert"), "{message}");
}

#[actix_web::test]
async fn claims_are_paginated_twenty_per_page() {
    let app = spawn_app().await;
    let total = claim_count(&app).await;
    assert!(total > 40, "the bundled corpus spans several pages");
    let pages = total.div_ceil(20);

    let first = page(&app, "/claims").await;
    assert_eq!(listed_claims(&first).len(), 20);
    assert!(first.contains(&format!("共 {total} 条")), "{first}");
    assert!(first.contains("rel=\"next\" href=\"/claims?page=2\""), "{first}");
    assert!(!first.contains("rel=\"prev\""));

    let mut seen = listed_claims(&first);
    for p in 2..=pages {
        let html = page(&app, &format!("/claims?page={p}")).await;
        assert!(
            html.contains(&format!("rel=\"prev\" href=\"/claims{}\"", if p == 2 { String::new() } else { format!("?page={}", p - 1) })),
            "{html}"
        );
        assert_eq!(html.contains("rel=\"next\""), p < pages, "page {p}");
        seen.extend(listed_claims(&html));
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!((seen.len(), unique.len()), (total, total), "every claim exactly once");

    assert_eq!(app.get(&format!("/claims?page={}", pages + 1)).await.status, 404);
    for bad in ["/claims?page=0", "/claims?page=abc", "/claims?category=nonsense", "/claims?page=1&page=2"] {
        let r = app.get(bad).await;
        assert_eq!(r.status, 400, "{bad}");
        assert!(r.text().contains("invalid_query") && r.text().contains("<html lang=\"zh-CN\">"), "{bad}");
    }
}

#[actix_web::test]
async fn claims_filter_by_category() {
    let app = spawn_app().await;
    let html = page(&app, "/claims?category=health").await;
    let ids = listed_claims(&html);
    assert!(!ids.is_empty() && ids.len() < claim_count(&app).await, "{ids:?}");
    for id in &ids {
        let c = app.get(&format!("/api/v1/claims/{id}")).await.json();
        assert_eq!(c["category"], "health", "{id}");
    }
    assert!(html.contains("aria-current=\"page\" class=\"current\">健康"), "the chosen category is marked: {html}");
    assert!(html.contains("<title>谣言库：健康 · 辟谣 piyao</title>"), "{html}");
}

#[actix_web::test]
async fn claims_search_finds_by_words_in_any_script() {
    let app = spawn_app().await;
    for q in ["%E5%B0%81%E5%8F%B7%20%E6%B8%85%E6%9F%A5", "%E5%B0%81%E8%99%9F"] {
        // "封号 清查" and Traditional "封號"
        let html = page(&app, &format!("/claims?q={q}")).await;
        assert!(listed_claims(&html).contains(&"wechat-purge-notice-2022".to_string()), "{q}: {html}");
    }
    // regression: "地震" must still find claims after 地 is folded with 的 by normalization
    let html = page(&app, "/claims?q=%E5%9C%B0%E9%9C%87").await;
    assert!(listed_claims(&html).contains(&"exact-earthquake-prediction-rumor".to_string()), "{html}");
    let html = page(&app, "/claims?q=%E5%B0%81%E5%8F%B7&category=health").await;
    assert!(listed_claims(&html).is_empty() && html.contains("没有找到相符的辟谣"), "{html}");
    assert!(html.contains("未收录 ≠ 属实"));
}

#[actix_web::test]
async fn claim_page_has_the_full_debunk_and_claimreview() {
    let app = spawn_app().await;
    let html = page(&app, "/claims/wechat-purge-notice-2022").await;
    assert!(html.contains("<h1>全国清查微信群、不删聊天记录就封群封号？谣言</h1>"), "{html}");
    assert!(between(&html, "id=\"verdict\"", "</section>").contains("谣言"));
    assert!(html.contains("网传说法"));
    let api = app.get("/api/v1/claims/wechat-purge-notice-2022").await.json();
    for v in api["variants"].as_array().unwrap() {
        assert!(html.contains(v.as_str().unwrap()), "variant {v} missing");
    }
    assert!(html.contains("天天要闻") && html.contains("2023-12-30"), "sources with dates");
    assert!(html.contains("第十三条") && html.contains("第二十九条"), "cited articles");
    assert!(html.contains("平台规则") && html.contains("2022-07-18"), "category and published date");
    assert!(html.contains("<meta property=\"og:type\" content=\"article\">"));
    assert!(between(&html, "<textarea id=\"reply-text\" readonly", "</textarea>").contains("【辟谣】"));

    let ld: serde_json::Value =
        serde_json::from_str(between(&html, "<script type=\"application/ld+json\">", "</script>")).expect("JSON-LD parses");
    assert_eq!(ld["@type"], "ClaimReview");
    assert_eq!(ld["url"], format!("{}/claims/wechat-purge-notice-2022", app.address));
    assert_eq!(ld["reviewRating"]["alternateName"], "谣言");
}

#[actix_web::test]
async fn regulation_page_anchors_articles_and_lists_citing_claims() {
    let app = spawn_app().await;
    let html = page(&app, "/regulations/cybersecurity-law").await;
    assert!(html.contains("<h1>中华人民共和国网络安全法</h1>"), "{html}");
    assert!(html.contains("全国人民代表大会常务委员会") && html.contains("2017-06-01") && html.contains("2025-10-28"));
    let article = between(&html, "id=\"art-13\"", "</section>");
    assert!(article.contains("第十三条") && article.contains("修改前为第12条"), "{article}");
    assert!(article.contains("/claims/wechat-purge-notice-2022"), "claims citing this article: {article}");
    assert!(html.contains("条文大意"), "paraphrased articles are flagged");
    let cited = between(&html, "id=\"cited-by\"", "</section>");
    assert!(cited.contains("href=\"/claims/wechat-purge-notice-2022\""), "{cited}");
    assert!(html.contains("<title>网络安全法 · 辟谣 piyao</title>"), "{html}");

    let list = page(&app, "/regulations").await;
    let regulations = app.get("/healthz").await.json()["index"]["regulations"].as_u64().unwrap() as usize;
    assert_eq!(list.matches("<h2><a href=\"/regulations/").count(), regulations, "{list}");
    assert!(list.contains("href=\"/regulations/cybersecurity-law\""));
}

#[actix_web::test]
async fn unknown_ids_are_404_pages_in_the_layout() {
    let app = spawn_app().await;
    for (path, code) in
        [("/claims/no-such-claim", "claim_not_found"), ("/regulations/no-such-law", "regulation_not_found"), ("/no/such/page", "not_found")]
    {
        let r = app.get(path).await;
        assert_eq!(r.status, 404, "{path}");
        assert!(r.content_type.starts_with("text/html"), "{path}");
        let html = r.text();
        assert!(html.contains("<html lang=\"zh-CN\">") && html.contains("<nav aria-label=\"网站导航\">"), "{path}: {html}");
        assert!(html.contains(code) && html.contains("出错了（404）"), "{path}: {html}");
    }
}

#[actix_web::test]
async fn pages_need_an_index() {
    let app = spawn_app_with(Options { build_index: false, ..Options::default() }).await;
    assert_eq!(app.get("/").await.status, 200, "the form still renders");
    for path in ["/claims", "/claims/wechat-purge-notice-2022", "/regulations", "/regulations/cybersecurity-law"] {
        let r = app.get(path).await;
        assert_eq!(r.status, 503, "{path}");
        assert!(r.text().contains("index_unavailable"), "{path}");
    }
}

#[actix_web::test]
async fn static_assets_are_cached() {
    let app = spawn_app().await;
    for (path, content_type) in [("/static/style.css", "text/css"), ("/favicon.svg", "image/svg+xml")] {
        let r = app.client.get(app.url(path)).send().await.expect("request sent");
        assert_eq!(r.status().as_u16(), 200, "{path}");
        let header = |name: &str| r.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        assert!(header("content-type").starts_with(content_type), "{path}");
        assert!(header("cache-control").contains("max-age="), "{path}: {}", header("cache-control"));
    }
}
