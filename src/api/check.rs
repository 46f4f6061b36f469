//! `POST /api/v1/check`: a message in, a verdict out.

use actix_web::{HttpResponse, post, web};
use serde::Deserialize;
use utoipa::ToSchema;

use super::error::ApiError;
use crate::message::{Limit, MessageText};
use crate::server::AppState;
use crate::verdict::CheckResponse;

/// Body of `POST /api/v1/check`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CheckRequest {
    /// The forwarded message, 1 to 10,000 characters after trimming.
    pub text: String,
    /// How many matches to return, 1 to 20 (default 5).
    #[serde(default)]
    pub limit: Option<i64>,
}

/// Run a check off the async runtime.
pub async fn run_check(state: &AppState, text: MessageText, limit: Limit) -> Result<CheckResponse, ApiError> {
    let engine = state.live.get().ok_or(ApiError::IndexUnavailable)?;
    web::block(move || engine.check(&text, limit))
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("check task failed: {e}")))?
        .map_err(ApiError::Internal)
}

#[utoipa::path(post, path = "/api/v1/check", request_body = CheckRequest,
    responses(
        (status = 200, description = "the verdict, with the matching claims best first", body = CheckResponse),
        (status = 400, description = "`empty_text`, `invalid_limit`, `invalid_json`, `invalid_request`", body = super::error::ErrorBody),
        (status = 413, description = "`text_too_long`, `payload_too_large`", body = super::error::ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = super::error::ErrorBody),
        (status = 503, description = "`index_unavailable`", body = super::error::ErrorBody)))]
#[post("/check")]
pub async fn check(state: web::Data<AppState>, body: web::Json<CheckRequest>) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let text = MessageText::parse(&body.text)?;
    let limit = Limit::parse(body.limit)?;
    Ok(HttpResponse::Ok().json(run_check(&state, text, limit).await?))
}
