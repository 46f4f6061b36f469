//! The words piyao answers with, composed once for every surface: the paragraph a reader copies
//! back into the group chat (web pages), and the answer to the person who asked (WeChat, the
//! `piyao check` command). The two differ in whom they address, never in what they say: the same
//! headline per rating, the same 未收录 sentence, every decisive match (a forward that glues two
//! rumors together gets both answers everywhere), and a link only when it can be opened (an
//! absolute URL from `--public-url`; a bare path is useless in a chat, so it is left out).
//!
//! Prefixes follow the finding: 【辟谣】 only when something is debunked (谣言 or 误导). Calling
//! a true or unproven claim a "debunk" would itself mislead, so those get 【查证】, and a message
//! we have no record of gets 【提醒】 (for the group) or 【未收录】 (for the asker): 未收录 ≠ 属实.

use crate::corpus::{Claim, Rating};
use crate::links::{self, Links};
use crate::matcher::Stance;
use crate::response::{CheckResponse, Match};

/// The one sentence about messages the corpus does not have.
pub const NOT_IN_CORPUS: &str = "辟谣库里暂时没有与这条消息相符的记录。未收录不等于属实：请以官方发布为准，核实之前先别转发。";

/// Before the reply when the message itself refutes the claim.
pub const REFUTES_FOR_GROUP: &str = "✓ 这条消息本身就是辟谣，说法正确。";
pub const REFUTES_FOR_ASKER: &str = "✓ 这是一条辟谣，说法与查证结论一致。\n";

/// Longest summary quoted per finding in a reply for the group; the link carries the rest.
const GROUP_SUMMARY_CHARS: usize = 160;

/// Whom a reply addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The people in the group chat where the rumor arrived (the copy box on the web pages).
    Group,
    /// The person who sent us the message (WeChat, the command line).
    Asker,
}

/// A reply, as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub text: String,
}

/// One finding to cite: how the claim was rated, its title, what is true, where to read more.
struct Finding<'a> {
    rating: Rating,
    title: &'a str,
    summary: String,
    link: Option<String>,
}

impl<'a> Finding<'a> {
    fn new(rating: Rating, title: &'a str, summary_text: &str, claim_id: &str, links: &Links) -> Finding<'a> {
        Finding { rating, title, summary: summary(rating, summary_text), link: links.absolute(&links::claim_path(claim_id)) }
    }

    fn of(m: &'a Match, links: &Links) -> Finding<'a> {
        Finding::new(m.rating, &m.title, &m.summary, &m.claim_id, links)
    }
}

impl Reply {
    /// The reply for the group about one claim (the debunk's own page).
    pub fn about_claim(claim: &Claim, links: &Links) -> Reply {
        let f = Finding::new(claim.rating, &claim.title, &claim.summary, &claim.id, links);
        Reply { text: group(&[f], links) }
    }

    /// The reply to `r` for `audience`. For the asker, `max_bytes` bounds the UTF-8 length
    /// (WeChat delivers at most 2,048 bytes): summaries, then titles are shortened, links never.
    pub fn compose(r: &CheckResponse, links: &Links, audience: Audience, max_bytes: Option<usize>) -> Reply {
        let findings: Vec<Finding> = r.matches.iter().filter(|m| m.level.decides()).map(|m| Finding::of(m, links)).collect();
        // a forwarded debunk agrees with us: say so first, so nobody reads it as "this is a rumor"
        let lead = match (r.stance == Some(Stance::Refutes) && !findings.is_empty(), audience) {
            (false, _) => "",
            (true, Audience::Group) => REFUTES_FOR_GROUP,
            (true, Audience::Asker) => REFUTES_FOR_ASKER,
        };
        let body = match audience {
            Audience::Group => group(&findings, links),
            Audience::Asker => asker(&findings, max_bytes.unwrap_or(usize::MAX).saturating_sub(lead.len())),
        };
        let text = format!("{lead}{body}");
        Reply { text }
    }
}

fn prefix(findings: &[Finding]) -> &'static str {
    if findings.iter().any(|f| matches!(f.rating, Rating::False | Rating::Misleading)) { "【辟谣】" } else { "【查证】" }
}

fn detail(link: &Option<String>) -> String {
    link.as_deref().map(|l| format!(" 详情：{l}")).unwrap_or_default()
}

fn group(findings: &[Finding], links: &Links) -> String {
    match findings {
        [] => {
            let mut text = format!("【提醒】{NOT_IN_CORPUS}");
            if let Some(home) = links.absolute("/") {
                text.push_str(&format!(" 可以在这里查一查：{home}"));
            }
            text
        }
        [one] => {
            let summary = shorten_chars(&one.summary, GROUP_SUMMARY_CHARS);
            format!("{}{}{}{}", prefix(findings), headline(one.rating), summary, detail(&one.link))
        }
        many => {
            let items: Vec<String> = many
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    format!("{}{}：{}{}", circled(i), f.rating.label(), shorten_chars(&f.summary, GROUP_SUMMARY_CHARS), detail(&f.link))
                })
                .collect();
            format!("{}这条消息里有{}个说法已有查证结果。{}", prefix(findings), many.len(), items.join(" "))
        }
    }
}

