//! Who is an editor: the admin token, signed session cookies and CSRF tokens, all keyed by an
//! HMAC-SHA256 key derived from the token (so every replica with the same token accepts the same
//! sessions, and a new token ends every session). Nothing is kept on the server.

use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use actix_web::HttpRequest;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The session cookie.
pub const SESSION_COOKIE: &str = "piyao_admin";
/// The cookie that ties the login form to the browser that asked for it.
pub const LOGIN_COOKIE: &str = "piyao_login";
/// How long a session lasts.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(12 * 3600);
/// Shortest admin token accepted.
pub const MIN_TOKEN_CHARS: usize = 16;

/// The secret that opens `/admin` (`PIYAO_ADMIN_TOKEN`).
#[derive(Clone)]
pub struct AdminToken(String);

impl std::fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AdminToken(***)")
    }
}

impl FromStr for AdminToken {
    type Err = String;

    fn from_str(s: &str) -> Result<AdminToken, String> {
        let s = s.trim();
        if s.chars().count() < MIN_TOKEN_CHARS {
            return Err(format!("the admin token must have at least {MIN_TOKEN_CHARS} characters (it guards the editors' pages)"));
        }
        Ok(AdminToken(s.to_string()))
    }
}

type HmacSha256 = Hmac<Sha256>;

/// Signs and checks sessions and CSRF tokens.
pub struct Keys {
    key: Vec<u8>,
    /// The token's own MAC, to compare a typed token in constant time.
    token_mac: Vec<u8>,
    /// Add `Secure` to cookies (the site is served over HTTPS).
    secure: bool,
}

/// A signed-in editor's session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    nonce: String,
}

fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).expect("the operating system's random source");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

impl Keys {
    pub fn new(token: &AdminToken, secure: bool) -> Keys {
        let mut mac = HmacSha256::new_from_slice(token.0.as_bytes()).expect("HMAC takes any key length");
        mac.update(b"piyao admin keys v1");
        let key = mac.finalize().into_bytes().to_vec();
        let mut keys = Keys { key, token_mac: vec![], secure };
        keys.token_mac = keys.raw_mac(&["token", &token.0]);
        keys
    }

    fn raw_mac(&self, parts: &[&str]) -> Vec<u8> {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes any key length");
        for p in parts {
            mac.update(p.as_bytes());
            mac.update(b"\x1f");
        }
        mac.finalize().into_bytes().to_vec()
    }

    fn mac(&self, parts: &[&str]) -> String {
        self.raw_mac(parts).iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Constant-time check of a hex MAC.
    fn verify(&self, parts: &[&str], hex: &str) -> bool {
        let Some(given) = decode_hex(hex) else { return false };
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes any key length");
        for p in parts {
            mac.update(p.as_bytes());
            mac.update(b"\x1f");
        }
        mac.verify_slice(&given).is_ok()
    }

    /// Is `given` the admin token? (Compared as MACs, in constant time.)
    pub fn is_token(&self, given: &str) -> bool {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes any key length");
        for p in ["token", given.trim()] {
            mac.update(p.as_bytes());
            mac.update(b"\x1f");
        }
        mac.verify_slice(&self.token_mac).is_ok()
    }

    /// A `Set-Cookie` value: only for this site's pages, never for scripts, never sent from
    /// another site.
    fn cookie(&self, name: &str, value: &str, max_age: Duration) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!("{name}={value}; Path=/; Max-Age={}; HttpOnly; SameSite=Strict{secure}", max_age.as_secs())
    }

    /// A new session and the `Set-Cookie` value that carries it.
    pub fn start_session(&self) -> (Session, String) {
        let nonce = random_hex(16);
        let expires = (unix_now() + SESSION_LIFETIME.as_secs()).to_string();
        let mac = self.mac(&["session", &expires, &nonce]);
        let cookie = self.cookie(SESSION_COOKIE, &format!("{expires}.{nonce}.{mac}"), SESSION_LIFETIME);
        (Session { nonce }, cookie)
    }

    /// The cookie that ends a session in the browser.
    pub fn end_session(&self) -> String {
        self.cookie(SESSION_COOKIE, "", Duration::ZERO)
    }

