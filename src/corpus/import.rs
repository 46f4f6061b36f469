//! Other fact-checkers' reviews in, as they are published: schema.org `ClaimReview` JSON-LD (a
//! list, one object, or one per line), a schema.org `DataFeed` of them, and the Google Fact Check
//! Tools API's `claims:search` response. The shape is recognized by itself. Every review becomes a
//! corpus claim built only from what the review states; ratings go through one table
//! (`RATINGS`), and a rating the table does not name is reported, never guessed.

use std::collections::{BTreeMap, HashSet};

use serde_json::Value;

use super::model::{Claim, Rating, Source};

/// Textual ratings we map, lowercase and without trailing punctuation. Chinese labels of
/// Chinese-language fact-checkers, and the English ones of the ClaimReview publishers that
/// Google's feeds carry most (PolitiFact-style scales included). Anything else is reported.
pub const RATINGS: &[(&str, Rating)] = &[
    ("谣言", Rating::False),
    ("不实", Rating::False),
    ("不实信息", Rating::False),
    ("错误", Rating::False),
    ("虚假", Rating::False),
    ("虚假信息", Rating::False),
    ("假", Rating::False),
    ("假消息", Rating::False),
    ("失实", Rating::False),
    ("false", Rating::False),
    ("fake", Rating::False),
    ("pants on fire", Rating::False),
    ("pants on fire!", Rating::False),
    ("incorrect", Rating::False),
    ("not true", Rating::False),
    ("误导", Rating::Misleading),
    ("误导性", Rating::Misleading),
    ("部分属实", Rating::Misleading),
    ("部分错误", Rating::Misleading),
    ("断章取义", Rating::Misleading),
    ("缺乏背景", Rating::Misleading),
    ("夸大", Rating::Misleading),
    ("misleading", Rating::Misleading),
    ("mostly false", Rating::Misleading),
    ("half true", Rating::Misleading),
    ("half-true", Rating::Misleading),
    ("partly false", Rating::Misleading),
    ("partially false", Rating::Misleading),
    ("mixture", Rating::Misleading),
    ("missing context", Rating::Misleading),
    ("exaggerated", Rating::Misleading),
    ("属实", Rating::True),
    ("真", Rating::True),
    ("真实", Rating::True),
    ("正确", Rating::True),
    ("true", Rating::True),
    ("correct", Rating::True),
    ("accurate", Rating::True),
    ("存疑", Rating::Unproven),
    ("未证实", Rating::Unproven),
    ("缺乏证据", Rating::Unproven),
    ("证据不足", Rating::Unproven),
    ("尚无定论", Rating::Unproven),
    ("有待证实", Rating::Unproven),
    ("unproven", Rating::Unproven),
    ("unverified", Rating::Unproven),
    ("unsupported", Rating::Unproven),
    ("no evidence", Rating::Unproven),
];

/// The rating a textual rating stands for, if the table names it.
pub fn map_rating(name: &str) -> Option<Rating> {
    let n = name.trim().trim_end_matches(['.', '。', '!', '！']).trim().to_lowercase();
    RATINGS.iter().find(|(k, _)| *k == n).map(|(_, r)| *r)
}

/// Which of the accepted shapes a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    ClaimReview,
    DataFeed,
    FactCheckApi,
}

impl Shape {
    pub fn name(self) -> &'static str {
        match self {
            Shape::ClaimReview => "schema.org ClaimReview",
            Shape::DataFeed => "schema.org DataFeed of ClaimReview",
            Shape::FactCheckApi => "Google Fact Check Tools API response",
        }
    }
}

/// One review, whatever shape it came in.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Review {
    /// The claim as the review quotes it.
    pub claim: String,
    pub rating_name: String,
    pub publisher: String,
    pub url: Option<String>,
    pub title: Option<String>,
    pub date: Option<String>,
    /// The review's own text (`reviewBody`, `description`), rarely present in feeds.
    pub body: Option<String>,
    /// Other wordings of the claim (`itemReviewed.appearance[].text`).
    pub appearances: Vec<String>,
}

/// What a file held.
#[derive(Debug)]
pub struct Reviews {
    pub shape: Shape,
    /// (line or position in the file, review or why it cannot be read)
    pub reviews: Vec<(usize, Result<Review, String>)>,
}

