//! What wraps every request before a surface sees it and every response after: the request id,
//! the access log line and its count for `/metrics`, the limits on a URL's length and a
//! request's time, and the security headers.

mod requests;
mod security_headers;

pub use requests::{MAX_URL_BYTES, RequestLimits, requests};
pub use security_headers::{CONTENT_SECURITY_POLICY, security_headers};
