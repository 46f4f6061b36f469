//! WeChat Official Account (公众号) endpoint at `/wechat`, so people can forward a message to the
//! account and read the verdict in the chat. WeChat's servers call us: a GET once to verify the
//! URL (we echo `echostr`), then a POST per user message, answered in the same response with a
//! passive text reply. Both are signed with the token shared with WeChat; the endpoint is off
//! (404) unless the server was started with one (`PIYAO_WECHAT_TOKEN`, never empty).
//!
//! Hardened for a public URL: the signature is checked first, a signed request older or newer
//! than `MAX_CLOCK_SKEW` is refused (no replay of a captured request), the body is capped at
//! `MAX_BODY_BYTES` before any parsing, and XML is parsed off the async workers.

mod picture;
mod reply;
mod signature;
mod xml;

pub use picture::{DEFAULT_HOSTS as DEFAULT_PICTURE_HOSTS, PictureHosts};

use std::time::{SystemTime, UNIX_EPOCH};

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use serde::Deserialize;

use crate::error_code::{ErrorBody, ErrorCode};
use crate::input::{Limit, MessageText};
use crate::record::Surface;
use crate::state::AppState;
use xml::{Content, Incoming, XmlError};

/// Largest message body accepted: WeChat's text messages are at most a few KB of XML.
pub const MAX_BODY_BYTES: usize = 16 * 1024;
/// How far a request's `timestamp` may be from our clock, in seconds.
pub const MAX_CLOCK_SKEW: u64 = 5 * 60;

/// Mount `/wechat` (GET: URL verification, POST: messages).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/wechat").route(web::get().to(verify_url)).route(web::post().to(receive_message)));
}

/// The token shared with WeChat: never empty, since anyone can sign with an empty token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    pub fn parse(raw: &str) -> Result<Token, String> {
        if raw.trim().is_empty() {
            return Err("the WeChat token is empty: anyone could sign requests with it. Set the token from the \
                        Official Account's server settings, or leave PIYAO_WECHAT_TOKEN unset to turn /wechat off"
                .into());
        }
        Ok(Token(raw.to_string()))
    }

    fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for Token {
    type Err = String;
    fn from_str(s: &str) -> Result<Token, String> {
        Token::parse(s)
    }
}

/// Everything that makes us refuse a request from (what claims to be) WeChat. The bodies are the
/// API's JSON errors: WeChat shows users nothing on errors, these are for whoever sets it up.
#[derive(Debug, thiserror::Error)]
pub enum WechatError {
    #[error("the WeChat endpoint is off: start the server with PIYAO_WECHAT_TOKEN (or --wechat-token)")]
    Off,
    #[error("the signature does not match: the token set in WeChat must equal PIYAO_WECHAT_TOKEN")]
    InvalidSignature,
    #[error("`timestamp` is not within {MAX_CLOCK_SKEW} seconds of the server's clock (a replayed request, or a clock to set right)")]
    StaleTimestamp,
    #[error("body is larger than {MAX_BODY_BYTES} bytes")]
    TooLarge,
    #[error("could not read the body: {0}")]
    Body(String),
    #[error("{0}")]
    Xml(#[from] XmlError),
    #[error("body is not UTF-8")]
    NotUtf8,
    #[error("internal error; it has been logged")]
    Internal(String),
}

impl WechatError {
    /// The row of the error table this error maps to.
    pub fn code(&self) -> ErrorCode {
        match self {
            WechatError::Off => ErrorCode::NotFound,
            WechatError::InvalidSignature => ErrorCode::InvalidSignature,
            WechatError::StaleTimestamp => ErrorCode::StaleTimestamp,
            WechatError::TooLarge => ErrorCode::PayloadTooLarge,
            WechatError::Xml(_) | WechatError::NotUtf8 | WechatError::Body(_) => ErrorCode::InvalidXml,
            WechatError::Internal(_) => ErrorCode::Internal,
        }
    }
}

impl ResponseError for WechatError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.code().status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        if let WechatError::Internal(e) = self {
            tracing::error!(error = e.as_str(), "wechat parse task failed");
        }
        HttpResponse::build(self.status_code()).json(ErrorBody::new(self.code(), self.to_string()))
    }
}

