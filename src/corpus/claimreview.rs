//! schema.org ClaimReview, both ways: our claims as ClaimReview JSON-LD (for search engines and
//! other fact-checkers), and ClaimReview files from other publishers turned into corpus JSONL.
//!
//! Rating scale, documented for consumers: `worstRating` 1 … `bestRating` 5, with
//! false = 1, misleading = 2, unproven = 3, true = 5; `alternateName` is our Chinese label.

use serde_json::{Value, json};

use super::model::{Claim, Rating, Source};
use crate::links::{self, Links};

pub const WORST: u8 = 1;
pub const BEST: u8 = 5;

pub fn rating_value(r: Rating) -> u8 {
    match r {
        Rating::False => 1,
        Rating::Misleading => 2,
        Rating::Unproven => 3,
        Rating::True => 5,
    }
}

/// A claim as ClaimReview JSON-LD. Its `url` is absolute when a public URL is configured,
/// otherwise the site path.
pub fn to_claimreview(c: &Claim, links: &Links) -> Value {
    let page = links.absolute_or_path(&links::claim_path(&c.id));
    let author = c.sources.first().map_or("piyao", |s| s.publisher.as_str());
    let mut doc = json!({
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": page,
        "claimReviewed": c.variants.first().unwrap_or(&c.title),
        "headline": c.title,
        "reviewBody": c.summary,
        "author": {"@type": "Organization", "name": author},
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": rating_value(c.rating),
            "worstRating": WORST,
            "bestRating": BEST,
            "alternateName": c.rating.label(),
        },
        "itemReviewed": {
            "@type": "Claim",
            "appearance": c.variants.iter().map(|v| json!({"@type": "CreativeWork", "text": v})).collect::<Vec<_>>(),
        },
        "inLanguage": "zh-CN",
    });
    if let Some(d) = c.published.as_ref().or_else(|| c.sources.iter().find_map(|s| s.date.as_ref())) {
        doc["datePublished"] = json!(d);
    }
    if let Some(u) = c.primary_url() {
        doc["sameAs"] = json!(u);
    }
    if !c.keywords.is_empty() {
        doc["keywords"] = json!(c.keywords.join(","));
    }
    doc
}

/// Rating names (alternateName / textual ratings) we map, lowercase. Anything else is reported.
const RATING_NAMES: &[(&str, Rating)] = &[
    ("谣言", Rating::False),
    ("不实", Rating::False),
    ("虚假", Rating::False),
    ("错误", Rating::False),
    ("假", Rating::False),
    ("false", Rating::False),
    ("fake", Rating::False),
    ("pants on fire", Rating::False),
    ("incorrect", Rating::False),
    ("误导", Rating::Misleading),
    ("部分属实", Rating::Misleading),
    ("断章取义", Rating::Misleading),
    ("misleading", Rating::Misleading),
    ("half true", Rating::Misleading),
    ("mixture", Rating::Misleading),
    ("missing context", Rating::Misleading),
    ("属实", Rating::True),
    ("真", Rating::True),
    ("正确", Rating::True),
    ("true", Rating::True),
    ("correct", Rating::True),
    ("accurate", Rating::True),
    ("存疑", Rating::Unproven),
    ("未证实", Rating::Unproven),
    ("尚无定论", Rating::Unproven),
    ("unproven", Rating::Unproven),
    ("unverified", Rating::Unproven),
    ("unsupported", Rating::Unproven),
];

pub fn map_rating_name(name: &str) -> Option<Rating> {
    let n = name.trim().to_lowercase();
    RATING_NAMES.iter().find(|(k, _)| *k == n).map(|(_, r)| *r)
}

/// The ClaimReview objects of a file: a JSON array, one object, or one object per line.
pub fn read_objects(text: &str) -> Result<Vec<(usize, Value)>, String> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') {
        let arr: Vec<Value> = serde_json::from_str(text).map_err(|e| format!("{}: invalid JSON: {e}", e.line()))?;
        return Ok(arr.into_iter().enumerate().map(|(i, v)| (i + 1, v)).collect());
    }
    if let Ok(v) = serde_json::from_str::<Value>(text) {
        return Ok(vec![(1, v)]);
    }
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v = serde_json::from_str(line).map_err(|e| format!("{}: invalid JSON: {e}", i + 1))?;
        out.push((i + 1, v));
    }
    Ok(out)
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    match cur {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim()),
        Value::Array(a) => a.first().and_then(|x| x.as_str().or_else(|| x.get("name").and_then(Value::as_str))),
        _ => None,
    }
}