/// For the asker: label, title, summary and link per finding, shortened to fit `max` bytes.
fn asker(findings: &[Finding], max: usize) -> String {
    let Some(first) = findings.first() else { return shorten_bytes(&format!("【未收录】{NOT_IN_CORPUS}"), max) };
    let numbered = findings.len() > 1;
    let head = if numbered {
        format!("{}这条消息里有{}个说法已有查证结果。\n", prefix(findings), findings.len())
    } else {
        format!("【{}】", first.rating.label())
    };
    let markers: Vec<String> = findings
        .iter()
        .enumerate()
        .map(|(i, f)| if numbered { format!("{}{}：", circled(i), f.rating.label()) } else { String::new() })
        .collect();
    let tails: Vec<String> = findings.iter().map(|f| f.link.as_deref().map(|l| format!("\n详情：{l}")).unwrap_or_default()).collect();
    // what is never shortened: the head, markers, links, the newline after each title and between items
    let fixed = head.len() + markers.iter().chain(&tails).map(String::len).sum::<usize>() + 2 * findings.len() - 1;
    let room = max.saturating_sub(fixed) / findings.len();
    let items: Vec<String> = findings
        .iter()
        .zip(markers.iter().zip(&tails))
        .map(|(f, (marker, tail))| {
            let title = shorten_bytes(f.title, room);
            let summary = shorten_bytes(&f.summary, room.saturating_sub(title.len()));
            format!("{marker}{title}\n{summary}{tail}")
        })
        .collect();
    format!("{head}{}", items.join("\n"))
}

fn headline(r: Rating) -> &'static str {
    match r {
        Rating::False => "这条消息是谣言。",
        Rating::Misleading => "这条消息有误导，不能全信。",
        Rating::True => "这条消息基本属实。",
        Rating::Unproven => "这条消息目前没有定论，先别轻信。",
    }
}

/// The summary without a leading "属实：" that would repeat the label.
fn summary(rating: Rating, s: &str) -> String {
    let s = s.trim();
    s.strip_prefix(rating.label()).and_then(|rest| rest.strip_prefix('：')).unwrap_or(s).to_string()
}

fn circled(i: usize) -> char {
    char::from_u32(0x2460 + i.min(19) as u32).unwrap_or('•')
}

