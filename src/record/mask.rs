//! Masks personal data (mobile numbers, ID-card numbers, bank cards, e-mail addresses, WeChat
//! ids) in a message before it is recorded: forwarded rumors often carry someone's phone or
//! card number, and the record of a check must keep the claim, not the person.
//!
//! Digits may be full-width and split by single separators ("138 1234 5678"); a run of digit
//! groups is classified as a whole, or cut only at spaces, so a number is never masked in part.

use regex::Regex;
use std::sync::LazyLock;

/// What kind of personal data was masked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonalData {
    Mobile,
    IdCard,
    BankCard,
    Email,
    WechatId,
}

impl PersonalData {
    /// The text put in place of the masked data.
    pub fn placeholder(self) -> &'static str {
        match self {
            Self::Mobile => "【手机号】",
            Self::IdCard => "【身份证号】",
            Self::BankCard => "【银行卡号】",
            Self::Email => "【邮箱】",
            Self::WechatId => "【微信号】",
        }
    }
}

/// The text with every piece of personal data replaced by its placeholder, and what was replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Masked {
    /// The masked text; everything else is unchanged byte for byte.
    pub text: String,
    /// The kinds replaced, in the order they appear in the text.
    pub found: Vec<PersonalData>,
}

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z0-9._%+\-Ａ-Ｚａ-ｚ０-９．＿－]+[@＠][A-Za-z0-9\-Ａ-Ｚａ-ｚ０-９－]+(?:[.．][A-Za-z0-9\-Ａ-Ｚａ-ｚ０-９－]+)*[.．][A-Za-zＡ-Ｚａ-ｚ]{2,}").unwrap()
});

/// A WeChat cue, a short gap, then the candidate id (group 1).
static WECHAT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:微信号?|[VvＶｖWwＷｗ][XxＸｘ]|[VvＶｖ]信|威信|薇信)[\s:：是]{0,3}([A-Za-z0-9_\-Ａ-Ｚａ-ｚ０-９＿－]{6,20})").unwrap()
});

/// The text with every piece of personal data replaced by its placeholder, and what was replaced.
pub fn mask(text: &str) -> Masked {
    let mut spans: Vec<(usize, usize, PersonalData)> = Vec::new();
    let mut add = |from: usize, to: usize, kind| {
        if spans.iter().all(|&(f, t, _)| to <= f || t <= from) {
            spans.push((from, to, kind));
        }
    };
    for m in EMAIL.find_iter(text) {
        add(m.start(), m.end(), PersonalData::Email);
    }
    for c in WECHAT.captures_iter(text) {
        let (cue, id) = (c.get(0).unwrap(), c.get(1).unwrap());
        let latin_cue = cue.as_str().starts_with(|ch: char| !matches!(ch, '微' | '威' | '薇'));
        let cue_glued = latin_cue && text[..cue.start()].ends_with(|ch: char| ch.is_ascii_alphabetic());
        if cue_glued || text[id.end()..].starts_with(is_id_char) {
            continue; // "vx" inside a word, or an id longer than WeChat allows
        }
        let id_text = id.as_str();
        if id_text.starts_with(char::is_alphabetic) {
            add(id.start(), id.end(), PersonalData::WechatId);
        } else if id_text.chars().all(|ch| digit(ch).is_some() || "-－".contains(ch))
            && is_mobile(&id_text.chars().filter_map(digit).collect::<String>())
        {
            add(id.start(), id.end(), PersonalData::Mobile);
        }
    }
    for (from, to, kind) in digit_spans(text) {
        add(from, to, kind);
    }
    spans.sort_by_key(|s| s.0);
    let (mut out, mut last) = (String::with_capacity(text.len()), 0);
    for &(from, to, kind) in &spans {
        out.push_str(&text[last..from]);
        out.push_str(kind.placeholder());
        last = to;
    }
    out.push_str(&text[last..]);
    Masked { text: out, found: spans.iter().map(|s| s.2).collect() }
}

/// A character allowed in a WeChat id, half- or full-width.
fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_-＿－".contains(c) || digit(c).is_some() || matches!(c, 'Ａ'..='Ｚ' | 'ａ'..='ｚ')
}

fn digit(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
        _ => None,
    }
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\u{3000}' | '\u{a0}')
}

fn is_separator(c: char) -> bool {
    is_space(c) || matches!(c, '-' | '－' | '—' | '–' | '‐' | '.' | '．' | '·')
}

