//! The connector's configuration: one shop, one token, and the knobs that shape how hard
//! we lean on the shop's rate limit.

use serde::Deserialize;
use shipgate_sdk::{Account, RequestRate};
use std::fmt;
use std::time::Duration;

/// The Admin API version every request is pinned to. `2025-10` is the first stable
/// version where `fulfillmentCreate` is the documented mutation and
/// `fulfillmentCreateV2` is marked deprecated.
pub const API_VERSION: &str = "2025-10";

/// Shopify's hard cap on `first` for any connection.
pub const MAX_PAGE_SIZE: u32 = 250;

/// Shopify's single-query ceiling: a query whose *requested* cost (the estimate made
/// from `first:` arguments before anything runs) exceeds it is refused with
/// `MAX_COST_EXCEEDED`, on every plan.
pub const MAX_QUERY_COST: u32 = 1_000;

/// What every query the connector sends is sized to stay under: 10 % below
/// [`MAX_QUERY_COST`], so a few points of schema drift on Shopify's side do not break
/// every pull.
pub const COST_BUDGET: u32 = 900;

/// How to reach one Shopify shop. Deserialized from the host's TOML, so unknown keys are
/// refused rather than silently ignored (a typo in `page_size` must not go unnoticed).
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShopifyConfig {
    /// Base URL of the shop (`https://x.myshopify.com`) or of a sandbox
    /// (`http://127.0.0.1:PORT`), without the `/admin/api/...` part.
    pub shop_url: String,
    /// Admin API access token (`shpat_…`), sent as `X-Shopify-Access-Token`. Never
    /// printed: [`fmt::Debug`] redacts it.
    pub access_token: String,
    /// Admin API version, pinned so a Shopify release cannot change shapes under us.
    #[serde(default = "default_api_version")]
    pub api_version: String,
    /// Orders per page (`first:`), 1 to 250. An upper bound: the connector lowers it
    /// (with a warning) to the largest page whose query fits [`COST_BUDGET`], see
    /// [`crate::pull::fitting_page_size`]. The default is that largest page.
    #[serde(default = "default_page_size")]
    pub page_size: u32,
    /// Overlap when resuming by `updated_at`, so an order updated while the previous
    /// pull ran is not missed (Shopify's own advice; duplicates are deduped by the store).
    #[serde(default = "default_lookback_secs")]
    pub lookback_secs: u64,
    /// Whole-request timeout.
    #[serde(default = "default_request_timeout_secs")]
    pub request_timeout_secs: u64,
    /// Ask Shopify to e-mail the buyer for every fulfillment we create, whatever the
    /// shipment says.
    #[serde(default)]
    pub notify_customer: bool,
    /// The longest the client sleeps in-process for the cost bucket to refill; a longer
    /// wait is returned as `Throttled` so the queue retries later instead of holding a
    /// worker.
    #[serde(default = "default_max_wait_secs")]
    pub max_wait_secs: u64,
    /// The app's client secret, which Shopify signs webhooks with (HMAC-SHA256 of the raw
    /// body). Without it the host refuses this shop's webhooks. Never printed.
    #[serde(default)]
    pub webhook_secret: Option<String>,
    /// Requests per second to this shop, shared by every worker of every process (the
    /// shop's request budget, on top of the GraphQL cost bucket). The default is Shopify's
    /// Standard-plan request rate, 2/s; Advanced allows 4, Plus 20.
    #[serde(default = "default_requests_per_second")]
    pub requests_per_second: f64,
    /// Requests that may go at once after a quiet spell: Shopify's leaky bucket holds 40
    /// on Standard and Advanced, 400 on Plus.
    #[serde(default = "default_burst")]
    pub burst: u32,
}

/// Why a configuration cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// `shop_url` is not an http(s) URL.
    #[error("shop_url {0:?} must start with https:// or http://")]
    ShopUrl(String),
    /// The token is empty.
    #[error("access_token is empty")]
    EmptyToken,
    /// `page_size` is out of Shopify's range.
    #[error("page_size {0} must be between 1 and {MAX_PAGE_SIZE}")]
    PageSize(u32),
    /// `api_version` is not of the `YYYY-MM` form (or `unstable`).
    #[error("api_version {0:?} must look like 2025-10")]
    ApiVersion(String),
    /// `requests_per_second` or `burst` cannot be used.
    #[error("{0}")]
    RequestRate(String),
}

fn default_api_version() -> String {
    API_VERSION.to_string()
}
fn default_page_size() -> u32 {
    crate::pull::fitting_page_size(MAX_PAGE_SIZE)
}
fn default_lookback_secs() -> u64 {
    300
}
fn default_request_timeout_secs() -> u64 {
    30
}
fn default_max_wait_secs() -> u64 {
    10
}
fn default_requests_per_second() -> f64 {
    2.0
}
fn default_burst() -> u32 {
    40
}

