//! `/metrics` in the Prometheus text format: requests by route pattern and status, check
//! latency and verdicts from every surface, the index served and the refusals.

use serde_json::json;

use crate::helpers::spawn_app;

/// The value of the sample `series` (name and labels exactly as written), if present.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|l| l.strip_prefix(series).and_then(|rest| rest.strip_prefix(' ')).and_then(|v| v.parse().ok()))
}

#[actix_web::test]
async fn metrics_count_requests_checks_and_verdicts() {
    let app = spawn_app().await;
    let before = app.get("/metrics").await;
    assert_eq!(before.status, 200);
    assert!(before.header("content-type").unwrap().starts_with("text/plain; version=0.0.4"), "{:?}", before.header("content-type"));
    let text = before.text();
    assert_eq!(sample(&text, "piyao_index_loaded"), Some(1.0), "{text}");
    assert!(sample(&text, "piyao_index_claims").unwrap() >= 200.0, "{text}");
    assert!(text.contains(&format!("piyao_index_info{{generation=\"{}\"}} 1", app.generation().await)), "{text}");
    assert_eq!(sample(&text, "piyao_check_seconds_count"), Some(0.0), "{text}");
    assert_eq!(sample(&text, "piyao_reload_failures_total"), Some(0.0), "{text}");

    // a rumor through the API, an unknown message on the web page, a batch of two
    assert_eq!(app.check("从今晚8点开始全国清查，不删聊天记录封群封号，收到请转发").await["verdict"], "false");
    assert_eq!(app.get("/check?text=%E4%BB%8A%E5%A4%A9%E5%A4%A9%E6%B0%94%E4%B8%8D%E9%94%99").await.status, 200);
    let batch =
        json!({"items": [{"id": "a", "text": "从今晚8点开始全国清查，不删聊天记录封群封号"}, {"id": "b", "text": "晚上六点老地方吃火锅"}]});
    assert_eq!(app.post_json("/api/v1/check/batch", &batch).await.status, 200);
    assert_eq!(app.get("/api/v1/claims/wechat-purge-notice-2022").await.status, 200);
    assert_eq!(app.get("/api/v1/claims/no-such-claim").await.status, 404);

    let text = app.get("/metrics").await.text();
    assert_eq!(sample(&text, "piyao_check_seconds_count"), Some(4.0), "{text}");
    assert_eq!(sample(&text, "piyao_check_seconds_bucket{le=\"+Inf\"}"), Some(4.0), "{text}");
    assert_eq!(sample(&text, "piyao_checks_total{verdict=\"false\"}"), Some(2.0), "{text}");
    assert_eq!(sample(&text, "piyao_checks_total{verdict=\"unknown\"}"), Some(2.0), "{text}");
    assert_eq!(sample(&text, "piyao_requests_total{method=\"POST\",route=\"/api/v1/check\",status=\"200\"}"), Some(1.0), "{text}");
    assert_eq!(sample(&text, "piyao_requests_total{method=\"POST\",route=\"/api/v1/check/batch\",status=\"200\"}"), Some(1.0), "{text}");
    // ids never become series of their own: the route pattern is the label
    assert_eq!(sample(&text, "piyao_requests_total{method=\"GET\",route=\"/api/v1/claims/{id}\",status=\"200\"}"), Some(1.0), "{text}");
    assert_eq!(sample(&text, "piyao_requests_total{method=\"GET\",route=\"/api/v1/claims/{id}\",status=\"404\"}"), Some(1.0), "{text}");
    assert_eq!(sample(&text, "piyao_requests_total{method=\"GET\",route=\"/metrics\",status=\"200\"}"), Some(1.0), "{text}");
    assert!(!text.contains("no-such-claim") && !text.contains("清查"), "no path or message in a label: {text}");
    assert_eq!(sample(&text, "piyao_refused_total{reason=\"rate_limited\"}"), Some(0.0), "{text}");
    assert_eq!(sample(&text, "piyao_refused_total{reason=\"busy\"}"), Some(0.0), "{text}");
}