/// A character that glues digits into a word, code or URL, where they are not personal data.
fn is_glue(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_/=?&#%@＠".contains(c)
}

/// Byte spans of numbers in runs of digit groups joined by single separators.
fn digit_spans(text: &str) -> Vec<(usize, usize, PersonalData)> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let ch = |k: usize| chars.get(k).map(|c| c.1);
    let byte = |k: usize| chars.get(k).map_or(text.len(), |c| c.0);
    let mut spans = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if digit(chars[i].1).is_none() {
            i += 1;
            continue;
        }
        // groups: (first char index, end char index, digits as ASCII, last may be 'X')
        let mut groups: Vec<(usize, usize, String)> = Vec::new();
        let mut j = i;
        loop {
            let (from, mut digits) = (j, String::new());
            while let Some(d) = ch(j).and_then(digit) {
                digits.push(d);
                j += 1;
            }
            let x = ch(j).is_some_and(|c| "XxＸｘ".contains(c));
            if x && !ch(j + 1).is_some_and(|c| c.is_ascii_alphanumeric()) {
                digits.push('X');
                j += 1;
                groups.push((from, j, digits));
                break;
            }
            groups.push((from, j, digits));
            match (ch(j), ch(j + 1).and_then(digit)) {
                (Some(s), Some(_)) if is_separator(s) => j += 1,
                _ => break,
            }
        }
        let plus = i > 0 && matches!(ch(i - 1), Some('+' | '＋'));
        // Groups a..b may stand alone: cut only at spaces, and not glued to a word or URL.
        let alone = |a: usize, b: usize| {
            let from = if a == 0 && plus { i - 1 } else { groups[a].0 };
            let cut = |k: usize| k == 0 || k == groups.len() || is_space(chars[groups[k].0 - 1].1);
            let glued = from.checked_sub(1).and_then(ch).is_some_and(is_glue) || ch(groups[b - 1].1).is_some_and(is_glue);
            (cut(a) && cut(b) && !glued).then_some(from)
        };
        let mut a = 0;
        while a < groups.len() {
            let found = (a + 1..=groups.len()).rev().find_map(|b| {
                let from = alone(a, b)?;
                classify(&groups[a..b]).map(|kind| (from, b, kind))
            });
            let Some((from, b, kind)) = found else {
                a += 1;
                continue;
            };
            spans.push((byte(from), byte(groups[b - 1].1), kind));
            a = b;
        }
        i = j;
    }
    spans
}

/// What a run of digit groups is, if personal data.
fn classify(groups: &[(usize, usize, String)]) -> Option<PersonalData> {
    let (_, init) = groups.split_last()?;
    let short = |k: usize, g: &str| g.len() < 3 && !(k == 0 && g == "86");
    if init.iter().enumerate().any(|(k, g)| short(k, &g.2)) {
        return None;
    }
    let s: String = groups.iter().map(|g| g.2.as_str()).collect();
    let national = [s.strip_prefix("0086"), s.strip_prefix("86")];
    if is_mobile(&s) || national.into_iter().flatten().any(is_mobile) {
        return Some(PersonalData::Mobile);
    }
    if is_id_card(&s) {
        return Some(PersonalData::IdCard);
    }
    let four = init.iter().all(|g| g.2.len() == 4);
    let card = (16..=19).contains(&s.len()) && !s.ends_with('X') && four;
    card.then_some(PersonalData::BankCard)
}

fn is_mobile(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 11 && b.iter().all(u8::is_ascii_digit) && b[0] == b'1' && (b'3'..=b'9').contains(&b[1])
}

/// 17 digits and a digit or X, with a plausible date of birth (YYYYMMDD at positions 7–14).
fn is_id_card(s: &str) -> bool {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap_or(0);
    b.len() == 18
        && b[..17].iter().all(u8::is_ascii_digit)
        && (b[17].is_ascii_digit() || b[17] == b'X')
        && (1900..=2099).contains(&num(6..10))
        && (1..=12).contains(&num(10..12))
        && (1..=31).contains(&num(12..14))
}

#[cfg(test)]
mod tests {
    use super::PersonalData::*;
    use super::*;

    fn masked(text: &str) -> String {
        mask(text).text
    }

