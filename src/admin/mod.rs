//! The editors' pages under `/admin` and their JSON twins under `/api/v1/admin`: the queue of
//! what people asked that we have not debunked, a cluster's variants, "ignore", a debunk draft
//! to complete and commit to `corpus/`, and feedback per claim. Off unless an admin token is
//! set; pages need a signed session cookie and a CSRF token on every form.

pub mod api;
mod draft;
mod pages;
mod session;

use std::sync::Arc;

use actix_web::{HttpRequest, web};

pub use session::{AdminToken, Keys, LOGIN_COOKIE, SESSION_COOKIE, Session};

use crate::error_code::ErrorCode;
use crate::record::RecordError;
use crate::state::AppState;
use crate::store::{Storage, StoreError};

/// The editors' side of the server.
pub struct Admin {
    pub keys: Keys,
}

impl Admin {
    pub fn new(token: AdminToken) -> Admin {
        Admin::with_secure_cookies(token, false)
    }

    /// `secure`: add `Secure` to cookies (the site is served over HTTPS).
    pub fn with_secure_cookies(token: AdminToken, secure: bool) -> Admin {
        Admin { keys: Keys::new(&token, secure) }
    }
}

/// Why an editors' request was refused.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("the editors' pages are off: set PIYAO_ADMIN_TOKEN to open them")]
    Off,
    #[error("sign in first (a session cookie from /admin/login, or `Authorization: Bearer <admin token>`)")]
    LoginRequired,
    #[error("wrong admin token")]
    BadToken,
    #[error("missing or wrong CSRF token: reload the page and send the form again")]
    BadCsrf,
    #[error("no cluster #{0}")]
    ClusterNotFound(i64),
    #[error(transparent)]
    Record(#[from] RecordError),
}

impl From<StoreError> for AdminError {
    fn from(e: StoreError) -> AdminError {
        AdminError::Record(RecordError::Store(e))
    }
}

impl AdminError {
    pub fn code(&self) -> ErrorCode {
        match self {
            AdminError::Off => ErrorCode::AdminOff,
            AdminError::LoginRequired => ErrorCode::LoginRequired,
            AdminError::BadToken => ErrorCode::InvalidAdminToken,
            AdminError::BadCsrf => ErrorCode::InvalidCsrfToken,
            AdminError::ClusterNotFound(_) => ErrorCode::ClusterNotFound,
            AdminError::Record(e) => e.into(),
        }
    }
}

/// The editors' side, or `Off`.
fn admin(state: &AppState) -> Result<&Admin, AdminError> {
    state.admin.as_ref().ok_or(AdminError::Off)
}

/// The database, or why there is none, once the checks this server has answered so far are
/// written (the writer gathers them for a moment): an editor sees what was just asked.
async fn store(state: &AppState) -> Result<Arc<dyn Storage>, AdminError> {
    let recorder = state.live.recorder.clone();
    let store = recorder.store().ok_or_else(|| AdminError::Record(RecordError::Off(recorder.status().detail)))?;
    blocking(move || Ok(recorder.flush(std::time::Duration::from_secs(2)))).await?;
    Ok(store)
}

/// The signed-in editor of a page request.
fn session(state: &AppState, req: &HttpRequest) -> Result<Session, AdminError> {
    admin(state)?.keys.session(req).ok_or(AdminError::LoginRequired)
}

/// Run a blocking store call off the async workers.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, AdminError> + Send + 'static) -> Result<T, AdminError> {
    web::block(f).await.map_err(|e| AdminError::Record(RecordError::Store(StoreError::Query(format!("database task failed: {e}")))))?
}

/// Mount the editors' pages (the JSON routes are mounted by the API, under `/api/v1/admin`).
pub fn routes(cfg: &mut web::ServiceConfig) {
    pages::routes(cfg);
}
