//! ClaimReview (schema.org) both ways: our claims out as JSON-LD, other publishers' ClaimReview in
//! through `piyao import --claimreview`, with every rating mapped explicitly or reported.

use std::process::Command;

use serde_json::json;

use crate::helpers::{bundled_corpus, copy_corpus, spawn_app};

fn import(file: &std::path::Path, output: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_piyao")).args(["import", "--claimreview"]).arg(file).arg("--output").arg(output).output().unwrap()
}

/// Shaped like the ClaimReview markup fact-checkers publish (example.org stands in for them).
fn published_reviews() -> serde_json::Value {
    json!([
        {
            "@context": "https://schema.org", "@type": "ClaimReview",
            "url": "https://example.org/fact-check/sun-gazing",
            "datePublished": "2024-03-05T08:00:00+08:00",
            "claimReviewed": "每天早上盯着太阳看十分钟可以治好近视，眼科医生都不告诉你",
            "headline": "盯着太阳看能治近视？不能，还会灼伤视网膜",
            "reviewBody": "直视太阳会造成日光性视网膜病变，不能治疗近视。",
            "author": {"@type": "Organization", "name": "Example Fact Check"},
            "reviewRating": {"@type": "Rating", "ratingValue": 1, "worstRating": 1, "bestRating": 5, "alternateName": "False"},
            "itemReviewed": {"@type": "Claim", "appearance": [{"@type": "CreativeWork", "text": "转发：每天看太阳十分钟，近视自己就好了"}]}
        },
        {
            "@context": "https://schema.org", "@type": "ClaimReview",
            "url": "https://example.org/fact-check/tea-bags",
            "datePublished": "2023-11-20",
            "claimReviewed": "隔夜茶含有大量致癌物质，喝一口都会得癌症",
            "reviewBody": "隔夜茶可能滋生细菌，但“喝一口就致癌”是夸大。",
            "author": {"@type": "Organization", "name": "Example Fact Check"},
            "reviewRating": {"@type": "Rating", "alternateName": "Half True"}
        },
        {
            "@context": "https://schema.org", "@type": "ClaimReview",
            "url": "https://example.org/fact-check/pinocchio",
            "claimReviewed": "某地明天开始全面限水",
            "reviewBody": "没有这回事。",
            "author": {"@type": "Organization", "name": "Example Fact Check"},
            "reviewRating": {"@type": "Rating", "alternateName": "Four Pinocchios"}
        }
    ])
}

#[actix_web::test]
async fn imported_reviews_become_searchable_claims() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("reviews.json");
    std::fs::write(&file, serde_json::to_vec_pretty(&published_reviews()).unwrap()).unwrap();
    let corpus = copy_corpus(&bundled_corpus());
    let out = import(&file, &corpus.path().join("imported.jsonl"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("reviews.json:3: not imported: rating `Four Pinocchios` has no mapping"), "{stderr}");
    assert!(stderr.contains("imported 2 claim(s), could not map 1"), "{stderr}");
    assert!(stderr.contains("schema.org ClaimReview (3 reviews)"), "{stderr}");
    // the table of ratings seen: mapped, and not mapped (never guessed)
    assert!(stderr.lines().any(|l| l.starts_with("False") && l.contains("false 谣言")), "{stderr}");
    assert!(stderr.lines().any(|l| l.starts_with("Four Pinocchios") && l.contains("(not mapped: not imported)")), "{stderr}");

    let lines: Vec<serde_json::Value> =
        std::fs::read_to_string(corpus.path().join("imported.jsonl")).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["rating"], "false");
    assert_eq!(lines[0]["published"], "2024-03-05");
    assert_eq!(lines[0]["sources"][0]["publisher"], "Example Fact Check");
    assert_eq!(lines[0]["variants"].as_array().unwrap().len(), 2);
    assert_eq!(lines[1]["rating"], "misleading");

    let before = app.generation().await;
    let re = app.reindex(corpus.path());
    assert!(re.status.success(), "{}", String::from_utf8_lossy(&re.stderr));
    app.wait_for_new_generation(&before).await;
    let r = app.check("看太阳十分钟能把近视治好？转发给家人").await;
    assert_eq!(r["verdict"], "false", "{r:#}");
    assert_eq!(r["matches"][0]["url"], "https://example.org/fact-check/sun-gazing");
}

#[actix_web::test]
async fn our_claimreview_imports_back_unchanged() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    // one object per line, as a crawler would save them
    let mut lines = String::new();
    for id in ["wechat-purge-notice-2022", "forward-500-times-jail", "wechat-owner-recall-members"] {
        let r = app.get(&format!("/api/v1/claims/{id}?format=claimreview")).await;
        assert_eq!(r.status, 200);
        lines.push_str(&serde_json::to_string(&r.json()).unwrap());
        lines.push('\n');
    }
    let file = dir.path().join("ours.jsonl");
    std::fs::write(&file, lines).unwrap();
    let output = dir.path().join("back.jsonl");
    let out = import(&file, &output);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let back: Vec<serde_json::Value> = std::fs::read_to_string(output).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    for (b, id) in back.iter().zip(["wechat-purge-notice-2022", "forward-500-times-jail", "wechat-owner-recall-members"]) {
        let original = app.get(&format!("/api/v1/claims/{id}")).await.json();
        assert_eq!(b["rating"], original["rating"], "{id}");
        assert_eq!(b["variants"], original["variants"], "{id}");
        assert_eq!(b["summary"], original["summary"], "{id}");
    }
}

