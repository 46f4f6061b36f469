//! `POST /api/v1/check`: a message in, a verdict out.

use actix_web::{HttpResponse, post, web};
use serde::Deserialize;
use utoipa::ToSchema;

use super::error::ApiError;
use crate::input::{Limit, MessageText};
use crate::limits::Client;
use crate::record::Surface;
use crate::response::CheckResponse;
use crate::state::AppState;

/// Body of `POST /api/v1/check`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CheckRequest {
    /// The forwarded message, 1 to 10,000 characters after trimming.
    pub text: String,
    /// How many matches to return, 1 to 20 (default 5).
    #[serde(default)]
    pub limit: Option<i64>,
}

#[utoipa::path(post, path = "/api/v1/check", request_body = CheckRequest,
    responses(
        (status = 200, description = "the verdict, with the matching claims best first", body = CheckResponse),
        (status = 400, description = "`empty_text`, `invalid_limit`, `invalid_json`, `invalid_request`", body = crate::error_code::ErrorBody),
        (status = 413, description = "`text_too_long`, `payload_too_large`", body = crate::error_code::ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = crate::error_code::ErrorBody),
        (status = 401, description = "`invalid_api_key`", body = crate::error_code::ErrorBody),
        (status = 429, description = "`rate_limited`: wait `Retry-After` seconds", body = crate::error_code::ErrorBody),
        (status = 503, description = "`index_unavailable`; `busy` (wait `Retry-After` seconds)", body = crate::error_code::ErrorBody)))]
#[post("/check")]
pub async fn check(state: web::Data<AppState>, client: Client, body: web::Json<CheckRequest>) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let text = MessageText::parse(&body.text)?;
    let limit = Limit::parse(body.limit)?;
    state.limits.admit(&client, 1)?;
    Ok(HttpResponse::Ok().json(state.live.check(Surface::Api, text, limit).await?))
}
