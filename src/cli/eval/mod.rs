//! `piyao eval`: matching quality and in-process latency on a query set, reproducible by anyone.
//!
//! Query files are JSONL with `text` and `expected` (a claim id) or `expected_any` (a list of
//! claim ids, each counted as right); negative files have `text` only and must get no verdict.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use serde::Deserialize;

use crate::config::CorpusArgs;
use crate::engine::Engine;
use crate::index::IndexRoot;
use crate::input::{Limit, MessageText};
use crate::matcher::{Level, SIMILAR, Stance};
use crate::response::{Match, Verdict};
pub mod clusters;
pub mod images;
pub mod noise;

use noise::Rng;

#[derive(Deserialize)]
struct Query {
    #[serde(default)]
    qid: Option<String>,
    text: String,
    #[serde(default)]
    expected: Option<String>,
    #[serde(default)]
    expected_any: Option<Vec<String>>,
    /// The stance the text takes toward `expected` (`refutes`, `asks`), when labelled.
    #[serde(default)]
    stance: Option<Stance>,
    /// Details the text changed from the claim (mutated variants), when labelled.
    #[serde(default)]
    differences: Option<Vec<LabelledDifference>>,
}

#[derive(Deserialize)]
struct LabelledDifference {
    claim: String,
    message: String,
}

impl Query {
    fn is_right(&self, id: &str) -> bool {
        self.expected.as_deref() == Some(id) || self.expected_any.as_ref().is_some_and(|l| l.iter().any(|x| x == id))
    }
}

fn read_jsonl<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Vec<T>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| serde_json::from_str(l).with_context(|| format!("{}:{}: invalid query line", path.display(), i + 1)))
        .collect()
}

/// Options of `piyao eval`.
#[derive(Debug, Clone, clap::Args)]
pub struct EvalCommand {
    #[command(flatten)]
    pub corpus: CorpusArgs,
    /// JSONL queries with `text` and `expected` / `expected_any`.
    #[arg(long)]
    pub queries: Option<PathBuf>,
    /// JSONL messages that match no claim.
    #[arg(long)]
    pub negatives: Option<PathBuf>,
    /// Also use every corpus variant as a query for its own claim.
    #[arg(long)]
    pub self_check: bool,
    /// Replace each query by N copies with 2–4 kinds of generated chat noise.
    #[arg(long, default_value_t = 0)]
    pub noise: usize,
    /// Print accept / wrong-accept / false-accept rates per score threshold.
    #[arg(long)]
    pub curve: bool,
    /// Write one JSON line per query: score, rank, verdict, stance, and the evidence behind the top claim.
    #[arg(long)]
    pub dump: Option<PathBuf>,
    /// Model coefficients to measure instead of the fitted ones (as `piyao fit` prints them).
    #[arg(long)]
    pub model: Option<String>,
    /// Write every candidate's evidence per query (JSONL), to fit scoring offline.
    #[arg(long)]
    pub features: Option<PathBuf>,
    /// Assertion cover a decisive match needs (0 turns the gate off; the default is what serving uses).
    #[arg(long, default_value_t = crate::matcher::ASSERTION_MIN)]
    pub assertion_min: f32,
    #[command(flatten)]
    pub images: images::ImagesArgs,
    #[command(flatten)]
    pub clusters: clusters::ClustersArgs,
}

fn write_features(engine: &Engine, queries: &[Query], negative: bool, out: &mut String) -> Result<()> {
    for q in queries {
        let Ok(text) = MessageText::parse(&q.text) else { continue };
        let cands: Vec<serde_json::Value> = engine
            .candidate_evidence(text.as_str())?
            .into_iter()
            .map(|(c, e, competes)| {
                let id = &engine.corpus().claims[c as usize].id;
                serde_json::json!({"claim": id, "right": q.is_right(id), "evidence": e, "competes": competes})
            })
            .collect();
        let group = q.expected.clone().or_else(|| q.qid.clone()).unwrap_or_else(|| q.text.chars().take(16).collect());
        out.push_str(&serde_json::json!({"group": group, "negative": negative, "cands": cands}).to_string());
        out.push('\n');
    }
    Ok(())
}

