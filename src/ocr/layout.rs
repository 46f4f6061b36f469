//! From what Tesseract saw (words with their block, paragraph, line and box) back to the message
//! a person would have typed: lines broken by the layout joined again, each bubble or paragraph
//! kept as one segment, and the chat's chrome (clock, battery, group title, nicknames, the input
//! bar) dropped.

/// One recognised line.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// Block and paragraph number: lines of one paragraph (one bubble) share them.
    pub block: u32,
    pub par: u32,
    /// Top edge and height of the line's box, in pixels.
    pub top: u32,
    pub height: u32,
    pub text: String,
}

/// Lines from Tesseract's TSV output (`tesseract … tsv`), in reading order.
pub fn lines_from_tsv(tsv: &str) -> Vec<Line> {
    let mut lines: Vec<Line> = Vec::new();
    let mut current: Option<(u32, u32, u32)> = None;
    for row in tsv.lines().skip(1) {
        let cols: Vec<&str> = row.split('\t').collect();
        if cols.len() < 12 {
            continue;
        }
        let num = |i: usize| cols[i].trim().parse::<u32>().unwrap_or(0);
        let (level, block, par, line) = (num(0), num(2), num(3), num(4));
        match level {
            4 => {
                current = Some((block, par, line));
                lines.push(Line { block, par, top: num(7), height: num(9), text: String::new() });
            }
            5 if current == Some((block, par, line)) => {
                let word = cols[11].trim();
                if let Some(last) = lines.last_mut()
                    && !word.is_empty()
                {
                    push_word(&mut last.text, word);
                }
            }
            _ => {}
        }
    }
    lines.retain(|l| !l.text.is_empty());
    lines
}

/// The message: chrome dropped, lines of a paragraph joined, paragraphs one per line. A new
/// paragraph starts where Tesseract says so, or after a gap taller than half a line (the space
/// between two chat bubbles; Tesseract reads a screenshot as one block, `--psm 6`).
pub fn message_text(lines: &[Line]) -> String {
    let body = body_height(lines);
    let mut out = String::new();
    let mut last: Option<&Line> = None;
    for l in lines.iter().filter(|l| !is_chrome(l, body)) {
        if let Some(prev) = last {
            let gap = l.top.saturating_sub(prev.top + prev.height);
            if (prev.block, prev.par) != (l.block, l.par) || gap * 2 > body {
                out.push('\n');
            }
        }
        push_word(&mut out, &l.text);
        last = Some(l);
    }
    out
}

/// The kept lines (what the message was read from), for the response.
pub fn kept_lines(lines: &[Line]) -> Vec<String> {
    let body = body_height(lines);
    lines.iter().filter(|l| !is_chrome(l, body)).map(|l| l.text.clone()).collect()
}

/// Append `word`, with a space only between two Latin letters or digits (Chinese has none, and
/// Tesseract reports most Chinese characters as words of their own).
fn push_word(out: &mut String, word: &str) {
    let joins_latin =
        out.chars().last().is_some_and(|c| c.is_ascii_alphanumeric()) && word.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    if joins_latin {
        out.push(' ');
    }
    out.push_str(word);
}

/// Median height of the lines that hold most of the text: the message's own size.
fn body_height(lines: &[Line]) -> u32 {
    let mut heights: Vec<(u32, usize)> = lines.iter().map(|l| (l.height, l.text.chars().count())).collect();
    heights.sort_unstable();
    let total: usize = heights.iter().map(|(_, n)| n).sum();
    let mut seen = 0;
    for (h, n) in heights {
        seen += n;
        if seen * 2 >= total {
            return h;
        }
    }
    0
}

/// Words of a chat app's frame, never of a message.
const CHROME: &[&str] = &["微信", "按住说话", "按住 说话", "发送", "返回", "通讯录", "发现", "我", "更多", "搜索", "聊天信息"];

/// Is this line part of the phone's or the chat app's frame rather than of a message?
fn is_chrome(line: &Line, body_height: u32) -> bool {
    let text = line.text.trim();
    let chars = text.chars().count();
    let cjk = text.chars().filter(|c| is_cjk(*c)).count();
    let punct = text.chars().any(|c| "，。！？：；、,.!?:;".contains(c));
    CHROME.contains(&text)
        // nothing a person writes: the clock, battery and signal, stray marks, the input bar's
        // buttons read as letters (CO, WO)
        || cjk == 0 && (!text.chars().any(|c| c.is_ascii_alphabetic() && c != 'G') || chars <= 3)
        || is_status_bar(text)
        // the group's title: 相亲相爱一家人(58)
        || chars <= 24 && title_count(text)
        // a nickname or a time stamp above a bubble: short, no punctuation, in smaller type
        || chars <= 10 && !punct && body_height > 0 && line.height * 4 < body_height * 3
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}')
}

