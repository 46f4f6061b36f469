//! Key details of a text (places, dates, numbers, money, people, organisations) and where a
//! message fills a claim's template with other ones: the debunk is about 南京 and the message
//! about 苏州, 5月1日 against 9月1日, 500元 against 3600元. Such a message is not the debunked claim
//! (often it is the true notice the rumor was made from), so a conflicting match never decides
//! the verdict.
//!
//! A detail conflicts only when it fills the same slot: the claim's value is absent from the
//! message, the message's value is absent from the claim, and the two stand in the same context
//! (the same characters just before or just after). A long report that merely mentions other
//! places elsewhere does not conflict with anything.
//!
//! Places, people and organisations come from jieba's part-of-speech tags (dictionary only, no
//! HMM guessing); dates, numbers and money from a small scanner.

use serde::{Deserialize, Serialize};

/// The kind of a key detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DetailKind {
    Place,
    Date,
    Number,
    Money,
    Person,
    Org,
}

impl DetailKind {
    /// Found by part-of-speech tags (rather than by the numeric scanner)?
    fn is_named(self) -> bool {
        matches!(self, DetailKind::Place | DetailKind::Person | DetailKind::Org)
    }

    /// Chinese name, for "地点不同".
    pub fn label(self) -> &'static str {
        match self {
            DetailKind::Place => "地点",
            DetailKind::Date => "日期",
            DetailKind::Number => "数字",
            DetailKind::Money => "金额",
            DetailKind::Person => "人物",
            DetailKind::Org => "机构",
        }
    }
}

/// A key detail at `[start, end)` of normalized characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detail {
    pub kind: DetailKind,
    pub text: String,
    /// `text` in the form details are compared in (`canonical`), made once.
    pub key: String,
    pub start: usize,
    pub end: usize,
}

impl Detail {
    fn new(kind: DetailKind, text: String, start: usize, end: usize) -> Detail {
        Detail { kind, key: canonical(&text), text, start, end }
    }
}

/// A detail of the claim that the message fills with another value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub kind: DetailKind,
    pub claim: String,
    pub message: String,
    /// Where the message's value is, in normalized characters.
    pub start: usize,
    pub end: usize,
}

/// Characters of context compared on each side of a detail.
const CONTEXT: usize = 2;

/// The key details of a normalized text (separators as `' '`).
pub fn details(chars: &[char]) -> Vec<Detail> {
    let mut out = numeric(chars);
    out.extend(named(chars));
    out
}

/// Places, people and organisations, from jieba's part-of-speech tags.
fn named(chars: &[char]) -> Vec<Detail> {
    let mut out = Vec::new();
    let text: String = chars.iter().collect();
    let tagged = crate::text::tag(&text);
    for (i, t) in tagged.iter().enumerate() {
        let kind = match t.tag {
            "ns" => Some(DetailKind::Place),
            "nr" => Some(DetailKind::Person),
            "nt" | "nz" => Some(DetailKind::Org),
            _ => None,
        };
        if let Some(kind) = kind.filter(|_| t.end - t.start >= 2 && t.word.chars().all(crate::text::is_han)) {
            out.push(Detail::new(kind, t.word.to_string(), t.start, t.end));
        } else if let Some(first) = org_start(&tagged, i) {
            let name: String = tagged[first..=i].iter().map(|t| t.word).collect();
            out.push(Detail::new(DetailKind::Org, name, tagged[first].start, t.end));
        }
    }
    out
}

/// Is one name the other with a character dropped or added (省公安厅 / 省公厅: a slip of the
/// typist, not another institution)?
fn one_char_apart(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let (long, short) = if a.len() >= b.len() { (a, b) } else { (b, a) };
    if long.len() != short.len() + 1 || short.len() < 2 {
        return false;
    }
    let prefix = long.iter().zip(&short).take_while(|(x, y)| x == y).count();
    long[prefix + 1..] == short[prefix..]
}

