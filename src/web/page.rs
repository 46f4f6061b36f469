//! What every page hands to `templates/_layout.html` (title, description, link preview), and how
//! a page handler reaches the engine and its query parameters.
//!
//! Pages are read by older relatives on phones and shared into group chats, so every page gets
//! its own `<title>`, a meta description and Open Graph tags: a pasted link then previews as
//! "谣言 · 全国清查微信群…" instead of a bare URL.

use std::sync::Arc;

use actix_web::{HttpRequest, web};
use serde::de::DeserializeOwned;

use super::error::WebError;
use crate::engine::Engine;
use crate::live::CheckError;
use crate::reply::shorten_chars;
use crate::state::AppState;

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
        PageMeta { title, description: shorten_chars(description, 120), og_type: "website", url: None, noindex: false }
    }

    /// The page lives at `path`: `og:url` becomes its absolute address when the public URL is set.
    pub fn at(mut self, state: &AppState, path: &str) -> PageMeta {
        self.url = state.links.absolute(path);
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
    state.live.get().ok_or(WebError::Check(CheckError::IndexUnavailable))
}

/// The query parameters of a page. Parsed here rather than by the `web::Query` extractor so that a
/// malformed query (`?page=1&page=2`) gets our 400 page, not actix's plain-text one.
pub fn query<T: DeserializeOwned>(req: &HttpRequest) -> Result<T, WebError> {
    web::Query::<T>::from_query(req.query_string()).map(web::Query::into_inner).map_err(|e| WebError::BadQuery(e.to_string()))
}
