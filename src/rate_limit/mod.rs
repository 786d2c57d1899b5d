//! Request budgets per remote account (a Shopify shop, an Amazon selling partner and
//! operation, a carrier account), chosen from the configuration: shared through Redis
//! when several processes work one queue, kept in this process otherwise.
//!
//! Connectors wait on the budget before every request (`shipgate_sdk::RequestBudget`);
//! this module only decides which one they get. A Redis that cannot be reached is an
//! error at start, and a failed call later fails the request (the job is retried): no
//! request is ever sent unmetered.

mod redis;

pub use self::redis::RedisBudget;

use crate::config::Config;
use shipgate_sdk::{LocalBudget, RequestBudget};
use std::sync::Arc;

/// The value of `rate_limit.url` that keeps budgets in this process.
pub const LOCAL: &str = "local";

/// Why the budgets could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RateLimitError {
    /// The Redis holding the shared budgets did not answer.
    #[error("rate limit store {url} unreachable: {reason}")]
    Unreachable {
        /// Its URL, password masked.
        url: String,
        /// Why.
        reason: String,
    },
    /// `rate_limit.url` is neither `local` nor a Redis URL.
    #[error("rate_limit.url {0:?}: use \"local\" or redis://…")]
    Unsupported(String),
}

/// Where budgets are kept, as the configuration says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// In this process.
    Local,
    /// In the Redis at this URL.
    Redis(String),
}

/// `rate_limit.url` when set, else the queue's Redis when the queue is on Redis, else
/// this process.
pub fn placement(config: &Config) -> Result<Placement, RateLimitError> {
    let url = match &config.rate_limit.url {
        Some(url) => url.as_str(),
        None if is_redis(&config.queue.url) => config.queue.url.as_str(),
        None => LOCAL,
    };
    if url == LOCAL {
        Ok(Placement::Local)
    } else if is_redis(url) {
        Ok(Placement::Redis(url.to_owned()))
    } else {
        Err(RateLimitError::Unsupported(crate::config::redacted_url(
            url,
        )))
    }
}

/// The budget every connector of this process waits on.
pub async fn open(config: &Config) -> Result<Arc<dyn RequestBudget>, RateLimitError> {
    match placement(config)? {
        Placement::Local => {
            if is_redis(&config.queue.url) {
                tracing::warn!(
                    "rate_limit.url = \"local\" with a Redis queue: each worker process spends \
                     every account's whole budget on its own"
                );
            }
            Ok(Arc::new(LocalBudget::new()))
        }
        Placement::Redis(url) => {
            let budget = RedisBudget::connect(&url).await?;
            tracing::info!(
                url = %crate::config::redacted_url(&url),
                "request budgets shared through Redis"
            );
            Ok(Arc::new(budget))
        }
    }
}

fn is_redis(url: &str) -> bool {
    url.starts_with("redis://") || url.starts_with("rediss://")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn config(text: &str) -> Config {
        Config::from_toml(Path::new("t.toml"), text, Vec::new()).unwrap()
    }

    #[test]
    fn budgets_follow_the_queue_unless_told_otherwise() {
        let sqlite = config("[queue]\nurl = 'sqlite://q.db'");
        assert_eq!(placement(&sqlite).unwrap(), Placement::Local);
        let redis = config("[queue]\nurl = 'redis://h:6379/1'");
        assert_eq!(
            placement(&redis).unwrap(),
            Placement::Redis("redis://h:6379/1".into())
        );
        let local = config("[queue]\nurl = 'redis://h/1'\n[rate_limit]\nurl = 'local'");
        assert_eq!(placement(&local).unwrap(), Placement::Local);
        let other = config("[queue]\nurl = 'sqlite://q.db'\n[rate_limit]\nurl = 'redis://r/2'");
        assert_eq!(
            placement(&other).unwrap(),
            Placement::Redis("redis://r/2".into())
        );
        let bad = config("[rate_limit]\nurl = 'memcached://x:pw@h'");
        let err = placement(&bad).unwrap_err().to_string();
        assert!(err.contains("memcached") && !err.contains("pw"), "{err}");
    }
}
