//! `/api/v1/admin/…`: the editors' queue as JSON, for scripts and dashboards. Authorized by
//! `Authorization: Bearer <admin token>` or an editor's session cookie; refused with 401/403 JSON.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{AdminError, admin, blocking, store};
use crate::api::ApiError;
use crate::record::{Surface, now_ms};
use crate::state::AppState;
use crate::store::{ClusterDetail, ClusterStatus, ClusterSummary, QueueOrder, QueueQuery};

/// Clusters on one page of the queue.
pub const PAGE_SIZE: i64 = 50;

/// The queue's filters, as query parameters (pages and API alike).
#[derive(Debug, Default, Deserialize, Serialize, Clone)]
pub struct QueueParams {
    /// `count` (default) or `recent`.
    #[serde(default)]
    pub sort: Option<String>,
    /// `uncovered` (default), `covered`, `ignored` or `all`.
    #[serde(default)]
    pub status: Option<String>,
    /// `api`, `batch`, `web`, `wechat`, `api_image`, `web_image`, `wechat_image`.
    #[serde(default)]
    pub surface: Option<String>,
    /// First day asked, `YYYY-MM-DD` (UTC).
    #[serde(default)]
    pub from: Option<String>,
    /// Last day asked, `YYYY-MM-DD` (UTC).
    #[serde(default)]
    pub to: Option<String>,
    /// Page, from 1.
    #[serde(default)]
    pub page: Option<i64>,
}

impl QueueParams {
    /// The store query, or what is wrong with a parameter.
    pub fn query(&self) -> Result<QueueQuery, String> {
        let nonempty = |o: &Option<String>| o.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        let order = match nonempty(&self.sort).as_deref() {
            None | Some("count") => QueueOrder::Count,
            Some("recent") => QueueOrder::Recent,
            Some(other) => return Err(format!("`sort` must be `count` or `recent`, not `{other}`")),
        };
        let status = match nonempty(&self.status).as_deref() {
            None => Some(ClusterStatus::Open),
            Some("all") => None,
            Some(s) => {
                Some(ClusterStatus::parse(s).ok_or_else(|| format!("`status` must be uncovered, covered, ignored or all, not `{s}`"))?)
            }
        };
        let surface = match nonempty(&self.surface) {
            None => None,
            Some(s) => Some(Surface::parse(&s).ok_or_else(|| format!("no surface `{s}`"))?.as_str().to_string()),
        };
        let day = |name: &str, o: &Option<String>, end: bool| -> Result<Option<i64>, String> {
            match nonempty(o) {
                None => Ok(None),
                Some(s) => {
                    let days = parse_day(&s).ok_or_else(|| format!("`{name}` must be a date YYYY-MM-DD, not `{s}`"))?;
                    Ok(Some(days * 86_400_000 + if end { 86_399_999 } else { 0 }))
                }
            }
        };
        let page = self.page.unwrap_or(1);
        if !(1..=10_000).contains(&page) {
            return Err(format!("`page` must be 1 to 10000, not {page}"));
        }
        Ok(QueueQuery {
            order,
            status,
            surface,
            from_ms: day("from", &self.from, false)?,
            to_ms: day("to", &self.to, true)?,
            limit: PAGE_SIZE,
            offset: (page - 1) * PAGE_SIZE,
        })
    }
}

/// `YYYY-MM-DD` → days since 1970-01-01.
pub fn parse_day(s: &str) -> Option<i64> {
    let (y, m, d) = crate::corpus::parse_date(s).filter(|(y, _, _)| *y >= 1970)?;
    let (y, m, d) = (i64::from(y), i64::from(m), i64::from(d));
    // days_from_civil (Howard Hinnant)
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// A request from an editor: a bearer token, or a session cookie (which a POST must back with
/// `X-CSRF-Token`).
fn authorize(state: &AppState, req: &HttpRequest, writes: bool) -> Result<(), AdminError> {
    let admin = admin(state)?;
    if let Some(auth) = req.headers().get("authorization") {
        let token = auth.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")).ok_or(AdminError::BadToken)?;
        return if admin.keys.is_token(token) { Ok(()) } else { Err(AdminError::BadToken) };
    }
    let session = admin.keys.session(req).ok_or(AdminError::LoginRequired)?;
    if writes {
        let csrf = req.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("");
        if !admin.keys.csrf_ok(&session, csrf) {
            return Err(AdminError::BadCsrf);
        }
    }
    Ok(())
}

/// Response of `GET /api/v1/admin/clusters`.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueResponse {
    pub clusters: Vec<ClusterSummary>,
    pub page: i64,
    pub page_size: i64,
}