/// The query string WeChat adds to every request.
#[derive(Deserialize)]
struct SignedQuery {
    signature: String,
    timestamp: String,
    nonce: String,
    /// Only on the GET that verifies the URL.
    echostr: Option<String>,
}

impl SignedQuery {
    /// The query of a request signed with the configured token, sent within `MAX_CLOCK_SKEW`
    /// of now; `Off` when there is no token.
    fn verified(state: &AppState, req: &HttpRequest) -> Result<SignedQuery, WechatError> {
        let token = state.wechat_token.as_ref().ok_or(WechatError::Off)?;
        let q = web::Query::<SignedQuery>::from_query(req.query_string()).map_err(|_| WechatError::InvalidSignature)?.into_inner();
        if q.nonce.is_empty() || !signature::verify(token.as_str(), &q.timestamp, &q.nonce, &q.signature) {
            return Err(WechatError::InvalidSignature);
        }
        let sent: u64 = q.timestamp.parse().map_err(|_| WechatError::StaleTimestamp)?;
        if sent.abs_diff(now()) > MAX_CLOCK_SKEW {
            return Err(WechatError::StaleTimestamp);
        }
        Ok(q)
    }
}

/// GET: WeChat checks that we know the token; we prove it by echoing `echostr`.
async fn verify_url(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, WechatError> {
    let q = SignedQuery::verified(&state, &req)?;
    Ok(HttpResponse::Ok().content_type("text/plain; charset=utf-8").body(q.echostr.unwrap_or_default()))
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// POST: a user's message; the reply goes back in the response body.
async fn receive_message(state: web::Data<AppState>, req: HttpRequest, body: web::Payload) -> Result<HttpResponse, WechatError> {
    SignedQuery::verified(&state, &req)?;
    let body =
        body.to_bytes_limited(MAX_BODY_BYTES).await.map_err(|_| WechatError::TooLarge)?.map_err(|e| WechatError::Body(e.to_string()))?;
    let body = String::from_utf8(body.to_vec()).map_err(|_| WechatError::NotUtf8)?;
    // parsing is CPU work that a hostile body can make slow: off the async workers
    let incoming = web::block(move || Incoming::parse(&body)).await.map_err(|e| WechatError::Internal(e.to_string()))??;
    Ok(match answer(&state, &incoming.content).await {
        Some(content) => {
            HttpResponse::Ok().content_type("application/xml; charset=utf-8").body(xml::text_reply(&incoming, now(), &content))
        }
        // WeChat's documented way to answer without a reply
        None => HttpResponse::Ok().content_type("text/plain; charset=utf-8").body("success"),
    })
}

/// The text to send back, or `None` for events that want no reply (unsubscribe, menu clicks, …).
async fn answer(state: &AppState, content: &Content) -> Option<String> {
    Some(match content {
        Content::Text(raw) => check(state, Surface::Wechat, raw, reply::verdict).await,
        Content::Image(url) => answer_picture(state, url).await,
        Content::Event(event) if event == "subscribe" => reply::WELCOME.to_string(),
        Content::Event(_) => return None,
        Content::Other(_) => reply::ONLY_TEXT.to_string(),
    })
}

/// The reply to a picture: fetched from WeChat, read, then checked like a text.
async fn answer_picture(state: &AppState, url: &str) -> String {
    let bytes = match picture::fetch(url, &state.picture_hosts).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::warn!(error = %e, "wechat picture not fetched");
            return reply::PICTURE_NOT_FETCHED.to_string();
        }
    };
    let read = match state.ocr.read(bytes).await {
        Ok(read) => read,
        Err(e) => return reply::unreadable(&e),
    };
    check(state, Surface::WechatImage, &read.text, reply::picture_verdict).await
}

/// Check a text and compose the reply with `verdict`; a polite text for whatever goes wrong.
async fn check(
    state: &AppState,
    surface: Surface,
    raw: &str,
    verdict: fn(&crate::response::CheckResponse, &crate::links::Links) -> String,
) -> String {
    match MessageText::parse(raw) {
        Ok(text) => match state.live.check(surface, text, Limit::default()).await {
            Ok(response) => verdict(&response, &state.links),
            Err(e) => {
                tracing::error!(error = format!("{e:#}"), "wechat check failed");
                reply::UNAVAILABLE.to_string()
            }
        },
        Err(e) => reply::refused(&e),
    }
}
