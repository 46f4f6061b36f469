//! The editors' HTML pages: login, the queue with its filters, a cluster with its variants,
//! ignore / reopen, the debunk draft, and feedback per claim. Without a session a page answers
//! 401 with a link to the login form; a form without the session's CSRF token answers 403.

use actix_web::http::header::{CONTENT_TYPE, LOCATION};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

use super::api::{PAGE_SIZE, QueueParams};
use super::{AdminError, admin, blocking, draft, session, store};
use crate::limits::Client;
use crate::record::{Surface, now_ms};
use crate::state::AppState;
use crate::store::{ClaimFeedback, ClusterDetail, ClusterSummary};
use crate::web::{PageMeta, WebError};

fn html(status: actix_web::http::StatusCode, page: impl Template) -> Result<HttpResponse, WebError> {
    let body =
        page.render().map_err(|e| WebError::Check(crate::live::CheckError::Internal(anyhow::anyhow!("page failed to render: {e}"))))?;
    Ok(HttpResponse::build(status)
        .insert_header((CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header(("Cache-Control", "no-store"))
        .body(body))
}

fn set_cookie(res: &mut HttpResponse, cookie: &str) {
    if let Ok(v) = actix_web::http::header::HeaderValue::from_str(cookie) {
        res.headers_mut().append(actix_web::http::header::SET_COOKIE, v);
    }
}

fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((LOCATION, to.to_string())).insert_header(("Cache-Control", "no-store")).finish()
}

#[derive(Template)]
#[template(path = "admin_login.html")]
struct LoginPage {
    meta: PageMeta,
    csrf: String,
    error: Option<&'static str>,
}

fn login_page(state: &AppState, status: actix_web::http::StatusCode, error: Option<&'static str>) -> Result<HttpResponse, WebError> {
    let admin = admin(state)?;
    let (csrf, cookie) = admin.keys.login_form();
    let mut res = html(status, LoginPage { meta: PageMeta::new("编辑登录", "辟谣 piyao 编辑后台").noindex(), csrf, error })?;
    set_cookie(&mut res, &cookie);
    Ok(res)
}

#[get("/admin/login")]
async fn login_form(state: web::Data<AppState>) -> Result<HttpResponse, WebError> {
    login_page(&state, actix_web::http::StatusCode::OK, None)
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    csrf: String,
}

#[post("/admin/login")]
async fn login(state: web::Data<AppState>, client: Client, req: HttpRequest, form: web::Form<LoginForm>) -> Result<HttpResponse, WebError> {
    let admin = admin(&state)?;
    // guessing the token costs what checking does: the address's rate applies
    state.limits.admit(&client, 1)?;
    if !admin.keys.login_csrf_ok(&req, &form.csrf) {
        return Err(AdminError::BadCsrf.into());
    }
    if !admin.keys.is_token(&form.token) {
        tracing::warn!("admin login with a wrong token");
        return login_page(&state, actix_web::http::StatusCode::FORBIDDEN, Some("口令不对，请重新输入。"));
    }
    let (_, cookie) = admin.keys.start_session();
    let mut res = see_other("/admin");
    set_cookie(&mut res, &cookie);
    Ok(res)
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// The session of a form post, with its CSRF token checked.
fn posted_session(state: &AppState, req: &HttpRequest, csrf: &str) -> Result<session::Session, AdminError> {
    let session = super::session(state, req)?;
    if !admin(state)?.keys.csrf_ok(&session, csrf) {
        return Err(AdminError::BadCsrf);
    }
    Ok(session)
}

#[post("/admin/logout")]
async fn logout(state: web::Data<AppState>, req: HttpRequest, form: web::Form<CsrfForm>) -> Result<HttpResponse, WebError> {
    posted_session(&state, &req, &form.csrf)?;
    let mut res = see_other("/admin/login");
    set_cookie(&mut res, &admin(&state)?.keys.end_session());
    Ok(res)
}

#[derive(Template)]
#[template(path = "admin_queue.html")]
struct QueuePage {
    meta: PageMeta,
    csrf: String,
    params: QueueParams,
    clusters: Vec<ClusterSummary>,
    page: i64,
    next: Option<String>,
    prev: Option<String>,
    surfaces: Vec<&'static str>,
    recording: crate::record::RecordStatus,
}

/// The queue's URL with another page.
fn page_url(params: &QueueParams, page: i64) -> String {
    let p = QueueParams { page: Some(page), ..params.clone() };
    format!("/admin?{}", query_string(&p))
}

fn query_string(p: &QueueParams) -> String {
    let mut pairs = Vec::new();
    for (k, v) in [("sort", &p.sort), ("status", &p.status), ("surface", &p.surface), ("from", &p.from), ("to", &p.to)] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            pairs.push(format!("{k}={}", crate::links::url_encode(v)));
        }
    }
    if let Some(page) = p.page {
        pairs.push(format!("page={page}"));
    }
    pairs.join("&")
}

