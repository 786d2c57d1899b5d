//! The connector's configuration: one seller account on one SP-API region, its Login
//! with Amazon credentials, and the knobs that shape how the tight `searchOrders` quota
//! is spent.

use crate::client::Operation;
use crate::usage_plan::UsagePlan;
use serde::Deserialize;
use shipgate_sdk::RequestRate;
use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

/// Amazon's cap on `maxResultsPerPage` for `searchOrders` (and its default).
pub const MAX_PAGE_SIZE: u32 = 100;

/// The Login with Amazon token endpoint, the same for every region.
pub const LWA_TOKEN_URL: &str = "https://api.amazon.com/auth/o2/token";

/// How to reach one seller's orders. Deserialized from the host's TOML; unknown keys are
/// refused so a typo cannot silently change behaviour.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmazonConfig {
    /// The regional SP-API endpoint (`https://sellingpartnerapi-eu.amazon.com`) or a
    /// sandbox (`http://127.0.0.1:PORT`), without a path.
    pub endpoint: String,
    /// The LWA token endpoint; only tests point it elsewhere.
    #[serde(default = "default_token_url")]
    pub lwa_token_url: String,
    /// The LWA client id of the application.
    pub client_id: String,
    /// The LWA client secret. Never printed.
    pub client_secret: String,
    /// The seller's refresh token, from authorization. Never printed.
    pub refresh_token: String,
    /// Marketplaces to pull (`ATVPDKIKX0DER`, `A1F83G8C2ARO7P`…); the first one is the
    /// marketplace shipment confirmations name when the order does not say.
    pub marketplace_ids: Vec<String>,
    /// The seller (merchant token) the refresh token belongs to: the key Amazon's usage
    /// plans are counted by, and what `ORDER_CHANGE` notifications are checked against.
    pub seller_id: String,
    /// Overlap when resuming by `lastUpdatedTime`, so an order updated while the previous
    /// window was read is not missed (duplicates are deduped by the store).
    #[serde(default = "default_lookback_secs")]
    pub lookback_secs: u64,
    /// How far back the very first pull reaches (Amazon serves two years at most).
    #[serde(default = "default_backfill_days")]
    pub backfill_days: u32,
    /// Orders per `searchOrders` page, 1 to 100. Full pages are what the 1-call-per-3-
    /// minutes quota wants, so the default is the maximum.
    #[serde(default = "default_page_size")]
    pub page_size: u32,
    /// Whole-request timeout.
    #[serde(default = "default_request_timeout_secs")]
    pub request_timeout_secs: u64,
    /// The longest a call waits for its turn in the operation's request budget; a
    /// longer wait is returned as `Throttled` so the queue retries later instead of
    /// holding a worker.
    #[serde(default = "default_max_wait_secs")]
    pub max_wait_secs: u64,
    /// Usage plans that differ from Amazon's defaults ([`Operation::default_plan`]), by
    /// operationId: `usage_plans.getOrder = { requests_per_second = 1.0, burst = 30 }`.
    /// A seller whose plan Amazon raised can say so here; a lower burst leaves room for
    /// other tools calling the same seller. The rate then follows
    /// `x-amzn-RateLimit-Limit` whenever Amazon sends it.
    #[serde(default)]
    pub usage_plans: BTreeMap<String, UsagePlan>,
}

/// Why a configuration cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A URL is not http(s).
    #[error("{field} {value:?} must start with https:// or http://")]
    Url {
        /// Which setting.
        field: &'static str,
        /// Its value.
        value: String,
    },
    /// A credential or id is empty.
    #[error("{0} is empty")]
    Empty(&'static str),
    /// `page_size` is out of Amazon's range.
    #[error("page_size {0} must be between 1 and {MAX_PAGE_SIZE}")]
    PageSize(u32),
    /// A `usage_plans` entry names no operation the connector calls, or its rate or
    /// burst would stop every call.
    #[error("usage_plans.{operation}: {reason}")]
    UsagePlan {
        /// The key as written.
        operation: String,
        /// Why it cannot be used.
        reason: String,
    },
}

