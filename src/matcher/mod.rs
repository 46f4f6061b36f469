//! Candidates → evidence → calibrated scores → levels. Pure functions over precomputed tables:
//! no I/O, no HTTP, no tantivy (candidates arrive as variant positions).

mod assertion;
mod details;
mod explain;
mod score;
mod stance;
mod table;
#[cfg(test)]
mod tests;

pub use assertion::{ASSERTION_MIN, assertion_cover};
pub use details::{Conflict, Detail, DetailKind, MessageDetails};
pub use explain::{Part, Span, covered, highlights, segments};
pub use score::{Evidence, FEATURE_NAMES, FEATURES, FITTED, Level, MARGIN_CLAMP, Model, SIMILAR, evidence, features};
pub use stance::{Stance, stance};
pub use table::{Analysed, TermTable, VariantEntry, VariantTable};

/// Most bigram terms sent to the index for one message (the rarest are kept). The tantivy
/// search is most of a check's time and grows with the terms; halving them from 64 / 32 made
/// checks twice as fast at 10k claims and left every eval figure the same or better (the rarest
/// terms are the ones that find the claim; README "Where the time goes").
pub const MAX_QUERY_GRAMS: usize = 32;
/// Most word terms sent to the index for one message.
pub const MAX_QUERY_WORDS: usize = 16;

/// Terms more common than this (scaled idf; 0.3 ≈ in 5% of variants at 10k variants) are left
/// out of the index query: they find everything and cost the most. Re-scoring still uses them.
pub const MIN_QUERY_WEIGHT: f32 = 0.3;

/// A claim's best variant for a message.
#[derive(Debug, Clone)]
pub struct Scored {
    pub claim: u32,
    pub variant: u32,
    /// Stage-one evidence for the claim.
    pub logit: f32,
    /// Calibrated score, 0..1.
    pub score: f32,
    pub evidence: Evidence,
}

impl Scored {
    /// The level of this match, `None` below `RELATED`.
    pub fn level(&self) -> Option<Level> {
        Level::of(self.score, &self.evidence)
    }
}

/// The terms of `msg` worth querying: known to the corpus, rarest first, capped.
pub fn query_terms<'a>(msg: &'a Analysed, table: &VariantTable) -> (Vec<&'a str>, Vec<&'a str>) {
    fn pick<'a>(terms: &'a [crate::text::Term], ids: &[Option<u32>], t: &table::TermTable, cap: usize) -> Vec<&'a str> {
        let mut known: Vec<(&str, f32)> = terms
            .iter()
            .zip(ids)
            .filter_map(|(x, id)| id.map(|id| (x.text.as_str(), t.weight(Some(id)))))
            .filter(|(_, w)| *w >= MIN_QUERY_WEIGHT)
            .collect();
        known.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
        known.dedup_by(|a, b| a.0 == b.0);
        known.truncate(cap);
        known.into_iter().map(|(s, _)| s).collect()
    }
    (pick(&msg.grams, &msg.gram_ids, &table.grams, MAX_QUERY_GRAMS), pick(&msg.words, &msg.word_ids, &table.words, MAX_QUERY_WORDS))
}

/// Re-score candidate variants: each claim keeps its best variant (by stage-one logit), then
/// every claim is calibrated against the best *competing* claim. Best first.
///
/// Two claims compete when they are supported by the same part of the message (they share at
/// least `COMPETING_OVERLAP` of the smaller one's matched bigrams). A forward that glues two
/// rumors together supports each with a different part, so neither hides the other.
pub fn rank(msg: &Analysed, candidates: &[u32], table: &VariantTable, model: &Model) -> Vec<Scored> {
    let mut best: Vec<Scored> = Vec::with_capacity(candidates.len());
    for &vi in candidates {
        let Some(v) = table.variants.get(vi as usize) else { continue };
        let e = evidence(msg, v, table);
        let logit = model.logit(&features(&e));
        match best.iter_mut().find(|b| b.claim == v.claim) {
            Some(b) if b.logit >= logit => {}
            Some(b) => *b = Scored { claim: v.claim, variant: vi, logit, score: 0.0, evidence: e },
            None => best.push(Scored { claim: v.claim, variant: vi, logit, score: 0.0, evidence: e }),
        }
    }
    best.sort_by(|a, b| b.logit.total_cmp(&a.logit).then(a.claim.cmp(&b.claim)));
    let matched: Vec<Vec<u32>> = best.iter().map(|b| msg.gram_probe.common(&table.variants[b.variant as usize].grams)).collect();
    let logits: Vec<f32> = best.iter().map(|b| b.logit).collect();
    let others = best_competitors(&logits, model.floor, |i, j| competes(&matched[i], &matched[j]));
    for (b, other) in best.iter_mut().zip(others) {
        b.score = model.calibrate(b.logit, other);
    }
    best
}

/// The margin rule, shared by serving (`rank`) and by `piyao fit` so that the model is fitted on
/// exactly what it will be used with: for each claim (by its best logit, best first), the logit
/// of the best *other* claim that competes with it, among those above the chance floor (only
/// they can change anyone's margin); `None` when no such claim is a candidate.
pub fn best_competitors(logits: &[f32], floor: f32, competes: impl Fn(usize, usize) -> bool) -> Vec<Option<f32>> {
    let contenders = logits.iter().take_while(|z| **z > floor).count();
    (0..logits.len()).map(|i| (0..contenders).find(|&j| j != i && competes(i, j)).map(|j| logits[j])).collect()
}

/// Which candidate variants compete with which (by the same rule as `rank`), for `piyao fit`:
/// `competing[i]` lists the positions of the candidates that candidate `i` competes with.
pub fn competing(msg: &Analysed, candidates: &[&VariantEntry]) -> Vec<Vec<usize>> {
    let matched: Vec<Vec<u32>> = candidates.iter().map(|v| msg.gram_probe.common(&v.grams)).collect();
    (0..matched.len()).map(|i| (0..matched.len()).filter(|&j| j != i && competes(&matched[i], &matched[j])).collect()).collect()
}

/// The predicates of a normalized text: its verbs, adjectives and idioms (jieba part-of-speech
/// tags) of two Han characters or more (是, 有, 要 say little), without the negations
/// themselves: what a text asserts, as opposed to what it is about.
pub fn predicates(text: &str) -> Vec<String> {
    crate::text::tag(text)
        .into_iter()
        .filter(|t| t.tag.starts_with('v') || t.tag.starts_with('a') || t.tag == "i" || t.tag == "l")
        .filter(|t| t.end - t.start >= 2 && t.word.chars().all(crate::text::is_han) && !stance::is_negator(t.word))
        .map(|t| t.word.to_string())
        .collect()
}

/// Share of the smaller matched set that two claims must have in common to compete.
pub const COMPETING_OVERLAP: f32 = 0.3;

fn competes(a: &[u32], b: &[u32]) -> bool {
    let common = table::common(a, b).count() as f32;
    let smaller = a.len().min(b.len()).max(1) as f32;
    common / smaller >= COMPETING_OVERLAP
}
