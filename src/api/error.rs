//! The JSON API's one error type: every failure a client can see, with a stable snake_case code
//! and the HTTP status it maps to. Internal failures are logged and shown only as `internal`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::{Deserialize, Serialize};

use crate::message::InputError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    Input(#[from] InputError),
    #[error("request body is not valid JSON: {0}")]
    InvalidJson(String),
    #[error("request body does not have the expected fields: {0}")]
    InvalidRequest(String),
    #[error("request body must be JSON: send `Content-Type: application/json`")]
    UnsupportedMediaType,
    #[error("request body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("no claim with id `{0}`")]
    ClaimNotFound(String),
    #[error("no regulation with id `{0}`")]
    RegulationNotFound(String),
    #[error("no such endpoint: {0}")]
    RouteNotFound(String),
    #[error("{0}")]
    TooManyItems(String),
    #[error("`items` is empty: send 1 to {} messages", super::batch::MAX_BATCH_ITEMS)]
    EmptyBatch,
    #[error("`items[{index}].id` is empty: give every item a non-empty id to match its result")]
    EmptyItemId { index: usize },
    #[error("the index is not ready: run `piyao reindex` (the server picks it up without a restart)")]
    IndexUnavailable,
    #[error("internal error; it has been logged")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    /// The stable code clients switch on.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Input(InputError::Empty) => "empty_text",
            ApiError::Input(InputError::TooLong { .. }) => "text_too_long",
            ApiError::Input(InputError::BadLimit(_)) => "invalid_limit",
            ApiError::InvalidJson(_) => "invalid_json",
            ApiError::InvalidRequest(_) => "invalid_request",
            ApiError::UnsupportedMediaType => "unsupported_media_type",
            ApiError::PayloadTooLarge { .. } => "payload_too_large",
            ApiError::ClaimNotFound(_) => "claim_not_found",
            ApiError::RegulationNotFound(_) => "regulation_not_found",
            ApiError::RouteNotFound(_) => "not_found",
            ApiError::TooManyItems(_) => "too_many_items",
            ApiError::EmptyBatch => "empty_batch",
            ApiError::EmptyItemId { .. } => "empty_id",
            ApiError::IndexUnavailable => "index_unavailable",
            ApiError::Internal(_) => "internal",
        }
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody { error: ErrorDetail { code: self.code().to_string(), message: self.to_string() } }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Input(InputError::TooLong { .. }) | ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Input(_)
            | ApiError::InvalidJson(_)
            | ApiError::InvalidRequest(_)
            | ApiError::TooManyItems(_)
            | ApiError::EmptyBatch
            | ApiError::EmptyItemId { .. } => StatusCode::BAD_REQUEST,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::ClaimNotFound(_) | ApiError::RegulationNotFound(_) | ApiError::RouteNotFound(_) => StatusCode::NOT_FOUND,
            ApiError::IndexUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Internal(e) = self {
            tracing::error!(error = format!("{e:#}"), "internal error");
        }
        HttpResponse::build(self.status_code()).json(self.body())
    }
}

/// `{"error": {"code": "…", "message": "…"}}`
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
}

/// Map actix's JSON extractor failures to our codes.
pub fn from_json_error(err: actix_web::error::JsonPayloadError, limit: usize) -> ApiError {
    use actix_web::error::JsonPayloadError as J;
    match err {
        J::ContentType => ApiError::UnsupportedMediaType,
        J::Overflow { .. } | J::OverflowKnownLength { .. } => ApiError::PayloadTooLarge { limit },
        J::Deserialize(e) if e.is_data() => ApiError::InvalidRequest(e.to_string()),
        J::Deserialize(e) => ApiError::InvalidJson(e.to_string()),
        other => ApiError::InvalidJson(other.to_string()),
    }
}
