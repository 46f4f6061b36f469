//! `POST /api/v1/feedback` and `GET /api/v1/checks/{check_id}`: what people say of an answer,
//! and a recorded check run again on today's index (so a bot can tell a group that the message
//! it asked about yesterday has been debunked since).

use actix_web::{HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::ApiError;
use crate::input::{Limit, MessageText};
use crate::limits::Client;
use crate::live::CheckError;
use crate::record::RecordError;
use crate::response::CheckResponse;
use crate::state::AppState;

/// Longest feedback comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 2000;

/// Body of `POST /api/v1/feedback`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackRequest {
    /// The `check_id` of a check response.
    pub check_id: String,
    /// Was the answer helpful?
    pub helpful: bool,
    /// What was wrong or right, up to 2,000 characters (personal data is masked before it is stored).
    #[serde(default)]
    pub comment: Option<String>,
}

/// Response of `POST /api/v1/feedback`.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedbackResponse {
    pub check_id: String,
    pub recorded: bool,
}

#[utoipa::path(post, path = "/api/v1/feedback", request_body = FeedbackRequest,
    responses(
        (status = 201, description = "the feedback is stored", body = FeedbackResponse),
        (status = 400, description = "`invalid_json`, `invalid_request` (e.g. a comment over 2,000 characters)", body = crate::error_code::ErrorBody),
        (status = 404, description = "`check_not_found`", body = crate::error_code::ErrorBody),
        (status = 429, description = "`rate_limited`: wait `Retry-After` seconds", body = crate::error_code::ErrorBody),
        (status = 503, description = "`recording_off`, `database_unavailable`", body = crate::error_code::ErrorBody)))]
#[post("/feedback")]
pub async fn feedback(state: web::Data<AppState>, client: Client, body: web::Json<FeedbackRequest>) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    // counted like a check: an unknown id makes the writer write what it holds at once
    state.limits.admit(&client, 1)?;
    if body.comment.as_ref().is_some_and(|c| c.chars().count() > MAX_COMMENT_CHARS) {
        return Err(ApiError::InvalidRequest(format!("`comment` is longer than {MAX_COMMENT_CHARS} characters")));
    }
    let recorder = state.live.recorder.clone();
    let check = web::block(move || recorder.feedback(&body.check_id, body.helpful, body.comment.as_deref()))
        .await
        .map_err(|e| CheckError::Internal(anyhow::anyhow!("feedback task failed: {e}")))??;
    Ok(HttpResponse::Created().json(FeedbackResponse { check_id: check.id, recorded: true }))
}

/// Response of `GET /api/v1/checks/{check_id}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecheckResponse {
    pub check_id: String,
    /// When it was first checked (RFC 3339, UTC).
    pub checked_at: String,
    pub surface: String,
    /// The message as stored: personal data masked.
    pub text: String,
    /// The verdict it got then.
    pub original_verdict: String,
    /// The claim it matched best then (any level).
    pub original_claim: Option<String>,
    /// The index generation that answered then.
    pub original_generation: String,
    /// The verdict today changes: e.g. `unknown` then, `false` now.
    pub changed: bool,
    /// The stored text checked again against the index served now (its `check_id` is null:
    /// re-checks are not recorded).
    pub current: CheckResponse,
}

#[utoipa::path(get, path = "/api/v1/checks/{check_id}",
    params(("check_id" = String, Path, description = "the `check_id` of an earlier check response")),
    responses(
        (status = 200, description = "the stored check, and its text checked again now", body = RecheckResponse),
        (status = 404, description = "`check_not_found` (unknown, or older than the retention)", body = crate::error_code::ErrorBody),
        (status = 429, description = "`rate_limited`: a re-check counts as a check", body = crate::error_code::ErrorBody),
        (status = 503, description = "`recording_off`, `database_unavailable`, `index_unavailable`", body = crate::error_code::ErrorBody)))]
#[get("/checks/{check_id}")]
pub async fn recheck(state: web::Data<AppState>, client: Client, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    state.limits.admit(&client, 1)?;
    let recorder = state.live.recorder.clone();
    let stored = web::block(move || recorder.stored_check(&id))
        .await
        .map_err(|e| CheckError::Internal(anyhow::anyhow!("lookup task failed: {e}")))??;
    let engine = state.live.get().ok_or(ApiError::index_unavailable())?;
    let text = MessageText::parse(&stored.text).map_err(|_| RecordError::NotFound(state.live.recorder.status().retention_days))?;
    let current = web::block(move || engine.check(&text, Limit::default()))
        .await
        .map_err(|e| CheckError::Internal(anyhow::anyhow!("check task failed: {e}")))?
        .map_err(CheckError::Internal)?;
    Ok(HttpResponse::Ok().json(RecheckResponse {
        changed: current.verdict.as_str() != stored.verdict,
        check_id: stored.id,
        checked_at: rfc3339(stored.at_ms),
        surface: stored.surface,
        text: stored.text,
        original_verdict: stored.verdict,
        original_claim: stored.top_claim,
        original_generation: stored.generation,
        current,
    }))
}

/// Milliseconds since the epoch as RFC 3339 in UTC (`2026-11-27T15:04:05Z`).
pub fn rfc3339(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = crate::corpus::civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

#[cfg(test)]
mod tests {
    #[test]
    fn times_are_rfc3339_utc() {
        assert_eq!(super::rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::rfc3339(1_795_791_845_000), "2026-11-27T15:04:05Z");
        assert_eq!(super::rfc3339(951_782_400_000), "2000-02-29T00:00:00Z");
    }
}
