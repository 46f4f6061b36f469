//! `/regulations`: the laws and rules the debunks cite, and `/regulations/{id}`: one of them with
//! an anchor per article (`#art-13`, `#art-291-1`, the targets of every article link on the site),
//! its former numbers, and the debunks that cite each article.

use actix_web::{get, web};
use askama::Template;
use askama_web::WebTemplate;

use super::badge::Badge;
use super::error::WebError;
use super::page::{PageMeta, engine};
use crate::corpus::{Article, Claim, Regulation};
use crate::links;
use crate::state::AppState;

/// One regulation in the list.
pub struct RegulationRow {
    pub id: String,
    pub title: String,
    pub issuer: String,
    pub effective: String,
    pub amended: Option<String>,
    pub articles: usize,
    pub cited_by: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "regulations.html")]
struct RegulationsPage {
    meta: PageMeta,
    rows: Vec<RegulationRow>,
}

#[get("/regulations")]
pub async fn index(state: web::Data<AppState>) -> Result<RegulationsPage, WebError> {
    let engine = engine(&state)?;
    let rows = engine
        .corpus()
        .regulations
        .iter()
        .map(|r| RegulationRow {
            id: r.id.clone(),
            title: r.title.clone(),
            issuer: r.issuer.clone(),
            effective: r.effective.clone(),
            amended: r.amended.clone(),
            articles: r.articles.len(),
            cited_by: engine.claims_citing(&r.id).len(),
        })
        .collect();
    let meta = PageMeta::new("相关法规", "辟谣中引用的法律、法规和司法解释，附条文和引用它们的辟谣。").at(&state, "/regulations");
    Ok(RegulationsPage { meta, rows })
}

/// A debunk citing the regulation.
pub struct CitingClaim {
    pub id: String,
    pub title: String,
    pub badge: Badge,
    /// Labels of the articles it cites (第十三条, …).
    pub articles: Vec<String>,
}

/// An article with the anchor other pages link to and the debunks that cite it.
pub struct ArticleView {
    pub article: Article,
    pub anchor: String,
    pub cited_by: Vec<(String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "regulation.html")]
struct RegulationPage {
    meta: PageMeta,
    regulation: Regulation,
    articles: Vec<ArticleView>,
    cited_by: Vec<CitingClaim>,
}

#[get("/regulations/{id}")]
pub async fn show(state: web::Data<AppState>, id: web::Path<String>) -> Result<RegulationPage, WebError> {
    let engine = engine(&state)?;
    let regulation = engine.regulation(&id).ok_or_else(|| WebError::RegulationNotFound(id.to_string()))?;
    Ok(RegulationPage::new(&state, regulation, &engine.claims_citing(&regulation.id)))
}

impl RegulationPage {
    fn new(state: &AppState, regulation: &Regulation, citing: &[&Claim]) -> RegulationPage {
        let cites = |c: &Claim, article: &str| c.regulations.iter().any(|r| r.regulation == regulation.id && r.article == article);
        let articles = regulation
            .articles
            .iter()
            .map(|a| ArticleView {
                anchor: a.anchor(),
                cited_by: citing.iter().filter(|c| cites(c, &a.number)).map(|c| (c.id.clone(), c.title.clone())).collect(),
                article: a.clone(),
            })
            .collect();
        let cited_by = citing
            .iter()
            .map(|c| CitingClaim {
                id: c.id.clone(),
                title: c.title.clone(),
                badge: Badge::rating(c.rating),
                articles: regulation.articles.iter().filter(|a| cites(c, &a.number)).map(|a| a.label.clone()).collect(),
            })
            .collect();
        let description =
            format!("{}，{}发布，{}起施行。附相关条文及引用它的辟谣。", regulation.title, regulation.issuer, regulation.effective);
        RegulationPage {
            meta: PageMeta::new(regulation.display_title(), &description).at(state, &links::regulation_path(&regulation.id)),
            regulation: regulation.clone(),
            articles,
            cited_by,
        }
    }
}
