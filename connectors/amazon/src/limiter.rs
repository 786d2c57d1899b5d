//! In-process token buckets, one per SP-API operation, as Amazon's usage plans are
//! defined: a rate (tokens per second) and a burst (bucket size). The rate is taken
//! from `x-amzn-RateLimit-Limit` whenever Amazon sends it, because a seller's plan may
//! be more generous than the published default.
//!
//! This paces one process. The host's shared limiter (GCRA in Redis) paces the account
//! across workers; this bucket only keeps a single worker from spending a burst it does
//! not have.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One operation's usage plan.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Plan {
    /// Tokens restored per second.
    pub rate: f64,
    /// Bucket size.
    pub burst: f64,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    plan: Plan,
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.plan.rate).min(self.plan.burst);
        self.at = now;
    }

    /// How long until one token is there.
    fn wait(&self) -> Duration {
        if self.tokens >= 1.0 {
            return Duration::ZERO;
        }
        wait_for(1.0 - self.tokens, self.plan.rate)
    }
}

/// Seconds for `tokens` at `rate`, capped at one hour (a zero or absurd rate must not
/// become an endless wait).
fn wait_for(tokens: f64, rate: f64) -> Duration {
    if rate <= 0.0 || !rate.is_finite() {
        return Duration::from_secs(3600);
    }
    Duration::from_secs_f64((tokens / rate).min(3600.0))
}

/// The wait one token of `rate` takes: what a 429 without `Retry-After` asks for.
pub fn one_token(rate: f64) -> Duration {
    wait_for(1.0, rate)
}

/// Reads `x-amzn-RateLimit-Limit` (`"0.0056"`, `"2.0"`): a positive finite rate or
/// nothing.
pub fn parse_rate(header: &str) -> Option<f64> {
    let rate: f64 = header.trim().parse().ok()?;
    (rate.is_finite() && rate > 0.0).then_some(rate)
}

/// Buckets keyed by operation name, starting full at their default plans.
#[derive(Debug)]
pub struct Limiter {
    buckets: Mutex<HashMap<&'static str, Bucket>>,
}

impl Limiter {
    /// Buckets for `plans`, each starting full.
    pub fn new(plans: &[(&'static str, Plan)]) -> Self {
        let now = Instant::now();
        let buckets = plans
            .iter()
            .map(|(op, plan)| {
                (
                    *op,
                    Bucket {
                        plan: *plan,
                        tokens: plan.burst,
                        at: now,
                    },
                )
            })
            .collect();
        Self {
            buckets: Mutex::new(buckets),
        }
    }

    /// Takes a token for `op`, sleeping when the wait is at most `max_wait`; a longer
    /// wait is returned as `Err(wait)` without taking anything. An unknown operation is
    /// not paced.
    pub async fn acquire(&self, op: &'static str, max_wait: Duration) -> Result<(), Duration> {
        loop {
            let wait = {
                let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
                let Some(b) = buckets.get_mut(op) else {
                    return Ok(());
                };
                b.refill(Instant::now());
                let wait = b.wait();
                if wait.is_zero() {
                    b.tokens -= 1.0;
                    return Ok(());
                }
                wait
            };
            if wait > max_wait {
                return Err(wait);
            }
            tokio::time::sleep(wait).await;
        }
    }

    /// Adopts the rate Amazon reported for `op`.
    pub fn set_rate(&self, op: &'static str, rate: f64) {
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(b) = buckets.get_mut(op) {
            b.refill(Instant::now());
            b.plan.rate = rate;
        }
    }

    /// Empties `op`'s bucket after Amazon answered 429: its count and ours disagree,
    /// and Amazon's is the one that holds.
    pub fn drain(&self, op: &'static str) {
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(b) = buckets.get_mut(op) {
            b.refill(Instant::now());
            b.tokens = 0.0;
        }
    }

    /// The plan currently applied to `op`.
    pub fn plan(&self, op: &str) -> Option<Plan> {
        let buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        buckets.get(op).map(|b| b.plan)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_burst_is_spent_then_long_waits_are_refused() {
        let l = Limiter::new(&[(
            "searchOrders",
            Plan {
                rate: 0.0056,
                burst: 2.0,
            },
        )]);
        l.acquire("searchOrders", Duration::ZERO).await.unwrap();
        l.acquire("searchOrders", Duration::ZERO).await.unwrap();
        let wait = l
            .acquire("searchOrders", Duration::from_secs(5))
            .await
            .unwrap_err();
        assert!(
            wait > Duration::from_secs(170) && wait < Duration::from_secs(180),
            "{wait:?}"
        );
    }

    #[tokio::test]
    async fn a_short_wait_is_slept_and_the_reported_rate_is_adopted() {
        let l = Limiter::new(&[(
            "getOrder",
            Plan {
                rate: 0.5,
                burst: 1.0,
            },
        )]);
        l.acquire("getOrder", Duration::ZERO).await.unwrap();
        l.set_rate("getOrder", 20.0);
        let started = Instant::now();
        l.acquire("getOrder", Duration::from_secs(1)).await.unwrap();
        let took = started.elapsed();
        assert!(took >= Duration::from_millis(40), "{took:?}");
        assert!(took < Duration::from_millis(500), "{took:?}");
        l.drain("getOrder");
        assert!(l.acquire("getOrder", Duration::ZERO).await.is_err());
        assert_eq!(l.plan("getOrder").unwrap().rate, 20.0);
    }

    #[test]
    fn rate_headers_are_read_carefully() {
        assert_eq!(parse_rate("0.0056"), Some(0.0056));
        assert_eq!(parse_rate(" 2.0 "), Some(2.0));
        assert_eq!(parse_rate("0"), None);
        assert_eq!(parse_rate("NaN"), None);
        assert_eq!(one_token(0.5), Duration::from_secs(2));
    }
}
