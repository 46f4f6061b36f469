//! Unit tests of the matcher's parts on a tiny corpus built in memory: evidence, ranking with
//! the competition rule, levels, and which characters a match covers.

use super::*;
use crate::corpus::Corpus;

fn corpus(claims: &[(&str, &[&str])]) -> Corpus {
    let claims = claims
        .iter()
        .map(|(id, variants)| {
            serde_json::from_value(serde_json::json!({
                "id": id, "title": id, "rating": "false", "summary": "s", "variants": variants,
            }))
            .expect("claim")
        })
        .collect();
    Corpus { claims, regulations: Vec::new() }
}

const PURGE: &str = "从今晚8点开始全国清查 不删聊天记录的一律封群封号 收到请转发";
const JAIL: &str = "转发超过500次就要坐牢 网警已经开始查了 大家小心";
const LOCKDOWN: &str = "明天中午12点全市封城 超市全部关门 赶紧去囤菜";

fn table() -> VariantTable {
    VariantTable::build(&corpus(&[
        ("purge", &[PURGE, "微信聊天记录要全部删掉 否则会被封群封号"]),
        ("jail", &[JAIL]),
        ("lockdown", &[LOCKDOWN]),
    ]))
}

fn all(table: &VariantTable) -> Vec<u32> {
    (0..table.variants.len() as u32).collect()
}

#[test]
fn evidence_of_the_same_text_is_full_and_of_another_text_none() {
    let t = table();
    let same = evidence(&Analysed::new(PURGE, &t), &t.variants[0], &t);
    assert!((same.claim_cover - 1.0).abs() < 1e-6 && (same.message_cover - 1.0).abs() < 1e-6, "{same:?}");
    let other = evidence(&Analysed::new(LOCKDOWN, &t), &t.variants[0], &t);
    assert_eq!(other.claim_cover, 0.0, "{other:?}");
    // a wrapped forward still contains all of the claim, but is only partly the claim
    let wrapped = evidence(&Analysed::new(&format!("转发：{PURGE}，太吓人了，大家都看看吧"), &t), &t.variants[0], &t);
    assert!(wrapped.claim_cover > 0.99 && wrapped.message_cover < 1.0, "{wrapped:?}");
}

#[test]
fn each_claim_keeps_its_best_variant_and_the_best_claim_comes_first() {
    let t = table();
    let msg = Analysed::new("微信聊天记录要全部删掉，否则会被封群封号！", &t);
    let ranked = rank(&msg, &all(&t), &t, &Model::default());
    assert_eq!(ranked[0].claim, 0);
    assert_eq!(ranked[0].variant, 1, "the second variant is the one this message repeats");
    assert_eq!(ranked.iter().filter(|s| s.claim == 0).count(), 1, "one entry per claim");
    assert!(ranked.windows(2).all(|w| w[0].logit >= w[1].logit));
}

#[test]
fn rumors_glued_together_do_not_hide_each_other() {
    // each claim is supported by a different part of the message, so neither is the other's
    // competitor and both decide
    let t = table();
    let glued = format!("{PURGE}。{JAIL}");
    let ranked = rank(&Analysed::new(&glued, &t), &all(&t), &t, &Model::default());
    for claim in [0, 1] {
        let s = ranked.iter().find(|s| s.claim == claim).expect("both found");
        assert!(s.level().is_some_and(Level::decides), "claim {claim}: {s:?}");
    }
}

#[test]
fn claims_supported_by_the_same_words_compete() {
    // two claims made of the same words: each is the other's competitor, so neither gets the
    // margin it would have alone
    let t = VariantTable::build(&corpus(&[("a", &[PURGE]), ("b", &[PURGE]), ("c", &[LOCKDOWN])]));
    let model = Model::default();
    let ranked = rank(&Analysed::new(PURGE, &t), &all(&t), &t, &model);
    let alone = VariantTable::build(&corpus(&[("a", &[PURGE]), ("c", &[LOCKDOWN])]));
    let single = rank(&Analysed::new(PURGE, &alone), &all(&alone), &alone, &model);
    assert!(ranked[0].score < single[0].score, "{} vs {}", ranked[0].score, single[0].score);
}

#[test]
fn levels_follow_the_thresholds() {
    let near = Evidence { claim_cover: 0.9, message_cover: 0.9, ..Evidence::default() };
    let retold = Evidence { claim_cover: 0.4, message_cover: 0.4, ..Evidence::default() };
    let reordered =
        Evidence { claim_cover: 0.2, message_cover: 0.2, char_claim_cover: 0.7, char_message_cover: 0.7, ..Evidence::default() };
    let topic_only =
        Evidence { claim_cover: 0.2, message_cover: 0.2, char_claim_cover: 0.4, char_message_cover: 0.4, ..Evidence::default() };
    assert_eq!(Level::of(0.95, &near), Some(Level::Same));
    assert_eq!(Level::of(0.95, &retold), Some(Level::Similar), "a high score in other words is not the same text");
    assert_eq!(Level::of(SIMILAR, &retold), Some(Level::Similar));
    assert_eq!(Level::of(0.95, &reordered), Some(Level::Similar), "the claim's characters, reordered, carry it");
    assert_eq!(Level::of(0.99, &topic_only), Some(Level::Related), "a margin alone does not carry the claim");
    assert_eq!(Level::of(0.3, &near), Some(Level::Related));
    assert_eq!(Level::of(0.1, &near), None);
    assert!(Level::Same.decides() && Level::Similar.decides() && !Level::Related.decides());
}

#[test]
fn covered_marks_the_characters_the_message_shares_with_the_claim() {
    let t = table();
    let msg = Analysed::new("辟谣：全国清查是假的", &t);
    let covered: String = msg.norm.chars.iter().zip(covered(&msg, &t.variants[0])).map(|(c, on)| if on { *c } else { '_' }).collect();
    assert_eq!(covered, "___全国清查___");
}

#[test]
fn the_margin_is_taken_against_the_best_competing_claim_above_the_floor() {
    // logits best first; 0 and 2 compete, 1 stands apart, 3 is below the floor
    let logits = [5.0, 4.0, 3.0, -9.0];
    let competes = |i: usize, j: usize| matches!((i.min(j), i.max(j)), (0, 2) | (0, 3) | (2, 3));
    let others = best_competitors(&logits, -6.0, competes);
    assert_eq!(others, vec![Some(3.0), None, Some(5.0), Some(5.0)]);
    // below the floor a claim changes nobody's margin, but gets one itself
    assert_eq!(best_competitors(&[-7.0, -8.0], -6.0, |_, _| true), vec![None, None]);
}