    /// The request's session: a cookie we signed that has not expired.
    pub fn session(&self, req: &HttpRequest) -> Option<Session> {
        let cookie = read_cookie(req, SESSION_COOKIE)?;
        let mut parts = cookie.splitn(3, '.');
        let (expires, nonce, mac) = (parts.next()?, parts.next()?, parts.next()?);
        if !self.verify(&["session", expires, nonce], mac) {
            return None;
        }
        (expires.parse::<u64>().ok()? > unix_now()).then(|| Session { nonce: nonce.to_string() })
    }

    /// The CSRF token of a session, put in every form and checked on every POST.
    pub fn csrf(&self, session: &Session) -> String {
        self.mac(&["csrf", &session.nonce])
    }

    pub fn csrf_ok(&self, session: &Session, given: &str) -> bool {
        self.verify(&["csrf", &session.nonce], given)
    }

    /// The login form's token and the cookie it is tied to (a login form posted from another
    /// site fails: it cannot read or set our cookie).
    pub fn login_form(&self) -> (String, String) {
        let nonce = random_hex(16);
        let token = self.mac(&["login", &nonce]);
        (token, self.cookie(LOGIN_COOKIE, &nonce, Duration::from_secs(3600)))
    }

    pub fn login_csrf_ok(&self, req: &HttpRequest, given: &str) -> bool {
        read_cookie(req, LOGIN_COOKIE).is_some_and(|c| self.verify(&["login", &c], given))
    }
}

/// The value of cookie `name` in the request's `Cookie` headers.
fn read_cookie(req: &HttpRequest, name: &str) -> Option<String> {
    req.headers()
        .get_all(actix_web::http::header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || s.len() > 128 {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn keys() -> Keys {
        Keys::new(&"correct horse battery staple".parse().unwrap(), false)
    }

    #[test]
    fn short_tokens_are_refused() {
        assert!("short".parse::<AdminToken>().is_err());
        assert!("0123456789abcdef".parse::<AdminToken>().is_ok());
        assert_eq!(format!("{:?}", "0123456789abcdef".parse::<AdminToken>().unwrap()), "AdminToken(***)");
    }

    #[test]
    fn only_the_token_logs_in() {
        let k = keys();
        assert!(k.is_token("correct horse battery staple"));
        assert!(!k.is_token("correct horse battery stapl"));
        assert!(!k.is_token(""));
    }

    #[test]
    fn a_signed_session_is_accepted_and_a_tampered_one_is_not() {
        let k = keys();
        let (session, cookie) = k.start_session();
        assert!(cookie.contains("; HttpOnly") && cookie.contains("; SameSite=Strict") && cookie.contains("; Path=/"));
        assert!(!cookie.contains("Secure"));
        assert!(Keys::new(&"correct horse battery staple".parse().unwrap(), true).start_session().1.ends_with("; Secure"));
        let value = cookie.split(';').next().unwrap().split_once('=').unwrap().1.to_string();
        let req = TestRequest::default().insert_header(("cookie", format!("other=1; {SESSION_COOKIE}={value}"))).to_http_request();
        assert_eq!(k.session(&req), Some(session.clone()));
        let csrf = k.csrf(&session);
        assert!(k.csrf_ok(&session, &csrf));
        assert!(!k.csrf_ok(&session, "00"));
        // another token's keys do not accept it
        let other = Keys::new(&"another token of sixteen".parse().unwrap(), false);
        assert_eq!(other.session(&req), None);
        assert!(!other.csrf_ok(&session, &csrf));
        // a changed expiry breaks the signature
        let (exp, rest) = value.split_once('.').unwrap();
        let forged = format!("{}.{rest}", exp.parse::<u64>().unwrap() + 1_000_000);
        let req = TestRequest::default().insert_header(("cookie", format!("{SESSION_COOKIE}={forged}"))).to_http_request();
        assert_eq!(k.session(&req), None);
    }

    #[test]
    fn the_login_form_token_needs_its_cookie() {
        let k = keys();
        let (token, cookie) = k.login_form();
        let nonce = cookie.split(';').next().unwrap().split_once('=').unwrap().1.to_string();
        let with = TestRequest::default().insert_header(("cookie", format!("{LOGIN_COOKIE}={nonce}"))).to_http_request();
        assert!(k.login_csrf_ok(&with, &token));
        assert!(!k.login_csrf_ok(&TestRequest::default().to_http_request(), &token));
    }
}
