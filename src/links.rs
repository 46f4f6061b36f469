//! Every URL piyao writes is spelled here, once: site paths for links inside the pages, and
//! absolute links (from `--public-url`) for what leaves the site (chat replies, WeChat,
//! ClaimReview, Open Graph). Without a public URL there is no absolute link, and callers leave
//! the link out rather than paste a bare path into a chat, where it cannot be opened.

/// Path of a claim's page.
pub fn claim_path(id: &str) -> String {
    format!("/claims/{id}")
}

/// Path of a regulation's page.
pub fn regulation_path(id: &str) -> String {
    format!("/regulations/{id}")
}

/// Path of one article on its regulation's page (`anchor` as `Article::anchor` gives it).
pub fn article_path(regulation: &str, anchor: &str) -> String {
    format!("/regulations/{regulation}#{anchor}")
}

/// Longest permalink made: what every browser, chat app and proxy passes on whole.
pub const MAX_PERMALINK_BYTES: usize = 2000;

/// Path of the result page for a message (its permalink); `None` when the message is too long
/// for a URL that survives being shared (about 200 Chinese characters fit).
pub fn check_path(text: &str) -> Option<String> {
    let path = format!("/check?text={}", url_encode(text));
    (path.len() <= MAX_PERMALINK_BYTES).then_some(path)
}

/// The site's public base URL, and absolute links built from it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Links {
    /// Without a trailing slash; empty when not configured.
    base: String,
}

impl Links {
    /// Links under `public_url` (for example `https://piyao.example.org/`); may be empty.
    pub fn new(public_url: &str) -> Links {
        Links { base: public_url.trim().trim_end_matches('/').to_string() }
    }

    /// Is a public URL configured?
    pub fn has_public_url(&self) -> bool {
        !self.base.is_empty()
    }

    /// `path` as an absolute URL, or `None` without a public URL.
    pub fn absolute(&self, path: &str) -> Option<String> {
        self.has_public_url().then(|| format!("{}{path}", self.base))
    }

    /// `path` absolute when a public URL is configured, otherwise the path itself (right for
    /// links inside the site, and for machine-readable documents that say so).
    pub fn absolute_or_path(&self, path: &str) -> String {
        self.absolute(path).unwrap_or_else(|| path.to_string())
    }
}

/// Percent-encode a query-string value (UTF-8 bytes; unreserved characters kept).
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(claim_path("x"), "/claims/x");
        assert_eq!(regulation_path("cybersecurity-law"), "/regulations/cybersecurity-law");
        assert_eq!(article_path("cybersecurity-law", "art-13"), "/regulations/cybersecurity-law#art-13");
        assert_eq!(check_path("a b").as_deref(), Some("/check?text=a%20b"));
        // 9 bytes per Chinese character once encoded: 220 fit, 230 do not
        assert!(check_path(&"谣".repeat(220)).is_some());
        assert_eq!(check_path(&"谣".repeat(230)), None);
    }

    #[test]
    fn absolute_links_need_a_public_url() {
        assert_eq!(Links::new("").absolute("/claims/x"), None);
        assert_eq!(Links::new("https://p.example/").absolute("/claims/x").as_deref(), Some("https://p.example/claims/x"));
        assert_eq!(Links::new("").absolute_or_path("/claims/x"), "/claims/x");
    }

    #[test]
    fn encodes_query_values() {
        assert_eq!(url_encode("a b&c=d"), "a%20b%26c%3Dd");
        assert_eq!(url_encode("谣"), "%E8%B0%A3");
    }
}
