//! Token buckets, one per client: a client may spend `burst` checks at once and then
//! `per_second` checks each second. Pure bookkeeping with an explicit clock, no HTTP.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Buckets kept at most; beyond that, full (idle) buckets are forgotten first.
const MAX_CLIENTS: usize = 100_000;

/// How fast a client may check. `None` where there is no limit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    per_second: f64,
    burst: f64,
}

impl Rate {
    /// `n` checks per second with a burst of `max(2n, min_burst)` (a whole batch must fit);
    /// `None` for 0 (no limit).
    pub fn checks_per_second(n: u32, min_burst: u32) -> Option<Rate> {
        (n > 0).then(|| Rate { per_second: f64::from(n), burst: f64::from((2 * n).max(min_burst)) })
    }
}

/// Who is counted: an API key, or an address (IPv6 by its /64, which one subscriber usually
/// holds whole).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ClientKey {
    ApiKey(String),
    Address(IpAddr),
}

impl ClientKey {
    pub fn address(ip: IpAddr) -> ClientKey {
        match ip {
            IpAddr::V6(v6) if v6.to_ipv4_mapped().is_none() => {
                let mut o = v6.octets();
                o[8..].fill(0);
                ClientKey::Address(IpAddr::from(o))
            }
            IpAddr::V6(v6) => ClientKey::Address(IpAddr::V4(v6.to_ipv4_mapped().expect("checked"))),
            v4 => ClientKey::Address(v4),
        }
    }
}

/// Refused: come back after `retry_after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limited {
    pub retry_after: Duration,
}

impl Limited {
    /// Whole seconds for `Retry-After`, at least 1.
    pub fn retry_after_secs(&self) -> u64 {
        self.retry_after.as_secs_f64().ceil().max(1.0) as u64
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

#[derive(Debug, Default)]
pub struct RateLimiter {
    buckets: Mutex<HashMap<ClientKey, Bucket>>,
    refused: AtomicU64,
}

impl RateLimiter {
    /// Spend `cost` checks of `key`'s bucket, or say when it will hold enough.
    pub fn admit(&self, key: &ClientKey, rate: Option<Rate>, cost: u32, now: Instant) -> Result<(), Limited> {
        let Some(rate) = rate else { return Ok(()) };
        let cost = f64::from(cost).min(rate.burst);
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= MAX_CLIENTS && !buckets.contains_key(key) {
            forget_idle(&mut buckets, rate, now);
        }
        let bucket = buckets.entry(key.clone()).or_insert(Bucket { tokens: rate.burst, at: now });
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * rate.per_second).min(rate.burst);
        bucket.at = now;
        if bucket.tokens >= cost {
            bucket.tokens -= cost;
            return Ok(());
        }
        self.refused.fetch_add(1, Ordering::Relaxed);
        Err(Limited { retry_after: Duration::from_secs_f64((cost - bucket.tokens) / rate.per_second) })
    }

    /// Requests refused since the start.
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }
}

/// Drop the buckets that have refilled (their clients are idle); if that frees nothing, drop all:
/// under a flood of fresh addresses, forgetting is cheaper than growing without bound.
fn forget_idle(buckets: &mut HashMap<ClientKey, Bucket>, rate: Rate, now: Instant) {
    buckets.retain(|_, b| b.tokens + now.saturating_duration_since(b.at).as_secs_f64() * rate.per_second < rate.burst);
    if buckets.len() >= MAX_CLIENTS {
        buckets.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> ClientKey {
        ClientKey::address(s.parse().unwrap())
    }

    #[test]
    fn a_burst_then_the_steady_rate() {
        let limiter = RateLimiter::default();
        let rate = Rate::checks_per_second(10, 0);
        let t0 = Instant::now();
        let a = ip("192.0.2.1");
        for _ in 0..20 {
            assert!(limiter.admit(&a, rate, 1, t0).is_ok());
        }
        let refused = limiter.admit(&a, rate, 1, t0).unwrap_err();
        assert_eq!(refused.retry_after, Duration::from_millis(100));
        assert_eq!(refused.retry_after_secs(), 1);
        // another client is not affected
        assert!(limiter.admit(&ip("192.0.2.2"), rate, 1, t0).is_ok());
        // a tenth of a second later there is one check again
        assert!(limiter.admit(&a, rate, 1, t0 + Duration::from_millis(100)).is_ok());
        assert!(limiter.admit(&a, rate, 1, t0 + Duration::from_millis(100)).is_err());
        assert_eq!(limiter.refused(), 2);
    }

    #[test]
    fn a_batch_costs_its_items_and_always_fits_the_burst() {
        let limiter = RateLimiter::default();
        let rate = Rate::checks_per_second(5, 100);
        let t0 = Instant::now();
        let a = ip("192.0.2.1");
        assert!(limiter.admit(&a, rate, 100, t0).is_ok());
        let refused = limiter.admit(&a, rate, 100, t0).unwrap_err();
        assert_eq!(refused.retry_after_secs(), 20);
        assert!(limiter.admit(&a, rate, 100, t0 + Duration::from_secs(20)).is_ok());
    }

    #[test]
    fn no_limit_and_ipv6_by_prefix() {
        let limiter = RateLimiter::default();
        let t0 = Instant::now();
        for _ in 0..1000 {
            assert!(limiter.admit(&ip("192.0.2.1"), None, 100, t0).is_ok());
        }
        assert_eq!(ip("2001:db8:1:2:aaaa::1"), ip("2001:db8:1:2:bbbb::2"));
        assert_ne!(ip("2001:db8:1:2::1"), ip("2001:db8:1:3::1"));
        assert_eq!(ip("::ffff:192.0.2.1"), ip("192.0.2.1"));
    }

    #[test]
    fn a_flood_of_addresses_does_not_grow_the_table_without_bound() {
        let limiter = RateLimiter::default();
        let rate = Rate::checks_per_second(1, 0);
        let t0 = Instant::now();
        for i in 0..(MAX_CLIENTS as u32 + 10) {
            let _ = limiter.admit(&ClientKey::Address(IpAddr::from(i.to_be_bytes())), rate, 1, t0);
        }
        assert!(limiter.buckets.lock().unwrap().len() <= MAX_CLIENTS);
    }
}