/// Words that end the name of an institution: 国家金融监督管理**总局**, 教育**部**, 工商**银行**.
const ORG_HEADS: &[&str] =
    &["总局", "局", "部", "委", "委员会", "院", "银行", "中心", "公司", "集团", "署", "厅", "所", "支队", "大队", "办公室"];

/// When the word at `i` heads an institution's name that jieba split into plain nouns
/// (国家/金融/监督管理/总局), the index of the name's first word. A head is one of `ORG_HEADS`
/// as a word of its own, after other nouns, or a word of three or more characters ending in a
/// one-character head (教育部, 派出所; not 胸部 or 全部).
fn org_start(tagged: &[crate::text::Tagged], i: usize) -> Option<usize> {
    let noun = |t: &crate::text::Tagged| matches!(t.tag, "n" | "nt" | "ns" | "nz" | "vn") && t.word.chars().all(crate::text::is_han);
    let t = &tagged[i];
    if !noun(t) {
        return None;
    }
    let long_with_head = t.word.chars().count() >= 3 && ORG_HEADS.iter().any(|h| h.chars().count() == 1 && t.word.ends_with(h));
    let mut first = i;
    if ORG_HEADS.contains(&t.word) {
        while first > 0 && noun(&tagged[first - 1]) {
            first -= 1;
        }
    }
    let chars: usize = tagged[first..=i].iter().map(|t| t.end - t.start).sum();
    ((first < i || long_with_head) && chars >= 3).then_some(first)
}

/// A message's details, found only as far as a claim needs them. Most messages that carry a
/// claim carry its details verbatim, and then nothing needs to be found at all; part-of-speech
/// tagging the whole message happens only when a named detail of the claim is missing from it.
pub struct MessageDetails<'a> {
    chars: &'a [char],
    /// The message without separators.
    compact: &'a str,
    /// `compact` in the form details are compared in (`canonical`), made when first needed.
    canonical: Option<String>,
    numeric: Option<Vec<Detail>>,
    named: Option<Vec<Detail>>,
}

impl<'a> MessageDetails<'a> {
    /// `chars` are the normalized message (separators as `' '`), `compact` the same without them.
    pub fn new(chars: &'a [char], compact: &'a str) -> MessageDetails<'a> {
        MessageDetails { chars, compact, canonical: None, numeric: None, named: None }
    }

    /// Details of the claim (its normalized text and details) that the message fills with
    /// another value in the same slot.
    pub fn conflicts_with(&mut self, claim: &[char], claim_details: &[Detail]) -> Vec<Conflict> {
        let compact = self.canonical.get_or_insert_with(|| canonical(self.compact));
        let missing: Vec<&Detail> = claim_details.iter().filter(|c| !compact.contains(&c.key)).collect();
        if missing.is_empty() {
            return Vec::new();
        }
        let chars = self.chars;
        if missing.iter().any(|c| !c.kind.is_named()) {
            self.numeric.get_or_insert_with(|| numeric(chars));
        }
        if missing.iter().any(|c| c.kind.is_named()) {
            self.named.get_or_insert_with(|| named(chars));
        }
        let found: Vec<&Detail> = self.numeric.iter().chain(&self.named).flatten().collect();
        conflicts(claim, claim_details, &missing, chars, &found)
    }

    /// Does the message state a date, an amount, a number, a place, a person or an organisation
    /// that the claim's text does not have (例如密码是5678, 每孩每年5000元, 今晚10点, 德国已经决定…)?
    /// Such a message is no longer the same text, even when nothing it says contradicts the claim.
    pub fn adds_to(&mut self, claim: &[char]) -> bool {
        let claim_text = canonical(&claim.iter().filter(|c| **c != ' ').collect::<String>());
        let chars = self.chars;
        let new = |d: &Detail| !claim_text.contains(&d.key);
        self.numeric.get_or_insert_with(|| numeric(chars)).iter().any(new) || self.named.get_or_insert_with(|| named(chars)).iter().any(new)
    }
}

