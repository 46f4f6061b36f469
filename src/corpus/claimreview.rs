//! Our claims as schema.org ClaimReview JSON-LD, for search engines and other fact-checkers
//! (reading other publishers' reviews is `corpus::import`).
//!
//! Rating scale, documented for consumers: `worstRating` 1 … `bestRating` 5, with
//! false = 1, misleading = 2, unproven = 3, true = 5; `alternateName` is our Chinese label.

use serde_json::{Value, json};

use super::model::{Claim, Rating};
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::Source;

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
        let back = crate::corpus::import::read_reviews(&doc.to_string()).unwrap().reviews.remove(0).1.unwrap().into_claim().unwrap();
        assert_eq!(back.rating, Rating::Misleading);
        assert_eq!(back.variants, c.variants);
        assert_eq!(back.published.as_deref(), Some("2022-07-12"));
        assert_eq!(back.summary, c.summary);
    }
}
