//! Errors on HTML pages, rendered as a page in the site layout (never a bare text body): the
//! API's errors keep their status and stable code, and get a plain-Chinese explanation on top.

use actix_web::http::StatusCode;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

use super::layout::PageMeta;
use crate::api::ApiError;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error(transparent)]
    Api(#[from] ApiError),
    /// No page at this path.
    #[error("页面不存在：{0}")]
    NotFound(String),
    /// A query parameter we cannot use (`?page=abc`, `?category=nonsense`).
    #[error("{0}")]
    BadQuery(String),
}

impl WebError {
    /// The stable code shown on the page (the API's code when there is one).
    pub fn code(&self) -> &'static str {
        match self {
            WebError::Api(e) => e.code(),
            WebError::NotFound(_) => "not_found",
            WebError::BadQuery(_) => "invalid_query",
        }
    }

    /// What went wrong and what to do, for a reader who does not read error codes.
    fn advice(&self) -> &'static str {
        match self.code() {
            "empty_text" => "没有收到要查证的内容。请把群里转发的消息粘贴到输入框里，再点“查证”。",
            "text_too_long" | "payload_too_large" => "消息太长了。请只粘贴最可疑的一段（一万字以内）再查。",
            "claim_not_found" => "没有找到这条辟谣，可能链接有误或已被合并。可以到谣言库里搜一搜。",
            "regulation_not_found" => "没有找到这部法规，可能链接有误。可以到法规列表里看看。",
            "not_found" => "没有这个页面，可能链接有误。",
            "invalid_query" => "链接里的参数不对，请从页面上的链接重新进入。",
            "index_unavailable" => "辟谣库正在准备中，请过几分钟再试。",
            "internal" => "服务出了点问题，我们已经记录下来了。请稍后再试。",
            _ => "请求有误，请回到首页重新查证。",
        }
    }
}

impl ResponseError for WebError {
    fn status_code(&self) -> StatusCode {
        match self {
            WebError::Api(e) => e.status_code(),
            WebError::NotFound(_) => StatusCode::NOT_FOUND,
            WebError::BadQuery(_) => StatusCode::BAD_REQUEST,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let WebError::Api(ApiError::Internal(err)) = self {
            tracing::error!(error = format!("{err:#}"), "internal error");
        }
        let status = self.status_code();
        let page = ErrorPage {
            meta: PageMeta::new("出错了", self.advice()).noindex(),
            status: status.as_u16(),
            code: self.code(),
            advice: self.advice(),
            detail: self.to_string(),
        };
        let body = page.render().unwrap_or_else(|e| {
            tracing::error!(error = %e, "error page failed to render");
            format!("<!doctype html><html lang=\"zh-CN\"><title>出错了</title><p>出错了（{}）：{}</p></html>", status.as_u16(), self.code())
        });
        HttpResponse::build(status).insert_header((CONTENT_TYPE, "text/html; charset=utf-8")).body(body)
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    meta: PageMeta,
    status: u16,
    code: &'static str,
    advice: &'static str,
    /// The error's own message (English for API errors); shown small, for bug reports.
    detail: String,
}
