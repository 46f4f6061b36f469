//! What the user reads in WeChat: the verdict on their message in a few lines, or a polite word
//! when there is nothing to check. WeChat shows nothing at all when we answer with an HTTP
//! error, so every user-side problem gets a text here instead. Pure functions, no HTTP.

use crate::message::{InputError, MAX_CHARS};
use crate::verdict::{CheckResponse, Verdict};

/// Longest `Content` of a passive text reply WeChat delivers, in bytes of UTF-8.
pub const MAX_CONTENT_BYTES: usize = 2048;

pub const NOT_IN_DATABASE: &str =
    "【未收录】我们的辟谣库里还没有与这条消息相符的记录。\n未收录不等于属实：转发之前，请先到官方渠道核实。";
pub const ONLY_TEXT: &str =
    "目前只能核查文字消息。请把要核实的消息文字复制后发给我（图片、语音、视频和链接暂时无法核查）。";
pub const WELCOME: &str = "感谢关注！把群里转发的消息原文发给我，我会告诉你它是不是已经被辟谣的说法。";
pub const EMPTY: &str = "请把要核实的消息文字发给我。";
pub const UNAVAILABLE: &str = "抱歉，核查服务暂时不可用，请稍后再试。";

/// The reply to a checked message: label, claim title, summary and link; or `NOT_IN_DATABASE`.
/// Fits `MAX_CONTENT_BYTES`: the title and then the summary are shortened, the link never is.
pub fn verdict(r: &CheckResponse, public_url: &str) -> String {
    let Some(claim) = r.matches.first().filter(|_| r.verdict != Verdict::Unknown) else {
        return NOT_IN_DATABASE.to_string();
    };
    let head = format!("【{}】", r.label);
    let link = format!("详情：{}/claims/{}", public_url.trim_end_matches('/'), claim.claim_id);
    // two newlines: after the title, after the summary
    let room = MAX_CONTENT_BYTES.saturating_sub(head.len() + link.len() + 2);
    let title = shorten(&claim.title, room);
    let summary = shorten(&claim.summary, room - title.len());
    format!("{head}{title}\n{summary}\n{link}")
}

/// The reply to a message that could not be checked.
pub fn refused(e: &InputError) -> String {
    match e {
        InputError::TooLong { chars } => {
            format!("这条消息有 {chars} 个字，超过了 {MAX_CHARS} 字的上限。请只发送需要核实的那一段。")
        }
        InputError::Empty | InputError::BadLimit(_) => EMPTY.to_string(),
    }
}

/// `s` cut to at most `max` bytes on a character boundary, ending in "…" when cut.
fn shorten(s: &str, max: usize) -> String {
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
    use crate::corpus::Rating;
    use crate::matcher::Level;
    use crate::verdict::Match;

    fn response(verdict: Verdict, title: &str, summary: &str) -> CheckResponse {
        let m = Match {
            claim_id: "wechat-purge-notice-2022".into(),
            title: title.into(),
            rating: Rating::False,
            label: "谣言".into(),
            level: Level::Same,
            score: 0.9,
            matched_text: String::new(),
            summary: summary.into(),
            explanation: None,
            url: None,
            permalink: "/claims/wechat-purge-notice-2022".into(),
            category: None,
            published: None,
            sources: vec![],
            regulations: vec![],
            highlights: vec![],
        };
        CheckResponse { verdict, label: verdict.label().into(), confidence: 0.9, matches: vec![m], segments: vec![], took_ms: 1.0 }
    }

    #[test]
    fn rumor_reply_has_label_title_summary_and_link() {
        let r = response(Verdict::False, "全国清查微信群？谣言", "不存在这样的行动。");
        assert_eq!(
            verdict(&r, "https://piyao.example.org/"),
            "【谣言】全国清查微信群？谣言\n不存在这样的行动。\n详情：https://piyao.example.org/claims/wechat-purge-notice-2022"
        );
        assert!(verdict(&r, "").ends_with("详情：/claims/wechat-purge-notice-2022"));
    }

    #[test]
    fn unknown_says_not_in_database_even_with_related_matches() {
        let r = response(Verdict::Unknown, "t", "s");
        assert_eq!(verdict(&r, ""), NOT_IN_DATABASE);
        assert!(NOT_IN_DATABASE.contains("未收录不等于属实"));
    }

    #[test]
    fn long_summary_is_cut_on_a_char_boundary_and_the_link_kept() {
        let url = "https://piyao.example.org";
        for summary in ["谣".repeat(5_000), "a".repeat(5_000), format!("a{}", "谣".repeat(2_000))] {
            let reply = verdict(&response(Verdict::False, "标题", &summary), url);
            assert!(reply.len() <= MAX_CONTENT_BYTES, "{}", reply.len());
            assert!(reply.len() > MAX_CONTENT_BYTES - 4, "wasted room: {}", reply.len());
            assert!(reply.ends_with("…\n详情：https://piyao.example.org/claims/wechat-purge-notice-2022"), "{reply}");
            assert!(reply.starts_with("【谣言】标题\n"));
        }
        // an absurd title is cut too, and the link still survives
        let reply = verdict(&response(Verdict::False, &"题".repeat(3_000), "s"), url);
        assert!(reply.len() <= MAX_CONTENT_BYTES);
        assert!(reply.ends_with("/claims/wechat-purge-notice-2022"));
    }

    #[test]
    fn shorten_counts_bytes() {
        assert_eq!(shorten("谣言", 6), "谣言");
        assert_eq!(shorten("谣言", 5), "…");
        assert_eq!(shorten("谣言谣", 8), "谣…");
        assert_eq!(shorten("谣言", 2), "");
    }

    #[test]
    fn refusals_are_polite_texts() {
        assert_eq!(refused(&InputError::Empty), EMPTY);
        assert!(refused(&InputError::TooLong { chars: 12_345 }).contains("12345"));
    }
}
