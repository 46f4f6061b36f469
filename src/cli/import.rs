//! `piyao import --claimreview FILE`: ClaimReview JSON-LD from other fact-checkers → corpus JSONL.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;

use crate::corpus::claimreview;

#[derive(Debug, Clone, Args)]
pub struct ImportCommand {
    /// The ClaimReview file.
    #[arg(long)]
    pub claimreview: PathBuf,
    /// Output file (default: stdout).
    #[arg(long)]
    pub output: Option<PathBuf>,
}

pub fn run(c: &ImportCommand) -> Result<i32> {
    let (file, output) = (c.claimreview.as_path(), c.output.as_deref());
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let objects = match claimreview::read_objects(&text) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{}:{e}", file.display());
            return Ok(1);
        }
    };
    let mut out: Box<dyn Write> = match output {
        Some(p) => Box::new(std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?),
        None => Box::new(std::io::stdout().lock()),
    };
    let (mut ok, mut skipped) = (0, 0);
    for (line, v) in &objects {
        match claimreview::from_claimreview(v) {
            Ok(claim) => {
                writeln!(out, "{}", serde_json::to_string(&claim)?)?;
                ok += 1;
            }
            Err(why) => {
                eprintln!("{}:{line}: not imported: {why}", file.display());
                skipped += 1;
            }
        }
    }
    out.flush()?;
    eprintln!("imported {ok} claim(s), could not map {skipped}");
    Ok(if ok == 0 && skipped > 0 { 1 } else { 0 })
}
