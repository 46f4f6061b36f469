//! `POST /api/v1/check/image`: a screenshot or photo in, the text read from it and its verdict out.

use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::Deserialize;

use super::error::ApiError;
use crate::input::{Limit, MessageText};
use crate::limits::Client;
use crate::record::Surface;
use crate::response::ImageCheckResponse;
use crate::state::AppState;

/// Query of `POST /api/v1/check/image`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ImageQuery {
    /// How many matches to return, 1 to 20 (default 5).
    pub limit: Option<i64>,
}

/// The multipart form of `POST /api/v1/check/image` (documentation only: the body is read as a
/// stream by `upload::read_image`).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ImageForm {
    /// The screenshot or photo: PNG, JPEG, WebP or GIF (one frame).
    #[schema(value_type = String, format = Binary)]
    image: Vec<u8>,
}

#[utoipa::path(post, path = "/api/v1/check/image", params(ImageQuery),
    request_body(description = "the picture: the `image` field of a multipart form, or the raw bytes with an image content type; at most 5 MB and 40 million pixels",
        content((ImageForm = "multipart/form-data"), ("image/png"), ("image/jpeg"), ("image/webp"), ("image/gif"))),
    responses(
        (status = 200, description = "the verdict on the text read from the picture, and that text (`ocr`)", body = ImageCheckResponse),
        (status = 400, description = "`empty_image`, `invalid_query` (`limit` is not a number), `invalid_limit`, `invalid_request` (malformed multipart)", body = crate::error_code::ErrorBody),
        (status = 413, description = "`image_too_large` (over 5 MB), `too_many_pixels` (over 40 million), `text_too_long`", body = crate::error_code::ErrorBody),
        (status = 415, description = "`unsupported_media_type` (not multipart or image/*), `unsupported_image` (not PNG, JPEG, WebP or GIF)", body = crate::error_code::ErrorBody),
        (status = 422, description = "`corrupt_image`, `animated_image`, `no_text_in_image`", body = crate::error_code::ErrorBody),
        (status = 401, description = "`invalid_api_key`", body = crate::error_code::ErrorBody),
        (status = 429, description = "`rate_limited`: wait `Retry-After` seconds", body = crate::error_code::ErrorBody),
        (status = 503, description = "`ocr_unavailable` (Tesseract not installed), `ocr_busy` (wait `Retry-After` seconds), `ocr_timeout`, `index_unavailable`, `busy`", body = crate::error_code::ErrorBody)))]
#[post("/check/image")]
pub async fn check_image(
    state: web::Data<AppState>,
    client: Client,
    req: HttpRequest,
    query: web::Query<ImageQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let limit = Limit::parse(query.limit)?;
    state.limits.admit(&client, 1)?;
    let image = crate::upload::read_image(&req, payload).await?;
    let ocr = state.ocr.read(image).await?;
    let text = MessageText::parse(&ocr.text)?;
    let check = state.live.check(Surface::ApiImage, text, limit).await?;
    Ok(HttpResponse::Ok().json(ImageCheckResponse { check, ocr }))
}
