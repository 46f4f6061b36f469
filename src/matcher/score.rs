//! From term overlap to a score that means the same for every message (0..1), and from a score
//! to a level. The constants here are chosen from measured curves: see README "Calibration".

use serde::{Deserialize, Serialize};

use super::table::{Message, VariantEntry, VariantTable};

/// How close a message is to a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The message is this rumor (re-typed, wrapped, truncated or edited).
    Same,
    /// The message makes the same claim in other words or with changed details.
    Similar,
    /// The message is about the same topic; the verdict does not carry over.
    Related,
}

/// Lowest score of a `same` match.
pub const SAME: f32 = 0.70;
/// Lowest score of a `similar` match: from here on the claim's rating is the verdict.
pub const SIMILAR: f32 = 0.45;
/// Lowest score worth showing at all.
pub const RELATED: f32 = 0.25;

impl Level {
    pub fn of(score: f32) -> Option<Level> {
        if score >= SAME {
            Some(Level::Same)
        } else if score >= SIMILAR {
            Some(Level::Similar)
        } else if score >= RELATED {
            Some(Level::Related)
        } else {
            None
        }
    }

    /// Does a match at this level decide the verdict?
    pub fn decides(self) -> bool {
        matches!(self, Level::Same | Level::Similar)
    }
}

/// The evidence that a message and a variant share.
#[derive(Debug, Clone, Copy, Default)]
pub struct Evidence {
    /// Weight of shared bigrams ("distinctive bigram equivalents").
    pub shared: f32,
    /// Share of the variant's bigram weight found in the message.
    pub claim_cover: f32,
    /// Share of the message's bigram weight found in the variant.
    pub message_cover: f32,
    /// The same two shares over jieba words.
    pub word_claim_cover: f32,
    pub word_message_cover: f32,
    /// The same two shares over single characters.
    pub char_claim_cover: f32,
    pub char_message_cover: f32,
    /// Share of the claim's keywords found in the message (`None` when it has none).
    pub keyword_cover: Option<f32>,
}

/// How much each kind of evidence counts in the blended containment.
#[derive(Debug, Clone, Copy)]
pub struct Weights {
    pub grams: f32,
    pub words: f32,
    pub chars: f32,
    pub keywords: f32,
}

impl Default for Weights {
    fn default() -> Weights {
        Weights { grams: 0.7, words: 0.3, chars: 0.0, keywords: 0.0 }
    }
}

/// Shared weight at which the amount of evidence stops limiting the score (1 - e^-1 ≈ 63%).
const EVIDENCE_SCALE: f32 = 3.0;
/// How much a large length mismatch discounts the containment of the shorter text.
const BALANCE_POWER: f32 = 0.1;

/// Weight of the ids present in both sorted lists.
fn shared_weight(a: &[u32], b: &[u32], weight: impl Fn(u32) -> f32) -> f32 {
    let (mut i, mut j, mut sum) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                sum += weight(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    sum
}

pub fn evidence(msg: &Message, v: &VariantEntry, table: &VariantTable) -> Evidence {
    let shared = shared_weight(&msg.gram_set, &v.grams, |i| table.grams.weight(Some(i)));
    let shared_words = shared_weight(&msg.word_set, &v.words, |i| table.words.weight(Some(i)));
    let shared_chars = shared_weight(&msg.char_set, &v.chars, |i| table.chars.weight(Some(i)));
    let ratio = |a: f32, b: f32| if b > 0.0 { (a / b).min(1.0) } else { 0.0 };
    let keywords = &table.keywords[v.claim as usize];
    let keyword_cover = (!keywords.is_empty())
        .then(|| keywords.iter().filter(|k| msg.compact.contains(k.as_str())).count() as f32 / keywords.len() as f32);
    Evidence {
        shared,
        claim_cover: ratio(shared, v.gram_mass),
        message_cover: ratio(shared, msg.gram_mass),
        word_claim_cover: ratio(shared_words, v.word_mass),
        word_message_cover: ratio(shared_words, msg.word_mass),
        char_claim_cover: ratio(shared_chars, v.char_mass),
        char_message_cover: ratio(shared_chars, msg.char_mass),
        keyword_cover,
    }
}

/// Containment of the shorter text in the longer one, discounted for very unequal lengths.
fn containment(claim_cover: f32, message_cover: f32) -> f32 {
    let (hi, lo) = if claim_cover > message_cover { (claim_cover, message_cover) } else { (message_cover, claim_cover) };
    // hi is the cover of the shorter text; lo/hi is the length ratio of the two texts.
    let balance = if hi > 0.0 { (lo / hi).powf(BALANCE_POWER) } else { 0.0 };
    hi * balance
}

/// The calibrated score of a message against one variant.
pub fn score(e: &Evidence, w: &Weights) -> f32 {
    let mut sum = w.grams * containment(e.claim_cover, e.message_cover)
        + w.words * containment(e.word_claim_cover, e.word_message_cover)
        + w.chars * containment(e.char_claim_cover, e.char_message_cover);
    let mut total = w.grams + w.words + w.chars;
    if let Some(k) = e.keyword_cover {
        sum += w.keywords * k;
        total += w.keywords;
    }
    let blended = if total > 0.0 { sum / total } else { 0.0 };
    let amount = 1.0 - (-e.shared / EVIDENCE_SCALE).exp();
    (blended * amount).clamp(0.0, 1.0)
}
