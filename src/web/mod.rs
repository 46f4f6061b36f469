//! The HTML pages (askama): the check form and its result, the browsable corpus, the laws it
//! cites, with errors shown in the same layout. Works without JavaScript; Chinese UI; mobile
//! first, because the people who most need a debunk read it on a phone, often with large fonts.
//!
//! One module per page; template structs live beside their handlers. Handlers stay thin: parse
//! the request, ask the engine, hand plain values to the template.

mod assets;
mod badge;
mod check;
mod claims;
mod error;
mod home;
mod marked;
mod page;
mod regulations;

use actix_web::{HttpRequest, HttpResponse, web};

use crate::input::MAX_BODY_BYTES;

pub use error::WebError;
pub(crate) use page::{PageMeta, query as query_params};

pub fn routes(cfg: &mut web::ServiceConfig) {
    let form = web::FormConfig::default().limit(MAX_BODY_BYTES).error_handler(|err, _| {
        use actix_web::error::UrlencodedError as U;
        match err {
            U::Overflow { .. } => WebError::PayloadTooLarge { limit: MAX_BODY_BYTES },
            U::ContentType => WebError::UnsupportedMediaType,
            other => WebError::InvalidForm(other.to_string()),
        }
        .into()
    });
    cfg.app_data(form)
        .service(home::home)
        .service(check::check_form)
        .service(check::check_image_form)
        .service(check::check_permalink)
        .service(check::feedback_form)
        .service(claims::browse)
        .service(claims::show)
        .service(regulations::index)
        .service(regulations::show)
        .service(assets::stylesheet)
        .service(assets::reply_script)
        .service(assets::picture_script)
        .service(assets::favicon)
        .default_service(web::to(not_found));
}

async fn not_found(req: HttpRequest) -> Result<HttpResponse, WebError> {
    Err(WebError::NotFound(req.path().to_string()))
}
