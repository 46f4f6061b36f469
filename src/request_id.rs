//! The id of the request being answered, so that an error body, a log line and a user's report
//! can be matched. Set by the request middleware for the whole handling of a request.

use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request this task is answering, if any.
pub fn current() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// Run `f` as the handling of request `id`.
pub async fn scope<F: Future>(id: String, f: F) -> F::Output {
    REQUEST_ID.scope(id, f).await
}

/// The id a client (or the proxy in front of us) sent, when it is a sane one; otherwise a new
/// one: 16 hex digits, unpredictable, never repeated within a process.
pub fn from_header(sent: Option<&str>) -> String {
    match sent {
        Some(id) if (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)) => id.to_string(),
        _ => generate(),
    }
}

fn generate() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    static SEED: std::sync::LazyLock<std::hash::RandomState> = std::sync::LazyLock::new(std::hash::RandomState::new);
    format!("{:016x}", SEED.hash_one(COUNTER.fetch_add(1, Ordering::Relaxed)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_a_sane_id_and_replaces_anything_else() {
        assert_eq!(from_header(Some("abc-123_X.y")), "abc-123_X.y");
        for bad in [None, Some(""), Some("a b"), Some("<script>"), Some(&*"x".repeat(65))] {
            let id = from_header(bad);
            assert_eq!(id.len(), 16, "{bad:?}");
            assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
        }
        assert_ne!(from_header(None), from_header(None));
    }

    #[actix_web::test]
    async fn is_visible_inside_the_scope_only() {
        assert_eq!(current(), None);
        assert_eq!(scope("r1".into(), async { current() }).await.as_deref(), Some("r1"));
    }
}
