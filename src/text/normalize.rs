//! Normalization applied identically to corpus variants (index time) and to messages (query time),
//! so that a re-typed, Traditional, full-width or evasively spelled forward meets its debunk.
//!
//! The pipeline is a list of small ordered steps. Every normalized character remembers the span
//! of the original message it came from, so matches can be highlighted in the user's own text.

use std::sync::LazyLock;

use ferrous_opencc::{OpenCC, config::BuiltinConfig};
use unicode_normalization::UnicodeNormalization;

/// A message after normalization: one entry per character, separators collapsed to `' '`.
#[derive(Debug, Clone, Default)]
pub struct Normalized {
    /// Normalized characters: Han, lowercase letters and digits, and `' '` for any separator.
    pub chars: Vec<char>,
    /// For each normalized character, the `[start, end)` character range of the original text.
    pub origin: Vec<(u32, u32)>,
}

impl Normalized {
    /// The normalized text as a string.
    pub fn as_string(&self) -> String {
        self.chars.iter().collect()
    }

    /// Original character span `[start, end)` covered by normalized characters `[from, to)`.
    pub fn origin_span(&self, from: usize, to: usize) -> (usize, usize) {
        let start = self.origin[from].0 as usize;
        let end = self.origin[to - 1].1 as usize;
        (start, end.max(start))
    }
}

/// Is `c` a CJK ideograph (the characters that bigrams are made of)?
pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0x20000..=0x2A6DF | 0x2A700..=0x2EBEF | 0x30000..=0x3134F | 0xF900..=0xFAFF)
}

/// Characters kept as word material: Han, letters and digits. Everything else separates.
fn is_word_char(c: char) -> bool {
    is_han(c) || c.is_alphanumeric()
}

/// Invisible characters that people (and spam tools) insert to defeat filters: Unicode's
/// default-ignorable code points.
pub fn is_invisible(c: char) -> bool {
    matches!(c as u32, 0x00AD | 0x034F | 0x061C | 0x115F | 0x1160 | 0x17B4 | 0x17B5 | 0x180B..=0x180F
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F | 0xFEFF | 0xFFA0
        | 0xFFF0..=0xFFF8 | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A | 0xE0000..=0xE0FFF)
}

static T2S: LazyLock<OpenCC> = LazyLock::new(|| OpenCC::from_config(BuiltinConfig::T2s).expect("embedded OpenCC t2s config loads"));

/// Evasive spellings seen in forwards, folded to the word they stand for. `true` in the third
/// column means the pattern only applies at a Latin-letter boundary (so "zf" in "zfs" is left alone).
const EVASIONS: &[(&str, &str, bool)] = &[
    ("v信", "微信", true),
    ("vx", "微信", true),
    ("wx", "微信", true),
    ("薇信", "微信", false),
    ("徽信", "微信", false),
    ("微xin", "微信", true),
    ("yi情", "疫情", true),
    ("疫q", "疫情", true),
    ("yq", "疫情", true),
    ("zf", "政府", true),
    ("zheng府", "政府", true),
    ("政f", "政府", true),
    ("jc", "警察", true),
    ("jing察", "警察", true),
    ("feng号", "封号", true),
    ("封hao", "封号", true),
    ("feng群", "封群", true),
    ("封qun", "封群", true),
    ("dy", "抖音", true),
    ("d音", "抖音", true),
    ("xin冠", "新冠", true),
    ("新guan", "新冠", true),
    ("bd", "病毒", true),
    ("病d", "病毒", true),
    ("ys", "谣言", true),
];

/// Characters people confuse all the time when typing (的/地/得, 在/再, 他/她/它, 那/哪, 账/帐,
/// 象/像), folded to one of each group. Both sides are folded, so 地震 still meets 的震.
const CONFUSABLES: &[(char, char)] =
    &[('地', '的'), ('得', '的'), ('再', '在'), ('她', '他'), ('它', '他'), ('哪', '那'), ('帐', '账'), ('像', '象')];

