//! The request budget shared through Redis: a GCRA per remote account in a Lua script
//! (`gcra.lua`, on the server's clock), with governor in front of it in each process so a
//! process's own workers are smoothed before they ask Redis.

use super::RateLimitError;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use shipgate_sdk::{Account, BudgetError, LocalBudget, RequestBudget};
use std::fmt;
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};

/// The GCRA script: books a turn or says how far the next one is.
static GCRA: LazyLock<redis::Script> =
    LazyLock::new(|| redis::Script::new(include_str!("gcra.lua")));

/// Where the accounts' arrival times live in Redis.
const KEY_PREFIX: &str = "shipgate:budget:";

/// How long a budget call may take before Redis is reported unavailable (redis-rs'
/// default, 500 ms, fails on a busy server; DESIGN.md, apalis sharp edge 3).
const REDIS_TIMEOUT: Duration = Duration::from_secs(5);

/// Budgets kept in Redis, shared by every process that uses the same Redis.
#[derive(Clone)]
pub struct RedisBudget {
    conn: ConnectionManager,
    local: Arc<LocalBudget>,
}

impl fmt::Debug for RedisBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RedisBudget")
    }
}

impl RedisBudget {
    /// Connects to `url` and checks that Redis answers. The error never carries the URL
    /// (it may hold a password); the caller names it redacted.
    pub async fn connect(url: &str) -> Result<Self, RateLimitError> {
        let unreachable = |reason: String| RateLimitError::Unreachable {
            url: crate::config::redacted_url(url),
            reason,
        };
        let client =
            redis::Client::open(url).map_err(|e| unreachable(format!("{:?}", e.kind())))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(REDIS_TIMEOUT))
            .set_response_timeout(Some(REDIS_TIMEOUT));
        let mut conn = client
            .get_connection_manager_with_config(config)
            .await
            .map_err(|e| unreachable(e.to_string()))?;
        redis::cmd("PING")
            .query_async::<String>(&mut conn)
            .await
            .map_err(|e| unreachable(e.to_string()))?;
        Ok(Self {
            conn,
            local: Arc::new(LocalBudget::new()),
        })
    }

    /// Books a turn in Redis for `account`, or says how far the next one is.
    async fn book(&self, account: &Account, max_wait: Duration) -> Result<Turn, BudgetError> {
        let interval = micros(account.rate.interval()).max(1);
        let (booked, wait): (i64, i64) = GCRA
            .key(format!("{KEY_PREFIX}{}", account.key))
            .arg(interval)
            .arg(account.rate.burst())
            .arg(micros(max_wait))
            .invoke_async(&mut self.conn.clone())
            .await
            .map_err(|e| BudgetError::Unavailable(format!("redis: {e}")))?;
        let wait = Duration::from_micros(u64::try_from(wait).unwrap_or(0));
        Ok(if booked == 1 {
            Turn::Booked(wait)
        } else {
            Turn::TooFar(wait)
        })
    }
}

/// What Redis answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Turn {
    /// A turn is ours after this wait.
    Booked(Duration),
    /// The next turn is this far, more than the caller waits; nothing was booked.
    TooFar(Duration),
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