#[utoipa::path(get, path = "/api/v1/admin/clusters", tag = "admin",
    params(
        ("sort" = Option<String>, Query, description = "`count` (default) or `recent`"),
        ("status" = Option<String>, Query, description = "`uncovered` (default), `covered`, `ignored`, `all`"),
        ("surface" = Option<String>, Query, description = "only clusters asked on this surface"),
        ("from" = Option<String>, Query, description = "asked on or after this day (YYYY-MM-DD, UTC)"),
        ("to" = Option<String>, Query, description = "asked on or before this day"),
        ("page" = Option<i64>, Query, description = "page from 1, 50 clusters a page")),
    responses(
        (status = 200, description = "the queue of unanswered messages, grouped", body = QueueResponse),
        (status = 400, description = "`invalid_query`", body = crate::error_code::ErrorBody),
        (status = 401, description = "`login_required`", body = crate::error_code::ErrorBody),
        (status = 403, description = "`invalid_admin_token`", body = crate::error_code::ErrorBody),
        (status = 404, description = "`admin_off`", body = crate::error_code::ErrorBody),
        (status = 503, description = "`recording_off`, `database_unavailable`", body = crate::error_code::ErrorBody)))]
#[get("/admin/clusters")]
pub async fn queue(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    authorize(&state, &req, false)?;
    let params = web::Query::<QueueParams>::from_query(req.query_string()).map_err(|e| ApiError::InvalidQuery(e.to_string()))?.into_inner();
    let query = params.query().map_err(ApiError::InvalidQuery)?;
    let store = store(&state).await?;
    let q = query.clone();
    let clusters = blocking(move || Ok(store.queue(&q)?)).await?;
    Ok(HttpResponse::Ok().json(QueueResponse { clusters, page: query.offset / PAGE_SIZE + 1, page_size: PAGE_SIZE }))
}

#[utoipa::path(get, path = "/api/v1/admin/clusters/{id}", tag = "admin",
    params(("id" = i64, Path, description = "cluster id")),
    responses(
        (status = 200, description = "the cluster with its variants, most asked first", body = ClusterDetail),
        (status = 401, description = "`login_required`", body = crate::error_code::ErrorBody),
        (status = 403, description = "`invalid_admin_token`", body = crate::error_code::ErrorBody),
        (status = 404, description = "`cluster_not_found`, `admin_off`", body = crate::error_code::ErrorBody)))]
#[get("/admin/clusters/{id}")]
pub async fn cluster(state: web::Data<AppState>, req: HttpRequest, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    authorize(&state, &req, false)?;
    let (store, id) = (store(&state).await?, id.into_inner());
    let detail = blocking(move || store.cluster(id)?.ok_or(AdminError::ClusterNotFound(id))).await?;
    Ok(HttpResponse::Ok().json(detail))
}

/// Body of `POST /api/v1/admin/clusters/{id}/status`.
#[derive(Debug, Deserialize)]
pub struct StatusRequest {
    /// `ignored`, or `open` to take an ignored cluster back into the queue.
    pub status: String,
}

#[post("/admin/clusters/{id}/status")]
pub async fn set_status(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
    body: web::Json<StatusRequest>,
) -> Result<HttpResponse, ApiError> {
    authorize(&state, &req, true)?;
    let ignored = match body.status.as_str() {
        "ignored" => true,
        "open" | "uncovered" => false,
        other => return Err(ApiError::InvalidRequest(format!("`status` must be `ignored` or `open`, not `{other}`"))),
    };
    let (store, id) = (store(&state).await?, id.into_inner());
    let detail = blocking(move || {
        if !store.set_ignored(id, ignored, now_ms())? {
            return Err(AdminError::ClusterNotFound(id));
        }
        store.cluster(id)?.ok_or(AdminError::ClusterNotFound(id))
    })
    .await?;
    Ok(HttpResponse::Ok().json(detail))
}

/// Mount under the API's `/api/v1` scope.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(queue).service(cluster).service(set_status);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_parse_and_impossible_dates_do_not() {
        assert_eq!(parse_day("1970-01-01"), Some(0));
        assert_eq!(parse_day("2026-11-27"), Some(20_784));
        assert_eq!(parse_day("2024-02-29").map(|d| d * 86_400_000), Some(1_709_164_800_000));
        assert_eq!(parse_day("2026-02-31"), None);
        assert_eq!(parse_day("2026-13-01"), None);
        assert_eq!(parse_day("yesterday"), None);
    }

    #[test]
    fn the_queue_defaults_to_uncovered_by_count_and_names_a_bad_filter() {
        let q = QueueParams::default().query().unwrap();
        assert_eq!((q.order, q.status, q.offset), (QueueOrder::Count, Some(ClusterStatus::Open), 0));
        let bad = QueueParams { sort: Some("loudest".into()), ..QueueParams::default() };
        assert!(bad.query().unwrap_err().contains("sort"));
        let bad = QueueParams { surface: Some("fax".into()), ..QueueParams::default() };
        assert!(bad.query().unwrap_err().contains("fax"));
        let q = QueueParams { status: Some("all".into()), from: Some("2026-11-01".into()), page: Some(2), ..QueueParams::default() };
        let q = q.query().unwrap();
        assert_eq!((q.status, q.from_ms, q.offset), (None, Some(20_758 * 86_400_000), 50));
    }
}
