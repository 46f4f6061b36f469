//! What group chats do to a rumor: every claim of our corpus, under each kind of generated noise
//! and under combinations, must still be found first; unrelated texts must get `unknown`; a
//! forward that glues several rumors together gets each found, with segments.

use piyao::cli::eval::noise::{self, Noise, Rng};
use serde_json::{Value, json};

use crate::helpers::{TestApp, bundled_corpus, spawn_app};

/// (claim id, variant) for every variant of the bundled corpus.
fn corpus_variants() -> Vec<(String, String)> {
    let loaded = piyao::corpus::load(&[bundled_corpus()]).expect("bundled corpus loads");
    loaded.corpus.claims.iter().flat_map(|c| c.variants.iter().map(|v| (c.id.clone(), v.clone()))).collect()
}

/// Check many texts through the batch endpoint; returns the response of each, in order.
async fn check_all(app: &TestApp, texts: &[String]) -> Vec<Value> {
    let mut out = Vec::with_capacity(texts.len());
    for chunk in texts.chunks(100) {
        let items: Vec<Value> = chunk.iter().enumerate().map(|(i, t)| json!({"id": i.to_string(), "text": t})).collect();
        let r = app.post_json("/api/v1/check/batch", &json!({ "items": items })).await;
        assert_eq!(r.status, 200, "{}", r.text());
        out.extend(r.json()["results"].as_array().unwrap().iter().cloned());
    }
    out
}

/// Every variant under `kinds` (fresh randomness per variant) must find its claim first.
async fn assert_found_under(app: &TestApp, kinds: &[Noise], seed: u64) {
    assert_mostly_found_under(app, kinds, seed, 0).await;
}

/// The same, allowing `allowed` misses (several kinds at once can leave too little of a short variant).
async fn assert_mostly_found_under(app: &TestApp, kinds: &[Noise], seed: u64, allowed: usize) {
    let variants = corpus_variants();
    let mut rng = Rng::new(seed);
    let texts: Vec<String> = variants.iter().map(|(_, v)| noise::apply(v, kinds, &mut rng)).collect();
    let results = check_all(app, &texts).await;
    let mut misses = Vec::new();
    for ((id, _), (text, r)) in variants.iter().zip(texts.iter().zip(&results)) {
        if r["matches"][0]["claim_id"] != id.as_str() {
            misses.push(format!("{id}: {text} → {}", r["matches"][0]["claim_id"]));
        }
    }
    let names: Vec<&str> = kinds.iter().map(|k| k.name()).collect();
    assert!(
        misses.len() <= allowed,
        "under {names:?}, {} of {} variants were not found first:\n{}",
        misses.len(),
        variants.len(),
        misses.join("\n")
    );
}

#[actix_web::test]
async fn typos() {
    assert_found_under(&spawn_app().await, &[Noise::Typos], 1).await;
}

#[actix_web::test]
async fn truncated() {
    assert_found_under(&spawn_app().await, &[Noise::Truncated], 2).await;
}

#[actix_web::test]
async fn wrapped() {
    assert_found_under(&spawn_app().await, &[Noise::Wrapped], 3).await;
}

#[actix_web::test]
async fn emoji() {
    assert_found_under(&spawn_app().await, &[Noise::Emoji], 4).await;
}

#[actix_web::test]
async fn traditional() {
    assert_found_under(&spawn_app().await, &[Noise::Traditional], 5).await;
}

#[actix_web::test]
async fn full_width() {
    assert_found_under(&spawn_app().await, &[Noise::FullWidth], 6).await;
}

#[actix_web::test]
async fn evasive() {
    assert_found_under(&spawn_app().await, &[Noise::Evasive], 7).await;
}

#[actix_web::test]
async fn combinations() {
    let app = spawn_app().await;
    let mut rng = Rng::new(9);
    // truncated + typos + traditional can leave 6 characters of an 11-character variant
    // (登革热可以通过空气传播 → 登革可已過空): one miss in a hundred variants is allowed
    for round in 0..6 {
        let kinds = noise::random_kinds(&mut rng);
        let allowed = corpus_variants().len() / 100;
        assert_mostly_found_under(&app, &kinds, 100 + round, allowed).await;
    }
}

