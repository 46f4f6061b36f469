//! `/claims`: browse and search the corpus (category filter, text search, 20 per page), and
//! `/claims/{id}`: one debunk in full, with schema.org ClaimReview JSON-LD for search engines.
//!
//! Search is a plain substring filter over title, summary, variants and keywords (normalized on
//! both sides, `Engine::search_claims`), not the
//! engine's `check`. Browsing needs predictable, complete, paginable results: everyone typing 微信
//! expects every debunk that mentions 微信. The matcher instead scores a whole forwarded message
//! against variants with thresholds tuned for forwards, so a two-character query would fall below
//! `related` and at most 20 results would come back. Pasting a forward is what `/` is for.

use actix_web::{HttpRequest, get, web};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::badge::Badge;
use super::error::WebError;
use super::page::{PageMeta, engine, query};
use crate::corpus::{Category, Claim, claimreview};
use crate::limits::Client;
use crate::links::{self, url_encode};
use crate::reply::Reply;
use crate::response::ArticleRef;
use crate::state::AppState;

/// Claims per page of `/claims`.
pub const PER_PAGE: usize = 20;

/// `/claims` query parameters as sent; strings, so that a bad value becomes our error page.
#[derive(Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    category: Option<String>,
    page: Option<String>,
}

/// Longest search accepted, in characters, and most distinct words: a search walks every claim.
pub const MAX_QUERY_CHARS: usize = 100;
pub const MAX_QUERY_WORDS: usize = 10;

/// What to list, parsed from the query.
pub struct Filter {
    /// The search text as typed (shown back in the search box).
    pub q: String,
    pub category: Option<Category>,
    pub page: usize,
}

impl Filter {
    fn parse(query: ListQuery) -> Result<Filter, WebError> {
        let q = query.q.unwrap_or_default().trim().to_string();
        let chars = q.chars().count();
        if chars > MAX_QUERY_CHARS {
            return Err(WebError::BadQuery(format!("the search has {chars} characters; at most {MAX_QUERY_CHARS} are accepted")));
        }
        let mut words: Vec<&str> = q.split_whitespace().collect();
        words.sort_unstable();
        words.dedup();
        if words.len() > MAX_QUERY_WORDS {
            return Err(WebError::BadQuery(format!("the search has {} words; at most {MAX_QUERY_WORDS} are accepted", words.len())));
        }
        let category = match query.category.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            None => None,
            Some(c) => Some(Category::parse(c).ok_or_else(|| WebError::BadQuery(format!("unknown category `{c}`")))?),
        };
        let page = match query.page.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            None => 1,
            Some(p) => p
                .parse::<usize>()
                .ok()
                .filter(|&n| n >= 1)
                .ok_or_else(|| WebError::BadQuery(format!("page must be a number from 1, got `{p}`")))?,
        };
        Ok(Filter { q, category, page })
    }

    fn in_category(&self, c: &Claim) -> bool {
        self.category.is_none() || c.category == self.category
    }

    /// The `/claims` URL for this search on `page`, with `category` in place of the current one.
    fn url(&self, category: Option<Category>, page: usize) -> String {
        let mut params = Vec::new();
        if !self.q.is_empty() {
            params.push(format!("q={}", url_encode(&self.q)));
        }
        if let Some(c) = category {
            params.push(format!("category={}", c.as_str()));
        }
        if page > 1 {
            params.push(format!("page={page}"));
        }
        if params.is_empty() { "/claims".to_string() } else { format!("/claims?{}", params.join("&")) }
    }
}

/// One row of the list.
pub struct ClaimRow {
    pub id: String,
    pub title: String,
    pub badge: Badge,
    pub summary: String,
    pub category: Option<&'static str>,
    pub published: Option<String>,
}

/// A category link above the list, with how many claims it would show for this search.
pub struct CategoryLink {
    pub label: &'static str,
    pub href: String,
    pub count: usize,
    pub current: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "claims.html")]
struct ClaimsPage {
    meta: PageMeta,
    q: String,
    category: Option<Category>,
    categories: Vec<CategoryLink>,
    rows: Vec<ClaimRow>,
    total: usize,
    page: usize,
    pages: usize,
    prev: Option<String>,
    next: Option<String>,
}

#[get("/claims")]
pub async fn browse(state: web::Data<AppState>, client: Client, req: HttpRequest) -> Result<ClaimsPage, WebError> {
    let filter = Filter::parse(query(&req)?)?;
    if !filter.q.is_empty() {
        state.limits.admit(&client, 1)?;
    }
    let engine = engine(&state)?;
    // words of the query, normalized on both sides like a check (Engine::search_claims)
    let by_text = if filter.q.is_empty() { engine.corpus().claims.iter().collect() } else { engine.search_claims(&filter.q) };
    ClaimsPage::new(&state, filter, by_text)
}

