//! The read path: open the live generation and fetch candidate variants for a set of terms.
//! The server holds one `Snapshot` per generation and swaps it when a reindex publishes.
//!
//! Candidates are scored with tantivy's BM25 straight from its posting lists (term dictionary →
//! block postings → field norms), summed in one score array per thread. That is what a
//! `BooleanQuery` of `TermQuery`s computes, without its per-query weights, scorers and
//! block-max bookkeeping, which were most of a check's time (README "Where the time goes").

use std::cell::RefCell;
use std::sync::Arc;

use anyhow::{Context, Result};
use tantivy::fieldnorm::FieldNormReader;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Index, InvertedIndexReader, ReloadPolicy, Searcher, Term};

use super::analyzers;
use super::build::CORPUS_FILE;
use super::schema::{self, Fields};
use super::store::IndexRoot;
use crate::corpus::Corpus;
use crate::matcher::VariantTable;

/// One published generation, opened for reading.
pub struct Snapshot {
    pub generation: String,
    pub corpus: Corpus,
    /// The generation's folder.
    pub dir: std::path::PathBuf,
    /// A generation never changes, so one searcher serves it for its whole life.
    searcher: Searcher,
    segments: Vec<SegmentFields>,
    /// The bigram field, then the word field (the order of `candidates`' arguments).
    fields: [Bm25Field; 2],
}

/// What scoring reads from one segment.
struct SegmentFields {
    /// Posting lists and field norms of the bigram field, then of the word field.
    fields: [(Arc<InvertedIndexReader>, FieldNormReader); 2],
    /// `variant` fast field read once: doc id → variant position.
    variant_of: Vec<u32>,
}

/// Weight of the word field relative to the bigram field in candidate retrieval.
const WORD_BOOST: f32 = 0.5;

/// BM25's parameters, as tantivy sets them.
const K1: f32 = 1.2;
const B: f32 = 0.75;

/// A field's BM25 statistics over the whole generation (they never change).
struct Bm25Field {
    field: Field,
    boost: f32,
    docs: u64,
    /// `K1 · (1 − B + B · fieldnorm / average fieldnorm)` for each of the 256 field-norm ids,
    /// computed as tantivy computes it.
    norm: [f32; 256],
}

impl Bm25Field {
    fn new(searcher: &Searcher, field: Field, boost: f32) -> Result<Bm25Field> {
        let mut tokens = 0u64;
        for segment in searcher.segment_readers() {
            tokens += segment.inverted_index(field)?.total_num_tokens();
        }
        let docs: u64 = searcher.segment_readers().iter().map(|s| u64::from(s.max_doc())).sum();
        let average = tokens as f32 / docs.max(1) as f32;
        let mut norm = [0f32; 256];
        for (id, n) in norm.iter_mut().enumerate() {
            *n = K1 * (1.0 - B + B * FieldNormReader::id_to_fieldnorm(id as u8) as f32 / average);
        }
        Ok(Bm25Field { field, boost, docs, norm })
    }

    /// `idf · (1 + K1) · boost` of a term found in `doc_freq` documents.
    fn weight(&self, doc_freq: u64) -> f32 {
        let x = ((self.docs - doc_freq) as f32 + 0.5) / (doc_freq as f32 + 0.5);
        (1.0 + x).ln() * (1.0 + K1) * self.boost
    }
}

