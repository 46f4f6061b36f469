//! What every page hands to `templates/_layout.html` (title, description, link preview), and the
//! small helpers all pages share: reaching the engine, absolute links, verdict badges.
//!
//! Pages are read by older relatives on phones and shared into group chats, so every page gets
//! its own `<title>`, a meta description and Open Graph tags: a pasted link then previews as
//! "谣言 · 全国清查微信群…" instead of a bare URL.

use std::sync::Arc;

use actix_web::{HttpRequest, web};
use serde::de::DeserializeOwned;

use crate::api::ApiError;
use crate::corpus::Rating;
use crate::engine::Engine;
use crate::matcher::Level;
use crate::server::AppState;
use crate::verdict::Verdict;

use super::error::WebError;

/// Appended to every page title.
const SITE_NAME: &str = "辟谣 piyao";

/// The `<head>` of a page: what `_layout.html` renders from the `meta` field of every page.
pub struct PageMeta {
    /// Full `<title>`; also `og:title`.
    pub title: String,
    /// Meta description; also `og:description`. One or two sentences.
    pub description: String,
    /// `website`, or `article` for a debunk.
    pub og_type: &'static str,
    /// Absolute URL of the page (`og:url`, canonical link); only when the public URL is set.
    pub url: Option<String>,
    /// Keep search engines off pages made of what users typed (check results) and error pages.
    pub noindex: bool,
}

impl PageMeta {
    /// A page titled `title` (the site name is appended), described by `description`.
    pub fn new(title: &str, description: &str) -> PageMeta {
        let title = if title.is_empty() { SITE_NAME.to_string() } else { format!("{title} · {SITE_NAME}") };
        PageMeta { title, description: shorten(description, 120), og_type: "website", url: None, noindex: false }
    }

    /// The page lives at `path`: `og:url` becomes its absolute address when the public URL is set.
    pub fn at(mut self, state: &AppState, path: &str) -> PageMeta {
        self.url = (!state.public_url.is_empty()).then(|| absolute(state, path));
        self
    }

    pub fn article(mut self) -> PageMeta {
        self.og_type = "article";
        self
    }

    pub fn noindex(mut self) -> PageMeta {
        self.noindex = true;
        self
    }
}

/// The engine serving this request; `index_unavailable` (503) until an index is published.
pub fn engine(state: &AppState) -> Result<Arc<Engine>, WebError> {
    state.live.get().ok_or(WebError::Api(ApiError::IndexUnavailable))
}

/// The query parameters of a page. Parsed here rather than by the `web::Query` extractor so that a
/// malformed query (`?page=1&page=2`) gets our 400 page, not actix's plain-text one.
pub fn query<T: DeserializeOwned>(req: &HttpRequest) -> Result<T, WebError> {
    web::Query::<T>::from_query(req.query_string()).map(web::Query::into_inner).map_err(|e| WebError::BadQuery(e.to_string()))
}

/// `path` as a link people can paste elsewhere: absolute when the public URL is configured,
/// otherwise the path itself (still right for links inside the site).
pub fn absolute(state: &AppState, path: &str) -> String {
    format!("{}{path}", state.public_url.trim_end_matches('/'))
}

/// A verdict shown in colour AND words (and a symbol), never colour alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Badge {
    /// CSS class choosing the colour: the verdict's JSON name.
    pub class: &'static str,
    /// The Chinese word: 谣言, 误导, 属实, 存疑, 未收录.
    pub label: &'static str,
    /// A symbol for readers who skim; hidden from screen readers.
    pub icon: &'static str,
}

impl Badge {
    pub fn verdict(v: Verdict) -> Badge {
        let icon = match v {
            Verdict::False => "✗",
            Verdict::Misleading => "!",
            Verdict::True => "✓",
            Verdict::Unproven | Verdict::Unknown => "?",
        };
        Badge { class: v.as_str(), label: v.label(), icon }
    }

    pub fn rating(r: Rating) -> Badge {
        Badge::verdict(Verdict::from_rating(r))
    }
}

/// What a match level means to a reader.
pub fn level_label(level: Level) -> &'static str {
    match level {
        Level::Same => "与这条辟谣说的是同一件事",
        Level::Similar => "与这条辟谣的说法相近",
        Level::Related => "话题相关，结论不一定适用",
    }
}

/// Percent-encode a query-string value (UTF-8 bytes; unreserved characters kept).
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// At most `max` characters of `s`, with an ellipsis when cut (for descriptions and previews).
pub fn shorten(s: &str, max: usize) -> String {
    let s = s.trim();
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_query_values() {
        assert_eq!(url_encode("a b&c=d"), "a%20b%26c%3Dd");
        assert_eq!(url_encode("谣"), "%E8%B0%A3");
    }

    #[test]
    fn shortens_by_characters() {
        assert_eq!(shorten("  短  ", 5), "短");
        assert_eq!(shorten("一二三四五六", 4), "一二三…");
    }

    #[test]
    fn badges_have_words() {
        assert_eq!(Badge::verdict(Verdict::Unknown).label, "未收录");
        assert_eq!(Badge::rating(Rating::False).class, "false");
    }
}