impl ClaimsPage {
    /// The requested page of `claims` under `filter`; a page past the last one does not exist.
    fn new(state: &AppState, filter: Filter, by_text: Vec<&Claim>) -> Result<ClaimsPage, WebError> {
        let categories = category_links(&filter, &by_text);

        // Newest debunks first; undated ones last, in corpus order.
        let mut found: Vec<&Claim> = by_text.into_iter().filter(|c| filter.in_category(c)).collect();
        found.sort_by(|a, b| b.published.is_some().cmp(&a.published.is_some()).then_with(|| b.published.cmp(&a.published)));
        let total = found.len();
        let pages = total.div_ceil(PER_PAGE).max(1);
        if filter.page > pages {
            return Err(WebError::NotFound(filter.url(filter.category, filter.page)));
        }
        let rows = found.into_iter().skip((filter.page - 1) * PER_PAGE).take(PER_PAGE).map(row).collect();

        let mut meta = PageMeta::new(&title(&filter), "群聊里流传的谣言和它们的辟谣：按类别浏览或搜索，每条都有来源和相关法律条文。")
            .at(state, &filter.url(filter.category, filter.page));
        if !filter.q.is_empty() {
            meta = meta.noindex();
        }
        Ok(ClaimsPage {
            meta,
            prev: (filter.page > 1).then(|| filter.url(filter.category, filter.page - 1)),
            next: (filter.page < pages).then(|| filter.url(filter.category, filter.page + 1)),
            q: filter.q,
            category: filter.category,
            categories,
            rows,
            total,
            page: filter.page,
            pages,
        })
    }
}

/// 全部 and each category that has claims for this search, with counts.
fn category_links(filter: &Filter, by_text: &[&Claim]) -> Vec<CategoryLink> {
    std::iter::once(None)
        .chain(Category::ALL.into_iter().map(Some))
        .map(|category| CategoryLink {
            label: category.map_or("全部", Category::label),
            href: filter.url(category, 1),
            count: by_text.iter().filter(|c| category.is_none() || c.category == category).count(),
            current: category == filter.category,
        })
        .filter(|l| l.count > 0 || l.current)
        .collect()
}

fn title(filter: &Filter) -> String {
    let title = match (filter.category, filter.q.is_empty()) {
        (Some(c), true) => format!("谣言库：{}", c.label()),
        (Some(c), false) => format!("搜索“{}” · {}", filter.q, c.label()),
        (None, false) => format!("搜索“{}”", filter.q),
        (None, true) => "谣言库".to_string(),
    };
    if filter.page > 1 { format!("{title}（第{}页）", filter.page) } else { title }
}

fn row(c: &Claim) -> ClaimRow {
    ClaimRow {
        id: c.id.clone(),
        title: c.title.clone(),
        badge: Badge::rating(c.rating),
        summary: c.summary.clone(),
        category: c.category.map(Category::label),
        published: c.published.clone(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "claim.html")]
struct ClaimPage {
    meta: PageMeta,
    claim: Claim,
    badge: Badge,
    category: Option<Category>,
    articles: Vec<ArticleRef>,
    /// ClaimReview JSON-LD, already safe to place inside `<script>`.
    json_ld: String,
    reply: Reply,
}

#[get("/claims/{id}")]
pub async fn show(state: web::Data<AppState>, id: web::Path<String>) -> Result<ClaimPage, WebError> {
    let engine = engine(&state)?;
    let claim = engine.claim(&id).ok_or_else(|| WebError::ClaimNotFound(id.to_string()))?;
    let path = links::claim_path(&claim.id);
    let badge = Badge::rating(claim.rating);
    let reply = Reply::about_claim(claim, &state.links);
    Ok(ClaimPage {
        meta: PageMeta::new(&claim.title, &format!("{}：{}", badge.label, claim.summary)).at(&state, &path).article(),
        badge,
        category: claim.category,
        articles: engine.article_refs(claim),
        json_ld: script_json(&claimreview::to_claimreview(claim, &state.links)),
        reply,
        claim: claim.clone(),
    })
}

/// JSON for an inline `<script>`: `<`, `>` and `&` only occur inside JSON strings, where their
/// `\u` escapes mean the same, so a `</script>` in a claim cannot end the script element.
fn script_json(value: &serde_json::Value) -> String {
    value.to_string().replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_json_cannot_close_the_script() {
        let v = serde_json::json!({"headline": "</script><script>alert(1)</script> & more"});
        let s = script_json(&v);
        assert!(!s.contains("</") && !s.contains('<'), "{s}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&s).unwrap(), v);
    }

    fn filter(q: &str, category: Option<&str>, page: Option<&str>) -> Result<Filter, WebError> {
        Filter::parse(ListQuery { q: Some(q.into()), category: category.map(Into::into), page: page.map(Into::into) })
    }

    #[test]
    fn caps_the_search() {
        assert!(filter(&"谣".repeat(MAX_QUERY_CHARS), None, None).is_ok());
        assert!(filter(&"谣".repeat(MAX_QUERY_CHARS + 1), None, None).is_err());
        // repeated words count once
        assert!(filter(&"封号 ".repeat(30), None, None).is_ok());
        let many: String = (0..=MAX_QUERY_WORDS).map(|i| format!("w{i} ")).collect();
        assert!(matches!(filter(&many, None, None), Err(WebError::BadQuery(m)) if m.contains("11 words")));
    }

    #[test]
    fn parses_and_rebuilds_the_query() {
        let f = filter(" 微信 封號 ", Some("platform"), Some("2")).unwrap();
        assert_eq!(f.q, "微信 封號");
        assert_eq!(f.url(f.category, 3), "/claims?q=%E5%BE%AE%E4%BF%A1%20%E5%B0%81%E8%99%9F&category=platform&page=3");
        assert_eq!(f.url(None, 1), "/claims?q=%E5%BE%AE%E4%BF%A1%20%E5%B0%81%E8%99%9F");
        assert!(filter("", Some("nonsense"), None).is_err());
        assert!(filter("", None, Some("0")).is_err());
        assert!(filter("", None, Some("abc")).is_err());
        assert_eq!(filter("", Some(""), Some("")).unwrap().page, 1);
    }
}