/// Normalize `text`: strip invisibles, NFKC, lowercase, Traditional → Simplified, drop chat
/// emoji tags like `[微笑]`, fold evasive spellings and confusable characters, and turn
/// punctuation/emoji into separators.
pub fn normalize(text: &str) -> Normalized {
    let chars = unify_width_and_case(text);
    let chars = drop_emoji_tags(chars);
    let chars = to_simplified(chars);
    let chars = fold_evasions(chars);
    let chars = fold_confusables(chars);
    collapse_separators(chars)
}

/// Step 5b: one character for each group of commonly confused ones.
fn fold_confusables(mut chars: Traced) -> Traced {
    for (c, _) in chars.iter_mut() {
        if let Some((_, to)) = CONFUSABLES.iter().find(|(from, _)| from == c) {
            *c = *to;
        }
    }
    chars
}

type Traced = Vec<(char, (u32, u32))>;

/// Steps 1–2: invisibles removed, control characters become separators, NFKC, lowercase.
fn unify_width_and_case(text: &str) -> Traced {
    let mut out = Vec::with_capacity(text.len());
    for (i, c) in text.chars().enumerate() {
        let span = (i as u32, i as u32 + 1);
        if is_invisible(c) {
            continue;
        }
        if c.is_control() {
            out.push((' ', span));
            continue;
        }
        for n in std::iter::once(c).nfkc() {
            for l in n.to_lowercase() {
                out.push((l, span));
            }
        }
    }
    out
}

