//! What every request handler can reach: the live engine and the settings the surfaces share.
//! A leaf module, so that the API, the web pages and WeChat depend on it and not on each other.

use std::sync::Arc;

use crate::limits::Limits;
use crate::links::Links;
use crate::live::LiveEngine;

/// Shared by every handler (as `web::Data<AppState>`).
pub struct AppState {
    pub live: Arc<LiveEngine>,
    /// Absolute links for what leaves the site (chat replies, WeChat, ClaimReview, Open Graph).
    pub links: Links,
    /// WeChat Official Account token; the `/wechat` endpoint is off when `None`.
    pub wechat_token: Option<crate::wechat::Token>,
    /// Checks per second per client.
    pub limits: Limits,
    /// Reads the text of pictures (off when Tesseract is missing).
    pub ocr: Arc<crate::ocr::Ocr>,
    /// Hosts WeChat pictures may be fetched from.
    pub picture_hosts: crate::wechat::PictureHosts,
    /// The editors' pages (off when `None`: no admin token).
    pub admin: Option<crate::admin::Admin>,
}
