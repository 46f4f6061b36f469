//! What the message does with a claim it carries: repeats it, refutes it, or asks whether it is
//! true. Group chats forward debunks as often as rumors, and a debunk that quotes the rumor
//! shares most of its text with it; answering it with "谣言" would be wrong. So a match's
//! stance is read from what the message says *around* the claim's text:
//!
//! - words of refutation (系谣言, 不实, 辟谣, 假的, 别信 …) that the claim itself does not contain,
//!   and that are not themselves denied (这不是谣言 asserts the rumor);
//! - a negation put in front of the claim's own predicate (板蓝根**不能**预防 against 板蓝根能预防),
//!   where the claim has no negation of its own at that place. Only a predicate (a verb or an
//!   adjective of the claim) counts: rumors are full of negations of their own (没有孩子的也请转,
//!   不要给宝宝喝), and a negated noun denies nothing the claim asserts;
//! - words of asking (是真的吗, 求证, 真的假的 …) that the claim does not contain.
//!
//! Pure functions over normalized characters: no I/O, no index.

use serde::{Deserialize, Serialize};

/// The message's stance toward a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Stance {
    /// The message asserts or spreads the claim.
    Repeats,
    /// The message denies or debunks the claim.
    Refutes,
    /// The message asks whether the claim is true.
    Asks,
}

impl Stance {
    pub fn as_str(self) -> &'static str {
        match self {
            Stance::Repeats => "repeats",
            Stance::Refutes => "refutes",
            Stance::Asks => "asks",
        }
    }
}

/// Phrases that ask whether something is true. Checked first, so that 是谣言吗 asks rather than
/// refutes.
#[rustfmt::skip]
const ASKING: &[&str] = &[
    "是真的还是假的", "真的还是假的", "是真的吗", "真的吗", "真的假的", "是真是假", "是不是真的", "是否属实", "属实吗", "靠谱吗", "可信吗", "有这回事吗", "有没有这回事",
    "是谣言吗", "是不是谣言", "谣言吗", "求证", "求辟谣", "求真相", "辨真假", "真假", "谁知道是不是", "假的吧",
];

/// Words that refute or debunk what they refer to.
#[rustfmt::skip]
const REFUTING: &[&str] = &[
    "谣言", "谣传", "辟谣", "不实", "假消息", "假新闻", "虚假信息", "虚假消息", "造谣", "传谣", "不属实", "子虚乌有", "纯属捏造", "纯属虚构", "误传", "系谣",
    "是假的", "假的", "别信", "勿信", "不可信", "不要相信", "不要信", "别相信", "请勿转发", "不要转发", "别转发", "别再转", "勿转发", "不信谣", "澄清", "并无此事",
    "没有此事", "无此事", "不存在此事", "没有这回事", "不是真的", "并不属实", "被证实是假", "已被证伪", "为假", "系假", "是编的", "编造", "捏造", "伪造", "杜撰", "误读",
    "夸大", "没有科学依据", "没有依据", "毫无依据", "缺乏依据", "没有科学证据", "不科学", "无此功能", "诈骗", "骗局", "是骗子", "警方通报", "警情通报", "官方回应",
    "回应来了", "警方发声", "可以放心", "放心吃", "不等于", "没有接到", "均未收到", "从未",
    // how debunks report: what was checked, what the truth is, what became of the spreader
    "真相是", "流言", "莫信", "严正声明", "失实", "摆拍", "经核实", "经查证", "老谣新传", "旧谣新传",
    "没有证据", "没有任何证据", "无科学依据", "缺乏科学依据", "伪科学", "误区", "可忽略不计", "微乎其微", "错误解读", "歪曲",
    "无稽之谈", "被行拘", "已被行政拘留", "已被依法", "被处以治安拘留", "受到法律处罚", "混淆视听", "传言", "不存在", "毫无关系",
    "没有任何科学", "没有任何权威", "没有充分", "真相揭示", "情况说明",
];

/// Words that deny what follows them.
#[rustfmt::skip]
const NEGATORS: &[&str] = &[
    "不能", "不会", "不可能", "不是", "没有", "并非", "并不", "无法", "不用", "不必", "不", "没", "未", "非", "别", "无", "勿", "莫",
];

/// Is `word` one of the negations (不, 没有 …)?
pub(super) fn is_negator(word: &str) -> bool {
    NEGATORS.contains(&word)
}

