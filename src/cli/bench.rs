//! `piyao bench`: check latency over real HTTP against a running server, from a query file.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Args;

#[derive(Debug, Clone, Args)]
pub struct BenchCommand {
    /// Base URL of the server.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub url: String,
    /// JSONL file with `text` fields.
    #[arg(long)]
    pub queries: PathBuf,
    #[arg(long, default_value_t = 2000)]
    pub requests: usize,
    #[arg(long, default_value_t = 4)]
    pub concurrency: usize,
}

pub fn run(c: &BenchCommand) -> Result<i32> {
    let (url, queries, requests, concurrency) = (c.url.as_str(), c.queries.as_path(), c.requests, c.concurrency);
    let text = std::fs::read_to_string(queries).with_context(|| format!("reading {}", queries.display()))?;
    let texts: Vec<String> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v.get("text").and_then(|t| t.as_str()).map(str::to_string))
        .filter(|t| !t.trim().is_empty())
        .collect();
    if texts.is_empty() {
        bail!("no `text` lines in {}", queries.display());
    }
    let endpoint = format!("{}/api/v1/check", url.trim_end_matches('/'));
    let concurrency = concurrency.max(1);
    let (lat, failures, wall) = actix_web::rt::System::new().block_on(async move {
        let started = Instant::now();
        let mut tasks = Vec::new();
        for worker in 0..concurrency {
            let texts = texts.clone();
            let endpoint = endpoint.clone();
            tasks.push(actix_web::rt::spawn(async move {
                let client = awc::Client::builder().timeout(Duration::from_secs(30)).finish();
                let mut lat = Vec::new();
                let mut failures = 0usize;
                let mut i = worker;
                while i < requests {
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
    let pct = |p: f64| super::percentile(&lat, p);
    println!(
        "{} requests ({} failed), concurrency {concurrency}: p50 {:.2} ms  p99 {:.2} ms  max {:.2} ms  throughput {:.0} req/s",
        lat.len() + failures,
        failures,
        pct(0.5),
        pct(0.99),
        lat.last().copied().unwrap_or(0.0),
        lat.len() as f64 / wall.as_secs_f64()
    );
    Ok(if failures > 0 { 1 } else { 0 })
}
