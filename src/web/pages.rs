//! Page handlers and their template structs.

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse, ResponseError, get, post, web};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use crate::api::{ApiError, run_check};
use crate::message::{Limit, MessageText};
use crate::server::AppState;
use crate::verdict::{CheckResponse, Verdict};

/// Example forwards offered on the front page (real rumors from the corpus).
const EXAMPLES: &[&str] = &[
    "从今晚8点开始全国清查，不删聊天记录封群封号，收到请转发",
    "转发超过500次就要坐牢，大家注意",
];

#[derive(Template, WebTemplate)]
#[template(path = "index.html")]
struct IndexPage {
    examples: &'static [&'static str],
}

#[derive(Template, WebTemplate)]
#[template(path = "result.html")]
struct ResultPage {
    text: String,
    result: CheckResponse,
    permalink: String,
}

impl ResultPage {
    fn verdict_class(&self) -> &'static str {
        verdict_class(self.result.verdict)
    }

    fn is_unknown(&self) -> bool {
        self.result.verdict == Verdict::Unknown
    }
}

fn verdict_class(v: Verdict) -> &'static str {
    v.as_str()
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    status: u16,
    code: String,
    message: String,
}

/// Errors on HTML pages: the API's errors, rendered in the site layout.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error("页面不存在：{0}")]
    NotFound(String),
}

impl ResponseError for WebError {
    fn status_code(&self) -> StatusCode {
        match self {
            WebError::Api(e) => e.status_code(),
            WebError::NotFound(_) => StatusCode::NOT_FOUND,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let (code, message) = match self {
            WebError::Api(e) => {
                if let ApiError::Internal(err) = e {
                    tracing::error!(error = format!("{err:#}"), "internal error");
                }
                (e.code().to_string(), e.to_string())
            }
            WebError::NotFound(_) => ("not_found".to_string(), self.to_string()),
        };
        let status = self.status_code();
        let page = ErrorPage { status: status.as_u16(), code, message };
        let body = page.render().unwrap_or_else(|_| "error".to_string());
        HttpResponse::build(status).insert_header((CONTENT_TYPE, "text/html; charset=utf-8")).body(body)
    }
}

#[derive(Deserialize)]
struct CheckForm {
    text: Option<String>,
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    let form = web::FormConfig::default().limit(crate::api::MAX_BODY_BYTES).error_handler(|err, _| {
        use actix_web::error::UrlencodedError as U;
        let api = match err {
            U::Overflow { .. } => ApiError::PayloadTooLarge { limit: crate::api::MAX_BODY_BYTES },
            U::ContentType => ApiError::UnsupportedMediaType,
            other => ApiError::InvalidRequest(other.to_string()),
        };
        WebError::Api(api).into()
    });
    cfg.app_data(form)
        .service(index)
        .service(check_post)
        .service(check_get)
        .service(stylesheet)
        .service(favicon)
        .default_service(web::to(|req: HttpRequest| async move { Err::<HttpResponse, _>(WebError::NotFound(req.path().to_string())) }));
}

#[get("/")]
async fn index() -> IndexPage {
    IndexPage { examples: EXAMPLES }
}

async fn result(state: &AppState, raw: Option<String>) -> Result<ResultPage, WebError> {
    let text = MessageText::parse(raw.as_deref().unwrap_or("")).map_err(ApiError::from)?;
    let result = run_check(state, text.clone(), Limit::default()).await?;
    let permalink = format!("/check?text={}", url_encode(text.as_str()));
    Ok(ResultPage { text: text.as_str().to_string(), result, permalink })
}

#[post("/check")]
async fn check_post(state: web::Data<AppState>, form: web::Form<CheckForm>) -> Result<ResultPage, WebError> {
    result(&state, form.into_inner().text).await
}

/// The permalink form of a check: `/check?text=…`.
#[get("/check")]
async fn check_get(state: web::Data<AppState>, query: web::Query<CheckForm>) -> Result<ResultPage, WebError> {
    result(&state, query.into_inner().text).await
}

#[get("/static/style.css")]
async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/css; charset=utf-8"))
        .insert_header((CACHE_CONTROL, "public, max-age=86400"))
        .body(include_str!("static/style.css"))
}

#[get("/favicon.svg")]
async fn favicon() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "image/svg+xml"))
        .insert_header((CACHE_CONTROL, "public, max-age=604800"))
        .body(include_str!("static/favicon.svg"))
}

/// Percent-encode for a query string value.
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
