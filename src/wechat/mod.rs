//! WeChat Official Account (公众号) endpoint: signature check and passive text replies.

use actix_web::web;

/// Mount `/wechat` (a no-op until implemented).
pub fn routes(_cfg: &mut web::ServiceConfig) {}
