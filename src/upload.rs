//! A picture sent to be checked, taken from the request once at the boundary: the `image` field
//! of a `multipart/form-data` body (the web form, most bot frameworks) or a raw body with an
//! `image/*` (or `application/octet-stream`) content type. Bounded while it arrives; decoding is `ocr::Picture`'s job.

use actix_web::{HttpRequest, web};
use futures_util::StreamExt;

use crate::ocr::{ImageError, MAX_IMAGE_BYTES};

/// Most bytes the fields besides `image` may hold together (a form's button, say).
const OTHER_FIELDS_AT_MOST: usize = 64 * 1024;

/// A body too large is still read (and thrown away) up to this size, so that the client, still
/// sending, reads our 413 instead of a reset connection; past it the connection is dropped.
const DRAIN_AT_MOST: usize = 64 * 1024 * 1024;

/// Why no picture could be taken from the request.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("{0}")]
    Image(#[from] ImageError),
    #[error(
        "the body's content type is `{0}`: send the picture as the `image` field of multipart/form-data, or as a raw body with Content-Type image/png, image/jpeg, image/webp or image/gif"
    )]
    NotAnImage(String),
    #[error("the multipart body has no `image` field: name the file field `image`")]
    NoImageField,
    #[error("the multipart body is malformed: {0}")]
    Malformed(String),
}

/// The picture's bytes (never empty).
pub async fn read_image(req: &HttpRequest, mut payload: web::Payload) -> Result<Vec<u8>, UploadError> {
    let content_type = req.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let bytes = if essence == "multipart/form-data" {
        from_multipart(req, payload).await?
    } else if essence.starts_with("image/") || essence == "application/octet-stream" {
        read_capped(&mut payload, MAX_IMAGE_BYTES).await?
    } else {
        return Err(UploadError::NotAnImage(if content_type.is_empty() { "none".to_string() } else { content_type }));
    };
    if bytes.is_empty() {
        return Err(ImageError::Empty.into());
    }
    Ok(bytes)
}

async fn from_multipart(req: &HttpRequest, payload: web::Payload) -> Result<Vec<u8>, UploadError> {
    let mut parts = actix_multipart::Multipart::new(req.headers(), payload);
    let mut seen = 0usize;
    while let Some(field) = parts.next().await {
        let mut field = field.map_err(|e| UploadError::Malformed(e.to_string()))?;
        if field.name() != Some("image") {
            // small text fields (a form's button) are read and skipped; anything large is refused
            let skipped = field
                .bytes(OTHER_FIELDS_AT_MOST)
                .await
                .map_err(|_| UploadError::Malformed("a field other than `image` is too large".into()))?;
            seen += skipped.map_err(|e| UploadError::Malformed(e.to_string()))?.len();
            if seen > OTHER_FIELDS_AT_MOST {
                return Err(UploadError::Malformed("too much besides the `image` field".into()));
            }
            continue;
        }
        return read_capped(&mut field, MAX_IMAGE_BYTES).await;
    }
    Err(UploadError::NoImageField)
}

/// A whole body or field, refused when it passes `limit` bytes.
async fn read_capped<E: std::fmt::Display>(
    stream: &mut (impl futures_util::Stream<Item = Result<actix_web::web::Bytes, E>> + Unpin),
    limit: usize,
) -> Result<Vec<u8>, UploadError> {
    let mut bytes = Vec::new();
    let mut total = 0usize;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| UploadError::Malformed(e.to_string()))?;
        total += chunk.len();
        if total > limit {
            bytes = Vec::new();
            if total > DRAIN_AT_MOST {
                break;
            }
        } else {
            bytes.extend_from_slice(&chunk);
        }
    }
    if total > limit {
        return Err(ImageError::TooLarge { bytes: total, limit }.into());
    }
    Ok(bytes)
}
