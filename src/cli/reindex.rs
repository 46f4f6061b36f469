//! `piyao reindex`: validate the whole corpus, build a new generation, make it live atomically.

use std::io::IsTerminal;

use anyhow::Result;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use crate::config::{CorpusArgs, IndexArgs};
use crate::corpus::{self, Corpus};
use crate::index::{self, BuildSummary, IndexRoot};

/// Load and validate; on errors print them all (`path:line: message`) and return `None`.
pub fn load_corpus(args: &CorpusArgs) -> Option<Corpus> {
    match corpus::load(&args.corpus) {
        Ok(loaded) => {
            for w in &loaded.warnings {
                eprintln!("{}:{}: warning: {}", w.path, w.line, w.message);
            }
            Some(loaded.corpus)
        }
        Err(e) => {
            for w in &e.warnings {
                eprintln!("{}:{}: warning: {}", w.path, w.line, w.message);
            }
            for d in &e.errors {
                eprintln!("{d}");
            }
            eprintln!("{} error(s) in the corpus; the index was not changed", e.errors.len());
            None
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct ReindexCommand {
    #[command(flatten)]
    pub corpus: CorpusArgs,
    #[command(flatten)]
    pub index: IndexArgs,
}

/// Build and publish, with a progress bar when stdout is a terminal.
pub fn build_with_progress(root: &IndexRoot, corpus: &Corpus) -> Result<BuildSummary> {
    let bar = if std::io::stdout().is_terminal() {
        let b = ProgressBar::new(corpus.variant_count() as u64);
        b.set_style(ProgressStyle::with_template("indexing {bar:30} {pos}/{len} variants").expect("static template"));
        Some(b)
    } else {
        None
    };
    let waiting = |pid: Option<u32>| {
        let who = pid.map(|p| format!(" (pid {p})")).unwrap_or_default();
        eprintln!("another reindex{who} is running on {}: waiting for it to finish", root.path().display());
    };
    let indexed = |done, _| {
        if let Some(b) = &bar {
            b.set_position(done);
        }
    };
    let summary = index::build(root, corpus, &index::BuildProgress { waiting: &waiting, indexed: &indexed });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    summary
}

pub fn run(c: &ReindexCommand) -> Result<i32> {
    build(&c.corpus, &c.index)
}

/// Load, validate, build and publish; 1 when the corpus has errors.
pub fn build(corpus: &CorpusArgs, index: &IndexArgs) -> Result<i32> {
    let Some(c) = load_corpus(corpus) else { return Ok(1) };
    let root = IndexRoot::new(&index.index);
    let s = build_with_progress(&root, &c)?;
    println!(
        "indexed {} claims, {} variants, {} regulations in {:.2} s → {} (live: {})",
        s.claims,
        s.variants,
        s.regulations,
        s.seconds,
        root.path().display(),
        s.generation
    );
    Ok(0)
}