/// Details of `claim` missing from the message that the message fills with another value in
/// the same slot.
fn conflicts(
    claim: &[char],
    claim_details: &[Detail],
    missing: &[&Detail],
    message: &[char],
    message_details: &[&Detail],
) -> Vec<Conflict> {
    let claim_text = canonical(&claim.iter().filter(|c| **c != ' ').collect::<String>());
    let mut out: Vec<Conflict> = Vec::new();
    for c in missing {
        // another value: not in the claim, and not the same one said more or less precisely
        // (9月 / 9月15日)
        let other = |m: &&&Detail| {
            m.kind == c.kind
                && !claim_text.contains(&m.key)
                && !c.key.contains(&m.key)
                && !m.key.contains(&c.key)
                && !one_char_apart(&c.key, &m.key)
        };
        let others: Vec<&&Detail> = message_details.iter().filter(other).collect();
        let in_slot = others.iter().find(|m| same_slot(claim, c.start, c.end, message, m.start, m.end));
        // the claim's only date (or amount) against the message's only other one, wherever they
        // stand: "9月15日起开征" retold as "10月1日正式实施，从这天起开征"
        let only_one = |k: DetailKind| claim_details.iter().filter(|d| d.kind == k).count() == 1 && others.len() == 1;
        let found = in_slot.or_else(|| (matches!(c.kind, DetailKind::Date | DetailKind::Money) && only_one(c.kind)).then(|| &others[0]));
        if let Some(m) = found
            && !out.iter().any(|o| o.kind == c.kind && o.claim == c.text)
        {
            out.push(Conflict { kind: c.kind, claim: c.text.clone(), message: m.text.clone(), start: m.start, end: m.end });
        }
    }
    out
}

/// Do two values stand in the same context: the same two characters just before, or just after?
fn same_slot(a: &[char], a_start: usize, a_end: usize, b: &[char], b_start: usize, b_end: usize) -> bool {
    let before = |t: &[char], s: usize| -> Vec<char> {
        let mut v: Vec<char> = t[..s].iter().rev().filter(|c| **c != ' ').take(CONTEXT).copied().collect();
        v.reverse();
        v
    };
    let after = |t: &[char], e: usize| -> Vec<char> { t[e..].iter().filter(|c| **c != ' ').take(CONTEXT).copied().collect() };
    let (ab, bb) = (before(a, a_start), before(b, b_start));
    let (aa, ba) = (after(a, a_end), after(b, b_end));
    // both open their text: the same slot (郑州大石桥河畔花园小区 / 洛阳金水湾花园小区)
    let both_open = ab.is_empty() && bb.is_empty();
    both_open
        || (ab.len() == CONTEXT && ab == bb)
        || (aa.len() == CONTEXT && aa == ba)
        || (!ab.is_empty() && ab.last() == bb.last() && !aa.is_empty() && aa.first() == ba.first())
}

/// Measure words after a count (七岁, 三天, 两针, 六辆).
const MEASURES: &str = "个岁天秒倍针辆人次名位家条只件分周小斤公米克层户所台元块";

fn is_cn_numeral(c: char) -> bool {
    "零〇一二三四五六七八九十百千两".contains(c)
}

