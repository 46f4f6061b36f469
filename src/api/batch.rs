//! `POST /api/v1/check/batch`: many messages in one request, for bots that collect a chat's
//! forwards and check them together. Each item succeeds or fails on its own (an empty or too long
//! text fails only that item); only a malformed request as a whole is an HTTP error.
//!
//! Ids: every item needs a non-empty string `id`, echoed in its result so a bot can match results
//! without counting. Results come back in request order, so duplicate ids are allowed and echoed
//! as they are (a bot may well use a chat id and send two messages from the same chat).

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::ApiError;
use crate::error_code::{ErrorCode, ErrorDetail};
use crate::input::{InputError, Limit, MessageText};
use crate::limits::Client;
use crate::live::{CheckError, LiveEngine};
use crate::record::Surface;
use crate::response::CheckResponse;
use crate::state::AppState;

/// Most items in one batch.
pub const MAX_BATCH_ITEMS: usize = 100;
/// Largest batch body: 100 messages of 10,000 characters fit even when the client escapes
/// every character as `\uXXXX` (6 bytes; 3 in plain UTF-8).
pub const MAX_BATCH_BODY_BYTES: usize = 7 * 1024 * 1024;

/// Body of `POST /api/v1/check/batch`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct BatchRequest {
    /// 1 to 100 messages.
    pub items: Vec<BatchItem>,
    /// How many matches to return per message, 1 to 20 (default 5).
    #[serde(default)]
    pub limit: Option<i64>,
}

/// One message of a batch.
#[derive(Debug, Deserialize, ToSchema)]
pub struct BatchItem {
    /// Non-empty; echoed in the result. Duplicates are allowed.
    pub id: String,
    /// The forwarded message, 1 to 10,000 characters after trimming.
    pub text: String,
}

/// Response of `POST /api/v1/check/batch`: one result per item, in request order.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchResponse {
    pub results: Vec<BatchResult>,
}

/// The result of one item: the `/api/v1/check` response with the item's id, or the item's error.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum BatchResult {
    Checked(CheckedItem),
    Failed(FailedItem),
}

/// An item that was checked: its id and the `/api/v1/check` response fields.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckedItem {
    pub id: String,
    #[serde(flatten)]
    pub response: CheckResponse,
}

/// An item that could not be checked (`empty_text`, `text_too_long`).
#[derive(Debug, Serialize, ToSchema)]
pub struct FailedItem {
    pub id: String,
    pub error: ErrorDetail,
}

/// A batch after parsing: the shared limit, and each item's id with its text or why it was refused.
struct Batch {
    limit: Limit,
    items: Vec<(String, Result<MessageText, InputError>)>,
}

impl Batch {
    fn parse(req: BatchRequest) -> Result<Batch, ApiError> {
        match req.items.len() {
            0 => return Err(ApiError::EmptyBatch),
            n if n > MAX_BATCH_ITEMS => {
                return Err(ApiError::TooManyItems(format!("`items` has {n} messages; at most {MAX_BATCH_ITEMS} are accepted")));
            }
            _ => {}
        }
        if let Some(index) = req.items.iter().position(|item| item.id.is_empty()) {
            return Err(ApiError::EmptyItemId { index });
        }
        let limit = Limit::parse(req.limit)?;
        let items = req.items.into_iter().map(|item| (item.id, MessageText::parse(&item.text))).collect();
        Ok(Batch { limit, items })
    }

    /// Items that will be checked (not refused on their own).
    fn accepted(&self) -> usize {
        self.items.iter().filter(|(_, t)| t.is_ok()).count()
    }

    /// Check every accepted item on the live engine; refused items keep their error.
    async fn run(self, live: &LiveEngine) -> Result<Vec<BatchResult>, ApiError> {
        let texts: Vec<MessageText> = self.items.iter().filter_map(|(_, t)| t.as_ref().ok().cloned()).collect();
        let mut responses = live.check_many(Surface::Batch, texts, self.limit).await?.into_iter();
        Ok(self
            .items
            .into_iter()
            .map(|(id, text)| match text {
                Ok(_) => BatchResult::Checked(CheckedItem { id, response: responses.next().expect("one response per accepted item") }),
                Err(e) => BatchResult::Failed(FailedItem { id, error: ErrorDetail::new(ErrorCode::from(&e), e.to_string()) }),
            })
            .collect())
    }
}

#[utoipa::path(post, path = "/api/v1/check/batch", request_body = BatchRequest,
    responses(
        (status = 200, description = "one result per item, in request order", body = BatchResponse),
        (status = 400, description = "`empty_batch`, `too_many_items`, `empty_id`, `invalid_limit`, `invalid_json`, \
            `invalid_request`", body = crate::error_code::ErrorBody),
        (status = 413, description = "`payload_too_large` (the body is over 7 MiB); `results_too_large` (the results would be \
            over 4 MiB: send fewer items or a smaller `limit`)", body = crate::error_code::ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = crate::error_code::ErrorBody),
        (status = 401, description = "`invalid_api_key`", body = crate::error_code::ErrorBody),
        (status = 429, description = "`rate_limited`: a batch counts one check per item; wait `Retry-After` seconds",
            body = crate::error_code::ErrorBody),
        (status = 503, description = "`index_unavailable`; `busy` (wait `Retry-After` seconds)", body = crate::error_code::ErrorBody)))]
pub async fn check_batch(state: web::Data<AppState>, client: Client, body: web::Json<BatchRequest>) -> Result<HttpResponse, ApiError> {
    let batch = Batch::parse(body.into_inner())?;
    state.limits.admit(&client, batch.accepted())?;
    let results = batch.run(&state.live).await?;
    let json = serde_json::to_vec(&BatchResponse { results }).map_err(|e| ApiError::Check(CheckError::Internal(e.into())))?;
    let limit = state.limits.max_batch_results_bytes();
    if json.len() > limit {
        return Err(ApiError::ResultsTooLarge { bytes: json.len(), limit });
    }
    Ok(HttpResponse::Ok().content_type("application/json").body(json))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(items: &[(&str, &str)], limit: Option<i64>) -> BatchRequest {
        BatchRequest { items: items.iter().map(|(id, text)| BatchItem { id: id.to_string(), text: text.to_string() }).collect(), limit }
    }

    #[test]
    fn bad_items_are_kept_with_their_error() {
        let long = "谣".repeat(crate::input::MAX_CHARS + 1);
        let batch = Batch::parse(request(&[("a", "清查封号"), ("b", "  "), ("a", &long)], None)).unwrap();
        let ids: Vec<&str> = batch.items.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "a"]);
        assert!(batch.items[0].1.is_ok());
        assert_eq!(batch.items[1].1, Err(InputError::Empty));
        assert!(matches!(batch.items[2].1, Err(InputError::TooLong { .. })));
    }

    #[test]
    fn whole_request_errors() {
        let code = |r: BatchRequest| Batch::parse(r).err().map(|e| e.code().as_str());
        assert_eq!(code(request(&[], None)), Some("empty_batch"));
        let many: Vec<(&str, &str)> = vec![("x", "t"); MAX_BATCH_ITEMS + 1];
        assert_eq!(code(request(&many, None)), Some("too_many_items"));
        assert_eq!(code(request(&many[..MAX_BATCH_ITEMS], None)), None);
        assert_eq!(code(request(&[("a", "t"), ("", "t")], None)), Some("empty_id"));
        assert_eq!(code(request(&[("a", "t")], Some(0))), Some("invalid_limit"));
    }
}
