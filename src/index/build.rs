//! The write path: turn a validated corpus into a new generation and make it live atomically.
//! Only `piyao reindex` (and `serve` on a machine with no index yet) comes here.

use std::time::Instant;

use anyhow::{Context, Result};
use tantivy::{Index, IndexWriter, TantivyDocument, doc};

use super::analyzers;
use super::schema;
use super::store::IndexRoot;
use crate::corpus::Corpus;

/// File in each generation holding the validated corpus the index was built from.
pub const CORPUS_FILE: &str = "corpus.json";

/// What a reindex did.
#[derive(Debug, Clone)]
pub struct BuildSummary {
    pub generation: String,
    pub claims: usize,
    pub variants: usize,
    pub regulations: usize,
    pub seconds: f64,
}

/// Build a generation from `corpus`, publish it, prune old ones. `progress(done, total)` is
/// called as variants are indexed.
pub fn build(root: &IndexRoot, corpus: &Corpus, progress: &dyn Fn(u64, u64)) -> Result<BuildSummary> {
    let started = Instant::now();
    let _lock = root.lock()?;
    let previous = root.current();
    let (generation, dir) = root.new_generation()?;

    let (schema, fields) = schema::build();
    let index = Index::create_in_dir(&dir, schema).context("creating tantivy index")?;
    analyzers::register(&index);
    let mut writer: IndexWriter<TantivyDocument> = index.writer_with_num_threads(2, 128_000_000).context("opening index writer")?;

    let total = corpus.variant_count() as u64;
    let mut n: u64 = 0;
    let keywords: Vec<String> = corpus.claims.iter().map(|c| c.keywords.join(" ")).collect();
    for v in corpus.variants() {
        writer.add_document(doc!(
            fields.variant => n,
            fields.grams => v.text,
            fields.words => format!("{} {}", v.text, keywords[v.claim as usize]),
        ))?;
        n += 1;
        if n.is_multiple_of(256) || n == total {
            progress(n, total);
        }
    }
    writer.commit().context("committing index")?;
    writer.wait_merging_threads().context("finishing index merges")?;

    let json = serde_json::to_vec(corpus)?;
    std::fs::write(dir.join(CORPUS_FILE), json).context("writing corpus snapshot")?;
    std::fs::File::open(dir.join(CORPUS_FILE))?.sync_all()?;

    root.publish(&generation)?;
    root.prune(previous.as_deref())?;
    Ok(BuildSummary {
        generation,
        claims: corpus.claims.len(),
        variants: n as usize,
        regulations: corpus.regulations.len(),
        seconds: started.elapsed().as_secs_f64(),
    })
}