/// Dates and clock times, money, and other numbers (ASCII digits, or Chinese numerals in a date
/// or an amount of money); festivals and lunar months count as dates.
fn numeric(chars: &[char]) -> Vec<Detail> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if !(c.is_ascii_digit() || is_cn_numeral(c)) {
            i += 1;
            continue;
        }
        let start = i;
        let mut end = i;
        let mut kind: Option<DetailKind> = None;
        let mut has_digit = false;
        // a run of numbers and units: 2022年7月18日, 8点, 500元, 3.5万元
        loop {
            let run_start = end;
            while end < chars.len() && (chars[end].is_ascii_digit() || is_cn_numeral(chars[end]) || (chars[end] == '.' && end > run_start))
            {
                has_digit |= chars[end].is_ascii_digit();
                end += 1;
            }
            if end == run_start {
                break;
            }
            if let Some(after) = decimal_part(chars, end) {
                end = after;
            }
            while end < chars.len() && matches!(chars[end], '万' | '亿') {
                end += 1;
            }
            match chars.get(end) {
                Some('年' | '月' | '日' | '号' | '点' | '时') => {
                    kind = Some(DetailKind::Date);
                    end += 1;
                }
                Some('元' | '块') => {
                    kind = Some(DetailKind::Money);
                    end += 1;
                    break;
                }
                Some('美' | '港' | '欧') if chars.get(end + 1) == Some(&'元') => {
                    kind = Some(DetailKind::Money);
                    end += 2;
                    break;
                }
                Some(c) if kind.is_none() && (has_digit || MEASURES.contains(*c) || matches!(c, '多' | '余')) => {
                    // 3个, 七岁, 一百多个: a count; the measure word is part of the value
                    let mut e = end;
                    if matches!(chars[e], '多' | '余') {
                        e += 1;
                    }
                    if chars.get(e).is_some_and(|c| MEASURES.contains(*c)) {
                        e += 1;
                    } else if !has_digit {
                        break;
                    }
                    kind = Some(DetailKind::Number);
                    end = e;
                    break;
                }
                _ => {
                    if kind.is_none() && has_digit {
                        kind = Some(DetailKind::Number);
                    }
                    break;
                }
            }
            if !chars.get(end).is_some_and(|c| c.is_ascii_digit() || is_cn_numeral(*c)) {
                break;
            }
        }
        if let Some(kind) = kind {
            // a decimal point was normalized to a separator: show it as a point again
            out.push(Detail::new(kind, chars[start..end].iter().map(|c| if *c == ' ' { '.' } else { *c }).collect(), start, end));
        }
        i = end.max(start + 1);
    }
    out.extend(festivals(chars));
    out
}

/// The form in which two details are compared: Chinese numerals as digits (九月十五号 → 9月15日),
/// 号 as 日, no decimal point (normalization may have turned it into a separator).
fn canonical(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if is_cn_numeral(chars[i]) {
            let run: Vec<char> = chars[i..].iter().take_while(|c| is_cn_numeral(**c)).copied().collect();
            out.push_str(&cn_number(&run));
            i += run.len();
            continue;
        }
        match chars[i] {
            '号' => out.push('日'),
            '.' => {}
            c => out.push(c),
        }
        i += 1;
    }
    out
}

/// Digits for a run of Chinese numerals: 二十四 → 24, 两 → 2, 二〇二五 → 2025.
fn cn_number(run: &[char]) -> String {
    let digit = |c: char| {
        "零一二三四五六七八九".chars().position(|d| d == c).or(match c {
            '〇' => Some(0),
            '两' => Some(2),
            _ => None,
        })
    };
    if !run.iter().any(|c| matches!(c, '十' | '百' | '千')) {
        return run.iter().filter_map(|c| digit(*c)).map(|d| char::from(b'0' + d as u8)).collect();
    }
    let (mut total, mut current) = (0u64, 0u64);
    for &c in run {
        let unit = match c {
            '十' => 10,
            '百' => 100,
            '千' => 1000,
            _ => {
                current = digit(c).unwrap_or(0) as u64;
                continue;
            }
        };
        total += current.max(1) * unit;
        current = 0;
    }
    (total + current).to_string()
}

