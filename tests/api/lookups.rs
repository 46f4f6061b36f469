//! Claim, regulation and health lookups.

use crate::helpers::spawn_app;

#[actix_web::test]
async fn healthz_reports_index_statistics() {
    let app = spawn_app().await;
    let h = app.get("/healthz").await.json();
    assert_eq!(h["status"], "ok");
    assert!(h["index"]["claims"].as_u64().unwrap() >= 5);
    assert!(h["index"]["regulations"].as_u64().unwrap() >= 4);
    assert!(h["index"]["generation"].as_str().unwrap().starts_with("gen-"));
}

#[actix_web::test]
async fn claim_and_regulation_by_id() {
    let app = spawn_app().await;
    let c = app.get("/api/v1/claims/wechat-purge-notice-2022").await.json();
    assert_eq!(c["rating"], "false");
    assert_eq!(c["label"], "谣言");
    assert!(c["variants"].as_array().unwrap().len() >= 2);
    assert!(c["articles"].as_array().unwrap().iter().any(|a| a["regulation"] == "cybersecurity-law"));

    let r = app.get("/api/v1/regulations/cybersecurity-law").await.json();
    assert_eq!(r["title"], "中华人民共和国网络安全法");
    let art = r["articles"].as_array().unwrap().iter().find(|a| a["number"] == "13").unwrap().clone();
    assert_eq!(art["formerly"], "12");
    assert!(r["cited_by"].as_array().unwrap().iter().any(|id| id == "wechat-purge-notice-2022"));
}

#[actix_web::test]
async fn claim_as_claimreview_json_ld() {
    let app = spawn_app().await;
    for r in [
        app.get("/api/v1/claims/wechat-purge-notice-2022?format=claimreview").await,
        app.get_with("/api/v1/claims/wechat-purge-notice-2022", ("accept", "application/ld+json")).await,
    ] {
        assert_eq!(r.status, 200);
        assert!(r.content_type.starts_with("application/ld+json"), "{}", r.content_type);
        let ld = r.json();
        assert_eq!(ld["@type"], "ClaimReview");
        assert_eq!(ld["reviewRating"]["alternateName"], "谣言");
        assert_eq!(ld["reviewRating"]["ratingValue"], 1);
        assert_eq!(ld["reviewRating"]["worstRating"], 1);
        assert_eq!(ld["reviewRating"]["bestRating"], 5);
        assert!(ld["claimReviewed"].as_str().unwrap().contains("清查"));
        assert!(ld["author"]["name"].is_string());
        assert!(ld["datePublished"].is_string());
        assert!(ld["url"].as_str().unwrap().ends_with("/claims/wechat-purge-notice-2022"));
        assert_eq!(ld["itemReviewed"]["@type"], "Claim");
    }
}
