//! Turning normalized text into the two kinds of terms piyao indexes and matches on:
//! character bigrams (robust to typos and re-typing) and jieba words (robust to reordering).

use std::sync::LazyLock;

use jieba_rs::{Jieba, TokenizeMode};

use super::normalize::{Normalized, is_han};

/// A term with its `[start, end)` position in the normalized characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// Longest Latin/digit word kept as one term; longer runs (hashes, URLs) are cut.
const MAX_WORD_CHARS: usize = 24;

/// Han bigrams plus whole Latin/digit words.
///
/// Bigrams bridge separators (`封.群` still yields `封群`) because forwards break words with
/// inserted punctuation and emoji; a Latin/digit word ends the Han run. A Han character with no
/// Han neighbour becomes a one-character term so that it is not lost.
pub fn grams(n: &Normalized) -> Vec<Term> {
    let mut out = Vec::with_capacity(n.chars.len());
    let mut prev_han: Option<usize> = None;
    let mut run_len = 0usize;
    let mut i = 0;
    while i < n.chars.len() {
        let c = n.chars[i];
        if is_han(c) {
            if let Some(p) = prev_han {
                out.push(Term { text: [n.chars[p], c].iter().collect(), start: p, end: i + 1 });
            }
            prev_han = Some(i);
            run_len += 1;
            i += 1;
        } else if c == ' ' {
            i += 1;
        } else {
            close_run(n, prev_han, run_len, &mut out);
            prev_han = None;
            run_len = 0;
            let (word, next) = latin_word(n, i);
            out.push(word);
            i = next;
        }
    }
    close_run(n, prev_han, run_len, &mut out);
    out
}

/// The Latin/digit word starting at `start` (cut to `MAX_WORD_CHARS`), and where the run ends.
fn latin_word(n: &Normalized, start: usize) -> (Term, usize) {
    let mut i = start;
    while i < n.chars.len() && n.chars[i] != ' ' && !is_han(n.chars[i]) {
        i += 1;
    }
    let end = i.min(start + MAX_WORD_CHARS);
    (Term { text: n.chars[start..end].iter().collect(), start, end }, i)
}

fn close_run(n: &Normalized, last: Option<usize>, run_len: usize, out: &mut Vec<Term>) {
    if let (Some(p), 1) = (last, run_len) {
        out.push(Term { text: n.chars[p].to_string(), start: p, end: p + 1 });
    }
}

/// Han characters one by one, plus Latin/digit words: the loosest evidence, for messages that
/// retell a claim in other words (没看过 / 未读 still share 读).
pub fn chars(n: &Normalized) -> Vec<Term> {
    let mut out = Vec::with_capacity(n.chars.len());
    let mut i = 0;
    while i < n.chars.len() {
        let c = n.chars[i];
        if is_han(c) {
            out.push(Term { text: c.to_string(), start: i, end: i + 1 });
            i += 1;
        } else if c == ' ' {
            i += 1;
        } else {
            let (word, next) = latin_word(n, i);
            out.push(word);
            i = next;
        }
    }
    out
}

static JIEBA: LazyLock<Jieba> = LazyLock::new(Jieba::new);

/// Load the jieba dictionary now rather than on the first request.
pub fn warm_up() {
    LazyLock::force(&JIEBA);
    let _ = super::normalize::normalize("預熱");
}

/// jieba words (search mode, so long words also yield their parts) of two or more characters,
/// plus Latin/digit words. Single Han characters are left to the bigram field.
pub fn words(n: &Normalized) -> Vec<Term> {
    let text = n.as_string();
    JIEBA
        .tokenize(&text, TokenizeMode::Search, true)
        .into_iter()
        .filter(|t| {
            let mut cs = t.word.chars();
            match (cs.next(), cs.next()) {
                (Some(c), None) => c.is_alphanumeric() && !is_han(c),
                (Some(_), Some(_)) => t.word.chars().all(|c| c.is_alphanumeric()),
                _ => false,
            }
        })
        .map(|t| Term { text: t.word.to_string(), start: t.start, end: t.end })
        .collect()
}

/// A word and its jieba part-of-speech tag (`ns` place, `nr` person, `v` verb …), from the
/// dictionary only (no HMM guessing), with its `[start, end)` position in `text`'s characters.
pub struct Tagged<'a> {
    pub word: &'a str,
    pub tag: &'a str,
    pub start: usize,
    pub end: usize,
}

/// Part-of-speech tags of `text`, with the same jieba instance the word terms use (one
/// dictionary in memory, loaded once by `warm_up`).
pub fn tag(text: &str) -> Vec<Tagged<'_>> {
    let mut pos = 0;
    JIEBA
        .tag(text, false)
        .into_iter()
        .map(|t| {
            let start = pos;
            pos += t.word.chars().count();
            Tagged { word: t.word, tag: t.tag, start, end: pos }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::normalize;

    fn gram_texts(s: &str) -> Vec<String> {
        grams(&normalize(s)).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn bigrams_bridge_punctuation() {
        assert_eq!(gram_texts("封.群"), vec!["封群"]);
        assert_eq!(gram_texts("清查封群"), vec!["清查", "查封", "封群"]);
    }

    #[test]
    fn latin_and_digits_are_words() {
        assert_eq!(gram_texts("今晚8点"), vec!["今晚", "8", "点"]);
        assert_eq!(gram_texts("qq群"), vec!["qq", "群"]);
    }

    #[test]
    fn words_skip_single_han_and_punctuation() {
        let w: Vec<String> = words(&normalize("从今晚8点开始全国清查！")).into_iter().map(|t| t.text).collect();
        assert!(w.contains(&"清查".to_string()), "{w:?}");
        assert!(w.contains(&"8".to_string()), "{w:?}");
        assert!(w.iter().all(|t| t != " " && t != "从"), "{w:?}");
    }
}