/// Clock, carrier and battery: "9:41", "下午3:05", "星期二 下午4:16", "中国移动 4G", and a
/// status bar whose icons were read as characters ("15:43村|5G").
fn is_status_bar(text: &str) -> bool {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let t = t.trim_start_matches(['星', '期', '周', '一', '二', '三', '四', '五', '六', '日', '天']);
    let t = t.trim_start_matches(['上', '下', '午', '晚', '早', '昨', '天', '凌', '晨', '中']);
    let clock_len = t.chars().take_while(|c| c.is_ascii_digit() || *c == ':' || *c == '：').count();
    let starts_with_clock = (4..=5).contains(&clock_len) && t.chars().take(clock_len).any(|c| c == ':' || c == '：');
    let clock = starts_with_clock && (clock_len == t.chars().count() || t.chars().count() <= 16 && !t.contains(['，', '。', '！', '？']));
    let carrier = ["中国移动", "中国联通", "中国电信"].iter().any(|c| t.starts_with(c)) && t.chars().count() <= 12;
    clock || carrier
}

/// Ends in a member count in brackets, as a group's title does.
fn title_count(text: &str) -> bool {
    // the back arrow before the title is often read as a mark (<, 〈), and stray marks follow it
    let t = text.trim_start_matches(['<', '〈', '《', '‹', ' ']).trim_end_matches(|c: char| !c.is_alphanumeric() && c != ')' && c != '）');
    let Some(open) = t.rfind(['(', '（']) else { return false };
    let inner = t[open..].trim_start_matches(['(', '（']).trim_end_matches([')', '）']);
    (t.ends_with(')') || t.ends_with('）')) && !inner.is_empty() && inner.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(block: u32, par: u32, height: u32, text: &str) -> Line {
        Line { block, par, top: 0, height, text: text.to_string() }
    }

    fn at(top: u32, height: u32, text: &str) -> Line {
        Line { block: 1, par: 1, top, height, text: text.to_string() }
    }

    #[test]
    fn tsv_words_become_lines_without_spaces_between_chinese() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
            4\t1\t2\t1\t1\t0\t0\t0\t100\t30\t-1\t\n\
            5\t1\t2\t1\t1\t1\t0\t0\t10\t30\t90\t从今晚\n\
            5\t1\t2\t1\t1\t2\t0\t0\t10\t30\t90\t8\n\
            5\t1\t2\t1\t1\t3\t0\t0\t10\t30\t90\t点\n\
            4\t1\t2\t1\t2\t0\t0\t0\t100\t30\t-1\t\n\
            5\t1\t2\t1\t2\t1\t0\t0\t10\t30\t90\tWeChat\n\
            5\t1\t2\t1\t2\t2\t0\t0\t10\t30\t90\tPay\n";
        let lines = lines_from_tsv(tsv);
        assert_eq!(
            lines,
            vec![at(0, 30, "从今晚8点"), at(0, 30, "WeChat Pay")].into_iter().map(|l| Line { block: 2, ..l }).collect::<Vec<_>>()
        );
    }

    #[test]
    fn chrome_is_dropped_and_a_bubble_is_joined() {
        let lines = vec![
            line(1, 1, 20, "9:41 5G 87%"),
            line(2, 1, 36, "相亲相爱一家人(58)"),
            line(3, 1, 14, "二舅"),
            line(4, 1, 30, "从今晚8点开始全国清查，不删聊天"),
            line(4, 1, 30, "记录封群封号，收到请转发给家人朋"),
            line(4, 1, 30, "友!"),
            line(5, 1, 14, "下午3:05"),
            line(6, 1, 30, "真的假的？"),
            line(7, 1, 30, "按住 说话"),
        ];
        assert_eq!(message_text(&lines), "从今晚8点开始全国清查，不删聊天记录封群封号，收到请转发给家人朋友!\n真的假的？");
        assert_eq!(kept_lines(&lines).len(), 4);
    }

    #[test]
    fn in_one_block_a_gap_between_bubbles_starts_a_new_line() {
        let lines = vec![
            at(10, 20, "15:43村|5G"),
            at(35, 24, "<老同学聚会群(45)。，"),
            at(60, 30, "从今晚8点开始全国清查，不删聊天"),
            at(95, 30, "记录封群封号"),
            at(150, 14, "星期二 下午4:16"),
            at(190, 30, "真的假的？"),
            at(240, 30, "CO"),
        ];
        assert_eq!(message_text(&lines), "从今晚8点开始全国清查，不删聊天记录封群封号\n真的假的？");
    }

    #[test]
    fn a_short_line_in_the_body_size_is_kept() {
        let lines = vec![line(1, 1, 30, "收到"), line(2, 1, 30, "谣言吧")];
        assert_eq!(message_text(&lines), "收到\n谣言吧");
    }
}
