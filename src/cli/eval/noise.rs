//! What group chats do to a rumor, as deterministic text transformations: used by the robustness
//! tests and by `piyao eval --noise` to measure matching on forwards that are not the corpus text.

use std::sync::LazyLock;

use ferrous_opencc::{OpenCC, config::BuiltinConfig};

/// One kind of damage a forward suffers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Noise {
    /// Re-typing: dropped characters and common homophone slips (的/地, 在/再, 已/以 …).
    Typos,
    /// Only the first 60–85% survives (cut off by a length limit or a lazy copy).
    Truncated,
    /// Wrapped in 转发 / 【紧急通知】 / 不转不是中国人 and the like.
    Wrapped,
    /// Emoji and chat emoji tags sprinkled in.
    Emoji,
    /// Converted to Traditional characters.
    Traditional,
    /// Full-width digits, letters and punctuation.
    FullWidth,
    /// Evasive spellings: V信, yi情, zf, and punctuation inside words (封.群).
    Evasive,
}

impl Noise {
    pub const ALL: [Noise; 7] =
        [Noise::Typos, Noise::Truncated, Noise::Wrapped, Noise::Emoji, Noise::Traditional, Noise::FullWidth, Noise::Evasive];

    pub fn name(self) -> &'static str {
        match self {
            Noise::Typos => "typos",
            Noise::Truncated => "truncated",
            Noise::Wrapped => "wrapped",
            Noise::Emoji => "emoji",
            Noise::Traditional => "traditional",
            Noise::FullWidth => "full-width",
            Noise::Evasive => "evasive",
        }
    }
}

/// A small deterministic generator (SplitMix64), so generated tests are reproducible.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }
}

#[rustfmt::skip]
const HOMOPHONES: &[(char, char)] = &[
    ('的', '地'), ('地', '的'), ('得', '的'), ('在', '再'), ('再', '在'), ('已', '以'), ('以', '已'), ('做', '作'),
    ('那', '哪'), ('他', '她'), ('象', '像'), ('即', '既'), ('帐', '账'), ('账', '帐'), ('清', '青'), ('查', '察'),
    ('请', '清'), ('转', '传'), ('号', '好'), ('群', '裙'), ('要', '耀'), ('是', '事'), ('会', '汇'), ('发', '法'),
];
const WRAPPERS: &[(&str, &str)] = &[
    ("转发：", ""),
    ("【紧急通知】", ""),
    ("", "不转不是中国人！"),
    ("", "收到请转发，互相转告！"),
    ("震惊！", "赶紧告诉家人"),
    ("家人们注意了👇👇", ""),
    ("转自朋友圈：", "（真假自辨）"),
    ("重要的事情说三遍！", "扩散！"),
];
const EMOJI: &[&str] = &["🙏", "🔥", "😱", "❗❗", "[捂脸]", "[强]", "👇", "‼️", "[玫瑰]", "🈲"];
const EVASIONS: &[(&str, &str)] = &[("微信", "V信"), ("疫情", "yi情"), ("政府", "zf"), ("警察", "jc"), ("抖音", "d音"), ("新冠", "xin冠")];

static S2T: LazyLock<OpenCC> = LazyLock::new(|| OpenCC::from_config(BuiltinConfig::S2t).expect("embedded OpenCC s2t config loads"));

/// Apply the given kinds of noise, in order, with a seeded generator.
pub fn apply(text: &str, kinds: &[Noise], rng: &mut Rng) -> String {
    kinds.iter().fold(text.to_string(), |t, k| apply_one(&t, *k, rng))
}

fn apply_one(text: &str, kind: Noise, rng: &mut Rng) -> String {
    let chars: Vec<char> = text.chars().collect();
    match kind {
        Noise::Typos => {
            let mut out = String::with_capacity(text.len());
            for &c in &chars {
                if crate::text::is_han(c) && rng.chance(4) {
                    continue;
                }
                match HOMOPHONES.iter().find(|(a, _)| *a == c) {
                    Some((_, b)) if rng.chance(40) => out.push(*b),
                    _ => out.push(c),
                }
            }
            out
        }
        Noise::Truncated => {
            let keep = chars.len() * (60 + rng.below(26)) / 100;
            chars[..keep.max(8).min(chars.len())].iter().collect()
        }
        Noise::Wrapped => {
            let (pre, post) = WRAPPERS[rng.below(WRAPPERS.len())];
            format!("{pre}{text}{post}")
        }
        Noise::Emoji => {
            let mut out = chars.clone();
            for _ in 0..3 + rng.below(4) {
                let at = rng.below(out.len() + 1);
                let e: Vec<char> = EMOJI[rng.below(EMOJI.len())].chars().collect();
                out.splice(at..at, e);
            }
            out.into_iter().collect()
        }
        Noise::Traditional => S2T.convert(text),
        Noise::FullWidth => chars
            .iter()
            .map(|&c| match c {
                '!'..='~' => char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap_or(c),
                ' ' => '\u{3000}',
                _ => c,
            })
            .collect(),
        Noise::Evasive => {
            let mut t = text.to_string();
            for (plain, evasive) in EVASIONS {
                t = t.replace(plain, evasive);
            }
            // punctuation inside words, as people do to slip past filters: 封.群
            let mut out = String::with_capacity(t.len() + 16);
            let mut since = 0;
            for c in t.chars() {
                out.push(c);
                since += 1;
                if crate::text::is_han(c) && since > 6 && rng.chance(20) {
                    out.push(['.', '·', '*', ' '][rng.below(4)]);
                    since = 0;
                }
            }
            out
        }
    }
}

/// 2 to 4 distinct kinds, in a random order.
pub fn random_kinds(rng: &mut Rng) -> Vec<Noise> {
    let n = 2 + rng.below(3);
    let mut pool = Noise::ALL.to_vec();
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(pool.remove(rng.below(pool.len())));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_visible() {
        let t = "从今晚8点开始全国清查，不删聊天记录封群封号，微信群收到请转发";
        for k in Noise::ALL {
            let a = apply(t, &[k], &mut Rng::new(7));
            let b = apply(t, &[k], &mut Rng::new(7));
            assert_eq!(a, b, "{}", k.name());
            assert_ne!(a, t, "{} changed nothing", k.name());
        }
    }
}
