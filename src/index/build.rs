//! The write path: turn a validated corpus into a new generation and make it live atomically.
//! Only `piyao reindex` (and `serve` on a machine with no index yet) comes here.

use std::time::Instant;

use anyhow::{Context, Result};
use tantivy::{Index, IndexWriter, TantivyDocument, doc};

use super::analyzers;
use super::schema;
use super::search::Snapshot;
use super::store::IndexRoot;
use super::table_file;
use crate::corpus::Corpus;
use crate::matcher::VariantTable;

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

/// What a build reports while it runs.
pub struct BuildProgress<'a> {
    /// Another reindex holds the lock (its pid, when known); this one waits for it.
    pub waiting: &'a dyn Fn(Option<u32>),
    /// `(done, total)` variants indexed.
    pub indexed: &'a dyn Fn(u64, u64),
}

impl BuildProgress<'static> {
    /// Reports nothing (tests, `piyao eval`).
    pub const SILENT: BuildProgress<'static> = BuildProgress { waiting: &|_| {}, indexed: &|_, _| {} };
}

/// Build a generation from `corpus`, verify it, publish it, prune old ones. One build at a time
/// per index folder: a second one waits for the first.
pub fn build(root: &IndexRoot, corpus: &Corpus, progress: &BuildProgress) -> Result<BuildSummary> {
    let started = Instant::now();
    let lock = root.lock(progress.waiting)?;
    let previous = root.current();
    let mut generation = root.new_generation(&lock)?;
    let dir = generation.dir.clone();

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
            (progress.indexed)(n, total);
        }
    }
    writer.commit().context("committing index")?;
    // one segment: a check looks each term up once per segment
    let segments = index.searchable_segment_ids().context("listing index segments")?;
    if segments.len() > 1 {
        writer.merge(&segments).wait().context("merging index segments")?;
    }
    writer.wait_merging_threads().context("finishing index merges")?;

    let file = std::fs::File::create(dir.join(CORPUS_FILE)).context("creating corpus snapshot")?;
    let mut out = std::io::BufWriter::new(file);
    serde_json::to_writer(&mut out, corpus).context("writing corpus snapshot")?;
    std::io::Write::flush(&mut out).context("writing corpus snapshot")?;
    drop(index);
    table_file::write(&VariantTable::build(corpus), &dir.join(table_file::TABLE_FILE)).context("writing the match table")?;

    verify(root, &generation.name, corpus, n).with_context(|| format!("verifying the new generation {}", generation.name))?;
    root.publish(&mut generation, &lock)?;
    root.prune(previous.as_deref(), &lock)?;
    Ok(BuildSummary {
        generation: generation.name.clone(),
        claims: corpus.claims.len(),
        variants: n as usize,
        regulations: corpus.regulations.len(),
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Open the new generation exactly as the server will, and check it holds what was written.
fn verify(root: &IndexRoot, generation: &str, corpus: &Corpus, variants: u64) -> Result<()> {
    let snapshot = Snapshot::open_generation(root, generation)?;
    anyhow::ensure!(snapshot.num_docs() == variants, "the index holds {} variants, {} were written", snapshot.num_docs(), variants);
    anyhow::ensure!(
        snapshot.corpus.claims.len() == corpus.claims.len() && snapshot.corpus.regulations.len() == corpus.regulations.len(),
        "{CORPUS_FILE} does not hold the corpus that was indexed"
    );
    Ok(())
}