/// Normalization turns a decimal point into a separator (1.05亿美元 → "1 05亿美元"). A separator
/// between ASCII digits whose second run is followed by a unit of magnitude, money or share is
/// read as that point: returns the end of the fraction.
fn decimal_part(chars: &[char], end: usize) -> Option<usize> {
    if chars.get(end) != Some(&' ') || !end.checked_sub(1).is_some_and(|p| chars[p].is_ascii_digit()) {
        return None;
    }
    let digits = chars[end + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
    let after = end + 1 + digits;
    (digits > 0 && chars.get(after).is_some_and(|c| "万亿元块美%倍".contains(*c))).then_some(after)
}

/// Festivals and lunar months name a date as surely as 9月1日 does (八月十五中秋节 / 正月十五元宵节).
#[rustfmt::skip]
const FESTIVALS: &[&str] = &[
    "元旦", "春节", "除夕", "元宵节", "清明节", "劳动节", "端午节", "七夕", "中秋节", "重阳节", "国庆节", "腊八",
    "正月", "腊月", "冬月", "寒假", "暑假",
];

fn festivals(chars: &[char]) -> Vec<Detail> {
    let mut out = Vec::new();
    for f in FESTIVALS {
        let n = f.chars().count();
        for s in 0..chars.len().saturating_sub(n - 1) {
            if f.chars().zip(&chars[s..s + n]).all(|(a, b)| a == *b) {
                out.push(Detail::new(DetailKind::Date, f.to_string(), s, s + n));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    fn found(claim: &str, message: &str) -> Vec<(DetailKind, String, String)> {
        let (c, m) = (chars(claim), chars(message));
        let compact: String = m.iter().filter(|ch| **ch != ' ').collect();
        MessageDetails::new(&m, &compact).conflicts_with(&c, &details(&c)).into_iter().map(|x| (x.kind, x.claim, x.message)).collect()
    }

    #[test]
    fn scans_dates_money_and_numbers() {
        let d = numeric(&chars("2022年7月18日起 每人补贴500元 共3 5个万人 今晚8点"));
        let got: Vec<(DetailKind, &str)> = d.iter().map(|x| (x.kind, x.text.as_str())).collect();
        assert_eq!(
            got,
            vec![
                (DetailKind::Date, "2022年7月18日"),
                (DetailKind::Money, "500元"),
                (DetailKind::Number, "3"),
                (DetailKind::Number, "5个"),
                (DetailKind::Date, "8点")
            ]
        );
        // Chinese numerals only as dates or money, never inside words like 一律
        let got: Vec<String> = numeric(&chars("一律封号 五月一日起 三千元")).into_iter().map(|x| x.text).collect();
        assert_eq!(got, vec!["五月一日", "三千元"]);
    }

    #[test]
    fn another_place_date_or_amount_in_the_same_slot_conflicts() {
        assert_eq!(found("南京地铁明天停运", "苏州地铁明天停运"), vec![(DetailKind::Place, "南京".into(), "苏州".into())]);
        assert_eq!(found("5月1日起全面停止收费", "9月1日起全面停止收费"), vec![(DetailKind::Date, "5月1日".into(), "9月1日".into())]);
        assert_eq!(found("每人补贴500元 马上领取", "每人补贴3600元 马上领取"), vec![(DetailKind::Money, "500元".into(), "3600元".into())]);
    }

    #[test]
    fn decimals_festivals_and_the_opening_word_are_details_too() {
        // "1.05亿美元" after normalization
        assert_eq!(
            found("判赔偿病人1 05亿美元 他让病人", "判赔偿病人2 3亿美元 他让病人"),
            vec![(DetailKind::Money, "1.05亿美元".into(), "2.3亿美元".into())]
        );
        assert!(found("判赔偿病人1 05亿美元", "判赔偿病人1.05亿美元").is_empty());
        let festival = found("从明日起一直到八月十五中秋节 不要打开", "从明日起一直到正月十五元宵节 不要打开");
        assert!(festival.contains(&(DetailKind::Date, "中秋节".into(), "元宵节".into())), "{festival:?}");
        assert_eq!(found("南京地铁明天停运", "苏州地铁明天停运"), vec![(DetailKind::Place, "南京".into(), "苏州".into())]);
    }

    #[test]
    fn the_only_date_against_the_only_other_date_conflicts_wherever_it_stands() {
        assert_eq!(
            found("9月15日起全国开征房东税 出租房子的都要交", "住房租赁条例10月1日正式实施 从这天起全国开征房东税"),
            vec![(DetailKind::Date, "9月15日".into(), "10月1日".into())]
        );
        // two dates in the message: no telling which one retells the claim's
        assert!(found("9月15日起全国开征房东税", "条例8月1日公布 10月1日施行 全国开征房东税").is_empty());
        assert_eq!(
            found("郑州大石桥河畔花园小区 一个妇女把小孩迷晕", "洛阳金水湾花园小区 一个妇女把小孩迷晕"),
            vec![(DetailKind::Place, "郑州".into(), "洛阳".into())]
        );
    }

    #[test]
    fn the_same_value_written_otherwise_is_no_conflict() {
        assert_eq!(canonical("九月十五号"), "9月15日");
        assert_eq!(canonical("二十四个小时"), "24个小时");
        assert_eq!(canonical("二〇二五年"), "2025年");
        assert!(found("9月15日起全国开征房东税", "听说9月15号起家里有房出租的得交房东税").is_empty());
        assert!(found("9月15日起全国开征房东税", "条例九月中旬就开始执行 全国开征房东税").is_empty());
        assert!(found("凌晨2点以后还在外面", "晚上两点以后还在外面").is_empty());
    }

    #[test]
    fn institutions_that_jieba_splits_into_nouns_are_found() {
        let orgs =
            |s: &str| -> Vec<String> { named(&chars(s)).into_iter().filter(|d| d.kind == DetailKind::Org).map(|d| d.text).collect() };
        assert_eq!(orgs("国家金融监督管理总局官网刚发布风险提示"), vec!["国家金融监督管理总局"]);
        assert_eq!(orgs("教育部发文放宽小学入学年龄"), vec!["教育部"]);
        assert!(orgs("女性胸部发现肿块 全部都要检查").is_empty());
        assert!(orgs("去银行取钱").is_empty());
        assert!(one_char_apart("省公安厅", "省公厅") && one_char_apart("数人民币银行", "数字人民币银行"));
        assert!(!one_char_apart("南京", "苏州") && !one_char_apart("公安部", "公安部门口"));
        let m = chars("国家金融监督管理总局官网刚发布 对全国地区各大银行展开个人储蓄用户排查业务");
        let compact: String = m.iter().filter(|ch| **ch != ' ').collect();
        assert!(MessageDetails::new(&m, &compact).adds_to(&chars("对全国地区各大银行展开个人储蓄用户排查业务")));
    }

    #[test]
    fn a_message_that_adds_a_date_or_an_amount_is_not_the_same_text() {
        let adds = |claim: &str, message: &str| {
            let m = chars(message);
            let compact: String = m.iter().filter(|ch| **ch != ' ').collect();
            MessageDetails::new(&m, &compact).adds_to(&chars(claim))
        };
        assert!(adds("醉驾不一定判刑了 酒驾放宽了", "1月18日起醉驾不一定判刑了 酒驾放宽了"));
        assert!(adds("国家育儿补贴开始发放 请家长点击链接限时申领", "国家育儿补贴开始发放 每孩每年5000元 请家长点击链接"));
        assert!(!adds("从今晚8点开始全国清查 不删聊天记录封群封号", "紧急 从今晚8点开始全国清查 不删聊天记录封群封号 收到请转发"));
        assert!(adds("微波炉尽早停止使用 或加速甲状腺结节恶化", "微波炉尽早停止使用 或加速甲状腺结节恶化 德国已经决定销毁全国的微波炉"));
    }

    #[test]
    fn the_same_details_or_other_details_elsewhere_do_not_conflict() {
        assert!(found("南京地铁明天停运", "转发 南京地铁明天停运 扩散").is_empty());
        // a report that mentions another city in another context
        assert!(found("南京地铁明天停运", "南京地铁明天停运的消息在苏州也有人转").is_empty());
        assert!(found("今晚8点开始全国清查", "今晚开始全国清查").is_empty());
    }
}