/// At most `max` characters of `s`, with an ellipsis when cut (for previews and descriptions).
pub fn shorten_chars(s: &str, max: usize) -> String {
    let s = s.trim();
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// `s` cut to at most `max` bytes on a character boundary, ending in "…" when cut.
pub fn shorten_bytes(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let Some(budget) = max.checked_sub('…'.len_utf8()) else { return String::new() };
    let end = (0..=budget).rev().find(|&i| s.is_char_boundary(i)).unwrap_or(0);
    format!("{}…", &s[..end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matcher::Level;
    use crate::response::Verdict;

    fn m(id: &str, rating: Rating, level: Level, title: &str, summary: &str) -> Match {
        Match::example(id, rating, level, title, summary)
    }

    fn response(matches: Vec<Match>) -> CheckResponse {
        CheckResponse::example(matches)
    }

    const SITE: &str = "https://piyao.example";

    #[test]
    fn one_rumor_for_the_group_is_a_debunk_with_its_link() {
        let r = response(vec![m("x", Rating::False, Level::Same, "标题", "不存在全国清查。")]);
        let reply = Reply::compose(&r, &Links::new(SITE), Audience::Group, None);
        assert_eq!(reply.text, "【辟谣】这条消息是谣言。不存在全国清查。 详情：https://piyao.example/claims/x");
    }

    #[test]
    fn without_a_public_url_no_link_is_pasted() {
        let r = response(vec![m("x", Rating::False, Level::Same, "标题", "不存在全国清查。")]);
        assert_eq!(Reply::compose(&r, &Links::new(""), Audience::Group, None).text, "【辟谣】这条消息是谣言。不存在全国清查。");
        assert_eq!(Reply::compose(&r, &Links::new(""), Audience::Asker, None).text, "【谣言】标题\n不存在全国清查。");
    }

    #[test]
    fn true_claims_are_not_called_debunks_and_the_label_is_not_repeated() {
        let r = response(vec![m("x", Rating::True, Level::Similar, "t", "属实：木耳久泡可能中毒。")]);
        let reply = Reply::compose(&r, &Links::new(SITE), Audience::Group, None);
        assert_eq!(reply.text, "【查证】这条消息基本属实。木耳久泡可能中毒。 详情：https://piyao.example/claims/x");
    }

    #[test]
    fn several_rumors_are_numbered_for_both_audiences() {
        let r = response(vec![
            m("a", Rating::False, Level::Same, "甲题", "甲。"),
            m("b", Rating::Misleading, Level::Similar, "乙题", "乙。"),
            m("c", Rating::False, Level::Related, "丙题", "丙。"),
        ]);
        let group = Reply::compose(&r, &Links::new(SITE), Audience::Group, None).text;
        assert!(group.starts_with("【辟谣】这条消息里有2个说法"), "{group}");
        assert!(group.contains("①谣言：甲。") && group.contains("②误导：乙。") && !group.contains("丙"), "{group}");
        let asker = Reply::compose(&r, &Links::new(SITE), Audience::Asker, Some(2048)).text;
        assert!(asker.contains("①谣言：甲题\n甲。\n详情：https://piyao.example/claims/a"), "{asker}");
        assert!(asker.contains("②误导：乙题\n乙。\n详情：https://piyao.example/claims/b"), "{asker}");
    }

    #[test]
    fn unknown_is_a_reminder_worded_once() {
        let r = response(vec![m("c", Rating::False, Level::Related, "丙题", "丙。")]);
        let group = Reply::compose(&r, &Links::new(SITE), Audience::Group, None).text;
        assert!(group.starts_with("【提醒】") && group.contains(NOT_IN_CORPUS) && group.ends_with("https://piyao.example/"), "{group}");
        let asker = Reply::compose(&r, &Links::new(SITE), Audience::Asker, Some(2048)).text;
        assert_eq!(asker, format!("【未收录】{NOT_IN_CORPUS}"));
        assert!(NOT_IN_CORPUS.contains("未收录不等于属实"));
    }

    #[test]
    fn asker_reply_fits_its_budget_and_keeps_the_link() {
        for summary in ["谣".repeat(5_000), "a".repeat(5_000), format!("a{}", "谣".repeat(2_000))] {
            let r = response(vec![m("wechat-purge-notice-2022", Rating::False, Level::Same, "标题", &summary)]);
            let reply = Reply::compose(&r, &Links::new(SITE), Audience::Asker, Some(2048)).text;
            assert!(reply.len() <= 2048, "{}", reply.len());
            assert!(reply.len() > 2048 - 8, "wasted room: {}", reply.len());
            assert!(reply.ends_with("…\n详情：https://piyao.example/claims/wechat-purge-notice-2022"), "{reply}");
            assert!(reply.starts_with("【谣言】标题\n"));
        }
        let r = response(vec![m("x", Rating::False, Level::Same, &"题".repeat(3_000), "s")]);
        let reply = Reply::compose(&r, &Links::new(SITE), Audience::Asker, Some(2048)).text;
        assert!(reply.len() <= 2048 && reply.ends_with("/claims/x"), "{reply}");
        assert_eq!(response(vec![]).verdict, Verdict::Unknown);
    }

    #[test]
    fn a_forwarded_debunk_is_told_it_agrees() {
        let mut r = response(vec![m("x", Rating::False, Level::Same, "标题", "不存在全国清查。")]);
        r.stance = Some(Stance::Refutes);
        let group = Reply::compose(&r, &Links::new(SITE), Audience::Group, None).text;
        assert!(group.starts_with(REFUTES_FOR_GROUP), "{group}");
        let asker = Reply::compose(&r, &Links::new(SITE), Audience::Asker, Some(2048)).text;
        assert!(asker.starts_with(REFUTES_FOR_ASKER) && asker.ends_with("/claims/x") && asker.len() <= 2048, "{asker}");
    }

    #[test]
    fn shortening() {
        assert_eq!(shorten_bytes("谣言", 6), "谣言");
        assert_eq!(shorten_bytes("谣言", 5), "…");
        assert_eq!(shorten_bytes("谣言谣", 8), "谣…");
        assert_eq!(shorten_bytes("谣言", 2), "");
        assert_eq!(shorten_chars("  短  ", 5), "短");
        assert_eq!(shorten_chars("一二三四五六", 4), "一二三…");
    }
}
