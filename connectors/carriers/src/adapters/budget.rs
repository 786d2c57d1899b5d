//! A carrier account's request budget: every call an adapter sends to its carrier first
//! waits for a turn in it, so the account is never called faster than configured however
//! many workers, in however many processes, call it.
//!
//! Each adapter's settings take an optional `request_budget` table
//! (`request_budget = { requests_per_second = 5.0, burst = 10, max_wait_secs = 10 }`);
//! its account key is `<carrier code>:<account>` (the account, contract or customer
//! number, or the API login or client id where the carrier has no account number —
//! never a secret), so two adapters or processes on one account share one budget.
//!
//! Few carriers publish their limits. The default, 5 calls per second with a burst of 10,
//! is a conservative guess; USPS's v3 APIs start new applications at 60 calls an hour
//! (see [`usps_default`]).

use serde::Deserialize;
use shipgate_sdk::{Account, ConnectorError, Pace, RequestRate};
use std::time::Duration;

/// How fast one carrier account may be called.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetConfig {
    /// Calls per second, shared by every worker of every process.
    #[serde(default = "default_requests_per_second")]
    pub requests_per_second: f64,
    /// Calls that may go at once after a quiet spell.
    #[serde(default = "default_burst")]
    pub burst: u32,
    /// The longest a call waits for its turn; a longer wait is returned as `Throttled`
    /// so the queue retries later instead of holding a worker.
    #[serde(default = "default_max_wait_secs")]
    pub max_wait_secs: u64,
}

fn default_requests_per_second() -> f64 {
    5.0
}
fn default_burst() -> u32 {
    10
}
fn default_max_wait_secs() -> u64 {
    10
}

impl Default for BudgetConfig {
    fn default() -> Self {
        Self {
            requests_per_second: default_requests_per_second(),
            burst: default_burst(),
            max_wait_secs: default_max_wait_secs(),
        }
    }
}

/// USPS's default: its v3 APIs give a new application 60 calls an hour, with bursts of
/// about 5 (reported by integrators, e.g. <https://revaddress.com/blog/usps-rate-limits>;
/// USPS raises the quota on request, and `request_budget` should then say so).
pub fn usps_default() -> BudgetConfig {
    BudgetConfig {
        requests_per_second: 60.0 / 3600.0,
        burst: 5,
        max_wait_secs: default_max_wait_secs(),
    }
}

/// The budget of configurations pointed at a sandbox (the sandboxes' own `config()`,
/// tests and benchmarks): tests, benchmarks and the demo are not slowed down by a guess
/// made for production.
pub fn for_sandbox() -> BudgetConfig {
    BudgetConfig {
        requests_per_second: 50.0,
        burst: 50,
        max_wait_secs: default_max_wait_secs(),
    }
}

/// Pacing for account `account` of carrier `code` as `config` says, kept in this process
/// until the host shares a budget; refuses a rate or burst that would stop every call.
pub(crate) fn pace(
    code: &str,
    account: &str,
    config: &BudgetConfig,
) -> Result<Pace, ConnectorError> {
    let rate = RequestRate::new(config.requests_per_second, config.burst).map_err(|e| {
        ConnectorError::Rejected {
            status: None,
            message: format!("{code} request_budget: {e}"),
        }
    })?;
    let account = Account {
        key: format!("{code}:{}", account.trim()),
        rate,
    };
    Ok(Pace::new(
        account,
        Duration::from_secs(config.max_wait_secs),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_name_the_carrier_and_account_and_bad_rates_are_refused() {
        let ups = pace("ups", " A1B2C3 ", &BudgetConfig::default()).unwrap();
        assert_eq!(ups.account().key, "ups:A1B2C3");
        assert_eq!(ups.account().rate.burst(), 10);
        let zero = BudgetConfig {
            requests_per_second: 0.0,
            ..BudgetConfig::default()
        };
        let err = pace("ups", "A1", &zero).err().unwrap();
        assert!(err.to_string().contains("ups request_budget"), "{err}");
        assert!((usps_default().requests_per_second * 3600.0 - 60.0).abs() < 1e-9);
    }
}