fn parse_model(spec: &str) -> Result<crate::matcher::Model> {
    let coef: Vec<f32> =
        spec.split(',').map(|v| v.trim().parse::<f32>()).collect::<Result<_, _>>().context("--model takes comma-separated numbers")?;
    let n = crate::matcher::FEATURES;
    if coef.len() != n + 3 {
        anyhow::bail!(
            "--model needs {} numbers: stage one ({}) then stage two (bias, logit, margin)",
            n + 3,
            crate::matcher::FEATURE_NAMES.join(", ")
        );
    }
    let mut model = crate::matcher::Model::default();
    model.coef.copy_from_slice(&coef[..n]);
    model.stage2.copy_from_slice(&coef[n..]);
    Ok(model)
}

/// Per-query outcome: the score of the top claim and whether it is right, and latencies.
struct Outcome {
    top_score: f32,
    top_right: bool,
    rank_of_right: Option<usize>,
    micros: f64,
    /// The verdict's claim (a `same`/`similar` match after stance and differences), if any.
    decided: Option<String>,
    verdict: Verdict,
    stance: Option<Stance>,
    /// The match for the expected claim, if shown.
    expected: Option<Match>,
    /// What decided the top claim (`Engine::probe`), for `--dump`.
    probe: Option<serde_json::Value>,
}

fn run_queries(engine: &Engine, queries: &[Query]) -> Result<Vec<Outcome>> {
    let mut out = Vec::with_capacity(queries.len());
    for q in queries {
        let Ok(text) = MessageText::parse(&q.text) else { continue };
        let started = Instant::now();
        let response = engine.check(&text, Limit::default())?;
        let micros = started.elapsed().as_secs_f64() * 1e6;
        let decided = response.matches.iter().find(|m| m.level.decides()).map(|m| m.claim_id.clone());
        let expected = response.matches.iter().find(|m| q.is_right(&m.claim_id)).cloned();
        let (msg, ranked) = engine.rank(text.as_str())?;
        let ids: Vec<&str> = ranked.iter().take(10).map(|s| engine.corpus().claims[s.claim as usize].id.as_str()).collect();
        let rank_of_right = ids.iter().position(|id| q.is_right(id));
        out.push(Outcome {
            top_score: ranked.first().map_or(0.0, |s| s.score),
            top_right: rank_of_right == Some(0),
            rank_of_right,
            micros,
            decided,
            verdict: response.verdict,
            stance: response.stance,
            expected,
            probe: engine.probe(&msg, &ranked),
        });
    }
    Ok(out)
}