    #[test]
    fn masks_mobile_numbers() {
        assert_eq!(masked("电话13812345678。"), "电话【手机号】。");
        assert_eq!(masked("电话１３８１２３４５６７８"), "电话【手机号】");
        assert_eq!(masked("打 138 1234 5678 或 138-1234-5678"), "打 【手机号】 或 【手机号】");
        assert_eq!(masked("call 139．1234．5678"), "call 【手机号】");
        assert_eq!(masked("拨+86 138 1234 5678！"), "拨【手机号】！");
        assert_eq!(masked("0086-13812345678 或 8613812345678"), "【手机号】 或 【手机号】");
        assert_eq!(masked("2022-03-05 13812345678"), "2022-03-05 【手机号】");
    }

    #[test]
    fn masks_id_cards() {
        assert_eq!(masked("身份证110105199003071234"), "身份证【身份证号】");
        assert_eq!(masked("身份证11010519900307123X号"), "身份证【身份证号】号");
        assert_eq!(masked("１１０１０５１９９００３０７１２３Ｘ"), "【身份证号】");
        assert_eq!(masked("110105 19900307 123x"), "【身份证号】");
    }

    #[test]
    fn masks_bank_cards() {
        assert_eq!(masked("转账到6222020200001234567"), "转账到【银行卡号】");
        assert_eq!(masked("卡号6222 0202 0000 1234 567。"), "卡号【银行卡号】。");
        assert_eq!(masked("６２２２－０２０２－０００１－２３４５"), "【银行卡号】");
        assert_eq!(masked("4111111111111112"), "【银行卡号】"); // fails Luhn: still masked
    }

    #[test]
    fn masks_email_addresses() {
        assert_eq!(masked("邮箱zhang.san@qq.com。"), "邮箱【邮箱】。");
        assert_eq!(masked("ｚｈａｎｇ＠ｑｑ．ｃｏｍ"), "【邮箱】");
        assert_eq!(masked("写信 li-si+x@mail.example.com.cn 吧"), "写信 【邮箱】 吧");
    }

    #[test]
    fn masks_wechat_ids() {
        assert_eq!(masked("加微信zhangsan_88"), "加微信【微信号】");
        assert_eq!(masked("微信号：ｚｈａｎｇｓａｎ８８"), "微信号：【微信号】");
        assert_eq!(masked("vx: abc-def_1，V信是Wxid123"), "vx: 【微信号】，V信是【微信号】");
        assert_eq!(masked("威信 13812345678 薇信13812345678"), "威信 【手机号】 薇信【手机号】");
        assert_eq!(masked("wx138-1234-5678"), "wx【手机号】");
        assert_eq!(masked("wwx zhangsan_88、威信 _abcdefg"), "wwx zhangsan_88、威信 _abcdefg");
    }

    #[test]
    fn leaves_ordinary_text_alone() {
        for text in [
            "2022年3月5日、2022-03-05、20220305、2022.03.05 08:30:00",
            "罚款5000元，共1,000,000元，上涨12.5%，2022 年 100 人",
            "热线12345、110、12315，报警 110 119 120 12345 12315",
            "依据刑法第二百九十一条之一，1949年至2023年",
            "加入微信群，看微信聊天记录，关注微信公众号",
            "详见 https://mp.weixin.qq.com/s/12345678901234567?id=13812345678 ",
            "编号abc13812345678、v1.2.3、3.1415926535897932",
            "😀 谣言！\n别信。",
        ] {
            assert_eq!(mask(text), Masked { text: text.into(), found: vec![] }, "{text}");
        }
    }

    #[test]
    fn reports_found_kinds_in_order() {
        let m = mask("a@b.cn 13812345678 微信 zhangsan_88 110105199003071234 6222020200001234567");
        assert_eq!(m.found, [Email, Mobile, WechatId, IdCard, BankCard]);
    }

    #[test]
    fn masks_a_whole_forward() {
        let text = "紧急通知：从今晚8点开始全国清查，联系人张三 电话138 1234 5678，微信 zhangsan_88，\
                    转账到6222020200001234567！！😱\n速转";
        let m = mask(text);
        assert_eq!(
            m.text,
            "紧急通知：从今晚8点开始全国清查，联系人张三 电话【手机号】，微信 【微信号】，\
             转账到【银行卡号】！！😱\n速转"
        );
        assert_eq!(m.found, [Mobile, WechatId, BankCard]);
    }
}