#[get("/admin")]
async fn queue(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, WebError> {
    let session = super::session(&state, &req)?;
    let params: QueueParams = crate::web::query_params(&req)?;
    let query = params.query().map_err(WebError::BadQuery)?;
    let store = store(&state).await?;
    let q = query.clone();
    let clusters = blocking(move || Ok(store.queue(&q)?)).await?;
    let page = query.offset / PAGE_SIZE + 1;
    let next = (clusters.len() as i64 == PAGE_SIZE).then(|| page_url(&params, page + 1));
    let prev = (page > 1).then(|| page_url(&params, page - 1));
    html(
        actix_web::http::StatusCode::OK,
        QueuePage {
            meta: PageMeta::new("待查证队列", "用户问过、还没有辟谣的消息").noindex(),
            csrf: admin(&state)?.keys.csrf(&session),
            params,
            clusters,
            page,
            next,
            prev,
            surfaces: Surface::ALL.iter().map(|s| s.as_str()).collect(),
            recording: state.live.recorder.status(),
        },
    )
}

#[derive(Template)]
#[template(path = "admin_cluster.html")]
struct ClusterPage {
    meta: PageMeta,
    csrf: String,
    detail: ClusterDetail,
    draft: String,
}

/// A cluster id from the path, or 404.
fn cluster_id(raw: &str) -> Result<i64, WebError> {
    raw.parse::<i64>().map_err(|_| WebError::NotFound(format!("/admin/clusters/{raw}")))
}

async fn load_cluster(state: &AppState, id: i64) -> Result<ClusterDetail, WebError> {
    let store = store(state).await?;
    Ok(blocking(move || store.cluster(id)?.ok_or(AdminError::ClusterNotFound(id))).await?)
}

fn draft_of(state: &AppState, detail: &ClusterDetail) -> String {
    let engine = state.live.get();
    let categories = draft::guess_categories(engine.as_deref(), detail);
    draft::skeleton(detail, &categories, &crate::api::rfc3339(now_ms())[..10])
}

#[get("/admin/clusters/{id}")]
async fn cluster(state: web::Data<AppState>, req: HttpRequest, id: web::Path<String>) -> Result<HttpResponse, WebError> {
    let session = super::session(&state, &req)?;
    let detail = load_cluster(&state, cluster_id(&id)?).await?;
    let draft = draft_of(&state, &detail);
    let title = format!("问题簇 #{}", detail.summary.id);
    html(
        actix_web::http::StatusCode::OK,
        ClusterPage {
            meta: PageMeta::new(&title, "用户问过的同一条消息").noindex(),
            csrf: admin(&state)?.keys.csrf(&session),
            detail,
            draft,
        },
    )
}

/// The draft as a file to save into `corpus/claims/`.
#[get("/admin/clusters/{id}/draft.toml")]
async fn draft_file(state: web::Data<AppState>, req: HttpRequest, id: web::Path<String>) -> Result<HttpResponse, WebError> {
    super::session(&state, &req)?;
    let detail = load_cluster(&state, cluster_id(&id)?).await?;
    let draft = draft_of(&state, &detail);
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "application/toml; charset=utf-8"))
        .insert_header(("Content-Disposition", format!("attachment; filename=\"draft-{}.toml\"", detail.summary.id)))
        .insert_header(("Cache-Control", "no-store"))
        .body(draft))
}

#[derive(Deserialize)]
struct StatusForm {
    #[serde(default)]
    csrf: String,
    /// `ignore` or `reopen`.
    action: String,
}

#[post("/admin/clusters/{id}/status")]
async fn set_status(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    form: web::Form<StatusForm>,
) -> Result<HttpResponse, WebError> {
    posted_session(&state, &req, &form.csrf)?;
    let id = cluster_id(&id)?;
    let ignored = match form.action.as_str() {
        "ignore" => true,
        "reopen" => false,
        other => return Err(WebError::InvalidForm(format!("unknown action `{other}`"))),
    };
    let store = store(&state).await?;
    blocking(move || if store.set_ignored(id, ignored, now_ms())? { Ok(()) } else { Err(AdminError::ClusterNotFound(id)) }).await?;
    Ok(see_other(&format!("/admin/clusters/{id}")))
}

#[derive(Template)]
#[template(path = "admin_feedback.html")]
struct FeedbackPage {
    meta: PageMeta,
    csrf: String,
    claims: Vec<ClaimFeedback>,
}

#[get("/admin/feedback")]
async fn feedback(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, WebError> {
    let session = super::session(&state, &req)?;
    let store = store(&state).await?;
    let claims = blocking(move || Ok(store.feedback_by_claim()?)).await?;
    html(
        actix_web::http::StatusCode::OK,
        FeedbackPage {
            meta: PageMeta::new("用户反馈", "各条辟谣的有用/没用反馈").noindex(),
            csrf: admin(&state)?.keys.csrf(&session),
            claims,
        },
    )
}

/// Any other path under `/admin`: 404 when the pages are off, otherwise sign in first.
async fn other(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, WebError> {
    super::session(&state, &req)?;
    Err(WebError::NotFound(req.path().to_string()))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(login_form)
        .service(login)
        .service(logout)
        .service(queue)
        .service(cluster)
        .service(draft_file)
        .service(set_status)
        .service(feedback)
        .service(web::resource("/admin/{rest:.*}").to(other));
}

/// For templates: a time in ms as `YYYY-MM-DD HH:MM` (UTC).
pub fn fmt_time(ms: &i64) -> String {
    let t = crate::api::rfc3339(*ms);
    format!("{} {}", &t[..10], &t[11..16])
}