#[actix_web::test]
async fn unrelated_texts_are_unknown() {
    let app = spawn_app().await;
    let texts: Vec<String> = [
        "晚上六点在老地方吃火锅，别迟到",
        "孩子的数学作业第三题怎么做？有没有家长知道",
        "今天超市鸡蛋打折，五块九一斤，限购两盒",
        "下周一公司团建，去郊区爬山，记得穿运动鞋",
        "生日快乐！祝你天天开心，心想事成",
        "这部电视剧的结局太让人意外了，编剧是怎么想的",
        "明天上午九点开会，请各部门负责人准时参加",
        "小区物业通知：本周六上午停水检修，请提前储水",
        "周末带爸妈去公园看菊花展，人不多，推荐",
        "Happy new year everyone, see you at the party!",
        "这家面馆的牛肉面真不错，汤头很浓",
        "请问有人知道附近哪里可以修自行车吗",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for (t, r) in texts.iter().zip(check_all(&app, &texts).await) {
        assert_eq!(r["verdict"], "unknown", "{t}: {r:#}");
    }
}

#[actix_web::test]
async fn same_topic_texts_are_rarely_accepted() {
    let app = spawn_app().await;
    let (accepted, _) = given_a_verdict(&app, "related_negatives.jsonl").await;
    // true statements on the corpus's topics: at most 2 in 80 may be taken for a rumor
    assert!(accepted.len() <= 2, "{} same-topic texts got a verdict:\n{}", accepted.len(), accepted.join("\n"));
}

#[actix_web::test]
async fn reworded_retellings_are_matched() {
    let app = spawn_app().await;
    let rows = fixture("reworded.jsonl");
    let texts: Vec<String> = rows.iter().map(|r| r["text"].as_str().unwrap().to_string()).collect();
    let results = check_all(&app, &texts).await;
    let n = rows.len() as f64;
    let first = rows.iter().zip(&results).filter(|(q, r)| r["matches"][0]["claim_id"] == q["expected"]).count() as f64;
    let decided =
        rows.iter().zip(&results).filter(|(q, r)| r["matches"][0]["claim_id"] == q["expected"] && r["verdict"] != "unknown").count() as f64;
    // measured 0.90 (shown first, at least `related`) and 0.79 (verdict) on the 72-claim corpus
    // these retellings were written for; 0.83 and 0.67 on the 202-claim corpus, whose variants
    // are mostly quoted from the debunks instead of composed by us and which has 3× the competing
    // claims; 0.42 given a verdict since a verdict needs the message to carry the claim's text
    // (`matcher::carries_claim`) and some of its predicates (`matcher::ASSERTION_MIN`): a
    // retelling in other words shares no more of it than true news on the same topic does, and
    // is now shown as `related` (0.36). These guard against regressions.
    assert!(first / n >= 0.80, "reworded found first: {:.3}", first / n);
    assert!(decided / n >= 0.33, "reworded given a verdict: {:.3}", decided / n);
}

/// The texts of a fixture that get a verdict (each with the claim that decided it), and how many
/// texts the fixture has.
async fn given_a_verdict(app: &TestApp, fixture_name: &str) -> (Vec<String>, usize) {
    let texts: Vec<String> = fixture(fixture_name).iter().map(|r| r["text"].as_str().unwrap().to_string()).collect();
    let judged = texts
        .iter()
        .zip(check_all(app, &texts).await)
        .filter(|(_, r)| r["verdict"] != "unknown")
        .map(|(t, r)| format!("{t} → {}", r["matches"][0]["claim_id"]))
        .collect();
    (judged, texts.len())
}

fn fixture(name: &str) -> Vec<Value> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    std::fs::read_to_string(path).unwrap().lines().filter(|l| !l.trim().is_empty()).map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[actix_web::test]
async fn same_topic_true_news_rarely_gets_a_verdict() {
    let app = spawn_app().await;
    let (judged, n) = given_a_verdict(&app, "same_topic_true.jsonl").await;
    // real passages of true reports on our claims' topics; measured 3 of 279 (1.1%)
    assert!(judged.len() as f64 / n as f64 <= 0.02, "{} of {n} true texts got a verdict:\n{}", judged.len(), judged.join("\n"));
}

#[actix_web::test]
async fn forwarded_debunks_are_rarely_called_rumors() {
    let app = spawn_app().await;
    let rows: Vec<Value> = fixture("refuting.jsonl").into_iter().filter(|r| r["stance"] == "refutes").collect();
    let texts: Vec<String> = rows.iter().map(|r| r["text"].as_str().unwrap().to_string()).collect();
    let results = check_all(&app, &texts).await;
    let n = rows.len() as f64;
    let called_rumor: Vec<String> = texts
        .iter()
        .zip(&results)
        .filter(|(_, r)| (r["verdict"] == "false" || r["verdict"] == "misleading") && r["stance"] != "refutes")
        .map(|(t, _)| t.clone())
        .collect();
    let found_first = rows.iter().zip(&results).filter(|(q, r)| r["matches"][0]["claim_id"] == q["expected"]).count() as f64;
    // measured 0.038 called a rumor; the debunked claim shown first 0.733 (`piyao eval` finds it
    // first among all candidates 0.889, but a debunk in its own words may score below `related`)
    assert!(called_rumor.len() as f64 / n <= 0.05, "{} of {n} debunks called a rumor:\n{}", called_rumor.len(), called_rumor.join("\n"));
    assert!(found_first / n >= 0.70, "debunked claim shown first: {:.3}", found_first / n);
}

#[actix_web::test]
async fn several_rumors_in_one_forward_are_each_found_with_segments() {
    let app = spawn_app().await;
    let a = "从今晚8点开始全国清查，不删聊天记录封群封号，收到请转发。";
    let b = corpus_variants().into_iter().find(|(id, _)| id == "forward-500-times-jail").expect("claim exists").1;
    let filler = "另外，周末天气不错，大家记得带孩子出去走走。";
    let msg = format!("{a}\n{filler}\n{b}");
    let r = app.check(&msg).await;
    let ids: Vec<&str> =
        r["matches"].as_array().unwrap().iter().filter(|m| m["level"] != "related").map(|m| m["claim_id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"wechat-purge-notice-2022") && ids.contains(&"forward-500-times-jail"), "{r:#}");

    let chars: Vec<char> = msg.chars().collect();
    let segs = r["segments"].as_array().unwrap();
    let text_of = |id: &str| -> String {
        segs.iter()
            .filter(|s| s["claim_id"] == id)
            .map(|s| chars[s["start"].as_u64().unwrap() as usize..s["end"].as_u64().unwrap() as usize].iter().collect::<String>())
            .collect()
    };
    assert!(text_of("wechat-purge-notice-2022").contains("全国清查"), "{segs:?}");
    assert!(text_of("forward-500-times-jail").contains(&b.chars().take(6).collect::<String>()), "{segs:?}");
    let unmatched: String = segs
        .iter()
        .filter(|s| s["claim_id"].is_null())
        .map(|s| chars[s["start"].as_u64().unwrap() as usize..s["end"].as_u64().unwrap() as usize].iter().collect::<String>())
        .collect();
    assert!(unmatched.contains("周末天气不错"), "{segs:?}");
    // segments tile the message in order
    let mut at = 0;
    for s in segs {
        assert_eq!(s["start"].as_u64().unwrap() as usize, at, "{segs:?}");
        at = s["end"].as_u64().unwrap() as usize;
    }
    assert_eq!(at, chars.len());
}

#[actix_web::test]
async fn highlights_point_at_the_matching_words() {
    let app = spawn_app().await;
    let msg = "大家好😀，【紧急】從今晚8點開始全國清查，不刪聊天記錄就封群封號！";
    let r = app.check(msg).await;
    let chars: Vec<char> = msg.chars().collect();
    let marked: String = r["matches"][0]["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| chars[h["start"].as_u64().unwrap() as usize..h["end"].as_u64().unwrap() as usize].iter().collect::<String>())
        .collect();
    assert!(marked.contains("全國清查"), "{marked}");
    assert!(!marked.contains("大家好"), "{marked}");
}
