//! Request budgets per remote account: what a connector's HTTP client waits on before
//! every request, so that a shop, a selling partner or a carrier account is never called
//! faster than its API allows — however many workers, in however many processes, call it.
//!
//! The client names the account and its [`RequestRate`]; the [`RequestBudget`] it was given
//! decides when the request may go. [`LocalBudget`] (governor's keyed limiter) keeps the
//! budget in this process, which is all an embedded single-machine setup needs; the host
//! supplies a budget shared through Redis when several processes work one queue.

use crate::ConnectorError;
use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::collections::HashMap;
use std::fmt;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How fast one remote account may be called: a sustained rate and how many requests may
/// go at once after a quiet spell (a GCRA or token bucket of that size).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RequestRate {
    per_second: f64,
    burst: u32,
}

impl RequestRate {
    /// `per_second` requests per second (fractions allowed: Amazon's `searchOrders` is
    /// 0.0056), with up to `burst` at once. Refuses a rate that is not a positive finite
    /// number or a burst of zero, since either would stop every request.
    pub fn new(per_second: f64, burst: u32) -> Result<Self, BudgetError> {
        if !(per_second.is_finite() && per_second > 0.0) {
            return Err(BudgetError::InvalidRate(format!(
                "requests_per_second must be a positive number, not {per_second}"
            )));
        }
        if burst == 0 {
            return Err(BudgetError::InvalidRate("burst must be at least 1".into()));
        }
        Ok(Self { per_second, burst })
    }

    /// Requests per second.
    pub fn per_second(&self) -> f64 {
        self.per_second
    }

    /// Requests that may go at once.
    pub fn burst(&self) -> u32 {
        self.burst
    }

    /// The spacing of requests at the sustained rate.
    pub fn interval(&self) -> Duration {
        Duration::from_secs_f64(1.0 / self.per_second)
    }

    fn quota(&self) -> Quota {
        let burst = NonZeroU32::new(self.burst).unwrap_or(NonZeroU32::MIN);
        Quota::with_period(self.interval())
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MAX))
            .allow_burst(burst)
    }
}

/// One remote account's budget: its key and its rate.
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    /// Names the account across processes: `<vendor>:<account>`, e.g.
    /// `shopify:x.myshopify.com` or `amazon:<seller>:<operation>`. Two clients with the
    /// same key share one budget.
    pub key: String,
    /// The rate the account allows.
    pub rate: RequestRate,
}

/// The lower-cased host of a remote's base URL (`https://X.myshopify.com/admin` →
/// `x.myshopify.com`), the part of an account key that tells two endpoints of one vendor
/// apart while two connectors on one endpoint agree on it.
pub fn url_host(url: &str) -> String {
    let url = url.trim();
    url.split_once("://")
        .map_or(url, |(_, rest)| rest)
        .split('/')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// One account's turn-taking, as a connector's client holds it: the account, how long a
/// call may wait for its turn, and the budget it waits on — this process's until the host
/// shares one through [`Pace::set_budget`].
#[derive(Clone)]
pub struct Pace {
    account: Account,
    max_wait: Duration,
    budget: Arc<dyn RequestBudget>,
}

impl Pace {
    /// Pacing for `account`, kept in this process; a turn further than `max_wait` is
    /// refused.
    pub fn new(account: Account, max_wait: Duration) -> Self {
        Self {
            account,
            max_wait,
            budget: Arc::new(LocalBudget::new()),
        }
    }

    /// Waits on `budget` for the account's turns from now on.
    pub fn set_budget(&mut self, budget: Arc<dyn RequestBudget>) {
        self.budget = budget;
    }

    /// Waits for one call's turn; a turn further than the longest wait is
    /// [`ConnectorError::Throttled`] and nothing is sent or counted.
    pub async fn turn(&self) -> Result<(), ConnectorError> {
        Ok(self.budget.acquire(&self.account, self.max_wait).await?)
    }

    /// The account paced.
    pub fn account(&self) -> &Account {
        &self.account
    }

    /// The longest a call waits for its turn.
    pub fn max_wait(&self) -> Duration {
        self.max_wait
    }
}

impl fmt::Debug for Pace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pace")
            .field("account", &self.account)
            .field("max_wait", &self.max_wait)
            .finish_non_exhaustive()
    }
}

/// Why a request did not get its turn.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum BudgetError {
    /// The next free turn is further away than the caller may hold a worker: it is
    /// reported as throttled, so the queue runs the job again after `wait`.
    #[error("the request budget of {account} frees a turn in {wait:?}, more than the {max_wait:?} a request waits")]
    WaitTooLong {
        /// The account.
        account: String,
        /// How long until a turn is free.
        wait: Duration,
        /// The longest wait the caller accepts.
        max_wait: Duration,
    },
    /// The configured rate cannot be used.
    #[error("invalid request rate: {0}")]
    InvalidRate(String),
    /// The shared budget could not be asked (Redis unreachable, script failed). No
    /// request goes out unmetered: the job fails and is retried.
    #[error("shared request budget unavailable: {0}")]
    Unavailable(String),
}

