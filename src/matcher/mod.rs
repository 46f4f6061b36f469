//! Candidates → evidence → calibrated scores → levels. Pure functions over precomputed tables:
//! no I/O, no HTTP, no tantivy (candidates arrive as variant positions).

mod explain;
mod score;
mod table;

pub use explain::{Part, Span, highlights, segments};
pub use score::{Evidence, Level, RELATED, SAME, SIMILAR, Weights, evidence, score};
pub use table::{Message, TermTable, VariantEntry, VariantTable};

/// Most bigram terms sent to the index for one message (the rarest are kept).
pub const MAX_QUERY_GRAMS: usize = 64;
/// Most word terms sent to the index for one message.
pub const MAX_QUERY_WORDS: usize = 32;

/// Terms more common than this (scaled idf; 0.3 ≈ in 5% of variants at 10k variants) are left
/// out of the index query: they find everything and cost the most. Re-scoring still uses them.
pub const MIN_QUERY_WEIGHT: f32 = 0.3;

/// A claim's best variant for a message.
#[derive(Debug, Clone)]
pub struct Scored {
    pub claim: u32,
    pub variant: u32,
    pub score: f32,
    pub evidence: Evidence,
}

/// The terms of `msg` worth querying: known to the corpus, rarest first, capped.
pub fn query_terms<'a>(msg: &'a Message, table: &VariantTable) -> (Vec<&'a str>, Vec<&'a str>) {
    fn pick<'a>(terms: &'a [crate::text::Term], t: &TermTable, cap: usize) -> Vec<&'a str> {
        let mut known: Vec<(&str, f32)> = terms
            .iter()
            .filter_map(|x| t.id(&x.text).map(|id| (x.text.as_str(), t.weight(Some(id)))))
            .filter(|(_, w)| *w >= MIN_QUERY_WEIGHT)
            .collect();
        known.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
        known.dedup_by(|a, b| a.0 == b.0);
        known.truncate(cap);
        known.into_iter().map(|(s, _)| s).collect()
    }
    (pick(&msg.grams, &table.grams, MAX_QUERY_GRAMS), pick(&msg.words, &table.words, MAX_QUERY_WORDS))
}

/// Re-score candidate variants and keep each claim's best, best first.
pub fn rank(msg: &Message, candidates: &[u32], table: &VariantTable, weights: &Weights) -> Vec<Scored> {
    let mut best: Vec<Scored> = Vec::with_capacity(candidates.len());
    for &vi in candidates {
        let Some(v) = table.variants.get(vi as usize) else { continue };
        let e = evidence(msg, v, table);
        let s = score(&e, weights);
        match best.iter_mut().find(|b| b.claim == v.claim) {
            Some(b) if b.score >= s => {}
            Some(b) => *b = Scored { claim: v.claim, variant: vi, score: s, evidence: e },
            None => best.push(Scored { claim: v.claim, variant: vi, score: s, evidence: e }),
        }
    }
    best.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.claim.cmp(&b.claim)));
    best
}