#[async_trait::async_trait]
impl RequestBudget for RedisBudget {
    async fn acquire(&self, account: &Account, max_wait: Duration) -> Result<(), BudgetError> {
        let started = Instant::now();
        self.local.acquire(account, max_wait).await?;
        let left = max_wait.saturating_sub(started.elapsed());
        match self.book(account, left).await? {
            Turn::Booked(wait) => {
                tokio::time::sleep(wait).await;
                Ok(())
            }
            Turn::TooFar(wait) => Err(BudgetError::WaitTooLong {
                account: account.key.clone(),
                wait,
                max_wait,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shipgate_sdk::RequestRate;

    fn redis_url() -> String {
        std::env::var("TEST_REDIS_URL").expect(
            "TEST_REDIS_URL is not set: run ./scripts/test, which starts a private redis-server \
             (or set it, e.g. redis://127.0.0.1:6379/6)",
        )
    }

    fn account(name: &str, per_second: f64, burst: u32) -> Account {
        Account {
            key: format!("test:{name}:{}:{}", std::process::id(), ulid::Ulid::new()),
            rate: RequestRate::new(per_second, burst).unwrap(),
        }
    }

    /// Books `n` turns without waiting for them, returning each turn's wait.
    async fn waits(budget: &RedisBudget, a: &Account, n: usize) -> Vec<Turn> {
        let mut out = Vec::new();
        for _ in 0..n {
            out.push(budget.book(a, Duration::from_secs(60)).await.unwrap());
        }
        out
    }

    fn booked_ms(turn: Turn) -> u128 {
        match turn {
            Turn::Booked(wait) => wait.as_millis(),
            Turn::TooFar(wait) => panic!("not booked: {wait:?} away"),
        }
    }

    #[tokio::test]
    async fn the_burst_goes_at_once_and_the_rest_is_spaced_at_the_rate() {
        let budget = RedisBudget::connect(&redis_url()).await.unwrap();
        let a = account("rate", 2.0, 3);
        let turns = waits(&budget, &a, 6).await;
        let ms: Vec<u128> = turns.into_iter().map(booked_ms).collect();
        assert!(ms[..3].iter().all(|&w| w == 0), "burst of 3: {ms:?}");
        for (i, w) in ms[3..].iter().enumerate() {
            let expected = 500 * (i as u128 + 1);
            assert!(
                (expected - 20..=expected).contains(w),
                "turn {} at 2/s: {ms:?}",
                i + 4
            );
        }
        let far = budget.book(&a, Duration::from_millis(100)).await.unwrap();
        assert!(
            matches!(far, Turn::TooFar(w) if w > Duration::from_millis(1400)),
            "{far:?}"
        );
        let next = budget.book(&a, Duration::from_secs(60)).await.unwrap();
        assert!(
            (1480..=2000).contains(&booked_ms(next)),
            "a refused turn books nothing: {next:?}"
        );
    }

    #[tokio::test]
    async fn accounts_are_independent() {
        let budget = RedisBudget::connect(&redis_url()).await.unwrap();
        let a = account("a", 1.0, 1);
        let b = account("b", 1.0, 1);
        assert_eq!(booked_ms(waits(&budget, &a, 1).await[0]), 0);
        assert_eq!(booked_ms(waits(&budget, &b, 1).await[0]), 0);
        assert!(booked_ms(waits(&budget, &a, 1).await[0]) > 900);
    }

    #[tokio::test]
    async fn two_clients_share_one_budget_and_waiting_keeps_the_rate() {
        let first = RedisBudget::connect(&redis_url()).await.unwrap();
        let second = RedisBudget::connect(&redis_url()).await.unwrap();
        let a = account("shared", 20.0, 1);
        let started = Instant::now();
        let run = |budget: RedisBudget, a: Account| async move {
            for _ in 0..5 {
                budget.acquire(&a, Duration::from_secs(5)).await.unwrap();
            }
        };
        tokio::join!(run(first, a.clone()), run(second, a.clone()));
        let elapsed = started.elapsed();
        assert!(
            elapsed >= Duration::from_millis(430) && elapsed < Duration::from_millis(900),
            "10 turns at 20/s from two clients took {elapsed:?}"
        );
    }

    #[tokio::test]
    async fn keys_expire_once_the_burst_is_back() {
        let budget = RedisBudget::connect(&redis_url()).await.unwrap();
        let a = account("expiry", 10.0, 1);
        waits(&budget, &a, 1).await;
        let ttl: i64 = redis::cmd("PTTL")
            .arg(format!("{KEY_PREFIX}{}", a.key))
            .query_async(&mut budget.conn.clone())
            .await
            .unwrap();
        assert!((1000..=1100).contains(&ttl), "{ttl}");
    }

    #[tokio::test]
    async fn an_unreachable_redis_is_a_typed_error_not_an_unlimited_budget() {
        let err = RedisBudget::connect("redis://user:secret@127.0.0.1:1/0")
            .await
            .unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, RateLimitError::Unreachable { .. }), "{text}");
        assert!(
            text.contains("127.0.0.1:1") && !text.contains("secret"),
            "{text}"
        );
    }
}