/// Recognize the file's shape and read its reviews.
pub fn read_reviews(text: &str) -> Result<Reviews, String> {
    let objects = json_objects(text)?;
    let shape = match objects.first().map(|(_, v)| v) {
        Some(v) if v.get("claims").is_some_and(Value::is_array) => Shape::FactCheckApi,
        Some(v) if type_is(v, "DataFeed") => Shape::DataFeed,
        _ => Shape::ClaimReview,
    };
    let mut reviews = Vec::new();
    for (line, v) in objects {
        match shape {
            Shape::FactCheckApi => {
                for claim in v.get("claims").and_then(Value::as_array).into_iter().flatten() {
                    for review in claim.get("claimReview").and_then(Value::as_array).into_iter().flatten() {
                        reviews.push((line, from_api(claim, review)));
                    }
                }
            }
            Shape::DataFeed => {
                for element in v.get("dataFeedElement").and_then(Value::as_array).into_iter().flatten() {
                    // `item` is one ClaimReview or a list of them
                    match element.get("item") {
                        Some(Value::Array(items)) => reviews.extend(items.iter().map(|i| (line, from_claimreview(i)))),
                        Some(item) => reviews.push((line, from_claimreview(item))),
                        None if type_is(element, "ClaimReview") => reviews.push((line, from_claimreview(element))),
                        None => reviews.push((line, Err("a dataFeedElement without an item".into()))),
                    }
                }
            }
            Shape::ClaimReview => reviews.push((line, from_claimreview(&v))),
        }
    }
    Ok(Reviews { shape, reviews })
}