fn default_token_url() -> String {
    LWA_TOKEN_URL.to_string()
}
fn default_lookback_secs() -> u64 {
    600
}
fn default_backfill_days() -> u32 {
    30
}
fn default_page_size() -> u32 {
    MAX_PAGE_SIZE
}
fn default_request_timeout_secs() -> u64 {
    30
}
fn default_max_wait_secs() -> u64 {
    5
}

impl AmazonConfig {
    /// A configuration with every default (what the demo and tests need; the host
    /// deserializes instead).
    pub fn new(
        endpoint: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
        refresh_token: impl Into<String>,
        marketplace_id: impl Into<String>,
        seller_id: impl Into<String>,
    ) -> Self {
        Self {
            endpoint: endpoint.into(),
            lwa_token_url: default_token_url(),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            refresh_token: refresh_token.into(),
            marketplace_ids: vec![marketplace_id.into()],
            seller_id: seller_id.into(),
            lookback_secs: default_lookback_secs(),
            backfill_days: default_backfill_days(),
            page_size: default_page_size(),
            request_timeout_secs: default_request_timeout_secs(),
            max_wait_secs: default_max_wait_secs(),
            usage_plans: BTreeMap::new(),
        }
    }

    /// Checks what serde cannot: URL schemes, non-empty credentials and ids, page size.
    pub fn validate(&self) -> Result<(), ConfigError> {
        for (field, value) in [
            ("endpoint", &self.endpoint),
            ("lwa_token_url", &self.lwa_token_url),
        ] {
            let v = value.trim();
            if !(v.starts_with("https://") || v.starts_with("http://")) {
                return Err(ConfigError::Url {
                    field,
                    value: value.clone(),
                });
            }
        }
        for (field, value) in [
            ("client_id", &self.client_id),
            ("client_secret", &self.client_secret),
            ("refresh_token", &self.refresh_token),
            ("seller_id", &self.seller_id),
        ] {
            if value.trim().is_empty() {
                return Err(ConfigError::Empty(field));
            }
        }
        if self.marketplace_ids.iter().all(|m| m.trim().is_empty()) {
            return Err(ConfigError::Empty("marketplace_ids"));
        }
        if !(1..=MAX_PAGE_SIZE).contains(&self.page_size) {
            return Err(ConfigError::PageSize(self.page_size));
        }
        self.request_rates()?;
        Ok(())
    }

    /// The rate each operation's budget starts at, in the order of [`Operation::ALL`]:
    /// the configured usage plan, else Amazon's default.
    pub fn request_rates(&self) -> Result<[RequestRate; Operation::ALL.len()], ConfigError> {
        if let Some(unknown) = self
            .usage_plans
            .keys()
            .find(|k| Operation::from_name(k).is_none())
        {
            return Err(ConfigError::UsagePlan {
                operation: unknown.clone(),
                reason: format!(
                    "not an operation this connector calls ({})",
                    Operation::ALL.map(Operation::name).join(", ")
                ),
            });
        }
        let rate = |op: Operation| {
            let plan = self
                .usage_plans
                .get(op.name())
                .copied()
                .unwrap_or_else(|| op.default_plan());
            plan.rate().map_err(|e| ConfigError::UsagePlan {
                operation: op.name().to_string(),
                reason: e.to_string(),
            })
        };
        Ok([
            rate(Operation::SearchOrders)?,
            rate(Operation::GetOrder)?,
            rate(Operation::ConfirmShipment)?,
        ])
    }

    /// The start of every budget account key of this seller:
    /// `amazon:<endpoint host>:<seller id>`, the operation completing it. Usage plans
    /// are counted per selling partner, so two connectors (or processes) on one seller
    /// and region share the budgets; the seller id is the configured merchant token,
    /// never a credential.
    pub fn budget_prefix(&self) -> String {
        let host = shipgate_sdk::url_host(self.base_url());
        format!("amazon:{host}:{}", self.seller_id.trim())
    }

    /// The endpoint without a trailing slash.
    pub fn base_url(&self) -> &str {
        self.endpoint.trim().trim_end_matches('/')
    }