thread_local! {
    /// Score per document of the segment being searched, zero between searches, plus the
    /// documents touched: one allocation per thread instead of one per check.
    static SCORES: RefCell<(Vec<f32>, Vec<u32>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

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
        let fields: Fields = schema::fields(&index.schema())?;
        let reader: tantivy::IndexReader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let searcher = reader.searcher();
        let mut segments = Vec::with_capacity(searcher.segment_readers().len());
        for segment in searcher.segment_readers() {
            let column = segment.fast_fields().u64("variant")?;
            let field = |f: Field| -> Result<(Arc<InvertedIndexReader>, FieldNormReader)> {
                Ok((segment.inverted_index(f)?, segment.get_fieldnorms_reader(f)?))
            };
            segments.push(SegmentFields {
                fields: [field(fields.grams)?, field(fields.words)?],
                variant_of: (0..segment.max_doc()).map(|d| column.first(d).unwrap_or(u64::from(u32::MAX)) as u32).collect(),
            });
        }
        let bm25 = [Bm25Field::new(&searcher, fields.grams, 1.0)?, Bm25Field::new(&searcher, fields.words, WORD_BOOST)?];
        let bytes = std::fs::read(dir.join(CORPUS_FILE)).with_context(|| format!("reading {CORPUS_FILE} in {}", dir.display()))?;
        let corpus: Corpus = serde_json::from_slice(&bytes).context("parsing corpus snapshot")?;
        Ok(Snapshot { generation: generation.to_string(), corpus, dir, searcher, segments, fields: bm25 })
    }

    /// Number of indexed variants.
    pub fn num_docs(&self) -> u64 {
        self.searcher.num_docs()
    }

    /// The generation's match table: read from its file, or built from the corpus for a
    /// generation written before there was one.
    pub fn table(&self) -> Result<VariantTable> {
        let path = self.dir.join(super::table_file::TABLE_FILE);
        if !path.exists() {
            return Ok(VariantTable::build(&self.corpus));
        }
        super::table_file::read(&path, &self.corpus)
    }

    /// Best `limit` variants for the given terms by BM25 (bigrams, plus words at half weight),
    /// as (variant position, score), best first; equal scores in variant order.
    pub fn candidates(&self, grams: &[&str], words: &[&str], limit: usize) -> Result<Vec<(u32, f32)>> {
        if grams.is_empty() && words.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        // each term's postings in each segment, and its document frequency over all of them
        let mut terms = Vec::with_capacity(grams.len() + words.len());
        for (f, texts) in [grams, words].into_iter().enumerate() {
            let field = &self.fields[f];
            for text in texts {
                let term = Term::from_field_text(field.field, text);
                let mut infos = Vec::with_capacity(self.segments.len());
                let mut doc_freq = 0u64;
                for segment in &self.segments {
                    let info = segment.fields[f].0.get_term_info(&term)?;
                    doc_freq += info.as_ref().map_or(0, |i| u64::from(i.doc_freq));
                    infos.push(info);
                }
                if doc_freq > 0 {
                    terms.push((f, field.weight(doc_freq), infos));
                }
            }
        }
        let mut best: Vec<(u32, f32)> = Vec::new();
        SCORES.with_borrow_mut(|(scores, touched)| -> Result<()> {
            for (s, segment) in self.segments.iter().enumerate() {
                scores.resize(scores.len().max(segment.variant_of.len()), 0.0);
                for &(f, weight, ref infos) in &terms {
                    let Some(info) = &infos[s] else { continue };
                    let (reader, norms) = &segment.fields[f];
                    let field = &self.fields[f];
                    let mut postings = reader.read_block_postings_from_terminfo(info, IndexRecordOption::WithFreqs)?;
                    while !postings.docs().is_empty() {
                        for (&doc, &tf) in postings.docs().iter().zip(postings.freqs()) {
                            let tf = tf as f32;
                            let score = weight * (tf / (tf + field.norm[norms.fieldnorm_id(doc) as usize]));
                            let slot = &mut scores[doc as usize];
                            if *slot == 0.0 {
                                touched.push(doc);
                            }
                            *slot += score;
                        }
                        postings.advance();
                    }
                }
                for &doc in touched.iter() {
                    let v = segment.variant_of[doc as usize];
                    if v != u32::MAX {
                        best.push((v, scores[doc as usize]));
                    }
                    scores[doc as usize] = 0.0;
                }
                touched.clear();
            }
            Ok(())
        })?;
        let by_score = |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
        if best.len() > limit {
            best.select_nth_unstable_by(limit - 1, by_score);
            best.truncate(limit);
        }
        best.sort_unstable_by(by_score);
        Ok(best)
    }
}