/// One ClaimReview object → a corpus claim, or why it could not be mapped.
pub fn from_claimreview(v: &Value) -> Result<Claim, String> {
    let ty = v.get("@type").and_then(Value::as_str).unwrap_or("");
    if ty != "ClaimReview" {
        return Err(format!("@type is `{ty}`, not ClaimReview"));
    }
    let claimed = str_at(v, &["claimReviewed"]).ok_or("no claimReviewed")?;
    let rating_obj = v.get("reviewRating").ok_or("no reviewRating")?;
    let name =
        str_at(rating_obj, &["alternateName"]).or_else(|| str_at(rating_obj, &["name"])).ok_or("reviewRating has no alternateName")?;
    let rating = map_rating_name(name).ok_or_else(|| format!("rating `{name}` has no mapping (add it to RATING_NAMES if it is clear)"))?;
    let summary = str_at(v, &["reviewBody"])
        .or_else(|| str_at(v, &["description"]))
        .or_else(|| str_at(v, &["headline"]))
        .ok_or("no reviewBody, description or headline to use as summary")?;
    let publisher = str_at(v, &["author", "name"]).ok_or("no author.name")?;
    let url = str_at(v, &["url"]).filter(|u| u.starts_with("http://") || u.starts_with("https://")).map(str::to_string);
    let date = str_at(v, &["datePublished"]).map(|d| d.chars().take(10).collect::<String>()).filter(|d| super::parse_date(d).is_some());
    let title = str_at(v, &["headline"]).or_else(|| str_at(v, &["name"])).unwrap_or(claimed);
    let mut variants = vec![claimed.to_string()];
    if let Some(Value::Array(apps)) = v.get("itemReviewed").and_then(|i| i.get("appearance")) {
        for a in apps {
            if let Some(t) = a.get("text").and_then(Value::as_str)
                && !variants.iter().any(|x| x == t)
            {
                variants.push(t.to_string());
            }
        }
    }
    let key = url.as_deref().unwrap_or(claimed);
    Ok(Claim {
        id: format!("cr-{:016x}", crate::stable_hash::fnv1a(key.as_bytes())),
        title: title.chars().take(120).collect(),
        rating,
        summary: summary.to_string(),
        explanation: None,
        category: None,
        keywords: Vec::new(),
        published: date.clone(),
        variants,
        sources: vec![Source { publisher: publisher.to_string(), title: title.to_string(), url, date }],
        regulations: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let c = Claim {
            id: "x".into(),
            title: "标题".into(),
            rating: Rating::Misleading,
            summary: "实际情况".into(),
            explanation: None,
            category: None,
            keywords: vec![],
            published: Some("2022-07-12".into()),
            variants: vec!["谣言原文一".into(), "谣言原文二".into()],
            sources: vec![Source { publisher: "上海辟谣平台".into(), title: "t".into(), url: None, date: None }],
            regulations: vec![],
        };
        let doc = to_claimreview(&c, &crate::links::Links::new("https://piyao.example"));
        assert_eq!(doc["reviewRating"]["ratingValue"], 2);
        assert_eq!(doc["reviewRating"]["alternateName"], "误导");
        let back = from_claimreview(&doc).unwrap();
        assert_eq!(back.rating, Rating::Misleading);
        assert_eq!(back.variants, c.variants);
        assert_eq!(back.published.as_deref(), Some("2022-07-12"));
    }

    #[test]
    fn unmapped_rating_is_reported() {
        let v = json!({"@type": "ClaimReview", "claimReviewed": "x", "reviewBody": "y", "author": {"name": "a"},
            "reviewRating": {"alternateName": "Four Pinocchios"}});
        assert!(from_claimreview(&v).unwrap_err().contains("Four Pinocchios"));
    }
}
