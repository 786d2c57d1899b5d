//! The seller account's request budget, the same on both APIs: every API call first
//! waits for a turn in it, so the account is never called faster than configured however
//! many workers, in however many processes, call it.
//!
//! Cdiscount publishes no request rate for either API (`shared/notes/marketplaces.md`
//! §0 and §4: SOAP "none published", Octopia REST "unverified"; the one number known,
//! 500 OAuth tokens an hour, is about token issuance, which the token cache keeps far
//! below). The default is therefore a conservative guess, configurable per connector:
//! 1 call per second with a burst of 5.

use serde::Deserialize;
use shipgate_sdk::{url_host, Account, BudgetError, Pace, RequestRate};
use std::time::Duration;

/// How fast the account may be called, from the connector's table
/// (`requests_per_second`, `burst`, `max_wait_secs` beside the other keys).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct BudgetConfig {
    /// API calls per second, shared by every worker of every process. Not published by
    /// Cdiscount: the default, 1, is a conservative guess.
    #[serde(default = "default_requests_per_second")]
    pub requests_per_second: f64,
    /// Calls that may go at once after a quiet spell (default 5, a guess as well).
    #[serde(default = "default_burst")]
    pub burst: u32,
    /// The longest a call waits for its turn; a longer wait is returned as `Throttled`
    /// so the queue retries later instead of holding a worker.
    #[serde(default = "default_max_wait_secs")]
    pub max_wait_secs: u64,
}

fn default_requests_per_second() -> f64 {
    1.0
}
fn default_burst() -> u32 {
    5
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

impl BudgetConfig {
    /// The budget rate; refuses a rate or burst that would stop every call.
    pub fn rate(&self) -> Result<RequestRate, BudgetError> {
        RequestRate::new(self.requests_per_second, self.burst)
    }
}

/// The account key `cdiscount:<host of url>:<account>`: two connectors (or processes)
/// on one account share one budget. `account` is the seller number or API login, never
/// a secret.
pub(crate) fn account_key(url: &str, account: &str) -> String {
    format!("cdiscount:{}:{}", url_host(url), account.trim())
}

/// Pacing for the account `key` as `config` says, kept in this process until the host
/// shares a budget; refuses a rate or burst that would stop every call.
pub(crate) fn pace(key: String, config: &BudgetConfig) -> Result<Pace, BudgetError> {
    let account = Account {
        key,
        rate: config.rate()?,
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
    fn keys_name_the_host_and_the_account() {
        assert_eq!(
            account_key("https://API.octopia-io.net/seller/v2", " 12345 "),
            "cdiscount:api.octopia-io.net:12345"
        );
        let bad = BudgetConfig {
            burst: 0,
            ..BudgetConfig::default()
        };
        assert!(pace("k".into(), &bad).is_err());
    }

    #[test]
    fn the_budget_keys_sit_beside_the_other_settings_with_defaults() {
        let config: crate::CdiscountConfig = serde_json::from_value(serde_json::json!({
            "api": "rest", "client_id": "c", "client_secret": "s", "seller_id": "42",
            "requests_per_second": 2, "burst": 3
        }))
        .unwrap();
        let crate::CdiscountConfig::Rest(rest) = config else {
            panic!("rest expected")
        };
        assert_eq!(
            rest.budget,
            BudgetConfig {
                requests_per_second: 2.0,
                burst: 3,
                max_wait_secs: 10
            }
        );
        assert_eq!(rest.budget_key(), "cdiscount:api.octopia-io.net:42");
        let config: crate::CdiscountConfig = serde_json::from_value(serde_json::json!({
            "api": "soap", "login": "seller-api", "password": "p"
        }))
        .unwrap();
        let crate::CdiscountConfig::Soap(soap) = config else {
            panic!("soap expected")
        };
        assert_eq!(soap.budget, BudgetConfig::default());
        assert_eq!(soap.budget_key(), "cdiscount:wsvc.cdiscount.com:seller-api");
    }
}
