//! A picture a WeChat user sent: WeChat gives us its `PicUrl`, and we fetch it from WeChat's
//! picture servers only (an allow-list of hosts, no redirects, a timeout and a size cap), so a
//! forged message cannot make the server fetch from anywhere else.

use std::time::Duration;

use crate::ocr::MAX_IMAGE_BYTES;

/// WeChat's picture host, the default allow-list.
pub const DEFAULT_HOSTS: &str = "mmbiz.qpic.cn";
/// How long the fetch may take: WeChat waits 5 s for the whole reply, OCR included.
const FETCH_TIMEOUT: Duration = Duration::from_secs(2);

/// Why a picture was not fetched.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("`{0}` is not an http(s) URL")]
    BadUrl(String),
    #[error("host `{0}` is not on the allow-list of picture hosts")]
    HostNotAllowed(String),
    #[error("fetching the picture failed: {0}")]
    Failed(String),
    #[error("the picture server answered {0}")]
    Status(u16),
}

/// Hosts pictures may come from: a host itself or any of its subdomains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PictureHosts(Vec<String>);

impl PictureHosts {
    /// Comma-separated host names.
    pub fn parse(list: &str) -> PictureHosts {
        PictureHosts(list.split(',').map(|h| h.trim().trim_end_matches('.').to_ascii_lowercase()).filter(|h| !h.is_empty()).collect())
    }

    pub fn allows(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.0.iter().any(|h| host == *h || host.ends_with(&format!(".{h}")))
    }
}

impl Default for PictureHosts {
    fn default() -> PictureHosts {
        PictureHosts::parse(DEFAULT_HOSTS)
    }
}

/// The picture's bytes, at most `MAX_IMAGE_BYTES`.
pub async fn fetch(url: &str, hosts: &PictureHosts) -> Result<Vec<u8>, FetchError> {
    let uri: awc::http::Uri = url.trim().parse().map_err(|_| FetchError::BadUrl(url.to_string()))?;
    if !matches!(uri.scheme_str(), Some("http" | "https")) {
        return Err(FetchError::BadUrl(url.to_string()));
    }
    let host = uri.host().ok_or_else(|| FetchError::BadUrl(url.to_string()))?;
    if !hosts.allows(host) {
        return Err(FetchError::HostNotAllowed(host.to_string()));
    }
    let client = awc::Client::builder().timeout(FETCH_TIMEOUT).disable_redirects().finish();
    let mut res = client.get(uri).send().await.map_err(|e| FetchError::Failed(e.to_string()))?;
    if !res.status().is_success() {
        return Err(FetchError::Status(res.status().as_u16()));
    }
    let body = res.body().limit(MAX_IMAGE_BYTES).await.map_err(|e| FetchError::Failed(e.to_string()))?;
    Ok(body.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_listed_hosts_and_their_subdomains() {
        let hosts = PictureHosts::parse("mmbiz.qpic.cn, 127.0.0.1");
        assert!(hosts.allows("mmbiz.qpic.cn"));
        assert!(hosts.allows("a.mmbiz.qpic.cn."));
        assert!(hosts.allows("127.0.0.1"));
        assert!(!hosts.allows("evilmmbiz.qpic.cn"));
        assert!(!hosts.allows("mmbiz.qpic.cn.evil.com"));
        assert!(!hosts.allows("169.254.169.254"));
    }
}