/// Characters that, just before a refuting word, deny the refutation itself (这不是谣言, 并非谣言).
#[rustfmt::skip]
const DENIALS: &[&str] = &[
    "不是", "并非", "绝非", "绝不是", "决不是", "并不是", "不", "非", "没", "别当", "别以为是",
];

/// How many characters before the claim's own words a negation may stand (不能 用来 预防: 2).
const NEGATION_REACH: usize = 2;

/// The stance of a message toward one claim.
///
/// `message` is the normalized message (separators as `' '`), `covered[i]` tells whether the
/// message's character `i` is part of text it shares with the claim's variant (a shared bigram),
/// and `claim` is the variant's normalized text.
/// `predicates` gives the claim's verbs and adjectives (asked for only when a negation stands
/// before the claim's words).
pub fn stance(message: &[char], covered: &[bool], claim: &[char], predicates: &dyn Fn() -> Vec<String>) -> Stance {
    let claim_compact: String = claim.iter().filter(|c| **c != ' ').collect();
    let mut used = vec![false; message.len()];

    let mut asks = false;
    for phrase in ASKING {
        if claim_compact.contains(phrase) {
            continue;
        }
        for (s, e) in occurrences(message, phrase) {
            if used[s..e].iter().all(|u| !u) {
                asks = true;
                used[s..e].iter_mut().for_each(|u| *u = true);
            }
        }
    }

    for word in REFUTING {
        if claim_compact.contains(word) {
            continue;
        }
        for (s, e) in occurrences(message, word) {
            if used[s..e].iter().any(|u| *u) {
                continue;
            }
            used[s..e].iter_mut().for_each(|u| *u = true);
            if !denied(message, s) {
                return Stance::Refutes;
            }
        }
    }

    if negates_claim(message, covered, &claim_compact.chars().collect::<Vec<char>>(), predicates) {
        return Stance::Refutes;
    }
    if asks { Stance::Asks } else { Stance::Repeats }
}

/// Is the word starting at `s` itself denied (这不是谣言)?
fn denied(message: &[char], s: usize) -> bool {
    let before: String = message[s.saturating_sub(4)..s].iter().filter(|c| **c != ' ').collect();
    DENIALS.iter().any(|d| before.ends_with(d))
}

/// Does the message put a negation in front of the claim's own words, where the claim has none?
/// `claim` is the claim's text without separators.
fn negates_claim(message: &[char], covered: &[bool], claim: &[char], predicates: &dyn Fn() -> Vec<String>) -> bool {
    // a claim with negations of its own (撤不回, 不给报) is retold with negations in other places:
    // polarity can be compared only against a claim that asserts without any
    let compact: String = claim.iter().collect();
    if NEGATORS.iter().any(|n| compact.contains(n)) {
        return false;
    }
    let mut known: Option<Vec<String>> = None;
    // longest first, so that 没 inside 没有 is not read again on its own
    let mut seen = vec![false; message.len()];
    for neg in NEGATORS {
        for (s, e) in occurrences(message, neg) {
            // the negation must be the message's own word, not text it shares with the claim
            if seen[s] || covered[s..e].iter().any(|c| *c) {
                continue;
            }
            seen[s] = true;
            // the claim's words it denies: the first shared pair within reach
            let Some(target) = (e..(e + NEGATION_REACH + 1).min(message.len())).find(|&i| covered[i] && message[i] != ' ') else {
                continue;
            };
            let Some(next) = (target + 1..message.len()).find(|&i| message[i] != ' ') else { continue };
            let pair = [message[target], message[next]];
            if claim_negates_at(claim, &pair) {
                continue;
            }
            // what is denied must be something the claim asserts: one of its predicates, starting
            // within reach
            let rest: String = message[target..].iter().filter(|c| **c != ' ').take(NEGATION_REACH + 8).collect();
            let denies = |p: &String| rest.char_indices().take(NEGATION_REACH + 1).any(|(i, _)| rest[i..].starts_with(p.as_str()));
            if known.get_or_insert_with(predicates).iter().any(denies) {
                return true;
            }
        }
    }
    false
}

/// Does the claim (without separators) itself have a negation just before `pair`, so both deny
/// the same thing? When the pair is not in the claim at all, the claim cannot vouch for it:
/// treat it as not negated.
fn claim_negates_at(compact: &[char], pair: &[char; 2]) -> bool {
    (0..compact.len().saturating_sub(1)).filter(|&i| compact[i] == pair[0] && compact[i + 1] == pair[1]).any(|i| {
        let before: String = compact[i.saturating_sub(NEGATION_REACH + 1)..i].iter().collect();
        NEGATORS.iter().any(|n| before.contains(n))
    })
}

