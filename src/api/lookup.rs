//! Read-only lookups: a claim, a regulation, and the health of the index.

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Serialize;

use super::error::ApiError;
use crate::corpus::{Claim, Regulation};
use crate::engine::IndexStats;
use crate::links;
use crate::response::ArticleRef;
use crate::state::AppState;

/// A claim with its cited articles resolved.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ClaimResponse<'a> {
    #[serde(flatten)]
    #[schema(inline)]
    pub claim: &'a Claim,
    pub label: &'static str,
    pub permalink: String,
    pub articles: Vec<ArticleRef>,
}

#[utoipa::path(get, path = "/api/v1/claims/{id}",
    params(("id" = String, Path, description = "claim id"),
        ("format" = Option<String>, Query, description = "`claimreview` for schema.org ClaimReview JSON-LD")),
    responses(
        (status = 200, description = "the claim with its cited articles; with `format=claimreview` (or \
            `Accept: application/ld+json`) a schema.org ClaimReview as `application/ld+json` instead", body = ClaimResponse),
        (status = 404, description = "`claim_not_found`", body = crate::error_code::ErrorBody),
        (status = 503, description = "`index_unavailable`", body = crate::error_code::ErrorBody)))]
#[get("/claims/{id}")]
pub async fn claim(state: web::Data<AppState>, id: web::Path<String>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let engine = state.live.get().ok_or(ApiError::index_unavailable())?;
    let claim = engine.claim(&id).ok_or_else(|| ApiError::ClaimNotFound(id.to_string()))?;
    let wants_ld = req.query_string().split('&').any(|p| p == "format=claimreview")
        || req.headers().get("accept").and_then(|a| a.to_str().ok()).is_some_and(|a| a.contains("application/ld+json"));
    if wants_ld {
        let doc = crate::corpus::claimreview::to_claimreview(claim, &state.links);
        return Ok(HttpResponse::Ok().content_type("application/ld+json; charset=utf-8").json(doc));
    }
    Ok(HttpResponse::Ok().json(ClaimResponse {
        claim,
        label: claim.rating.label(),
        permalink: links::claim_path(&claim.id),
        articles: engine.article_refs(claim),
    }))
}

/// A regulation and the claims that cite it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RegulationResponse<'a> {
    #[serde(flatten)]
    #[schema(inline)]
    pub regulation: &'a Regulation,
    pub permalink: String,
    pub cited_by: Vec<String>,
}

#[utoipa::path(get, path = "/api/v1/regulations/{id}", params(("id" = String, Path, description = "regulation id")),
    responses(
        (status = 200, description = "the regulation and the claims that cite it", body = RegulationResponse),
        (status = 404, description = "`regulation_not_found`", body = crate::error_code::ErrorBody),
        (status = 503, description = "`index_unavailable`", body = crate::error_code::ErrorBody)))]
#[get("/regulations/{id}")]
pub async fn regulation(state: web::Data<AppState>, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let engine = state.live.get().ok_or(ApiError::index_unavailable())?;
    let regulation = engine.regulation(&id).ok_or_else(|| ApiError::RegulationNotFound(id.to_string()))?;
    Ok(HttpResponse::Ok().json(RegulationResponse {
        regulation,
        permalink: links::regulation_path(&regulation.id),
        cited_by: engine.claims_citing(&regulation.id).into_iter().map(|c| c.id.clone()).collect(),
    }))
}

/// `/healthz` when the index is loaded.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: &'static str,
    pub index: IndexStats,
    pub refused: Refused,
    /// Whether image checks (`POST /api/v1/check/image`) work, and why not.
    pub ocr: crate::ocr::OcrStatus,
    /// Whether checks are recorded (for feedback, re-checks and the editors' queue), and why not.
    pub recording: crate::record::RecordStatus,
}

/// Requests refused since the server started, by reason.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Refused {
    /// `rate_limited` (429): a client over its checks per second.
    pub rate_limited: u64,
    /// `busy` (503): no check slot free within the wait.
    pub busy: u64,
    /// `ocr_busy` (503): too many pictures already waiting to be read.
    pub ocr_busy: u64,
}

#[utoipa::path(get, path = "/healthz",
    responses(
        (status = 200, description = "the index is loaded", body = Health),
        (status = 503, description = "`index_unavailable`: no index yet", body = crate::error_code::ErrorBody)))]
#[get("/healthz")]
pub async fn healthz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let engine = state.live.get().ok_or(ApiError::index_unavailable())?;
    let refused = Refused { rate_limited: state.limits.refused(), busy: state.live.busy(), ocr_busy: state.ocr.refused() };
    Ok(HttpResponse::Ok().json(Health {
        status: "ok",
        index: engine.stats(),
        refused,
        ocr: state.ocr.status().clone(),
        recording: state.live.recorder.status(),
    }))
}
