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