/// Step 3: WeChat/Weibo emoji tags such as `[捂脸]`, `[doge]`, `[强]` carry no meaning.
fn drop_emoji_tags(chars: Traced) -> Traced {
    let mut out = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i].0 == '[' {
            let limit = (i + 7).min(chars.len());
            if let Some(j) = (i + 2..limit).find(|&j| chars[j].0 == ']')
                && chars[i + 1..j].iter().all(|(c, _)| is_word_char(*c))
            {
                out.push((' ', (chars[i].1.0, chars[j].1.1)));
                i = j + 1;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// Step 4: Traditional → Simplified with OpenCC's phrase-aware tables. When a phrase conversion
/// changes the length (rare), fall back to character-by-character conversion to keep spans exact.
fn to_simplified(chars: Traced) -> Traced {
    if !chars.iter().any(|(c, _)| is_han(*c)) {
        return chars;
    }
    let s: String = chars.iter().map(|(c, _)| *c).collect();
    let converted = T2S.convert(&s);
    if converted.chars().count() == chars.len() {
        return converted.chars().zip(chars).map(|(c, (_, span))| (c, span)).collect();
    }
    let mut out = Vec::with_capacity(chars.len());
    let mut buf = [0u8; 4];
    for (c, span) in chars {
        if is_han(c) {
            let one = T2S.convert(c.encode_utf8(&mut buf));
            let mut it = one.chars();
            match (it.next(), it.next()) {
                (Some(s), None) => out.push((s, span)),
                _ => out.push((c, span)),
            }
        } else {
            out.push((c, span));
        }
    }
    out
}

/// Step 5: evasive spellings (V信, yi情, zf …) become the word they stand for.
fn fold_evasions(chars: Traced) -> Traced {
    if !chars.iter().any(|(c, _)| c.is_ascii_alphabetic() || *c == '薇' || *c == '徽') {
        return chars;
    }
    let is_latin = |k: usize| chars.get(k).is_some_and(|(c, _)| c.is_ascii_alphabetic());
    let mut out = Vec::with_capacity(chars.len());
    let mut i = 0;
    'outer: while i < chars.len() {
        for (pattern, replacement, boundary) in EVASIONS {
            let len = pattern.chars().count();
            if i + len <= chars.len()
                && pattern.chars().zip(&chars[i..i + len]).all(|(p, (c, _))| p == *c)
                && (!boundary || ((i == 0 || !is_latin(i - 1)) && !is_latin(i + len)))
            {
                let span = (chars[i].1.0, chars[i + len - 1].1.1);
                out.extend(replacement.chars().map(|c| (c, span)));
                i += len;
                continue 'outer;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// Step 6: punctuation, symbols, emoji and spaces become one `' '` separator.
fn collapse_separators(chars: Traced) -> Normalized {
    let mut out = Normalized::default();
    for (c, span) in chars {
        if is_word_char(c) {
            out.chars.push(c);
            out.origin.push(span);
        } else if out.chars.last().is_some_and(|&l| l != ' ') {
            out.chars.push(' ');
            out.origin.push(span);
        }
    }
    if out.chars.last() == Some(&' ') {
        out.chars.pop();
        out.origin.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        normalize(s).as_string()
    }

    #[test]
    fn full_width_and_case() {
        assert_eq!(norm("ＡＢＣ１２３"), "abc123");
        assert_eq!(norm("WeChat"), "wechat");
    }

    #[test]
    fn traditional_to_simplified() {
        assert_eq!(norm("微信聊天記錄要全部刪掉"), "微信聊天记录要全部删掉");
        assert_eq!(norm("轉發"), "转发");
    }

    #[test]
    fn invisibles_removed_and_punctuation_separates() {
        assert_eq!(norm("封\u{200b}群，封号！！😀收到"), "封群 封号 收到");
    }

    #[test]
    fn emoji_tags_dropped() {
        assert_eq!(norm("清查[捂脸][强]封号"), "清查 封号");
    }

    #[test]
    fn evasions_folded() {
        assert_eq!(norm("V信群要清查"), "微信群要清查");
        assert_eq!(norm("yi情期间"), "疫情期间");
        assert_eq!(norm("zf通知"), "政府通知");
        assert_eq!(norm("zfs filesystem"), "zfs filesystem");
        assert_eq!(norm("薇信"), "微信");
    }

    #[test]
    fn confusables_folded() {
        assert_eq!(norm("地震"), norm("的震"));
        assert_eq!(norm("再次"), "在次");
    }

    /// Each step on its own, as a triple: the input, what the step alone makes of it, and what
    /// the whole pipeline makes of it. `traced` stands for the steps before: characters with
    /// their own positions.
    fn traced(s: &str) -> Traced {
        s.chars().enumerate().map(|(i, c)| (c, (i as u32, i as u32 + 1))).collect()
    }

    fn text(t: &Traced) -> String {
        t.iter().map(|(c, _)| *c).collect()
    }

    #[test]
    fn step_unify_width_and_case() {
        let (input, step, pipeline) = ("ＱＱ群\u{200b}ＡＢ\t", "qq群ab ", "qq群ab");
        assert_eq!(text(&unify_width_and_case(input)), step);
        assert_eq!(norm(input), pipeline);
    }

    #[test]
    fn step_drop_emoji_tags() {
        let (input, step, pipeline) =
            ("清查[捂脸]封号[不是标签的长括号内容]", "清查 封号[不是标签的长括号内容]", "清查 封号 不是标签的长括号内容");
        assert_eq!(text(&drop_emoji_tags(traced(input))), step);
        assert_eq!(norm(input), pipeline);
    }

    #[test]
    fn step_to_simplified() {
        let (input, step, pipeline) = ("聊天記錄，刪掉", "聊天记录，删掉", "聊天记录 删掉");
        assert_eq!(text(&to_simplified(traced(input))), step);
        assert_eq!(norm(input), pipeline);
    }

    #[test]
    fn step_fold_evasions() {
        let (input, step, pipeline) = ("v信群 zfs", "微信群 zfs", "微信群 zfs");
        assert_eq!(text(&fold_evasions(traced(input))), step);
        assert_eq!(norm(input), pipeline);
    }

    #[test]
    fn step_fold_confusables() {
        let (input, step, pipeline) = ("她再地震", "他在的震", "他在的震");
        assert_eq!(text(&fold_confusables(traced(input))), step);
        assert_eq!(norm(input), pipeline);
    }

    #[test]
    fn step_collapse_separators() {
        let (input, step, pipeline) = ("！！封 群😀？", "封 群", "封 群");
        assert_eq!(collapse_separators(traced(input)).as_string(), step);
        assert_eq!(norm(input), pipeline);
    }

    #[test]
    fn spans_point_into_the_original() {
        let n = normalize("【紧急】V信");
        let s = n.as_string();
        assert_eq!(s, "紧急 微信");
        // "微信" came from original characters 4..6 ("V信")
        assert_eq!(n.origin_span(3, 5), (4, 6));
    }
}