impl ShopifyConfig {
    /// A configuration with every default, for a shop URL and token (what the demo and
    /// tests need; the host deserializes instead).
    pub fn new(shop_url: impl Into<String>, access_token: impl Into<String>) -> Self {
        Self {
            shop_url: shop_url.into(),
            access_token: access_token.into(),
            api_version: default_api_version(),
            page_size: default_page_size(),
            lookback_secs: default_lookback_secs(),
            request_timeout_secs: default_request_timeout_secs(),
            notify_customer: false,
            max_wait_secs: default_max_wait_secs(),
            webhook_secret: None,
            requests_per_second: default_requests_per_second(),
            burst: default_burst(),
        }
    }

    /// Checks what serde cannot: URL scheme, token presence, page size range, version
    /// form. Called by the connector's constructor; the host may call it at load time.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let url = self.shop_url.trim();
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(ConfigError::ShopUrl(self.shop_url.clone()));
        }
        if self.access_token.trim().is_empty() {
            return Err(ConfigError::EmptyToken);
        }
        if !(1..=MAX_PAGE_SIZE).contains(&self.page_size) {
            return Err(ConfigError::PageSize(self.page_size));
        }
        let v = self.api_version.as_bytes();
        let dated = v.len() == 7
            && v[4] == b'-'
            && v.iter()
                .enumerate()
                .all(|(i, b)| i == 4 || b.is_ascii_digit());
        if !(dated || self.api_version == "unstable") {
            return Err(ConfigError::ApiVersion(self.api_version.clone()));
        }
        self.request_rate()?;
        Ok(())
    }

    /// The shop's request budget: `shopify:<shop host>` at
    /// [`Self::requests_per_second`] with [`Self::burst`]. The key is the shop's host, so
    /// two connectors (or processes) on one shop share one budget.
    pub fn request_account(&self) -> Result<Account, ConfigError> {
        let host = shipgate_sdk::url_host(&self.shop_url);
        Ok(Account {
            key: format!("shopify:{host}"),
            rate: self.request_rate()?,
        })
    }

    fn request_rate(&self) -> Result<RequestRate, ConfigError> {
        RequestRate::new(self.requests_per_second, self.burst)
            .map_err(|e| ConfigError::RequestRate(e.to_string()))
    }

    /// `{shop_url}/admin/api/{version}/graphql.json`.
    pub fn endpoint(&self) -> String {
        format!(
            "{}/admin/api/{}/graphql.json",
            self.shop_url.trim().trim_end_matches('/'),
            self.api_version
        )
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

impl fmt::Debug for ShopifyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShopifyConfig")
            .field("shop_url", &self.shop_url)
            .field("access_token", &"<redacted>")
            .field("api_version", &self.api_version)
            .field("page_size", &self.page_size)
            .field("lookback_secs", &self.lookback_secs)
            .field("request_timeout_secs", &self.request_timeout_secs)
            .field("notify_customer", &self.notify_customer)
            .field("max_wait_secs", &self.max_wait_secs)
            .field("requests_per_second", &self.requests_per_second)
            .field("burst", &self.burst)
            .field(
                "webhook_secret",
                &self.webhook_secret.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_apply_and_unknown_keys_are_refused() {
        let c: ShopifyConfig = toml::from_str(
            "shop_url = \"https://x.myshopify.com/\"\naccess_token = \"shpat_secret\"",
        )
        .unwrap();
        assert_eq!(c.api_version, API_VERSION);
        assert_eq!(c.page_size, crate::pull::fitting_page_size(MAX_PAGE_SIZE));
        assert!(
            crate::pull::orders_query_cost(c.page_size, crate::pull::LINE_ITEMS_FIRST)
                <= COST_BUDGET
        );
        assert_eq!(c.lookback_secs, 300);
        assert!(!c.notify_customer);
        let account = c.request_account().unwrap();
        assert_eq!(account.key, "shopify:x.myshopify.com");
        assert_eq!((account.rate.per_second(), account.rate.burst()), (2.0, 40));
        assert_eq!(
            c.endpoint(),
            "https://x.myshopify.com/admin/api/2025-10/graphql.json"
        );
        c.validate().unwrap();
        let err = toml::from_str::<ShopifyConfig>(
            "shop_url = \"https://x\"\naccess_token = \"t\"\npage_sise = 5",
        )
        .unwrap_err();
        assert!(err.to_string().contains("page_sise"), "{err}");
    }

    #[test]
    fn debug_never_prints_the_token() {
        let c = ShopifyConfig::new("https://x.myshopify.com", "shpat_very_secret");
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("very_secret"), "{dbg}");
        assert!(dbg.contains("<redacted>"));
    }

    #[test]
    fn validation_names_the_bad_field() {
        let mut c = ShopifyConfig::new("x.myshopify.com", "t");
        assert!(matches!(c.validate(), Err(ConfigError::ShopUrl(_))));
        c.shop_url = "https://x.myshopify.com".into();
        c.page_size = 251;
        assert_eq!(c.validate(), Err(ConfigError::PageSize(251)));
        c.page_size = 250;
        c.api_version = "2025-1".into();
        assert!(matches!(c.validate(), Err(ConfigError::ApiVersion(_))));
        c.api_version = "2026-01".into();
        c.requests_per_second = 0.0;
        assert!(matches!(c.validate(), Err(ConfigError::RequestRate(_))));
        c.requests_per_second = 2.0;
        c.access_token = " ".into();
        assert_eq!(c.validate(), Err(ConfigError::EmptyToken));
    }
}
