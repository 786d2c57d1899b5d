//! Shopify's calculated-cost leaky bucket, seen from the client: what the last response
//! said about the bucket, and how long to wait before a query of a given cost fits.
//!
//! Sizes and restore rates differ by plan (and have changed over the years), so nothing
//! here is hard-coded: every number comes from `extensions.cost.throttleStatus`.

use serde::Deserialize;
use std::time::{Duration, Instant};

/// `extensions.cost.throttleStatus` as Shopify sends it (points are floats there).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThrottleStatus {
    /// The bucket size.
    pub maximum_available: f64,
    /// Points left when the response was produced.
    pub currently_available: f64,
    /// Points restored per second.
    pub restore_rate: f64,
}

/// `extensions.cost` as Shopify sends it.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryCost {
    /// What Shopify estimated before running the query.
    pub requested_query_cost: Option<f64>,
    /// What it charged (null when the query was throttled).
    pub actual_query_cost: Option<f64>,
    /// The bucket after the query.
    pub throttle_status: ThrottleStatus,
}

impl ThrottleStatus {
    /// Points expected to be available `elapsed` after this status was observed.
    pub fn available_after(&self, elapsed: Duration) -> f64 {
        let restored = self.currently_available + self.restore_rate * elapsed.as_secs_f64();
        restored.min(self.maximum_available)
    }

    /// How long until `needed` points are available, counted from when this status was
    /// observed; `None` when they never will be (more than the bucket holds, or no
    /// restore rate).
    pub fn time_until(&self, needed: f64) -> Option<Duration> {
        if needed <= self.currently_available {
            return Some(Duration::ZERO);
        }
        if needed > self.maximum_available || self.restore_rate <= 0.0 || !needed.is_finite() {
            return None;
        }
        Duration::try_from_secs_f64((needed - self.currently_available) / self.restore_rate).ok()
    }
}

/// What to do before sending a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// Send now.
    Go,
    /// Sleep this long in-process, then send.
    Wait(Duration),
    /// The wait is longer than we hold a worker for: report `Throttled` with this wait.
    TooLong(Duration),
}

/// The last bucket state a response reported, and when.
#[derive(Debug, Clone, Copy)]
pub struct Observed {
    /// The status.
    pub status: ThrottleStatus,
    /// When the response carrying it arrived.
    pub at: Instant,
}

impl Observed {
    /// Decides whether a query estimated at `cost` points can go now. With nothing
    /// observed yet we just send: the first response tells us the bucket. A cost larger
    /// than the whole bucket is sent too, so Shopify's own error explains it.
    pub fn plan(this: Option<&Self>, cost: f64, now: Instant, max_wait: Duration) -> Plan {
        let Some(obs) = this else { return Plan::Go };
        let elapsed = now.saturating_duration_since(obs.at);
        let available = obs.status.available_after(elapsed);
        if cost <= available {
            return Plan::Go;
        }
        let moved = ThrottleStatus {
            currently_available: available,
            ..obs.status
        };
        match moved.time_until(cost) {
            None => Plan::Go,
            Some(wait) if wait <= max_wait => Plan::Wait(wait),
            Some(wait) => Plan::TooLong(wait),
        }
    }
}

/// The wait Shopify implies when it throttles a query: the missing points divided by the
/// restore rate (at least a tenth of a second, so a retry never spins).
pub fn throttled_wait(requested: Option<f64>, status: &ThrottleStatus) -> Option<Duration> {
    let needed = requested?;
    let missing = (needed - status.currently_available).max(0.0);
    if status.restore_rate <= 0.0 {
        return None;
    }
    let secs = (missing / status.restore_rate).max(0.1);
    Duration::try_from_secs_f64(secs).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(cur: f64) -> ThrottleStatus {
        ThrottleStatus {
            maximum_available: 1000.0,
            currently_available: cur,
            restore_rate: 50.0,
        }
    }

    #[test]
    fn bucket_refills_up_to_its_size() {
        let s = status(100.0);
        assert_eq!(s.available_after(Duration::from_secs(2)), 200.0);
        assert_eq!(s.available_after(Duration::from_secs(60)), 1000.0);
        assert_eq!(s.time_until(350.0), Some(Duration::from_secs(5)));
        assert_eq!(s.time_until(50.0), Some(Duration::ZERO));
        assert_eq!(s.time_until(1001.0), None);
    }

    #[test]
    fn plan_waits_briefly_or_gives_up() {
        let now = Instant::now();
        let obs = Observed {
            status: status(100.0),
            at: now,
        };
        assert_eq!(
            Observed::plan(None, 5000.0, now, Duration::from_secs(1)),
            Plan::Go
        );
        assert_eq!(
            Observed::plan(Some(&obs), 90.0, now, Duration::from_secs(1)),
            Plan::Go
        );
        assert_eq!(
            Observed::plan(Some(&obs), 125.0, now, Duration::from_secs(1)),
            Plan::Wait(Duration::from_millis(500))
        );
        assert_eq!(
            Observed::plan(Some(&obs), 700.0, now, Duration::from_secs(10)),
            Plan::TooLong(Duration::from_secs(12))
        );
        let later = now + Duration::from_secs(12);
        assert_eq!(
            Observed::plan(Some(&obs), 700.0, later, Duration::from_secs(10)),
            Plan::Go
        );
    }

    #[test]
    fn throttled_wait_follows_the_missing_points() {
        let s = ThrottleStatus {
            maximum_available: 1000.0,
            currently_available: 666.0,
            restore_rate: 50.0,
        };
        assert_eq!(
            throttled_wait(Some(752.0), &s),
            Some(Duration::from_secs_f64(1.72))
        );
        assert_eq!(
            throttled_wait(Some(10.0), &s),
            Some(Duration::from_millis(100))
        );
        assert_eq!(throttled_wait(None, &s), None);
    }
}
