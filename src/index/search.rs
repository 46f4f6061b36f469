//! The read path: open the live generation and fetch candidate variants for a set of terms.
//! The server holds one `Snapshot` per generation and swaps it when a reindex publishes.

use anyhow::{Context, Result};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{Index, ReloadPolicy, Searcher, Term};

use super::analyzers;
use super::build::CORPUS_FILE;
use super::schema::{self, Fields};
use super::store::IndexRoot;
use crate::corpus::Corpus;

/// One published generation, opened for reading.
pub struct Snapshot {
    pub generation: String,
    pub corpus: Corpus,
    /// A generation never changes, so one searcher serves it for its whole life.
    searcher: Searcher,
    fields: Fields,
    /// `variant` fast field read once per segment: segment ordinal → doc id → variant position.
    variant_of: Vec<Vec<u32>>,
}

/// Weight of the word field relative to the bigram field in candidate retrieval.
const WORD_BOOST: f32 = 0.5;

impl Snapshot {
    /// Open the live generation, or `None` when no index was ever published in `root`.
    pub fn open(root: &IndexRoot) -> Result<Option<Snapshot>> {
        let Some(generation) = root.current() else { return Ok(None) };
        Snapshot::open_generation(root, &generation).map(Some)
    }

    pub fn open_generation(root: &IndexRoot, generation: &str) -> Result<Snapshot> {
        let dir = root.generation_dir(generation);
        let index = Index::open_in_dir(&dir).with_context(|| format!("opening index {}", dir.display()))?;
        analyzers::register(&index);
        let fields = schema::fields(&index.schema())?;
        let reader: tantivy::IndexReader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let searcher = reader.searcher();
        let mut variant_of = Vec::with_capacity(searcher.segment_readers().len());
        for segment in searcher.segment_readers() {
            let column = segment.fast_fields().u64("variant")?;
            variant_of.push((0..segment.max_doc()).map(|d| column.first(d).unwrap_or(u64::from(u32::MAX)) as u32).collect());
        }
        let bytes = std::fs::read(dir.join(CORPUS_FILE)).with_context(|| format!("reading {CORPUS_FILE} in {}", dir.display()))?;
        let corpus: Corpus = serde_json::from_slice(&bytes).context("parsing corpus snapshot")?;
        Ok(Snapshot { generation: generation.to_string(), corpus, searcher, fields, variant_of })
    }

    /// Number of indexed variants.
    pub fn num_docs(&self) -> u64 {
        self.searcher.num_docs()
    }

    /// Best `limit` variants for the given terms by BM25, as (variant position, score).
    pub fn candidates(&self, grams: &[&str], words: &[&str], limit: usize) -> Result<Vec<(u32, f32)>> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::with_capacity(grams.len() + words.len());
        for g in grams {
            let term = Term::from_field_text(self.fields.grams, g);
            clauses.push((Occur::Should, Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs))));
        }
        for w in words {
            let term = Term::from_field_text(self.fields.words, w);
            let q = TermQuery::new(term, IndexRecordOption::WithFreqs);
            clauses.push((Occur::Should, Box::new(BoostQuery::new(Box::new(q), WORD_BOOST))));
        }
        if clauses.is_empty() {
            return Ok(Vec::new());
        }
        let top = self.searcher.search(&BooleanQuery::new(clauses), &TopDocs::with_limit(limit).order_by_score())?;
        Ok(top
            .into_iter()
            .filter_map(|(score, addr)| {
                let v = *self.variant_of.get(addr.segment_ord as usize)?.get(addr.doc_id as usize)?;
                (v != u32::MAX).then_some((v, score))
            })
            .collect())
    }
}
