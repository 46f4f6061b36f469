//! Picks up the generations a reindex publishes, so the server never restarts for new debunks.
//! A generation that fails to load is retried with a growing delay (and logged once per try),
//! while the old one keeps serving.

use std::sync::Arc;
use std::time::Duration;

use actix_web::web;
use tokio::time::Instant;

use crate::live::LiveEngine;

/// Longest wait between two tries of the same broken generation.
const MAX_DELAY: Duration = Duration::from_secs(300);

/// When to try a generation that failed to load again.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Retry {
    generation: String,
    delay: Duration,
    at: Instant,
}

/// The backoff: after the first failure wait `2 × every`, then double each time, up to
/// `MAX_DELAY`; a newly published generation is tried at once.
#[derive(Debug, Default)]
struct Backoff {
    retry: Option<Retry>,
}

impl Backoff {
    fn should_try(&self, published: &str, now: Instant) -> bool {
        match &self.retry {
            Some(r) if r.generation == published => now >= r.at,
            _ => true,
        }
    }

    /// Record a failure; returns the delay before the next try.
    fn failed(&mut self, published: &str, now: Instant, every: Duration) -> Duration {
        let delay = match &self.retry {
            Some(r) if r.generation == published => (r.delay * 2).min(MAX_DELAY),
            _ => (every * 2).min(MAX_DELAY),
        };
        self.retry = Some(Retry { generation: published.to_string(), delay, at: now + delay });
        delay
    }

    fn succeeded(&mut self) {
        self.retry = None;
    }
}

/// Poll the index folder every `every` and swap in a newly published generation. Call inside
/// an actix runtime.
pub fn spawn(live: Arc<LiveEngine>, every: Duration) {
    recheck_clusters(live.clone());
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(every);
        let mut backoff = Backoff::default();
        loop {
            tick.tick().await;
            let Some(published) = live.pending() else {
                backoff.succeeded();
                continue;
            };
            if !backoff.should_try(&published, Instant::now()) {
                continue;
            }
            let l = live.clone();
            let name = published.clone();
            match web::block(move || l.load(&name)).await {
                Ok(Ok(())) => {
                    backoff.succeeded();
                    tracing::info!(generation = published, "serving new index generation");
                    recheck_clusters(live.clone());
                }
                Ok(Err(e)) => {
                    live.reload_failed();
                    let delay = backoff.failed(&published, Instant::now(), every);
                    tracing::warn!(
                        generation = published,
                        error = format!("{e:#}"),
                        retry_in_s = delay.as_secs_f64(),
                        "could not load the new index; still serving the old one"
                    );
                }
                Err(e) => tracing::warn!(error = %e, "reload task failed"),
            }
        }
    });
}

/// Check the open clusters of unanswered messages against the generation now served, off the
/// async workers: those a new debunk answers leave the editors' queue as covered.
fn recheck_clusters(live: Arc<LiveEngine>) {
    if !live.recorder.enabled() {
        return;
    }
    actix_web::rt::spawn(async move {
        let Some(engine) = live.get() else { return };
        let generation = engine.generation().to_string();
        match web::block(move || live.recorder.recheck_clusters(&engine)).await {
            Ok(Ok((checked, covered))) if checked > 0 => {
                tracing::info!(generation, checked, covered, "open clusters checked against the new index")
            }
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "could not check open clusters against the new index"),
            Err(e) => tracing::warn!(error = %e, "cluster re-check task failed"),
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_generation_is_retried_less_and_less_often_and_a_new_one_at_once() {
        let every = Duration::from_millis(500);
        let t0 = Instant::now();
        let mut b = Backoff::default();
        assert!(b.should_try("gen-1", t0));
        let mut delays = Vec::new();
        let mut now = t0;
        for _ in 0..12 {
            let d = b.failed("gen-1", now, every);
            assert!(!b.should_try("gen-1", now + d - Duration::from_millis(1)));
            // another generation published meanwhile is tried without waiting
            assert!(b.should_try("gen-2", now));
            now += d;
            assert!(b.should_try("gen-1", now));
            delays.push(d.as_millis());
        }
        assert_eq!(&delays[..5], &[1000, 2000, 4000, 8000, 16000]);
        assert_eq!(*delays.last().unwrap(), MAX_DELAY.as_millis());
        b.succeeded();
        assert!(b.should_try("gen-1", t0));
    }
}
