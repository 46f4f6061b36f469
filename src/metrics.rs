//! The counters behind `/metrics` (Prometheus text format 0.0.4), for operators who graph and
//! alert: requests by route and status, time in the engine per checked message, verdicts given.
//! The check path only adds to atomics; the request table takes a short lock. What the index
//! and the limits know (generation, claims, refusals, reload failures) is read at scrape time.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::response::Verdict;

/// Upper bounds (seconds) of the check latency buckets: a check takes about a millisecond.
const LATENCY_BOUNDS: [f64; 11] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0];

/// A Prometheus histogram with fixed buckets.
struct Histogram {
    /// Observations at or below each bound (not yet cumulative).
    buckets: [AtomicU64; LATENCY_BOUNDS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl Histogram {
    fn new() -> Histogram {
        Histogram { buckets: std::array::from_fn(|_| AtomicU64::new(0)), count: AtomicU64::new(0), sum_micros: AtomicU64::new(0) }
    }

    fn observe(&self, seconds: f64) {
        if let Some(i) = LATENCY_BOUNDS.iter().position(|b| seconds <= *b) {
            self.buckets[i].fetch_add(1, Ordering::Relaxed);
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_micros.fetch_add((seconds * 1e6).round() as u64, Ordering::Relaxed);
    }

    fn render(&self, name: &str, help: &str, out: &mut String) {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
        let mut cumulative = 0;
        for (bound, n) in LATENCY_BOUNDS.iter().zip(&self.buckets) {
            cumulative += n.load(Ordering::Relaxed);
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {cumulative}");
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}");
        let _ = writeln!(out, "{name}_sum {}", self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6);
        let _ = writeln!(out, "{name}_count {count}");
    }
}

/// What every check adds to, whichever surface asked (kept by `LiveEngine`).
pub struct CheckStats {
    latency: Histogram,
    verdicts: [AtomicU64; VERDICTS.len()],
}

/// Every verdict, in the order they are shown.
const VERDICTS: [Verdict; 5] = [Verdict::False, Verdict::Misleading, Verdict::True, Verdict::Unproven, Verdict::Unknown];

impl Default for CheckStats {
    fn default() -> CheckStats {
        CheckStats { latency: Histogram::new(), verdicts: std::array::from_fn(|_| AtomicU64::new(0)) }
    }
}

impl CheckStats {
    /// One message checked in `took_ms` of engine time, with this verdict.
    pub fn record(&self, took_ms: f64, verdict: Verdict) {
        self.latency.observe(took_ms / 1000.0);
        if let Some(i) = VERDICTS.iter().position(|v| *v == verdict) {
            self.verdicts[i].fetch_add(1, Ordering::Relaxed);
        }
    }

    pub fn render(&self, out: &mut String) {
        self.latency.render("piyao_check_seconds", "Time in the engine per checked message (API, batch item, web page, WeChat).", out);
        let _ = writeln!(out, "# HELP piyao_checks_total Messages checked, by verdict.\n# TYPE piyao_checks_total counter");
        for (v, n) in VERDICTS.iter().zip(&self.verdicts) {
            let _ = writeln!(out, "piyao_checks_total{{verdict=\"{}\"}} {}", v.as_str(), n.load(Ordering::Relaxed));
        }
    }
}

/// Requests answered, by method, route pattern (never the path itself: ids and messages would
/// make every URL a series of its own) and status (kept by the request middleware).
#[derive(Default)]
pub struct RequestStats {
    table: Mutex<BTreeMap<(&'static str, String, u16), u64>>,
}

impl RequestStats {
    /// `route` is the matched pattern (`/api/v1/claims/{id}`), or `None` for a request no route
    /// took (a 404, or one refused before routing).
    pub fn record(&self, method: &str, route: Option<&str>, status: u16) {
        let method = ["GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH"].into_iter().find(|m| *m == method).unwrap_or("OTHER");
        let route = route.unwrap_or("unmatched").to_string();
        *self.table.lock().unwrap_or_else(|e| e.into_inner()).entry((method, route, status)).or_insert(0) += 1;
    }

    pub fn render(&self, out: &mut String) {
        let _ = writeln!(out, "# HELP piyao_requests_total HTTP requests answered.\n# TYPE piyao_requests_total counter");
        for ((method, route, status), n) in self.table.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            let _ = writeln!(out, "piyao_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}", escape(route));
        }
    }
}

/// A label value as the text format wants it.
pub fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// One gauge or counter line with its help and type.
pub fn single(out: &mut String, name: &str, kind: &str, help: &str, value: impl std::fmt::Display) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative() {
        let h = Histogram::new();
        for s in [0.0002, 0.0007, 0.003, 2.0] {
            h.observe(s);
        }
        let mut out = String::new();
        h.render("x", "help", &mut out);
        assert!(out.contains("x_bucket{le=\"0.0005\"} 1\n"), "{out}");
        assert!(out.contains("x_bucket{le=\"0.001\"} 2\n"), "{out}");
        assert!(out.contains("x_bucket{le=\"0.005\"} 3\n"), "{out}");
        assert!(out.contains("x_bucket{le=\"1\"} 3\n"), "{out}");
        assert!(out.contains("x_bucket{le=\"+Inf\"} 4\nx_sum 2.0039\nx_count 4\n"), "{out}");
    }

    #[test]
    fn requests_are_counted_by_route_pattern_and_labels_escaped() {
        let r = RequestStats::default();
        r.record("GET", Some("/api/v1/claims/{id}"), 200);
        r.record("GET", Some("/api/v1/claims/{id}"), 200);
        r.record("BREW", None, 404);
        let mut out = String::new();
        r.render(&mut out);
        assert!(out.contains("piyao_requests_total{method=\"GET\",route=\"/api/v1/claims/{id}\",status=\"200\"} 2"), "{out}");
        assert!(out.contains("piyao_requests_total{method=\"OTHER\",route=\"unmatched\",status=\"404\"} 1"), "{out}");
        assert_eq!(escape("a\"b\\c"), "a\\\"b\\\\c");
    }
}