/// A schema.org DataFeed, as fact-checkers publish for Google: ClaimReview items without a review
/// body, one of them listed twice.
fn data_feed() -> serde_json::Value {
    let review = |slug: &str, claim: &str, rating: &str| {
        json!({"@context": "https://schema.org", "@type": "ClaimReview", "url": format!("https://factcheck.example/{slug}"),
            "datePublished": "2025-02-11", "claimReviewed": claim,
            "author": {"@type": "Organization", "name": "Example 查核中心", "url": "https://factcheck.example"},
            "reviewRating": {"@type": "Rating", "ratingValue": "1", "bestRating": "5", "worstRating": "1", "alternateName": rating},
            "itemReviewed": {"@type": "Claim", "author": {"@type": "Person", "name": "网友"}, "datePublished": "2025-02-09"}})
    };
    json!({"@context": "https://schema.org", "@type": "DataFeed", "dateModified": "2025-02-12T10:00:00+08:00",
    "dataFeedElement": [
        {"@type": "DataFeedItem", "dateCreated": "2025-02-11", "item": [review("1", "喝淡盐水能把血管里的斑块冲掉，每天早上一杯", "错误")]},
        {"@type": "DataFeedItem", "item": [review("2", "吃酸菜会得胃癌，腌菜一口都不能碰", "缺乏证据")]},
        {"@type": "DataFeedItem", "item": review("1", "喝淡盐水能把血管里的斑块冲掉，每天早上一杯", "错误")},
        {"@type": "DataFeedItem", "item": [review("3", "某地明天开始全面限水", "Satire")]}
    ]})
}

/// A Google Fact Check Tools API `claims:search` response.
fn api_response() -> serde_json::Value {
    json!({"claims": [
        {"text": "喝隔夜茶会中毒，茶叶放过夜就有毒了", "claimant": "网络传言", "claimDate": "2024-08-01T00:00:00Z",
         "claimReview": [
            {"publisher": {"name": "Example Check", "site": "check.example"}, "url": "https://check.example/overnight-tea",
             "title": "隔夜茶有毒？查核结果", "reviewDate": "2024-08-03T00:00:00Z", "textualRating": "Mostly False", "languageCode": "zh"},
            {"publisher": {"site": "other.example"}, "url": "https://other.example/tea", "textualRating": "Four Pinocchios", "languageCode": "zh"}]}],
        "nextPageToken": "CAo"})
}

#[actix_web::test]
async fn data_feeds_and_fact_check_api_responses_import_without_a_body() {
    let dir = tempfile::tempdir().unwrap();
    let feed = dir.path().join("feed.json");
    std::fs::write(&feed, serde_json::to_vec_pretty(&data_feed()).unwrap()).unwrap();
    let out = import(&feed, &dir.path().join("feed.jsonl"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("schema.org DataFeed of ClaimReview (4 reviews)"), "{stderr}");
    assert!(stderr.contains("imported 2 claim(s), could not map 1, left out 1 with a review URL seen before"), "{stderr}");
    assert!(stderr.contains("rating `Satire` has no mapping"), "{stderr}");
    let lines: Vec<serde_json::Value> =
        std::fs::read_to_string(dir.path().join("feed.jsonl")).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!((lines[0]["rating"].as_str(), lines[1]["rating"].as_str()), (Some("false"), Some("unproven")));
    // no body: the summary says only what the review states
    assert_eq!(lines[0]["summary"], "Example 查核中心 将这一说法评为“错误”（谣言）。详见 https://factcheck.example/1");
    assert_eq!(lines[0]["sources"][0]["url"], "https://factcheck.example/1");

    let api = dir.path().join("api.json");
    std::fs::write(&api, serde_json::to_vec(&api_response()).unwrap()).unwrap();
    let out = import(&api, &dir.path().join("api.jsonl"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("Google Fact Check Tools API response (2 reviews)"), "{stderr}");
    assert!(stderr.contains("rating `Four Pinocchios` has no mapping"), "{stderr}");
    let claim: serde_json::Value = serde_json::from_str(std::fs::read_to_string(dir.path().join("api.jsonl")).unwrap().trim()).unwrap();
    assert_eq!((claim["rating"].as_str(), claim["title"].as_str()), (Some("misleading"), Some("隔夜茶有毒？查核结果")));
    assert_eq!((claim["published"].as_str(), claim["sources"][0]["publisher"].as_str()), (Some("2024-08-03"), Some("Example Check")));

    // both load as bulk claims, with warnings only
    let corpus = copy_corpus(&bundled_corpus());
    std::fs::copy(dir.path().join("feed.jsonl"), corpus.path().join("feed.jsonl")).unwrap();
    std::fs::copy(dir.path().join("api.jsonl"), corpus.path().join("api.jsonl")).unwrap();
    let loaded = piyao::corpus::load(&[corpus.path().to_path_buf()]).expect("imports load");
    assert!(loaded.warnings.iter().all(|w| w.path.ends_with("feed.jsonl") || w.path.ends_with("api.jsonl")));
}

#[actix_web::test]
async fn broken_claimreview_file_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.json");
    std::fs::write(&file, "[{\"@type\": \"ClaimReview\",").unwrap();
    let out = import(&file, &dir.path().join("x.jsonl"));
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("broken.json:") && stderr.contains("invalid JSON"), "{stderr}");
}
