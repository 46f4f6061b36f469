//! The ready-to-paste reply for the group chat: one paragraph a relative can copy back into the
//! chat where the rumor arrived, ending with a link to the full debunk.
//!
//! The prefix follows the finding: 【辟谣】 only when something is actually debunked (谣言 or
//! 误导). Calling a true or unproven claim "辟谣" would itself mislead, so those get 【查证】, and
//! a message we have no record of gets 【提醒】 (未收录 ≠ 属实), never a debunk.

use crate::corpus::Rating;

use super::layout::shorten;

/// One finding to cite in the reply: how the claim was rated, what is true, where to read more.
pub struct Finding<'a> {
    pub rating: Rating,
    pub summary: &'a str,
    /// Link to the debunk (absolute when the public URL is set).
    pub link: String,
}

/// The text offered in the copy box.
pub struct ChatReply {
    pub text: String,
}

/// Longest summary quoted per finding; the link carries the rest.
const SUMMARY_CHARS: usize = 160;

impl ChatReply {
    /// A reply citing one or more findings, best first.
    pub fn findings(findings: &[Finding]) -> ChatReply {
        let debunked = findings.iter().any(|f| matches!(f.rating, Rating::False | Rating::Misleading));
        let prefix = if debunked { "【辟谣】" } else { "【查证】" };
        let text = match findings {
            [] => return ChatReply::unknown(String::new()),
            [one] => format!("{prefix}{}{} 详情：{}", headline(one.rating), summary(one), one.link),
            many => {
                let items: Vec<String> = many
                    .iter()
                    .enumerate()
                    .map(|(i, f)| format!("{}{}：{} 详情：{}", circled(i), f.rating.label(), summary(f), f.link))
                    .collect();
                format!("{prefix}这条消息里有{}个说法已有查证结果。{}", many.len(), items.join(" "))
            }
        };
        ChatReply { text }
    }

    /// Nothing in the corpus matches: remind, do not reassure. `link` is where to check more.
    pub fn unknown(link: String) -> ChatReply {
        let mut text = "【提醒】辟谣库里暂时没有这条消息的记录。未收录不代表属实，请以官方发布为准，核实之前先别转发。".to_string();
        if !link.is_empty() {
            text.push_str(&format!(" 可以在这里查一查：{link}"));
        }
        ChatReply { text }
    }
}

fn headline(r: Rating) -> &'static str {
    match r {
        Rating::False => "这条消息是谣言。",
        Rating::Misleading => "这条消息有误导，不能全信。",
        Rating::True => "这条消息基本属实。",
        Rating::Unproven => "这条消息目前没有定论，先别轻信。",
    }
}

/// The summary without a leading "属实：" that would repeat the headline.
fn summary(f: &Finding) -> String {
    let s = f.summary.trim();
    let s = s.strip_prefix(f.rating.label()).and_then(|rest| rest.strip_prefix('：')).unwrap_or(s);
    shorten(s, SUMMARY_CHARS)
}

fn circled(i: usize) -> char {
    char::from_u32(0x2460 + i.min(19) as u32).unwrap_or('•')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(rating: Rating, summary: &str) -> Finding<'_> {
        Finding { rating, summary, link: "https://piyao.example/claims/x".into() }
    }

    #[test]
    fn one_rumor_is_a_debunk_with_its_link() {
        let r = ChatReply::findings(&[finding(Rating::False, "不存在全国清查。")]);
        assert_eq!(r.text, "【辟谣】这条消息是谣言。不存在全国清查。 详情：https://piyao.example/claims/x");
    }

    #[test]
    fn true_claims_are_not_called_debunks_and_the_label_is_not_repeated() {
        let r = ChatReply::findings(&[finding(Rating::True, "属实：木耳久泡可能中毒。")]);
        assert_eq!(r.text, "【查证】这条消息基本属实。木耳久泡可能中毒。 详情：https://piyao.example/claims/x");
    }

    #[test]
    fn several_rumors_are_numbered() {
        let r = ChatReply::findings(&[finding(Rating::False, "甲。"), finding(Rating::Misleading, "乙。")]);
        assert!(r.text.starts_with("【辟谣】这条消息里有2个说法"), "{}", r.text);
        assert!(r.text.contains("①谣言：甲。") && r.text.contains("②误导：乙。"), "{}", r.text);
    }

    #[test]
    fn unknown_is_a_reminder() {
        let r = ChatReply::unknown("/".into());
        assert!(r.text.starts_with("【提醒】") && r.text.contains("未收录不代表属实"), "{}", r.text);
    }
}
