//! `piyao import --claimreview FILE`: other fact-checkers' reviews (ClaimReview JSON-LD, a
//! schema.org DataFeed of them, or a Google Fact Check Tools API response) → corpus JSONL, with a
//! table of the ratings seen and how each was mapped.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;

use crate::corpus::import::{self, Imported};

#[derive(Debug, Clone, Args)]
pub struct ImportCommand {
    /// The file of reviews; its shape is recognized by itself.
    #[arg(long)]
    pub claimreview: PathBuf,
    /// Output file (default: stdout).
    #[arg(long)]
    pub output: Option<PathBuf>,
}

pub fn run(c: &ImportCommand) -> Result<i32> {
    let (file, output) = (c.claimreview.as_path(), c.output.as_deref());
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let reviews = match import::read_reviews(&text) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{}:{e}", file.display());
            return Ok(1);
        }
    };
    eprintln!("{}: {} ({} reviews)", file.display(), reviews.shape.name(), reviews.reviews.len());
    let imported = import::import(reviews);
    let mut out: Box<dyn Write> = match output {
        Some(p) => Box::new(std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?),
        None => Box::new(std::io::stdout().lock()),
    };
    for claim in &imported.claims {
        writeln!(out, "{}", serde_json::to_string(claim)?)?;
    }
    out.flush()?;
    for (line, why) in &imported.skipped {
        eprintln!("{}:{line}: not imported: {why}", file.display());
    }
    print_ratings(&imported);
    eprintln!(
        "imported {} claim(s), could not map {}, left out {} with a review URL seen before",
        imported.claims.len(),
        imported.skipped.len(),
        imported.duplicates
    );
    Ok(if imported.claims.is_empty() && !imported.skipped.is_empty() { 1 } else { 0 })
}

/// The ratings seen, with counts and what each became.
fn print_ratings(imported: &Imported) {
    if imported.ratings.is_empty() {
        return;
    }
    eprintln!("{:<28} {:>6}  mapped to", "rating", "count");
    for (name, (count, rating)) in &imported.ratings {
        let to = match rating {
            Some(r) => format!("{} {}", r.as_str(), r.label()),
            None => "(not mapped: not imported)".to_string(),
        };
        eprintln!("{:<28} {count:>6}  {to}", name);
    }
}
