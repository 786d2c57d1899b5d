//! The seller's request budgets, one per SP-API operation, as Amazon's usage plans are
//! defined: a rate (requests per second) and a burst, counted per selling partner and
//! operation. Every call waits for a turn in the budget the host hands the connector
//! (shared by every worker of every process through Redis, or kept in this process), so
//! the plan holds however many workers call the seller.
//!
//! The rate follows `x-amzn-RateLimit-Limit` whenever Amazon sends it, because a seller's
//! plan may be more generous than the published default; the burst is the default's or
//! the configured one (Amazon does not report it). After a 429 `QuotaExceeded` this
//! process sends nothing for that operation until the wait Amazon implied has passed:
//! Amazon's count and ours disagreed, and Amazon's is the one that holds.

use crate::client::Operation;
use serde::Deserialize;
use shipgate_sdk::{Account, BudgetError, ConnectorError, LocalBudget, RequestBudget, RequestRate};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One operation's usage plan: what the budget of that operation is seeded with.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsagePlan {
    /// Requests restored per second (Amazon's "rate").
    pub requests_per_second: f64,
    /// Requests that may go at once (Amazon's "burst", the bucket size).
    pub burst: u32,
}

impl UsagePlan {
    /// The plan as a budget rate; refuses a rate or burst that would stop every call.
    pub fn rate(&self) -> Result<RequestRate, BudgetError> {
        RequestRate::new(self.requests_per_second, self.burst)
    }
}

/// Reads `x-amzn-RateLimit-Limit` (`"0.0056"`, `"2.0"`): a positive finite rate or
/// nothing.
pub fn parse_rate(header: &str) -> Option<f64> {
    let rate: f64 = header.trim().parse().ok()?;
    (rate.is_finite() && rate > 0.0).then_some(rate)
}

/// The wait one request of `per_second` takes, capped at one hour (an absurd rate must
/// not become an endless wait): what a 429 without `Retry-After` asks for.
pub fn one_token(per_second: f64) -> Duration {
    if per_second <= 0.0 || !per_second.is_finite() {
        return Duration::from_secs(3600);
    }
    Duration::from_secs_f64((1.0 / per_second).min(3600.0))
}

/// The budgets of one seller on one endpoint: the account key of each operation, the
/// rate each currently has, and the 429 cool-downs of this process.
pub(crate) struct Budgets {
    /// `amazon:<endpoint host>:<seller id>`; the operation completes the key.
    prefix: String,
    /// By [`Operation`] discriminant.
    rates: Mutex<[RequestRate; Operation::ALL.len()]>,
    /// By [`Operation`] discriminant: no call before then, after a 429.
    cooled_until: Mutex<[Option<Instant>; Operation::ALL.len()]>,
    budget: Arc<dyn RequestBudget>,
}

