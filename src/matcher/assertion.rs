//! Does the message carry what the claim *asserts*, or only what it is about? A claim
//! "X已抵达Y市" is about X and Y; it asserts 抵达. A long report that mentions X and Y shares the
//! claim's names and topic words but not its predicate, and must not be taken for the claim.
//!
//! The claim's predicates are its words that jieba tags as verbs, adjectives or idioms
//! (`matcher::predicates`). The assertion cover is the idf-weighted share of them that the
//! message contains. Measured, not assumed: see README
//! "How matching works".

use super::table::VariantTable;

/// Below this assertion cover a match is at most `related`: the message shares the claim's
/// names and topic, not what it says (a report that mentions 山西忻州 and 3.9级地震 but not the
/// claim's 一片狼藉). Low on purpose: at least some of the claim's predicates must be there.
/// Measured (README "Carrying the claim"): same-topic true texts given a verdict 2.2% → 1.1%,
/// eann re-posts unchanged, our noisy variants 0.996 → 0.952, paraphrased retellings
/// 0.44 → 0.36. A refuting message is exempt (`Engine::assess`).
pub const ASSERTION_MIN: f32 = 0.05;

/// Share (0..1) of the claim's predicates (`matcher::predicates`), weighted by rarity, that
/// occur in the message (without separators); 1 when the claim has none.
pub fn assertion_cover(predicates: &[String], message_compact: &str, table: &VariantTable) -> f32 {
    let (mut total, mut found) = (0.0f32, 0.0f32);
    for p in predicates {
        let w = table.words.weight(table.words.id(p));
        total += w;
        if message_compact.contains(p.as_str()) {
            found += w;
        }
    }
    if total > 0.0 { found / total } else { 1.0 }
}
