//! From term overlap to a score that means the same for every message (0..1), and from a score
//! to a level. The constants here are chosen from measured curves: see README "Calibration".

use serde::{Deserialize, Serialize};

use super::table::{Analysed, VariantEntry, VariantTable};

/// How close a message is to a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The message is this rumor (re-typed, wrapped, truncated or edited).
    Same,
    /// The message makes the same claim: it carries the claim's text (reworded, reordered, with
    /// additions), and no key detail conflicts.
    Similar,
    /// The message is about the same topic; the verdict does not carry over.
    Related,
}

/// Lowest score of a `same` match (which must also be near-verbatim: see `SAME_TEXT`).
pub const SAME: f32 = 0.90;
/// Bigram containment from which a match is the same text (edited, wrapped, truncated) rather
/// than the same claim retold in other words.
pub const SAME_TEXT: f32 = 0.5;
/// Lowest score of a `similar` match: from here on the claim's rating is the verdict.
pub const SIMILAR: f32 = 0.50;
/// Lowest score worth showing at all.
pub const RELATED: f32 = 0.20;
/// Bigram containment from which a message carries the claim's text, not only its topic: below
/// it (and below `CARRIES_CHARS`), a high score is a matter of margin (no other claim is about
/// this topic), which same-topic true news earns as easily as a retold rumor. See README
/// "Precision".
pub const CARRIES_TEXT: f32 = 0.35;
/// Character containment that also counts as carrying the claim (a retelling that keeps the
/// claim's words but reorders or splits them: 软化血管 / 血管变软).
pub const CARRIES_CHARS: f32 = 0.6;

impl Level {
    pub fn of(score: f32, e: &Evidence) -> Option<Level> {
        if score >= SAME && containment(e.claim_cover, e.message_cover) >= SAME_TEXT {
            Some(Level::Same)
        } else if score >= SIMILAR && carries_claim(e) {
            Some(Level::Similar)
        } else if score >= RELATED {
            Some(Level::Related)
        } else {
            None
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Same => "same",
            Level::Similar => "similar",
            Level::Related => "related",
        }
    }

    /// Does a match at this level decide the verdict?
    pub fn decides(self) -> bool {
        matches!(self, Level::Same | Level::Similar)
    }
}

/// The evidence that a message and a variant share.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
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

/// Shared weight at which the amount of evidence stops limiting the score (1 - e^-1 ≈ 63%).
const EVIDENCE_SCALE: f32 = 3.0;
/// How much a large length mismatch discounts the containment of the shorter text.
const BALANCE_POWER: f32 = 0.1;

pub fn evidence(msg: &Analysed, v: &VariantEntry, table: &VariantTable) -> Evidence {
    let shared = msg.gram_probe.shared(&v.grams);
    let shared_words = msg.word_probe.shared(&v.words);
    let shared_chars = msg.char_probe.shared(&v.chars);
    let ratio = |a: f32, b: f32| if b > 0.0 { (a / b).min(1.0) } else { 0.0 };
    let keywords = &table.keywords[v.claim as usize];
    let keyword_cover =
        (!keywords.is_empty()).then(|| keywords.iter().filter(|k| msg.compact.contains(k.as_str())).count() as f32 / keywords.len() as f32);
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

/// Does the message carry enough of the claim's own text for the claim's rating to be its
/// verdict (rather than only share its topic)?
pub fn carries_claim(e: &Evidence) -> bool {
    containment(e.claim_cover, e.message_cover) >= CARRIES_TEXT || containment(e.char_claim_cover, e.char_message_cover) >= CARRIES_CHARS
}

/// Containment of the shorter text in the longer one, discounted for very unequal lengths.
fn containment(claim_cover: f32, message_cover: f32) -> f32 {
    let (hi, lo) = if claim_cover > message_cover { (claim_cover, message_cover) } else { (message_cover, claim_cover) };
    // hi is the cover of the shorter text; lo/hi is the length ratio of the two texts.
    let balance = if hi > 0.0 { (lo / hi).powf(BALANCE_POWER) } else { 0.0 };
    hi * balance
}

/// Number of features the score combines (the first is the constant 1).
pub const FEATURES: usize = 6;
/// Their names, as `piyao fit` prints them.
pub const FEATURE_NAMES: [&str; FEATURES] = ["bias", "grams", "words", "chars", "keywords", "amount"];

/// The evidence as the model's inputs, each in 0..1.
pub fn features(e: &Evidence) -> [f32; FEATURES] {
    [
        1.0,
        containment(e.claim_cover, e.message_cover),
        containment(e.word_claim_cover, e.word_message_cover),
        containment(e.char_claim_cover, e.char_message_cover),
        e.keyword_cover.unwrap_or(0.0),
        1.0 - (-e.shared / EVIDENCE_SCALE).exp(),
    ]
}

/// How sure the score is, in two stages. Stage one: a logistic model over the features gives the
/// evidence for one claim (a logit). Stage two: that logit and the claim's *margin* over the best
/// other claim give the calibrated probability that the message carries the claim. The margin is
/// what lets a reworded retelling count: it shares little text with its claim, but far more than
/// with any other claim. Coefficients come from `piyao fit` (see README "Calibration").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Model {
    pub coef: [f32; FEATURES],
    /// Bias, logit weight and margin weight of stage two.
    pub stage2: [f32; 3],
    /// The margin is taken over the best other claim or this logit, whichever is higher: a claim
    /// must stand out from chance, not merely from a small corpus's few other candidates.
    pub floor: f32,
}

/// Stage one, fitted by `piyao fit` on eann (near-duplicate re-posts), generated noisy variants of
/// our corpus, reworded retellings and same-topic negatives; see README "Calibration".
pub const FITTED: [f32; FEATURES] = [-7.698, 3.040, 3.093, 2.909, 1.128, 2.843];
/// Stage two, fitted by `piyao fit` on held-out stage-one logits.
pub const FITTED_STAGE2: [f32; 3] = [-0.264, 1.075, 1.258];

/// Stage-one logit of a chance match, fitted by `piyao fit` with the stage-two coefficients.
pub const FITTED_FLOOR: f32 = -6.0;
/// Margins are clamped to this many logits either way.
pub const MARGIN_CLAMP: f32 = 10.0;

impl Default for Model {
    fn default() -> Model {
        Model { coef: FITTED, stage2: FITTED_STAGE2, floor: FITTED_FLOOR }
    }
}

impl Model {
    /// Stage one: the evidence for one claim, as a logit.
    pub fn logit(&self, x: &[f32; FEATURES]) -> f32 {
        self.coef.iter().zip(x).map(|(c, v)| c * v).sum()
    }

    /// Stage two: the calibrated score from a claim's logit and its margin over the best other
    /// claim (`None` when no other claim is a candidate) or the floor.
    pub fn calibrate(&self, logit: f32, best_other: Option<f32>) -> f32 {
        let other = best_other.map_or(self.floor, |o| o.max(self.floor));
        let margin = (logit - other).clamp(-MARGIN_CLAMP, MARGIN_CLAMP);
        let [b, wz, wm] = self.stage2;
        sigmoid(b + wz * logit + wm * margin)
    }
}

pub fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}
