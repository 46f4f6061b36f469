//! `GET /api/v1/openapi.json`: the OpenAPI document, generated from the handlers' `#[utoipa::path]`
//! annotations and the response types, so it cannot drift from what the server sends. Bot authors
//! generate clients from it; the integration tests validate real responses against it.

use actix_web::{HttpResponse, get};
use utoipa::OpenApi;

use super::{batch, check, feedback, image, lookup, metrics};
use crate::error_code::{ErrorBody, ErrorDetail};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "piyao",
        version = env!("CARGO_PKG_VERSION"),
        description = "辟谣 (piyao): checks messages forwarded in Chinese group chats against a corpus of \
            debunks. Every error is `{\"error\": {\"code\", \"message\"}}` with a stable snake_case `code`."
    ),
    paths(check::check, image::check_image, batch::check_batch, feedback::feedback, feedback::recheck, crate::admin::api::queue, crate::admin::api::cluster, lookup::claim, lookup::regulation, lookup::healthz, metrics::metrics, openapi_json),
    components(schemas(ErrorBody, ErrorDetail))
)]
pub struct ApiDoc;

#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "openapi",
    responses((status = 200, description = "this OpenAPI 3.1 document", content_type = "application/json")))]
#[get("/openapi.json")]
pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
