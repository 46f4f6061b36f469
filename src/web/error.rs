//! Errors on HTML pages, rendered as a page in the site layout (never a bare text body), with the
//! status, stable code and plain-Chinese advice of the shared `ErrorCode` table.

use actix_web::http::StatusCode;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

use super::page::PageMeta;
use crate::error_code::ErrorCode;
use crate::input::InputError;
use crate::limits::Limited;
use crate::live::CheckError;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("{0}")]
    Input(#[from] InputError),
    #[error(transparent)]
    Check(#[from] CheckError),
    #[error("no claim with id `{0}`")]
    ClaimNotFound(String),
    #[error("no regulation with id `{0}`")]
    RegulationNotFound(String),
    /// No page at this path.
    #[error("页面不存在：{0}")]
    NotFound(String),
    /// A query parameter we cannot use (`?page=abc`, `?category=nonsense`).
    #[error("{0}")]
    BadQuery(String),
    #[error("request body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("the form must be sent as application/x-www-form-urlencoded")]
    UnsupportedMediaType,
    #[error("{0}")]
    InvalidForm(String),
    #[error("too many checks from this address: try again in {} s", .0.retry_after_secs())]
    RateLimited(Limited),
    #[error("the URL has {len} bytes; at most {limit} are accepted")]
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
}

impl WebError {
    /// The row of the error table this error maps to.
    pub fn code(&self) -> ErrorCode {
        match self {
            WebError::Input(e) => e.into(),
            WebError::Check(e) => e.into(),
            WebError::ClaimNotFound(_) => ErrorCode::ClaimNotFound,
            WebError::RegulationNotFound(_) => ErrorCode::RegulationNotFound,
            WebError::NotFound(_) => ErrorCode::NotFound,
            WebError::BadQuery(_) => ErrorCode::InvalidQuery,
            WebError::PayloadTooLarge { .. } => ErrorCode::PayloadTooLarge,
            WebError::UnsupportedMediaType => ErrorCode::UnsupportedMediaType,
            WebError::InvalidForm(_) => ErrorCode::InvalidRequest,
            WebError::RateLimited(_) => ErrorCode::RateLimited,
            WebError::UriTooLong { .. } => ErrorCode::UriTooLong,
            WebError::Timeout { .. } => ErrorCode::RequestTimeout,
            WebError::Upload(e) => e.into(),
            WebError::Ocr(e) => e.into(),
            WebError::Record(e) => e.into(),
            WebError::Admin(e) => e.code(),
        }
    }
}

impl ResponseError for WebError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.code().status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        if let WebError::Check(CheckError::Internal(err)) = self {
            tracing::error!(error = format!("{err:#}"), "internal error");
        }
        if let WebError::Ocr(e @ crate::ocr::OcrError::Failed(_)) = self {
            tracing::error!(error = %e, "OCR failed");
        }
        let status = self.status_code();
        let code = self.code();
        let page = ErrorPage {
            meta: PageMeta::new("出错了", code.advice()).noindex(),
            status: status.as_u16(),
            code: code.as_str(),
            advice: code.advice(),
            detail: self.to_string(),
            request_id: crate::request_id::current(),
        };
        let body = page.render().unwrap_or_else(|e| {
            tracing::error!(error = %e, "error page failed to render");
            format!(
                "<!doctype html><html lang=\"zh-CN\"><title>出错了</title><p>出错了（{}）：{}</p></html>",
                status.as_u16(),
                code.as_str()
            )
        });
        let mut res = HttpResponse::build(status);
        match self {
            WebError::RateLimited(l) => {
                res.insert_header(("Retry-After", l.retry_after_secs().to_string()));
            }
            WebError::Check(CheckError::Busy) => {
                res.insert_header(("Retry-After", "1"));
            }
            _ => {}
        }
        res.insert_header((CONTENT_TYPE, "text/html; charset=utf-8")).body(body)
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    meta: PageMeta,
    status: u16,
    code: &'static str,
    advice: &'static str,
    /// The error's own message (English for input errors); shown small, for bug reports.
    detail: String,
    request_id: Option<String>,
}

impl From<Limited> for WebError {
    fn from(l: Limited) -> WebError {
        WebError::RateLimited(l)
    }
}
