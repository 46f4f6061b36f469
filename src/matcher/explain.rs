//! Why a message matched: the spans of the user's own text that support a match (highlights),
//! and, for forwards that glue several rumors together, which part matches which claim.

use serde::{Deserialize, Serialize};

use super::table::{Analysed, VariantEntry, VariantTable};
use crate::text::Term;

/// A `[start, end)` range of the message in Unicode characters (code points).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// The message's bigrams that the variant also has, in message order.
fn shared_grams<'a>(msg: &'a Analysed, v: &'a VariantEntry) -> impl Iterator<Item = &'a Term> + 'a {
    msg.grams.iter().zip(&msg.gram_ids).filter(|(_, id)| id.is_some_and(|id| v.grams.binary_search(&id).is_ok())).map(|(t, _)| t)
}

/// Which characters of the message are part of text it shares with the variant (the two
/// characters of every shared bigram): what the message quotes of the claim, as opposed to
/// what it says around it.
pub fn covered(msg: &Analysed, v: &VariantEntry) -> Vec<bool> {
    let mut out = vec![false; msg.norm.chars.len()];
    for term in shared_grams(msg, v).filter(|t| t.end > t.start + 1) {
        out[term.start] = true;
        out[term.end - 1] = true;
    }
    out
}

/// Character spans of the message whose bigrams also occur in the variant.
pub fn highlights(msg: &Analysed, v: &VariantEntry) -> Vec<Span> {
    let mut norm_spans: Vec<(usize, usize)> = Vec::new();
    for term in shared_grams(msg, v) {
        match norm_spans.last_mut() {
            // bigrams overlap or touch across one separator: extend
            Some(last) if term.start <= last.1 + 1 => last.1 = last.1.max(term.end),
            _ => norm_spans.push((term.start, term.end)),
        }
    }
    norm_spans
        .into_iter()
        .filter(|(s, e)| e - s >= 2)
        .map(|(s, e)| {
            let (start, end) = msg.norm.origin_span(s, e);
            Span { start, end }
        })
        .collect()
}

/// Sentence boundaries in the original text: a sentence ends after any of these characters.
fn is_sentence_end(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '!' | '?' | '；' | ';' | '\n' | '…')
}

/// A part of the message and the claim it matches (an index into the caller's claim list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub span: Span,
    pub claim: Option<usize>,
}

/// Share of a sentence's bigram weight that a variant must contain for the sentence to count
/// as part of that claim.
const SENTENCE_COVER: f32 = 0.5;

/// Split the message into sentences, give each the accepted claim whose variants together cover
/// it best (or none), and merge neighbours that share an answer. `accepted[k]` holds the variants
/// of the k-th claim: a forward often glues the sentences of several variants of one rumor together.
pub fn segments(original: &str, msg: &Analysed, accepted: &[&[VariantEntry]], table: &VariantTable) -> Vec<Part> {
    let total = original.chars().count();
    let mut sentences: Vec<Span> = Vec::new();
    let mut start = 0;
    for (i, c) in original.chars().enumerate() {
        if is_sentence_end(c) {
            sentences.push(Span { start, end: i + 1 });
            start = i + 1;
        }
    }
    if start < total {
        sentences.push(Span { start, end: total });
    }

    let mut parts: Vec<Part> = Vec::new();
    for s in sentences {
        let mut mass = 0.0;
        // per claim: the sentence's weight that one of its variants contains
        let mut covered = vec![0.0f32; accepted.len()];
        for (term, id) in msg.grams.iter().zip(&msg.gram_ids) {
            let origin = msg.norm.origin[term.start].0 as usize;
            if origin < s.start || origin >= s.end {
                continue;
            }
            let w = table.grams.weight(*id);
            mass += w;
            if let Some(id) = id {
                for (k, variants) in accepted.iter().enumerate() {
                    if variants.iter().any(|v| v.grams.binary_search(id).is_ok()) {
                        covered[k] += w;
                    }
                }
            }
        }
        let best = covered
            .iter()
            .enumerate()
            .filter(|(_, c)| mass > 0.0 && **c / mass >= SENTENCE_COVER)
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(k, _)| k);
        // sentences without any words (only punctuation/emoji) join the previous part
        let claim = if mass == 0.0 { parts.last().and_then(|p| p.claim) } else { best };
        match parts.last_mut() {
            Some(last) if last.claim == claim => last.span.end = s.end,
            _ => parts.push(Part { span: s, claim }),
        }
    }
    parts
}