pub fn run(args: &EvalCommand) -> Result<i32> {
    if let Some(path) = &args.clusters.clusters {
        return clusters::run(path, &args.clusters);
    }
    let Some(c) = super::reindex::load_corpus(&args.corpus) else { return Ok(1) };
    let dir = tempfile::tempdir()?;
    let root = IndexRoot::new(dir.path());
    let built = crate::index::build(&root, &c, &crate::index::BuildProgress::SILENT)?;
    let mut engine = Engine::open(&root)?.context("index just built")?;
    engine = engine.with_assertion_min(args.assertion_min);
    if let Some(spec) = &args.model {
        engine = engine.with_model(parse_model(spec)?);
    }
    crate::text::warm_up();
    println!("corpus: {} claims, {} variants; reindex {:.2} s", built.claims, built.variants, built.seconds);
    if args.images.images {
        return images::run(&engine, &args.images, args.dump.as_deref());
    }

    let mut queries: Vec<Query> = match &args.queries {
        Some(p) => read_jsonl(p)?,
        None => Vec::new(),
    };
    if args.self_check {
        for claim in &engine.corpus().claims {
            for v in &claim.variants {
                queries.push(Query {
                    qid: None,
                    text: v.clone(),
                    expected: Some(claim.id.clone()),
                    expected_any: None,
                    stance: None,
                    differences: None,
                });
            }
        }
    }
    if args.noise > 0 {
        let mut rng = Rng::new(20_261_122);
        let mut noisy = Vec::with_capacity(queries.len() * args.noise);
        for q in &queries {
            for _ in 0..args.noise {
                let kinds = noise::random_kinds(&mut rng);
                noisy.push(Query {
                    qid: q.qid.clone(),
                    text: noise::apply(&q.text, &kinds, &mut rng),
                    expected: q.expected.clone(),
                    expected_any: q.expected_any.clone(),
                    stance: q.stance,
                    differences: None,
                });
            }
        }
        queries = noisy;
    }
    let negatives: Vec<Query> = match &args.negatives {
        Some(p) => read_jsonl(p)?,
        None => Vec::new(),
    };

    let pos = run_queries(&engine, &queries)?;
    let neg = run_queries(&engine, &negatives)?;
    let n = pos.len().max(1) as f64;
    let r1 = pos.iter().filter(|o| o.top_right).count() as f64 / n;
    let r5 = pos.iter().filter(|o| o.rank_of_right.is_some_and(|r| r < 5)).count() as f64 / n;
    let mrr = pos.iter().map(|o| o.rank_of_right.map_or(0.0, |r| 1.0 / (r as f64 + 1.0))).sum::<f64>() / n;
    let accepted = |o: &Outcome, t: f32| o.top_score >= t;
    let accept = pos.iter().filter(|o| accepted(o, SIMILAR) && o.top_right).count() as f64 / n;
    let wrong = pos.iter().filter(|o| accepted(o, SIMILAR) && !o.top_right).count() as f64 / n;
    let false_accept = neg.iter().filter(|o| accepted(o, SIMILAR)).count() as f64 / neg.len().max(1) as f64;
    let mut lat: Vec<f64> = pos.iter().chain(&neg).map(|o| o.micros).collect();
    lat.sort_by(f64::total_cmp);

    println!("queries: {}  negatives: {}", pos.len(), neg.len());
    println!("Recall@1 {r1:.4}  Recall@5 {r5:.4}  MRR@10 {mrr:.4}");
    println!(
        "accept {accept:.4}  wrong-accept {wrong:.4}  false-accept {false_accept:.4} (verdict at score >= {SIMILAR}, level {:?})",
        Level::Similar
    );
    // the verdict as `check` gives it: after stance and changed details
    let decided_right = queries.iter().zip(&pos).filter(|(q, o)| o.decided.as_deref().is_some_and(|id| q.is_right(id))).count();
    let decided_wrong = pos.iter().filter(|o| o.decided.is_some()).count() - decided_right;
    let neg_decided = neg.iter().filter(|o| o.decided.is_some()).count();
    println!(
        "verdict: accept {:.4}  wrong-accept {:.4}  false-accept {:.4} ({} of {} negatives get a verdict)",
        decided_right as f64 / n,
        decided_wrong as f64 / n,
        neg_decided as f64 / neg.len().max(1) as f64,
        neg_decided,
        neg.len()
    );
    report_stance(&queries, &pos);
    report_differences(&queries, &pos);
    println!(
        "check latency in-process: p50 {:.3} ms  p99 {:.3} ms",
        super::percentile(&lat, 0.5) / 1000.0,
        super::percentile(&lat, 0.99) / 1000.0
    );

    if args.curve {
        println!("\nthreshold  accept  wrong-accept  false-accept");
        for step in 4..=19 {
            let t = step as f32 * 0.05;
            let a = pos.iter().filter(|o| accepted(o, t) && o.top_right).count() as f64 / n;
            let w = pos.iter().filter(|o| accepted(o, t) && !o.top_right).count() as f64 / n;
            let f = neg.iter().filter(|o| accepted(o, t)).count() as f64 / neg.len().max(1) as f64;
            println!("{t:>9.2}  {a:.4}  {w:>12.4}  {f:>12.4}");
        }
    }
    if let Some(path) = &args.features {
        let mut out = String::new();
        write_features(&engine, &queries, false, &mut out)?;
        write_features(&engine, &negatives, true, &mut out)?;
        std::fs::write(path, out)?;
    }
    if let Some(path) = &args.dump {
        let mut lines = String::new();
        for (q, o) in queries.iter().zip(&pos) {
            let row = serde_json::json!({"qid": q.qid, "text": q.text, "expected": q.expected, "score": o.top_score, "right": o.top_right, "rank": o.rank_of_right, "decided": o.decided, "verdict": o.verdict, "stance": o.stance, "stance_label": q.stance, "top": o.probe});
            lines.push_str(&format!("{row}\n"));
        }
        for (q, o) in negatives.iter().zip(&neg) {
            let row = serde_json::json!({"qid": q.qid, "text": q.text, "negative": true, "score": o.top_score, "decided": o.decided, "verdict": o.verdict, "stance": o.stance, "top": o.probe});
            lines.push_str(&format!("{row}\n"));
        }
        std::fs::write(path, lines)?;
    }
    Ok(0)
}

