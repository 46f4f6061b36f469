//! `piyao synth`: a large synthetic corpus for the scale test (README "Performance"), made from
//! real message texts so that terms, lengths and overlaps look like a real corpus. Its claims are
//! not facts: it is written to a file outside the repository and indexed only to measure.

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Args;

#[derive(Debug, Clone, Args)]
pub struct SynthCommand {
    /// Number of claims to write.
    #[arg(long)]
    pub claims: usize,
    /// JSONL files whose `text` (messages), or first variant or title (claim files), are the
    /// material; e.g. `../shared/datasets/weibo-messages/messages.jsonl`.
    #[arg(long = "from", required = true)]
    pub from: Vec<PathBuf>,
    /// Where to write the corpus (bulk JSONL, one claim a line).
    #[arg(long)]
    pub out: PathBuf,
}

/// Longest claim text, in characters.
const MAX_CHARS: usize = 200;
/// Every this many claims has a second variant (a real corpus has some claims with several).
const SECOND_VARIANT_EVERY: usize = 4;

pub fn run(c: &SynthCommand) -> Result<i32> {
    let pool = read_pool(&c.from)?;
    if pool.len() < 2 {
        bail!("need at least two texts in --from, found {}", pool.len());
    }
    let file = std::fs::File::create(&c.out).with_context(|| format!("creating {}", c.out.display()))?;
    let mut out = BufWriter::new(file);
    let ratings = ["false", "misleading", "false", "true"];
    for i in 0..c.claims {
        // claim i joins text i with another one picked by a stride: unique for up to pool² claims
        let a = &pool[i % pool.len()];
        let b = &pool[(i / pool.len() + 1 + i.wrapping_mul(7919)) % pool.len()];
        let text = join(a, b);
        let mut variants = vec![text.clone()];
        if i % SECOND_VARIANT_EVERY == 0 {
            variants.push(join(b, a));
        }
        let claim = serde_json::json!({
            "id": format!("synth-{i}"),
            "title": text.chars().take(40).collect::<String>(),
            "rating": ratings[i % ratings.len()],
            "summary": text,
            "variants": variants,
            "sources": [{"publisher": "piyao synth (not a fact)", "title": "synthetic claim for the scale test", "url": null}],
        });
        serde_json::to_writer(&mut out, &claim)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    println!("wrote {} synthetic claims from {} texts → {}", c.claims, pool.len(), c.out.display());
    Ok(0)
}

/// The first part of `a` and of `b`, at most `MAX_CHARS` in all.
fn join(a: &str, b: &str) -> String {
    let head: String = a.chars().take(MAX_CHARS * 3 / 5).collect();
    let tail: String = b.chars().take(MAX_CHARS - head.chars().count() - 1).collect();
    format!("{head}。{tail}")
}

/// The distinct texts of every line of `files` with at least 10 letters or digits (a text of
/// only emoji tags or punctuation is no claim).
fn read_pool(files: &[PathBuf]) -> Result<Vec<String>> {
    let mut pool = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for path in files {
        let f = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
        for (n, line) in BufReader::new(f).lines().enumerate() {
            let line = line.with_context(|| format!("{}:{}", path.display(), n + 1))?;
            if line.trim().is_empty() {
                continue;
            }
            let v: serde_json::Value = serde_json::from_str(&line).with_context(|| format!("{}:{}: not JSON", path.display(), n + 1))?;
            let text = v["text"].as_str().or_else(|| v["variants"][0].as_str()).or_else(|| v["title"].as_str()).unwrap_or("");
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            let bare: String = text.chars().filter(|c| c.is_alphanumeric()).collect();
            if bare.chars().count() >= 10 && !text.contains('[') && seen.insert(bare) {
                pool.push(text);
            }
        }
    }
    Ok(pool)
}
