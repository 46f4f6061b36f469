//! Each request gets an id (`X-Request-Id`, kept when a proxy sent a sane one), is refused early
//! when its URL is too long (414) or it takes too long to arrive and be answered (408), and ends
//! with one access log line: method, path (never the query, which may hold a user's message),
//! status, latency, request id.

use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::InternalError;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse, ResponseError, web};

use crate::api::ApiError;
use crate::metrics::RequestStats;
use crate::request_id;
use crate::web::WebError;

/// Longest URL (path and query) accepted. A permalink is only made for a message that fits.
pub const MAX_URL_BYTES: usize = 8 * 1024;

/// How long a request may take from its head to its response (a half-sent body included).
#[derive(Debug, Clone, Copy)]
pub struct RequestLimits {
    pub timeout: Duration,
}

impl Default for RequestLimits {
    fn default() -> RequestLimits {
        RequestLimits { timeout: Duration::from_secs(15) }
    }
}

/// The middleware (for `actix_web::middleware::from_fn`).
pub async fn requests(req: ServiceRequest, next: Next<impl MessageBody + 'static>) -> Result<ServiceResponse, Error> {
    let started = Instant::now();
    let id = request_id::from_header(req.headers().get("x-request-id").and_then(|v| v.to_str().ok()));
    let limits = req.app_data::<web::Data<RequestLimits>>().map(|l| *l.get_ref()).unwrap_or_default();
    let method = req.method().to_string();
    let path: String = req.path().chars().take(200).collect();
    let url_len = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    let is_json = is_json_surface(req.path());
    let stats = req.app_data::<web::Data<RequestStats>>().cloned();

    // The request is moved into the app (routing needs it unshared), so a response made here
    // after a timeout or an error has no request to attach to: it travels as an error carrying
    // the finished response, which actix sends as it is.
    let result: Result<ServiceResponse, HttpResponse> = request_id::scope(id.clone(), async move {
        if url_len > MAX_URL_BYTES {
            return Ok(req.into_response(refusal(is_json, Refusal::UriTooLong(url_len))));
        }
        match actix_web::rt::time::timeout(limits.timeout, next.call(req)).await {
            Ok(Ok(res)) => Ok(res.map_into_boxed_body()),
            Ok(Err(e)) => Err(e.error_response()),
            Err(_) => Err(refusal(is_json, Refusal::Timeout(limits.timeout))),
        }
    })
    .await;
    let stamp = |headers: &mut actix_web::http::header::HeaderMap| {
        if let Ok(v) = HeaderValue::from_str(&id) {
            headers.insert(HeaderName::from_static("x-request-id"), v);
        }
    };
    let (status, route, out) = match result {
        Ok(mut res) => {
            stamp(res.headers_mut());
            (res.status().as_u16(), res.request().match_pattern(), Ok(res))
        }
        Err(mut res) => {
            stamp(res.headers_mut());
            (res.status().as_u16(), None, Err(InternalError::from_response("refused", res).into()))
        }
    };
    if let Some(stats) = stats {
        stats.record(&method, route.as_deref(), status);
    }
    let latency_ms = (started.elapsed().as_secs_f64() * 100_000.0).round() / 100.0;
    tracing::info!(target: "piyao::access", method, path, status, latency_ms, request_id = id, "request");
    out
}

enum Refusal {
    UriTooLong(usize),
    Timeout(Duration),
}

/// JSON for the API and WeChat, a page for the browser.
fn refusal(is_json: bool, r: Refusal) -> actix_web::HttpResponse {
    match (is_json, r) {
        (true, Refusal::UriTooLong(len)) => ApiError::UriTooLong { len, limit: MAX_URL_BYTES }.error_response(),
        (true, Refusal::Timeout(t)) => ApiError::Timeout { seconds: t.as_secs() }.error_response(),
        (false, Refusal::UriTooLong(len)) => WebError::UriTooLong { len, limit: MAX_URL_BYTES }.error_response(),
        (false, Refusal::Timeout(t)) => WebError::Timeout { seconds: t.as_secs() }.error_response(),
    }
}

fn is_json_surface(path: &str) -> bool {
    path.starts_with("/api/") || path == "/healthz" || path == "/metrics" || path == "/wechat"
}