impl std::fmt::Debug for Budgets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Budgets")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl Budgets {
    /// Budgets under `prefix` at `rates` (in the order of [`Operation::ALL`]), kept in
    /// this process until [`Self::set_budget`] shares them.
    pub(crate) fn new(prefix: String, rates: [RequestRate; Operation::ALL.len()]) -> Self {
        Self {
            prefix,
            rates: Mutex::new(rates),
            cooled_until: Mutex::new([None; Operation::ALL.len()]),
            budget: Arc::new(LocalBudget::new()),
        }
    }

    /// Waits on `budget` for every operation's turns from now on.
    pub(crate) fn set_budget(&mut self, budget: Arc<dyn RequestBudget>) {
        self.budget = budget;
    }

    /// The rate `op` is currently paced at.
    pub(crate) fn rate(&self, op: Operation) -> RequestRate {
        self.rates.lock().unwrap_or_else(|p| p.into_inner())[op as usize]
    }

    /// The budget account of `op`: `amazon:<endpoint host>:<seller id>:<operationId>`.
    pub(crate) fn account(&self, op: Operation) -> Account {
        Account {
            key: format!("{}:{}", self.prefix, op.name()),
            rate: self.rate(op),
        }
    }

    /// Waits for `op`'s turn: first out a cool-down Amazon imposed with a 429, then in
    /// the budget. A wait longer than `max_wait` is `Throttled` and nothing is sent.
    pub(crate) async fn acquire(
        &self,
        op: Operation,
        max_wait: Duration,
    ) -> Result<(), ConnectorError> {
        let started = Instant::now();
        let cooled_until = self.cooled_until.lock().unwrap_or_else(|p| p.into_inner())[op as usize];
        if let Some(until) = cooled_until {
            let wait = until.saturating_duration_since(started);
            if wait > max_wait {
                return Err(ConnectorError::Throttled {
                    retry_after: Some(wait),
                    message: format!(
                        "{}: Amazon refused the last call with 429; the next may go in {:.1}s",
                        op.name(),
                        wait.as_secs_f64()
                    ),
                });
            }
            tokio::time::sleep(wait).await;
        }
        let left = max_wait.saturating_sub(started.elapsed());
        Ok(self.budget.acquire(&self.account(op), left).await?)
    }

    /// Adopts the rate Amazon reported for `op` in `x-amzn-RateLimit-Limit`, keeping the
    /// burst.
    pub(crate) fn adopt_rate(&self, op: Operation, per_second: f64) {
        let burst = self.rate(op).burst();
        if let Ok(rate) = RequestRate::new(per_second, burst) {
            let mut rates = self.rates.lock().unwrap_or_else(|p| p.into_inner());
            if rates[op as usize] != rate {
                tracing::debug!(operation = op.name(), per_second, "usage plan rate adopted");
                rates[op as usize] = rate;
            }
        }
    }

    /// Holds `op` back in this process for `wait` after Amazon answered 429.
    pub(crate) fn cool_down(&self, op: Operation, wait: Duration) {
        self.cooled_until.lock().unwrap_or_else(|p| p.into_inner())[op as usize] =
            Some(Instant::now() + wait);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn budgets(per_second: f64, burst: u32) -> Budgets {
        let rate = RequestRate::new(per_second, burst).unwrap();
        Budgets::new("amazon:test:A1".into(), [rate; Operation::ALL.len()])
    }

    #[tokio::test]
    async fn a_burst_is_spent_then_long_waits_are_refused() {
        let b = budgets(0.0056, 2);
        b.acquire(Operation::SearchOrders, Duration::ZERO)
            .await
            .unwrap();
        b.acquire(Operation::SearchOrders, Duration::ZERO)
            .await
            .unwrap();
        let err = b
            .acquire(Operation::SearchOrders, Duration::from_secs(5))
            .await
            .unwrap_err();
        let wait = err.retry_after().unwrap();
        assert!(
            wait > Duration::from_secs(170) && wait < Duration::from_secs(180),
            "{wait:?}"
        );
        b.acquire(Operation::GetOrder, Duration::ZERO)
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn a_reported_rate_is_adopted_and_a_429_cools_the_operation_down() {
        let b = budgets(0.5, 30);
        b.adopt_rate(Operation::GetOrder, 20.0);
        assert_eq!(b.rate(Operation::GetOrder).per_second(), 20.0);
        assert_eq!(b.rate(Operation::GetOrder).burst(), 30);
        assert_eq!(
            b.account(Operation::GetOrder).key,
            "amazon:test:A1:getOrder"
        );
        b.cool_down(Operation::GetOrder, Duration::from_secs(2));
        let err = b
            .acquire(Operation::GetOrder, Duration::from_millis(100))
            .await
            .unwrap_err();
        assert!(err.retry_after().unwrap() > Duration::from_millis(1500));
        b.cool_down(Operation::GetOrder, Duration::from_millis(50));
        let started = Instant::now();
        b.acquire(Operation::GetOrder, Duration::from_secs(1))
            .await
            .unwrap();
        assert!(started.elapsed() >= Duration::from_millis(40));
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