/// `[start, end)` positions of `word` in `chars`, skipping separators inside the match.
fn occurrences(chars: &[char], word: &str) -> Vec<(usize, usize)> {
    let w: Vec<char> = word.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == w[0] {
            let (mut j, mut k) = (i, 0);
            while j < chars.len() && k < w.len() {
                if chars[j] == w[k] {
                    k += 1;
                } else if chars[j] != ' ' || k == 0 {
                    break;
                }
                j += 1;
            }
            if k == w.len() {
                out.push((i, j));
                i = j;
                continue;
            }
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    /// Cover the message characters that are part of a bigram the claim also has.
    fn cover(message: &[char], claim: &[char]) -> Vec<bool> {
        let c: String = claim.iter().collect();
        let mut covered = vec![false; message.len()];
        for i in 0..message.len().saturating_sub(1) {
            let pair: String = message[i..i + 2].iter().collect();
            if !pair.contains(' ') && c.contains(&pair) {
                covered[i] = true;
                covered[i + 1] = true;
            }
        }
        covered
    }

    fn of(message: &str, claim: &str) -> Stance {
        let (m, c) = (chars(message), chars(claim));
        stance(&m, &cover(&m, &c), &c, &|| super::super::predicates(claim))
    }

    #[test]
    fn a_forward_of_the_rumor_repeats_it() {
        assert_eq!(
            of("从今晚8点开始全国清查 不删聊天记录封群封号 收到请转发", "从今晚8点开始 全国清查 聊天记录不删的一律封群封号"),
            Stance::Repeats
        );
    }

    #[test]
    fn a_forwarded_debunk_refutes() {
        let claim = "从今晚8点开始全国清查 不删聊天记录封群封号";
        assert_eq!(of("辟谣 网传 从今晚开始全国清查微信群 不删聊天记录封群封号 系谣言 请勿转发", claim), Stance::Refutes);
        assert_eq!(of("经查 网传全国清查不删聊天记录封群封号不实", claim), Stance::Refutes);
    }

    #[test]
    fn a_denied_refutation_repeats() {
        assert_eq!(of("这不是谣言 全国清查 不删聊天记录封群封号", "全国清查 不删聊天记录封群封号"), Stance::Repeats);
    }

    #[test]
    fn refuting_words_of_the_claim_itself_do_not_count() {
        // a rumor that calls the official denial a rumor
        assert_eq!(of("官方说是谣言 其实地震局已经发了预警", "官方说是谣言 其实地震局已经发了预警"), Stance::Repeats);
    }

    #[test]
    fn a_negation_of_the_claims_words_refutes() {
        assert_eq!(of("喝板蓝根不能预防新冠病毒 请大家不要盲目囤药", "喝板蓝根能预防新冠病毒 赶紧囤"), Stance::Refutes);
    }

    #[test]
    fn a_negation_of_the_claims_nouns_does_not() {
        // the rumor's own negations, re-typed: nothing the claim asserts is denied
        let claim = "妇幼保健院提示 请不要给宝宝喝爽歪歪 都含有肉毒杆菌 有孩子的都转下";
        assert_eq!(of("请不要给宝宝喝爽歪歪 都含有肉毒杆菌 有孩子的都转下 没有孩子的也请友情转转", claim), Stance::Repeats);
    }

    #[test]
    fn a_negation_the_claim_has_too_does_not() {
        assert_eq!(of("千万别吃香蕉和菠萝", "千万不要吃香蕉和菠萝"), Stance::Repeats);
        assert_eq!(of("聊天记录不删的一律封号", "聊天记录不删的一律封号"), Stance::Repeats);
    }

    #[test]
    fn questions_ask() {
        let claim = "从今晚8点开始全国清查 不删聊天记录封群封号";
        assert_eq!(of("全国清查 不删聊天记录封群封号 是真的吗", claim), Stance::Asks);
        assert_eq!(of("求证 全国清查不删聊天记录封群封号 是谣言吗", claim), Stance::Asks);
        // a rumor that itself says 转发求证 does not turn every re-post into a question
        assert_eq!(of("转发求证 美国一桶油只要8元", "转发求证 美国一桶油只要8元"), Stance::Repeats);
    }
}
