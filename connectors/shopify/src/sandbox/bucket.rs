//! The sandbox's cost bucket: a leaky bucket like Shopify's calculated-cost limit, with
//! its size and restore rate taken from the sandbox configuration.

use std::time::Instant;

/// Points available to the (single) app on the sandbox shop.
#[derive(Debug, Clone)]
pub(crate) struct CostBucket {
    maximum: f64,
    available: f64,
    restore_rate: f64,
    refilled_at: Instant,
    lowest: f64,
}

/// The bucket as reported in `extensions.cost.throttleStatus`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BucketStatus {
    /// Bucket size.
    pub maximum_available: f64,
    /// Points left now.
    pub currently_available: f64,
    /// Points restored per second.
    pub restore_rate: f64,
}

/// Why a query was not charged.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Refusal {
    /// Not enough points right now.
    Throttled,
    /// More than the whole bucket: it can never run.
    TooExpensive,
}

impl CostBucket {
    /// A full bucket.
    pub(crate) fn new(maximum: f64, restore_rate: f64) -> Self {
        Self {
            maximum,
            available: maximum,
            restore_rate,
            refilled_at: Instant::now(),
            lowest: maximum,
        }
    }

    fn refill(&mut self) {
        let now = Instant::now();
        let secs = now
            .saturating_duration_since(self.refilled_at)
            .as_secs_f64();
        self.available = (self.available + secs * self.restore_rate).min(self.maximum);
        self.refilled_at = now;
    }

    /// Takes `cost` points, or refuses without taking anything: the bucket never goes
    /// below zero.
    pub(crate) fn try_take(&mut self, cost: f64) -> Result<(), Refusal> {
        self.refill();
        if cost > self.maximum {
            return Err(Refusal::TooExpensive);
        }
        if cost > self.available {
            return Err(Refusal::Throttled);
        }
        self.available -= cost;
        self.lowest = self.lowest.min(self.available);
        Ok(())
    }

    /// Gives back points charged up front that the query did not use (Shopify refunds
    /// the requested cost down to the actual cost after execution).
    pub(crate) fn refund(&mut self, points: f64) {
        self.refill();
        self.available = (self.available + points.max(0.0)).min(self.maximum);
    }

    /// The current status (refilled to now).
    pub(crate) fn status(&mut self) -> BucketStatus {
        self.refill();
        BucketStatus {
            maximum_available: self.maximum,
            currently_available: self.available,
            restore_rate: self.restore_rate,
        }
    }

    /// The fewest points ever left after a charge, for tests that prove the bucket never
    /// went negative.
    pub(crate) fn lowest(&self) -> f64 {
        self.lowest
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_rather_than_going_negative() {
        let mut b = CostBucket::new(100.0, 0.0);
        assert_eq!(b.try_take(60.0), Ok(()));
        assert_eq!(b.try_take(60.0), Err(Refusal::Throttled));
        assert_eq!(b.try_take(101.0), Err(Refusal::TooExpensive));
        assert_eq!(b.try_take(40.0), Ok(()));
        assert_eq!(b.lowest(), 0.0);
        assert_eq!(b.status().currently_available, 0.0);
        b.refund(30.0);
        assert_eq!(b.status().currently_available, 30.0);
        b.refund(500.0);
        assert_eq!(b.status().currently_available, 100.0);
    }

    #[test]
    fn restores_over_time_up_to_the_size() {
        let mut b = CostBucket::new(100.0, 1000.0);
        b.try_take(100.0).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        let s = b.status();
        assert!(
            s.currently_available >= 10.0 && s.currently_available <= 100.0,
            "{s:?}"
        );
    }
}
