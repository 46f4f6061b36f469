//! The JSON API under `/api/v1` (and `/healthz`, `/metrics`): thin handlers that parse input into types,
//! call the engine, and translate errors into `{"error": {"code", "message"}}`.

mod batch;
mod check;
mod error;
mod feedback;
mod image;
mod lookup;
mod metrics;
mod openapi;

use actix_web::{guard, web};

pub use error::ApiError;
pub use feedback::{MAX_COMMENT_CHARS, rfc3339};

use crate::input::MAX_BODY_BYTES;

/// Mount the API routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(lookup::healthz).service(metrics::metrics).service(
        web::scope("/api/v1")
            .app_data(json_config(MAX_BODY_BYTES))
            .app_data(web::QueryConfig::default().error_handler(|err, _req| ApiError::InvalidQuery(err.to_string()).into()))
            .service(check::check)
            .service(image::check_image)
            .service(
                // a resource rather than `#[post]` to give the batch its larger body limit
                web::resource("/check/batch")
                    .guard(guard::Post())
                    .app_data(json_config(batch::MAX_BATCH_BODY_BYTES))
                    .to(batch::check_batch),
            )
            .service(feedback::feedback)
            .service(feedback::recheck)
            .configure(crate::admin::api::routes)
            .service(lookup::claim)
            .service(lookup::regulation)
            .service(openapi::openapi_json)
            .default_service(web::to(|req: actix_web::HttpRequest| async move {
                Err::<actix_web::HttpResponse, _>(ApiError::RouteNotFound(format!("{} {}", req.method(), req.path())))
            })),
    );
}

/// JSON bodies up to `limit` bytes, with extractor failures mapped to our error codes.
fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default().limit(limit).error_handler(move |err, _req| error::from_json_error(err, limit).into())
}
