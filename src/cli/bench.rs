//! `piyao bench`: check throughput and latency from a messages file, either over real HTTP
//! against a running server (N keep-alive connections) or in-process on an index folder, where
//! it also says where the time goes, stage by stage.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Args;

use crate::engine::{Engine, Stages};
use crate::index::IndexRoot;
use crate::input::{Limit, MessageText};

#[derive(Debug, Clone, Args)]
pub struct BenchCommand {
    /// Base URL of the server (HTTP mode).
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub url: String,
    /// JSONL file with `text` fields (the messages to check, cycled through).
    #[arg(long)]
    pub queries: PathBuf,
    /// Checks to send in all (ignored with `--duration`).
    #[arg(long, default_value_t = 2000)]
    pub requests: usize,
    /// Run for this many seconds instead of a number of checks.
    #[arg(long)]
    pub duration: Option<f64>,
    /// Connections (HTTP mode), each keep-alive and sending one check after the other.
    #[arg(long, default_value_t = 4)]
    pub concurrency: usize,
    /// Check in this process on `--index` (no HTTP, one thread) and print the time per stage.
    #[arg(long)]
    pub in_process: bool,
    /// Index folder for `--in-process`.
    #[arg(long, env = "PIYAO_INDEX", default_value = ".piyao/index")]
    pub index: PathBuf,
}

/// When a run stops: after a number of checks, or at a moment.
#[derive(Clone, Copy)]
enum Until {
    Count(usize),
    Deadline(Instant),
}

impl Until {
    fn more(self, done: usize) -> bool {
        match self {
            Until::Count(n) => done < n,
            Until::Deadline(t) => Instant::now() < t,
        }
    }
}

pub fn run(c: &BenchCommand) -> Result<i32> {
    let texts = read_texts(&c.queries)?;
    // the clock starts when the checks do (after the index is open, in process)
    let until = |started: Instant| match c.duration {
        Some(s) => Until::Deadline(started + Duration::from_secs_f64(s.max(0.1))),
        None => Until::Count(c.requests),
    };
    if c.in_process {
        return in_process(&c.index, &texts, until);
    }
    over_http(&c.url, texts, c.concurrency.max(1), until)
}

fn read_texts(path: &Path) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let texts: Vec<String> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v.get("text").and_then(|t| t.as_str()).map(str::to_string))
        .filter(|t| !t.trim().is_empty())
        .collect();
    if texts.is_empty() {
        bail!("no `text` lines in {}", path.display());
    }
    Ok(texts)
}

fn over_http(url: &str, texts: Vec<String>, concurrency: usize, until: impl Fn(Instant) -> Until) -> Result<i32> {
    let endpoint = format!("{}/api/v1/check", url.trim_end_matches('/'));
    let (lat, failures, wall) = actix_web::rt::System::new().block_on(async move {
        let started = Instant::now();
        let until = until(started);
        let mut tasks = Vec::new();
        for worker in 0..concurrency {
            let texts = texts.clone();
            let endpoint = endpoint.clone();
            tasks.push(actix_web::rt::spawn(async move {
                let client = awc::Client::builder().timeout(Duration::from_secs(30)).finish();
                let mut lat = Vec::new();
                let mut failures = 0usize;
                let mut i = worker;
                // a count is shared out among the workers; a deadline binds each
                while match until {
                    Until::Count(n) => i < n,
                    deadline => deadline.more(0),
                } {
                    let body = serde_json::json!({"text": texts[i % texts.len()]});
                    let t = Instant::now();
                    match client.post(&endpoint).send_json(&body).await {
                        Ok(mut r) if r.status().is_success() => {
                            let _ = r.body().limit(4 << 20).await;
                            lat.push(t.elapsed().as_secs_f64() * 1000.0);
                        }
                        _ => failures += 1,
                    }
                    i += concurrency;
                }
                (lat, failures)
            }));
        }
        let mut all = Vec::new();
        let mut failures = 0;
        for t in tasks {
            if let Ok((l, f)) = t.await {
                all.extend(l);
                failures += f;
            }
        }
        (all, failures, started.elapsed())
    });
    let mut lat = lat;
    lat.sort_by(f64::total_cmp);
    println!("{} checks ({failures} failed) over {concurrency} connections in {:.1} s", lat.len() + failures, wall.as_secs_f64());
    print_latency(&lat, wall);
    Ok(if failures > 0 { 1 } else { 0 })
}

fn print_latency(sorted_ms: &[f64], wall: Duration) {
    let pct = |p: f64| super::percentile(sorted_ms, p);
    println!(
        "throughput {:.0} checks/s  p50 {:.2} ms  p90 {:.2} ms  p99 {:.2} ms  max {:.2} ms",
        sorted_ms.len() as f64 / wall.as_secs_f64(),
        pct(0.5),
        pct(0.9),
        pct(0.99),
        sorted_ms.last().copied().unwrap_or(0.0)
    );
}

fn in_process(index: &Path, texts: &[String], until: impl Fn(Instant) -> Until) -> Result<i32> {
    let root = IndexRoot::new(index);
    let engine = Engine::open(&root)?.with_context(|| format!("no index in {}: run `piyao reindex` first", index.display()))?;
    crate::text::warm_up();
    let messages: Vec<MessageText> = texts.iter().filter_map(|t| MessageText::parse(t).ok()).collect();
    let (mut stages, mut json) = (Stages::default(), Duration::ZERO);
    let mut lat = Vec::new();
    let started = Instant::now();
    let until = until(started);
    while until.more(lat.len()) {
        let m = &messages[lat.len() % messages.len()];
        let t = Instant::now();
        let response = engine.check_timed(m, Limit::default(), &mut stages)?;
        let j = Instant::now();
        let body = serde_json::to_vec(&response)?;
        json += j.elapsed();
        std::hint::black_box(body);
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let wall = started.elapsed();
    lat.sort_by(f64::total_cmp);
    println!("{} checks in process (one thread, {} claims) in {:.1} s", lat.len(), engine.stats().claims, wall.as_secs_f64());
    print_latency(&lat, wall);
    let rows = [
        ("normalize", "NFKC, Traditional → Simplified (OpenCC), folds", stages.normalize),
        ("analyse", "bigrams, jieba words, characters, term ids", stages.analyse),
        ("candidates", "query terms and the tantivy search", stages.candidates),
        ("score", "evidence, model, margins", stages.score),
        ("assess", "stance, changed details, assertion cover", stages.assess),
        ("respond", "segments, highlights, matches", stages.respond),
        ("json", "serializing the response", json),
    ];
    let total: Duration = rows.iter().map(|r| r.2).sum();
    let n = lat.len().max(1) as f64;
    println!("{:<11} {:>10} {:>7}  what", "stage", "mean µs", "share");
    for (name, what, d) in rows {
        println!(
            "{name:<11} {:>10.1} {:>6.1}%  {what}",
            d.as_secs_f64() * 1e6 / n,
            100.0 * d.as_secs_f64() / total.as_secs_f64().max(1e-9)
        );
    }
    Ok(0)
}