    /// [`Self::request_timeout_secs`] as a duration.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }

    /// [`Self::max_wait_secs`] as a duration.
    pub fn max_wait(&self) -> Duration {
        Duration::from_secs(self.max_wait_secs)
    }
}

impl fmt::Debug for AmazonConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AmazonConfig")
            .field("endpoint", &self.endpoint)
            .field("lwa_token_url", &self.lwa_token_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("refresh_token", &"<redacted>")
            .field("marketplace_ids", &self.marketplace_ids)
            .field("seller_id", &self.seller_id)
            .field("lookback_secs", &self.lookback_secs)
            .field("backfill_days", &self.backfill_days)
            .field("page_size", &self.page_size)
            .field("request_timeout_secs", &self.request_timeout_secs)
            .field("max_wait_secs", &self.max_wait_secs)
            .field("usage_plans", &self.usage_plans)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
endpoint = "https://sellingpartnerapi-eu.amazon.com/"
client_id = "amzn1.application-oa2-client.abc"
client_secret = "amzn1.oa2-cs.v1.very-secret"
refresh_token = "Atzr|refresh-secret"
marketplace_ids = ["A1F83G8C2ARO7P"]
seller_id = "A3TH9S8BH6GOGM"
"#;

    #[test]
    fn defaults_apply_and_unknown_keys_are_refused() {
        let c: AmazonConfig = toml::from_str(MINIMAL).unwrap();
        c.validate().unwrap();
        assert_eq!(c.lwa_token_url, LWA_TOKEN_URL);
        assert_eq!(c.page_size, 100);
        assert_eq!(c.lookback_secs, 600);
        assert_eq!(c.base_url(), "https://sellingpartnerapi-eu.amazon.com");
        assert_eq!(
            c.budget_prefix(),
            "amazon:sellingpartnerapi-eu.amazon.com:A3TH9S8BH6GOGM"
        );
        let rates = c.request_rates().unwrap();
        assert_eq!((rates[0].per_second(), rates[0].burst()), (0.0056, 20));
        assert_eq!((rates[1].per_second(), rates[1].burst()), (0.5, 30));
        assert_eq!((rates[2].per_second(), rates[2].burst()), (2.0, 10));
        let err = toml::from_str::<AmazonConfig>(&format!("{MINIMAL}page_sise = 5")).unwrap_err();
        assert!(err.to_string().contains("page_sise"), "{err}");
    }

    #[test]
    fn debug_never_prints_secrets() {
        let c: AmazonConfig = toml::from_str(MINIMAL).unwrap();
        let dbg = format!("{c:?}");
        assert!(
            !dbg.contains("very-secret") && !dbg.contains("refresh-secret"),
            "{dbg}"
        );
    }

    #[test]
    fn validation_names_the_bad_field() {
        let mut c: AmazonConfig = toml::from_str(MINIMAL).unwrap();
        c.page_size = 101;
        assert_eq!(c.validate(), Err(ConfigError::PageSize(101)));
        c.page_size = 100;
        c.refresh_token = " ".into();
        assert_eq!(c.validate(), Err(ConfigError::Empty("refresh_token")));
        c.refresh_token = "r".into();
        c.usage_plans.insert(
            "getOrders".into(),
            UsagePlan {
                requests_per_second: 1.0,
                burst: 1,
            },
        );
        assert!(
            matches!(c.validate(), Err(ConfigError::UsagePlan { ref operation, .. }) if operation == "getOrders")
        );
        c.usage_plans.clear();
        c.usage_plans.insert(
            "getOrder".into(),
            UsagePlan {
                requests_per_second: 1.0,
                burst: 0,
            },
        );
        assert!(matches!(c.validate(), Err(ConfigError::UsagePlan { .. })));
        c.usage_plans.clear();
        c.endpoint = "sellingpartnerapi-eu.amazon.com".into();
        assert!(matches!(
            c.validate(),
            Err(ConfigError::Url {
                field: "endpoint",
                ..
            })
        ));
    }
}
