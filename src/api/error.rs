//! The JSON API's one error type: every failure a client can see, mapped into the shared
//! `ErrorCode` table (status and stable code). Internal failures are logged and shown only as
//! `internal`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

use crate::error_code::{ErrorBody, ErrorCode};
use crate::input::InputError;
use crate::live::CheckError;

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
    #[error(transparent)]
    Check(#[from] CheckError),
}

impl ApiError {
    /// The row of the error table this error maps to.
    pub fn code(&self) -> ErrorCode {
        match self {
            ApiError::Input(e) => e.into(),
            ApiError::InvalidJson(_) => ErrorCode::InvalidJson,
            ApiError::InvalidRequest(_) => ErrorCode::InvalidRequest,
            ApiError::UnsupportedMediaType => ErrorCode::UnsupportedMediaType,
            ApiError::PayloadTooLarge { .. } => ErrorCode::PayloadTooLarge,
            ApiError::ClaimNotFound(_) => ErrorCode::ClaimNotFound,
            ApiError::RegulationNotFound(_) => ErrorCode::RegulationNotFound,
            ApiError::RouteNotFound(_) => ErrorCode::NotFound,
            ApiError::TooManyItems(_) => ErrorCode::TooManyItems,
            ApiError::EmptyBatch => ErrorCode::EmptyBatch,
            ApiError::EmptyItemId { .. } => ErrorCode::EmptyId,
            ApiError::Check(e) => e.into(),
        }
    }

    pub fn index_unavailable() -> ApiError {
        ApiError::Check(CheckError::IndexUnavailable)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.code().status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Check(CheckError::Internal(e)) = self {
            tracing::error!(error = format!("{e:#}"), "internal error");
        }
        HttpResponse::build(self.status_code()).json(ErrorBody::new(self.code(), self.to_string()))
    }
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
