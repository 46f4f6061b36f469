//! The JSON API's one error type: every failure a client can see, mapped into the shared
//! `ErrorCode` table (status and stable code). Internal failures are logged and shown only as
//! `internal`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

use crate::error_code::{ErrorBody, ErrorCode};
use crate::input::InputError;
use crate::limits::Limited;
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
    #[error("the query string is invalid: {0}")]
    InvalidQuery(String),
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
    #[error("too many checks from this client: try again in {} s", .0.retry_after_secs())]
    RateLimited(Limited),
    #[error("the URL has {len} bytes; at most {limit} are accepted: send the message in a POST body")]
    UriTooLong { len: usize, limit: usize },
    #[error("the request did not arrive and get answered within {seconds} s")]
    Timeout { seconds: u64 },
    #[error(transparent)]
    Upload(#[from] crate::upload::UploadError),
    #[error(transparent)]
    Ocr(#[from] crate::ocr::OcrError),
    #[error(transparent)]
    Record(#[from] crate::record::RecordError),
    #[error(transparent)]
    Admin(#[from] crate::admin::AdminError),
    #[error("the results would take {bytes} bytes, more than the {limit} a batch may return: send fewer items or a smaller `limit`")]
    ResultsTooLarge { bytes: usize, limit: usize },
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
            ApiError::InvalidQuery(_) => ErrorCode::InvalidQuery,
            ApiError::ClaimNotFound(_) => ErrorCode::ClaimNotFound,
            ApiError::RegulationNotFound(_) => ErrorCode::RegulationNotFound,
            ApiError::RouteNotFound(_) => ErrorCode::NotFound,
            ApiError::TooManyItems(_) => ErrorCode::TooManyItems,
            ApiError::EmptyBatch => ErrorCode::EmptyBatch,
            ApiError::EmptyItemId { .. } => ErrorCode::EmptyId,
            ApiError::Check(e) => e.into(),
            ApiError::RateLimited(_) => ErrorCode::RateLimited,
            ApiError::UriTooLong { .. } => ErrorCode::UriTooLong,
            ApiError::Timeout { .. } => ErrorCode::RequestTimeout,
            ApiError::ResultsTooLarge { .. } => ErrorCode::ResultsTooLarge,
            ApiError::Upload(e) => e.into(),
            ApiError::Ocr(e) => e.into(),
            ApiError::Record(e) => e.into(),
            ApiError::Admin(e) => e.code(),
        }
    }

    /// Seconds to wait before trying again, for `Retry-After`.
    fn retry_after(&self) -> Option<u64> {
        match self {
            ApiError::RateLimited(l) => Some(l.retry_after_secs()),
            ApiError::Check(CheckError::Busy) => Some(1),
            ApiError::Ocr(crate::ocr::OcrError::Busy { .. }) => Some(2),
            _ => None,
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
        if let ApiError::Record(e @ crate::record::RecordError::Store(_)) = self {
            tracing::error!(error = %e, "database error");
        }
        if let ApiError::Ocr(e @ crate::ocr::OcrError::Failed(_)) = self {
            tracing::error!(error = %e, "OCR failed");
        }
        let mut res = HttpResponse::build(self.status_code());
        if let Some(secs) = self.retry_after() {
            res.insert_header(("Retry-After", secs.to_string()));
        }
        res.json(ErrorBody::new(self.code(), self.to_string()))
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

impl From<Limited> for ApiError {
    fn from(l: Limited) -> ApiError {
        ApiError::RateLimited(l)
    }
}