impl From<BudgetError> for ConnectorError {
    fn from(err: BudgetError) -> Self {
        match err {
            BudgetError::WaitTooLong { wait, .. } => ConnectorError::Throttled {
                retry_after: Some(wait),
                message: err.to_string(),
            },
            BudgetError::InvalidRate(_) => ConnectorError::Rejected {
                status: None,
                message: err.to_string(),
            },
            BudgetError::Unavailable(_) => ConnectorError::Transport(err.to_string()),
        }
    }
}

/// What a connector's HTTP client calls before each request. Implementations wait until
/// the account's budget allows the request (at most `max_wait`) and then count it.
#[async_trait::async_trait]
pub trait RequestBudget: Send + Sync + fmt::Debug {
    /// Waits for one request's turn on `account`; a turn further away than `max_wait` is
    /// [`BudgetError::WaitTooLong`] and nothing is counted.
    async fn acquire(&self, account: &Account, max_wait: Duration) -> Result<(), BudgetError>;
}

/// The budget kept in this process: one governor keyed limiter per distinct rate, keyed
/// by account. Right for one process; with several processes each would spend the whole
/// budget, which is why the host shares it through Redis then.
#[derive(Default)]
pub struct LocalBudget {
    limiters: Mutex<HashMap<(u64, u32), Arc<Limiter>>>,
}

/// One governor limiter, keyed by account, for all accounts of one rate.
type Limiter = DefaultKeyedRateLimiter<String>;

impl fmt::Debug for LocalBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LocalBudget")
    }
}

impl LocalBudget {
    /// An empty budget: every account starts with its full burst.
    pub fn new() -> Self {
        Self::default()
    }

    fn limiter(&self, rate: RequestRate) -> Arc<Limiter> {
        let mut limiters = self.limiters.lock().unwrap_or_else(|p| p.into_inner());
        limiters
            .entry((rate.per_second.to_bits(), rate.burst))
            .or_insert_with(|| Arc::new(RateLimiter::keyed(rate.quota())))
            .clone()
    }
}

#[async_trait::async_trait]
impl RequestBudget for LocalBudget {
    async fn acquire(&self, account: &Account, max_wait: Duration) -> Result<(), BudgetError> {
        let limiter = self.limiter(account.rate);
        loop {
            let Err(not_until) = limiter.check_key(&account.key) else {
                return Ok(());
            };
            let wait = not_until.wait_time_from(limiter.clock().now());
            if wait > max_wait {
                return Err(BudgetError::WaitTooLong {
                    account: account.key.clone(),
                    wait,
                    max_wait,
                });
            }
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    fn account(key: &str, per_second: f64, burst: u32) -> Account {
        Account {
            key: key.into(),
            rate: RequestRate::new(per_second, burst).unwrap(),
        }
    }

    #[test]
    fn rates_that_would_stop_everything_are_refused() {
        assert!(RequestRate::new(0.0, 1).is_err());
        assert!(RequestRate::new(f64::NAN, 1).is_err());
        assert!(RequestRate::new(2.0, 0).is_err());
        assert_eq!(
            RequestRate::new(4.0, 1).unwrap().interval(),
            Duration::from_millis(250)
        );
    }

    #[tokio::test]
    async fn the_burst_goes_at_once_then_requests_are_spaced() {
        let budget = LocalBudget::new();
        let a = account("shopify:a", 20.0, 3);
        let started = Instant::now();
        for _ in 0..3 {
            budget.acquire(&a, Duration::from_secs(1)).await.unwrap();
        }
        assert!(started.elapsed() < Duration::from_millis(40));
        for _ in 0..4 {
            budget.acquire(&a, Duration::from_secs(1)).await.unwrap();
        }
        let spaced = started.elapsed();
        assert!(
            spaced >= Duration::from_millis(190) && spaced < Duration::from_millis(400),
            "4 requests after the burst at 20/s took {spaced:?}"
        );
    }

    #[tokio::test]
    async fn accounts_are_independent_and_long_waits_are_refused() {
        let budget = LocalBudget::new();
        let a = account("shopify:a", 1.0, 1);
        let b = account("shopify:b", 1.0, 1);
        budget.acquire(&a, Duration::ZERO).await.unwrap();
        budget.acquire(&b, Duration::ZERO).await.unwrap();
        let err = budget
            .acquire(&a, Duration::from_millis(100))
            .await
            .unwrap_err();
        match &err {
            BudgetError::WaitTooLong { wait, .. } => {
                assert!(*wait > Duration::from_millis(900), "{wait:?}")
            }
            other => panic!("{other:?}"),
        }
        let as_connector = ConnectorError::from(err);
        assert!(as_connector.is_retryable());
        assert!(as_connector.retry_after().unwrap() > Duration::from_millis(900));
    }
}
