//! `/`: the check form, a few real rumors to try, and how much the corpus holds.

use actix_web::{get, web};
use askama::Template;
use askama_web::WebTemplate;

use super::page::PageMeta;
use crate::corpus::Claim;
use crate::engine::Engine;
use crate::links;
use crate::state::AppState;

/// Claims whose forwards relatives receive most often; one example each, in this order. Ids
/// missing from the corpus are skipped (a custom corpus falls back to its first claims).
const EXAMPLE_CLAIMS: &[&str] = &[
    "wechat-purge-notice-2022",
    "medical-insurance-card-suspended-sms",
    "overnight-dishes-cause-cancer",
    "forward-500-times-jail",
    "microwave-food-causes-cancer",
];

/// A rumor to try: its text and the permalink that checks it.
pub struct Example {
    pub text: String,
    pub href: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "index.html")]
struct HomePage {
    meta: PageMeta,
    examples: Vec<Example>,
    /// Claims and regulations in the corpus; `None` while no index is loaded (the form still works
    /// and reports the outage on submit).
    counts: Option<(usize, usize)>,
}

#[get("/")]
pub async fn home(state: web::Data<AppState>) -> HomePage {
    let engine = state.live.get();
    let meta =
        PageMeta::new("", "收到可疑的转发消息？粘贴进来查一查：是不是谣言、真相是什么、谁辟的谣、涉及哪些法律条款。").at(&state, "/");
    HomePage {
        meta,
        examples: engine.as_deref().map(examples).unwrap_or_default(),
        counts: engine.map(|e| (e.corpus().claims.len(), e.corpus().regulations.len())),
    }
}

fn examples(engine: &Engine) -> Vec<Example> {
    let mut claims: Vec<&Claim> = EXAMPLE_CLAIMS.iter().filter_map(|id| engine.claim(id)).collect();
    if claims.is_empty() {
        claims = engine.corpus().claims.iter().take(EXAMPLE_CLAIMS.len()).collect();
    }
    claims
        .into_iter()
        .filter_map(|c| c.variants.iter().min_by_key(|v| v.chars().count()))
        .filter_map(|text| Some(Example { text: text.clone(), href: links::check_path(text)? }))
        .collect()
}