/// For texts labelled with a stance: how often they are called a rumor (a false or misleading
/// verdict whose stance is not `refutes`), and how often the stance is read right. For the
/// unlabelled ones (the rumor repeated): how often a rumor is taken for a debunk, the costliest
/// misreading (the user would be told "✓ 这是一条辟谣").
fn report_stance(queries: &[Query], outcomes: &[Outcome]) {
    let repeated: Vec<&Outcome> =
        queries.iter().zip(outcomes).filter(|(q, _)| q.stance.is_none() && q.expected.is_some()).map(|(_, o)| o).collect();
    let decided: Vec<&&Outcome> = repeated.iter().filter(|o| o.stance.is_some()).collect();
    if !decided.is_empty() {
        let refutes = decided.iter().filter(|o| o.stance == Some(Stance::Refutes)).count();
        let asks = decided.iter().filter(|o| o.stance == Some(Stance::Asks)).count();
        println!(
            "stance of repeated rumors (with a verdict): {} texts; read as refutes {:.4}; as asks {:.4}",
            decided.len(),
            refutes as f64 / decided.len() as f64,
            asks as f64 / decided.len() as f64
        );
    }
    for label in [Stance::Refutes, Stance::Asks] {
        let rows: Vec<&Outcome> = queries.iter().zip(outcomes).filter(|(q, _)| q.stance == Some(label)).map(|(_, o)| o).collect();
        if rows.is_empty() {
            continue;
        }
        let n = rows.len() as f64;
        let rumor =
            rows.iter().filter(|o| matches!(o.verdict, Verdict::False | Verdict::Misleading) && o.stance != Some(Stance::Refutes)).count();
        let found_first = rows.iter().filter(|o| o.top_right).count();
        let read = rows.iter().filter(|o| o.expected.as_ref().is_some_and(|m| m.stance == label)).count();
        println!(
            "stance {}: {} texts; called a rumor {:.4}; claim found first {:.4}; stance read as {} {:.4}",
            label.as_str(),
            rows.len(),
            rumor as f64 / n,
            found_first as f64 / n,
            label.as_str(),
            read as f64 / n
        );
    }
}

/// For mutated variants: never `same`, kept from deciding, and the differences reported with
/// both values.
fn report_differences(queries: &[Query], outcomes: &[Outcome]) {
    let rows: Vec<(&Query, &Outcome)> = queries.iter().zip(outcomes).filter(|(q, _)| q.differences.is_some()).collect();
    if rows.is_empty() {
        return;
    }
    let n = rows.len() as f64;
    let same = rows.iter().filter(|(_, o)| o.expected.as_ref().is_some_and(|m| m.level == Level::Same)).count();
    let decides = rows.iter().filter(|(q, o)| o.decided.as_deref().is_some_and(|id| q.is_right(id))).count();
    let reported = rows
        .iter()
        .filter(|(q, o)| {
            let Some(m) = &o.expected else { return false };
            q.differences.as_ref().is_some_and(|want| {
                want.iter().any(|d| m.differences.iter().any(|f| d.claim.contains(&f.claim) && d.message.contains(&f.message)))
            })
        })
        .count();
    println!(
        "changed details: {} texts; same {:.4}; still decide the verdict {:.4}; a labelled difference reported with both values {:.4}",
        rows.len(),
        same as f64 / n,
        decides as f64 / n,
        reported as f64 / n
    );
}
