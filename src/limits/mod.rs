//! What one client may cost the server: checks per second per client (an API key's own rate,
//! otherwise the anonymous rate per address). Handlers identify the `Client` (an extractor) and
//! `admit` it for the number of checks a request asks for; a refusal is a 429 with `Retry-After`.

mod api_keys;
mod rate;

use std::net::IpAddr;
use std::time::Instant;

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError, web};

pub use api_keys::ApiKeys;
pub use rate::{ClientKey, Limited, Rate, RateLimiter};

use crate::error_code::{ErrorBody, ErrorCode};
use crate::state::AppState;

/// Checks per second an anonymous address may make by default: far above what a person does
/// (one check every few seconds), low enough that one flooding client cannot starve the rest.
pub const DEFAULT_ANONYMOUS_RATE: u32 = 20;
/// Every rate allows at least this burst, so that a whole batch (100 items) always fits.
pub const MIN_BURST: u32 = 100;

/// A deployment's limits, as configured.
#[derive(Debug, Clone)]
pub struct LimitSettings {
    /// Checks per second per address without an API key; 0 = no limit.
    pub anonymous_rate: u32,
    pub api_keys: ApiKeys,
    /// Take the client's address from the last `X-Forwarded-For` entry (set only when a reverse
    /// proxy that sets it is the only way in).
    pub behind_proxy: bool,
    /// Largest batch response, in bytes.
    pub max_batch_results_bytes: usize,
}

/// Largest batch response by default. Each match carries its claim's summary, sources and article
/// texts, so a batch of long messages asking for many matches each could otherwise answer a few
/// hundred KB with many MB.
pub const DEFAULT_MAX_BATCH_RESULTS_BYTES: usize = 4 * 1024 * 1024;

impl Default for LimitSettings {
    fn default() -> LimitSettings {
        LimitSettings {
            anonymous_rate: DEFAULT_ANONYMOUS_RATE,
            api_keys: ApiKeys::default(),
            behind_proxy: false,
            max_batch_results_bytes: DEFAULT_MAX_BATCH_RESULTS_BYTES,
        }
    }
}

/// The limits and the buckets they fill.
#[derive(Debug)]
pub struct Limits {
    settings: LimitSettings,
    limiter: RateLimiter,
}

impl Limits {
    pub fn new(settings: LimitSettings) -> Limits {
        Limits { settings, limiter: RateLimiter::default() }
    }

    /// Let `client` spend `checks` checks now, or refuse with when to come back.
    pub fn admit(&self, client: &Client, checks: usize) -> Result<(), Limited> {
        self.limiter.admit(&client.key, client.rate, checks.min(u32::MAX as usize) as u32, Instant::now())
    }

    /// Largest batch response, in bytes.
    pub fn max_batch_results_bytes(&self) -> usize {
        self.settings.max_batch_results_bytes
    }

    /// Requests refused for their rate since the start.
    pub fn refused(&self) -> u64 {
        self.limiter.refused()
    }
}

/// Who sent a request, for counting: the API key it presented, or its address.
#[derive(Debug, Clone)]
pub struct Client {
    key: ClientKey,
    rate: Option<Rate>,
    /// The API key's name (for logs), when one was presented.
    pub key_name: Option<String>,
}

/// A request presented an API key that this server does not know.
#[derive(Debug, thiserror::Error)]
#[error("unknown API key: send one of the keys configured in PIYAO_API_KEYS, or none (anonymous limits apply)")]
pub struct UnknownApiKey;

impl ResponseError for UnknownApiKey {
    fn status_code(&self) -> StatusCode {
        StatusCode::UNAUTHORIZED
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status_code()).json(ErrorBody::new(ErrorCode::InvalidApiKey, self.to_string()))
    }
}

impl Client {
    fn identify(req: &HttpRequest, limits: &Limits) -> Result<Client, UnknownApiKey> {
        if let Some(sent) = presented_key(req) {
            let key = limits.settings.api_keys.find(sent).ok_or(UnknownApiKey)?;
            let rate = Rate::checks_per_second(key.rate, MIN_BURST);
            return Ok(Client { key: ClientKey::ApiKey(key.name.clone()), rate, key_name: Some(key.name.clone()) });
        }
        let address = client_address(req, limits.settings.behind_proxy).unwrap_or(IpAddr::from([0, 0, 0, 0]));
        Ok(Client {
            key: ClientKey::address(address),
            rate: Rate::checks_per_second(limits.settings.anonymous_rate, MIN_BURST),
            key_name: None,
        })
    }
}

/// `X-Api-Key: …` or `Authorization: Bearer …`.
fn presented_key(req: &HttpRequest) -> Option<&str> {
    let header = |name| req.headers().get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    header("x-api-key").or_else(|| header("authorization").and_then(|a| a.strip_prefix("Bearer ")).map(str::trim))
}

fn client_address(req: &HttpRequest, behind_proxy: bool) -> Option<IpAddr> {
    if behind_proxy {
        let forwarded = req.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok());
        if let Some(ip) = forwarded.and_then(|f| f.rsplit(',').next()).and_then(|last| last.trim().parse().ok()) {
            return Some(ip);
        }
    }
    req.peer_addr().map(|a| a.ip())
}

impl FromRequest for Client {
    type Error = UnknownApiKey;
    type Future = std::future::Ready<Result<Client, UnknownApiKey>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().expect("AppState is registered");
        std::future::ready(Client::identify(req, &state.limits))
    }
}
