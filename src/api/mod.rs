//! The JSON API under `/api/v1` (and `/healthz`): thin handlers that parse input into types,
//! call the engine, and translate errors into `{"error": {"code", "message"}}`.

mod check;
pub mod error;
mod lookup;

use actix_web::web;

pub use check::{CheckRequest, run_check};
pub use error::{ApiError, ErrorBody};

/// Largest JSON body accepted (a 10,000-character message fits with room to spare).
pub const MAX_BODY_BYTES: usize = 512 * 1024;

/// Mount the API routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    let json = web::JsonConfig::default()
        .limit(MAX_BODY_BYTES)
        .error_handler(|err, _req| error::from_json_error(err, MAX_BODY_BYTES).into());
    cfg.service(lookup::healthz).service(
        web::scope("/api/v1")
            .app_data(json)
            .service(check::check)
            .service(lookup::claim)
            .service(lookup::regulation)
            .default_service(web::to(|req: actix_web::HttpRequest| async move {
                Err::<actix_web::HttpResponse, _>(ApiError::RouteNotFound(format!("{} {}", req.method(), req.path())))
            })),
    );
}