/// A JSON array, one object, or one object per line; with the line (or position) of each.
fn json_objects(text: &str) -> Result<Vec<(usize, Value)>, String> {
    if text.trim_start().starts_with('[') {
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

fn type_is(v: &Value, name: &str) -> bool {
    match v.get("@type") {
        Some(Value::String(t)) => t == name,
        Some(Value::Array(ts)) => ts.iter().any(|t| t.as_str() == Some(name)),
        _ => false,
    }
}

/// A non-blank string at `path`; for a list, its first string (or first object's `name`).
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

fn http_url(v: Option<&str>) -> Option<String> {
    v.filter(|u| u.starts_with("http://") || u.starts_with("https://")).map(str::to_string)
}

/// `YYYY-MM-DD` from an ISO date or date-time, when it is a real date.
fn day(v: Option<&str>) -> Option<String> {
    v.map(|d| d.chars().take(10).collect::<String>()).filter(|d| super::parse_date(d).is_some())
}

fn from_claimreview(v: &Value) -> Result<Review, String> {
    if !type_is(v, "ClaimReview") {
        let ty = v.get("@type").map_or("nothing".to_string(), Value::to_string);
        return Err(format!("@type is {ty}, not ClaimReview"));
    }
    let rating = v.get("reviewRating").ok_or("no reviewRating")?;
    let rating_name =
        str_at(rating, &["alternateName"]).or_else(|| str_at(rating, &["name"])).ok_or("reviewRating has no alternateName")?;
    let appearances = v
        .get("itemReviewed")
        .and_then(|i| i.get("appearance"))
        .and_then(Value::as_array)
        .map(|apps| apps.iter().filter_map(|a| a.get("text").and_then(Value::as_str)).map(str::to_string).collect())
        .unwrap_or_default();
    Ok(Review {
        claim: str_at(v, &["claimReviewed"]).ok_or("no claimReviewed")?.to_string(),
        rating_name: rating_name.to_string(),
        publisher: str_at(v, &["author", "name"]).ok_or("no author.name")?.to_string(),
        url: http_url(str_at(v, &["url"])),
        title: str_at(v, &["headline"]).or_else(|| str_at(v, &["name"])).map(str::to_string),
        date: day(str_at(v, &["datePublished"])),
        body: str_at(v, &["reviewBody"]).or_else(|| str_at(v, &["description"])).map(str::to_string),
        appearances,
    })
}

/// One `claimReview` entry of a `claims:search` result, with its claim.
fn from_api(claim: &Value, review: &Value) -> Result<Review, String> {
    Ok(Review {
        claim: str_at(claim, &["text"]).ok_or("claim has no text")?.to_string(),
        rating_name: str_at(review, &["textualRating"]).ok_or("claimReview has no textualRating")?.to_string(),
        publisher: str_at(review, &["publisher", "name"])
            .or_else(|| str_at(review, &["publisher", "site"]))
            .ok_or("claimReview has no publisher")?
            .to_string(),
        url: http_url(str_at(review, &["url"])),
        title: str_at(review, &["title"]).map(str::to_string),
        date: day(str_at(review, &["reviewDate"])).or_else(|| day(str_at(claim, &["claimDate"]))),
        body: None,
        appearances: Vec::new(),
    })
}

impl Review {
    /// The claim this review makes: rated through `RATINGS`, summarized by the review's own text,
    /// or, without one, only by what the review states (who rated it, how, where to read it).
    pub fn into_claim(self) -> Result<Claim, String> {
        let rating = map_rating(&self.rating_name)
            .ok_or_else(|| format!("rating `{}` has no mapping (add it to RATINGS if it is clear)", self.rating_name))?;
        let summary = self.body.clone().unwrap_or_else(|| {
            let read = self.url.as_ref().map(|u| format!("详见 {u}")).unwrap_or_default();
            format!("{} 将这一说法评为“{}”（{}）。{read}", self.publisher, self.rating_name, rating.label())
        });
        let title = self.title.clone().unwrap_or_else(|| self.claim.clone());
        let mut variants = vec![self.claim.clone()];
        for a in self.appearances {
            if !variants.contains(&a) {
                variants.push(a);
            }
        }
        let key = self.url.clone().unwrap_or_else(|| self.claim.clone());
        Ok(Claim {
            id: format!("cr-{:016x}", crate::stable_hash::fnv1a(key.as_bytes())),
            title: title.chars().take(120).collect(),
            rating,
            summary,
            explanation: None,
            category: None,
            keywords: Vec::new(),
            published: self.date.clone(),
            variants,
            sources: vec![Source { publisher: self.publisher, title, url: self.url, date: self.date }],
            regulations: Vec::new(),
        })
    }
}

/// What an import did: claims out, and every rating seen with its count and mapping.
#[derive(Debug, Default)]
pub struct Imported {
    pub claims: Vec<Claim>,
    /// (line, why) for each review that was not imported.
    pub skipped: Vec<(usize, String)>,
    /// Reviews left out because an earlier one had the same review URL.
    pub duplicates: usize,
    /// Textual rating → (count, mapping).
    pub ratings: BTreeMap<String, (usize, Option<Rating>)>,
}

/// Turn reviews into claims, one per review URL.
pub fn import(reviews: Reviews) -> Imported {
    let mut out = Imported::default();
    let mut seen_urls = HashSet::new();
    for (line, review) in reviews.reviews {
        let review = match review {
            Ok(r) => r,
            Err(why) => {
                out.skipped.push((line, why));
                continue;
            }
        };
        if let Some(u) = &review.url
            && !seen_urls.insert(u.clone())
        {
            out.duplicates += 1;
            continue;
        }
        let entry = out.ratings.entry(review.rating_name.clone()).or_insert((0, map_rating(&review.rating_name)));
        entry.0 += 1;
        match review.into_claim() {
            Ok(c) => out.claims.push(c),
            Err(why) => out.skipped.push((line, why)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ratings_go_through_one_table() {
        assert_eq!(map_rating("False"), Some(Rating::False));
        assert_eq!(map_rating(" Mostly False. "), Some(Rating::Misleading));
        assert_eq!(map_rating("缺乏证据"), Some(Rating::Unproven));
        assert_eq!(map_rating("不实"), Some(Rating::False));
        assert_eq!(map_rating("Four Pinocchios"), None);
        assert_eq!(map_rating("Mostly True"), None, "not clear enough to guess");
    }

    #[test]
    fn a_review_without_a_body_states_only_what_the_review_says() {
        let v = json!({"@type": "ClaimReview", "claimReviewed": "喝醋能软化血管", "url": "https://example.org/r/1",
            "author": {"@type": "Organization", "name": "某辟谣平台"}, "datePublished": "2024-05-06",
            "reviewRating": {"@type": "Rating", "alternateName": "谣言"}});
        let c = from_claimreview(&v).unwrap().into_claim().unwrap();
        assert_eq!(c.summary, "某辟谣平台 将这一说法评为“谣言”（谣言）。详见 https://example.org/r/1");
        assert_eq!(c.title, "喝醋能软化血管");
        assert_eq!(c.published.as_deref(), Some("2024-05-06"));
    }

    #[test]
    fn the_three_shapes_are_recognized() {
        let review = json!({"@type": "ClaimReview", "claimReviewed": "x", "url": "https://example.org/a",
            "author": {"name": "p"}, "reviewRating": {"alternateName": "False"}});
        let feed = json!({"@context": "https://schema.org", "@type": "DataFeed",
            "dataFeedElement": [{"@type": "DataFeedItem", "item": [review]}, {"@type": "DataFeedItem", "item": review}]});
        let r = read_reviews(&feed.to_string()).unwrap();
        assert_eq!((r.shape, r.reviews.len()), (Shape::DataFeed, 2));
        let imported = import(r);
        assert_eq!((imported.claims.len(), imported.duplicates), (1, 1), "the same review URL twice");

        let api = json!({"claims": [{"text": "y", "claimant": "网友", "claimDate": "2024-01-02T00:00:00Z",
            "claimReview": [{"publisher": {"name": "P", "site": "p.example"}, "url": "https://p.example/1",
                "title": "T", "textualRating": "Misleading", "languageCode": "zh"}]}], "nextPageToken": "abc"});
        let r = read_reviews(&api.to_string()).unwrap();
        assert_eq!(r.shape, Shape::FactCheckApi);
        let c = import(r).claims.remove(0);
        assert_eq!((c.rating, c.published.as_deref(), c.title.as_str()), (Rating::Misleading, Some("2024-01-02"), "T"));
        assert_eq!(read_reviews(&format!("{review}\n{review}")).unwrap().shape, Shape::ClaimReview);
    }
}
