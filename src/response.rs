//! The answer to a check, exactly as the JSON API returns it (`POST /api/v1/check`). Bot authors
//! and evaluation tools rely on these names: add fields, never rename or remove one.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::corpus::{Rating, Source};
use crate::matcher::{DetailKind, Level, Span, Stance};

/// The verdict on a message: a claim rating, or `unknown` when nothing in the corpus matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    False,
    Misleading,
    True,
    Unproven,
    Unknown,
}

impl Verdict {
    pub fn from_rating(r: Rating) -> Verdict {
        match r {
            Rating::False => Verdict::False,
            Rating::Misleading => Verdict::Misleading,
            Rating::True => Verdict::True,
            Rating::Unproven => Verdict::Unproven,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::False => "false",
            Verdict::Misleading => "misleading",
            Verdict::True => "true",
            Verdict::Unproven => "unproven",
            Verdict::Unknown => "unknown",
        }
    }

    /// Chinese label: 谣言 / 误导 / 属实 / 存疑 / 未收录.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::False => "谣言",
            Verdict::Misleading => "误导",
            Verdict::True => "属实",
            Verdict::Unproven => "存疑",
            Verdict::Unknown => "未收录",
        }
    }
}

/// Response of `POST /api/v1/check`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CheckResponse {
    pub verdict: Verdict,
    /// Chinese label of the verdict.
    pub label: String,
    /// How sure the verdict is (0..1): the best match's score when a claim decides the verdict,
    /// otherwise 1 minus the best score (how sure we are that no known claim matches).
    pub confidence: f32,
    /// Matches at level `related` or better, best first, at most `limit`.
    pub matches: Vec<Match>,
    /// What the message does with the claim that decides the verdict: `repeats` it, `refutes` it
    /// (a forwarded debunk) or `asks` whether it is true; null when the verdict is `unknown`.
    /// The verdict stays the claim's rating either way.
    #[serde(default)]
    pub stance: Option<Stance>,
    /// The message cut into parts, each with the claim it matches (null for none).
    pub segments: Vec<Segment>,
    /// Time spent checking, in milliseconds.
    pub took_ms: f64,
    /// This check's id, for `POST /api/v1/feedback` and `GET /api/v1/checks/{check_id}`; null
    /// when the server records no checks (`--no-record`, or its database is unusable).
    #[serde(default)]
    pub check_id: Option<String>,
}

/// Response of `POST /api/v1/check/image`: the check of the text read from the picture, and
/// what was read (highlights and segments refer to `ocr.text`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ImageCheckResponse {
    #[serde(flatten)]
    pub check: CheckResponse,
    pub ocr: crate::ocr::OcrText,
}

/// One claim that matches the message.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Match {
    pub claim_id: String,
    pub title: String,
    pub rating: Rating,
    /// Chinese label of the rating.
    pub label: String,
    pub level: Level,
    /// Calibrated similarity, 0..1, comparable across messages.
    pub score: f32,
    /// The variant of the claim that matched best.
    pub matched_text: String,
    /// What is actually true.
    pub summary: String,
    #[serde(default)]
    pub explanation: Option<String>,
    /// The debunk to read: the first source with a URL (null when none was verified).
    pub url: Option<String>,
    /// This claim's page on piyao, relative to the site root.
    pub permalink: String,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub published: Option<String>,
    pub sources: Vec<Source>,
    pub regulations: Vec<ArticleRef>,
    /// Spans of the message that support this match.
    pub highlights: Vec<Span>,
    /// What the message does with this claim: `repeats`, `refutes` or `asks`.
    pub stance: Stance,
    /// Key details the message fills with other values than the claim (another place, date,
    /// amount …). A match with differences is at most `related` and never decides the verdict.
    #[serde(default)]
    pub differences: Vec<Difference>,
}

/// A key detail of the claim that the message states differently.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Difference {
    pub kind: DetailKind,
    /// The value in the claim (as the matched variant has it).
    pub claim: String,
    /// The value in the message.
    pub message: String,
    /// Where the message's value is, in characters of the message.
    pub start: usize,
    pub end: usize,
}

/// A regulation article cited by a claim.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ArticleRef {
    /// Regulation id.
    pub regulation: String,
    /// Title of the law or rule.
    pub title: String,
    /// Article number in force today ("13", "291-1").
    pub article: String,
    /// Chinese label: 第十三条.
    pub label: String,
    pub text: String,
    /// `text` is a faithful summary, not a verbatim quote.
    pub paraphrased: bool,
    /// Number before the latest renumbering.
    pub formerly: Option<String>,
    /// Official text of the regulation, when verified.
    pub url: Option<String>,
    /// The article on piyao: `/regulations/{id}#art-{number}`.
    pub permalink: String,
}

/// A part of the message.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Segment {
    pub start: usize,
    pub end: usize,
    pub claim_id: Option<String>,
}

#[cfg(test)]
impl Match {
    /// A match with the given essentials, for tests of what is built from matches.
    pub fn example(id: &str, rating: Rating, level: Level, title: &str, summary: &str) -> Match {
        Match {
            claim_id: id.into(),
            title: title.into(),
            rating,
            label: rating.label().into(),
            level,
            score: 0.9,
            matched_text: String::new(),
            summary: summary.into(),
            explanation: None,
            url: None,
            permalink: crate::links::claim_path(id),
            category: None,
            published: None,
            sources: vec![],
            regulations: vec![],
            highlights: vec![],
            stance: Stance::Repeats,
            differences: vec![],
        }
    }
}

#[cfg(test)]
impl CheckResponse {
    /// The response the engine gives for these matches (best first).
    pub fn example(matches: Vec<Match>) -> CheckResponse {
        let decisive = matches.iter().find(|m| m.level.decides());
        let verdict = decisive.map_or(Verdict::Unknown, |m| Verdict::from_rating(m.rating));
        let stance = decisive.map(|m| m.stance);
        CheckResponse {
            verdict,
            label: verdict.label().into(),
            confidence: 0.9,
            matches,
            stance,
            segments: vec![],
            took_ms: 1.0,
            check_id: None,
        }
    }
}
