//! What the host deserializes for one Cdiscount connector. `api` picks the path:
//! `"rest"` (Octopia seller API, the live one) or `"soap"` (the legacy service, for
//! sellers not yet moved). Secrets are redacted from `Debug`.

use crate::budget::BudgetConfig;
use serde::Deserialize;
use std::fmt;
use std::time::Duration;

/// Octopia's seller API base, v2 (developer.octopia-io.net, "Technical documentation").
pub const OCTOPIA_BASE_URL: &str = "https://api.octopia-io.net/seller/v2";
/// Octopia's token endpoint (Keycloak realm `maas`).
pub const OCTOPIA_TOKEN_URL: &str =
    "https://auth.octopia-io.net/auth/realms/maas/protocol/openid-connect/token";
/// The legacy SOAP endpoint (WSDL `MarketplaceAPIService`).
pub const SOAP_ENDPOINT: &str = "https://wsvc.cdiscount.com/MarketplaceAPIService.svc";
/// The STS that issues SOAP tokens (HTTP Basic with the `-api` login).
pub const SOAP_STS_URL: &str = "https://sts.cdiscount.com/users/httpIssue.svc/?realm=https://wsvc.cdiscount.com/MarketplaceAPIService.svc";
/// Octopia caps `pageSize` at 100.
pub const MAX_PAGE_SIZE: u32 = 100;

/// One Cdiscount connector: which API, and its settings.
#[derive(Clone, Deserialize)]
#[serde(tag = "api", rename_all = "snake_case")]
pub enum CdiscountConfig {
    /// The Octopia seller REST API.
    Rest(RestConfig),
    /// The legacy SOAP API.
    Soap(SoapConfig),
}

impl fmt::Debug for CdiscountConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rest(c) => c.fmt(f),
            Self::Soap(c) => c.fmt(f),
        }
    }
}

/// Settings of the Octopia REST path.
#[derive(Clone, Deserialize)]
pub struct RestConfig {
    /// API base, `https://api.octopia-io.net/seller/v2` unless pointed at a sandbox.
    #[serde(default = "default_base_url")]
    pub base_url: String,
    /// OAuth2 token endpoint.
    #[serde(default = "default_token_url")]
    pub token_url: String,
    /// OAuth2 client id issued in the Octopia seller portal.
    pub client_id: String,
    /// OAuth2 client secret.
    pub client_secret: String,
    /// The Octopia seller number, sent as the `SellerId` header on every call.
    pub seller_id: String,
    /// Restrict pulls to one sales channel (`CDISFR` for Cdiscount France); all when unset.
    #[serde(default)]
    pub sales_channel_id: Option<String>,
    /// Orders per page, at most 100.
    #[serde(default = "default_page_size")]
    pub page_size: u32,
    /// How far before the last seen `updatedAt` the next window starts, so an order
    /// updated while a walk was in flight is not missed.
    #[serde(default = "default_lookback_secs")]
    pub lookback_secs: u64,
    /// Per-request timeout.
    #[serde(default = "default_timeout_secs")]
    pub request_timeout_secs: u64,
    /// The seller account's request budget (`requests_per_second`, `burst`,
    /// `max_wait_secs`), keyed `cdiscount:<API host>:<seller_id>`.
    #[serde(flatten)]
    pub budget: BudgetConfig,
}

impl fmt::Debug for RestConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RestConfig")
            .field("base_url", &self.base_url)
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("seller_id", &self.seller_id)
            .field("sales_channel_id", &self.sales_channel_id)
            .field("page_size", &self.page_size)
            .field("budget", &self.budget)
            .finish_non_exhaustive()
    }
}

/// Settings of the legacy SOAP path.
#[derive(Clone, Deserialize)]
pub struct SoapConfig {
    /// The service endpoint.
    #[serde(default = "default_soap_endpoint")]
    pub endpoint: String,
    /// The token service URL (with its `realm` query).
    #[serde(default = "default_sts_url")]
    pub sts_url: String,
    /// The API login (`<seller login>-api`).
    pub login: String,
    /// The API password.
    pub password: String,
    /// Width of one `GetOrderList` modification-date window: SOAP has no paging, so a
    /// pull walks the time since the cursor in windows of this size.
    #[serde(default = "default_window_secs")]
    pub window_secs: u64,
    /// How far before the cursor the next window starts.
    #[serde(default = "default_lookback_secs")]
    pub lookback_secs: u64,
    /// Per-request timeout.
    #[serde(default = "default_timeout_secs")]
    pub request_timeout_secs: u64,
    /// The API account's request budget (`requests_per_second`, `burst`,
    /// `max_wait_secs`), keyed `cdiscount:<endpoint host>:<login>`.
    #[serde(flatten)]
    pub budget: BudgetConfig,
}

impl fmt::Debug for SoapConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SoapConfig")
            .field("endpoint", &self.endpoint)
            .field("sts_url", &self.sts_url)
            .field("login", &self.login)
            .field("password", &"<redacted>")
            .field("window_secs", &self.window_secs)
            .field("budget", &self.budget)
            .finish_non_exhaustive()
    }
}

/// A configuration value that cannot work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct ConfigError {
    /// The offending key.
    pub field: &'static str,
    /// Why.
    pub reason: String,
}

fn need(field: &'static str, value: &str) -> Result<(), ConfigError> {
    if value.trim().is_empty() {
        return Err(ConfigError {
            field,
            reason: "must not be empty".into(),
        });
    }
    Ok(())
}

fn rate(budget: &BudgetConfig) -> Result<(), ConfigError> {
    budget.rate().map(|_| ()).map_err(|e| ConfigError {
        field: "requests_per_second",
        reason: e.to_string(),
    })
}

impl RestConfig {
    /// Refuses empty credentials and page sizes Octopia would refuse.
    pub fn validate(&self) -> Result<(), ConfigError> {
        need("client_id", &self.client_id)?;
        need("client_secret", &self.client_secret)?;
        need("seller_id", &self.seller_id)?;
        if self.page_size == 0 || self.page_size > MAX_PAGE_SIZE {
            return Err(ConfigError {
                field: "page_size",
                reason: format!("must be 1..={MAX_PAGE_SIZE}, got {}", self.page_size),
            });
        }
        rate(&self.budget)
    }

    /// The account key of this seller's request budget.
    pub(crate) fn budget_key(&self) -> String {
        crate::budget::account_key(&self.base_url, &self.seller_id)
    }

    /// The per-request timeout.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs.max(1))
    }
}

impl SoapConfig {
    /// Refuses empty credentials and a zero window.
    pub fn validate(&self) -> Result<(), ConfigError> {
        need("login", &self.login)?;
        need("password", &self.password)?;
        if self.window_secs == 0 {
            return Err(ConfigError {
                field: "window_secs",
                reason: "must be positive".into(),
            });
        }
        rate(&self.budget)
    }

    /// The account key of this login's request budget.
    pub(crate) fn budget_key(&self) -> String {
        crate::budget::account_key(&self.endpoint, &self.login)
    }

    /// The per-request timeout.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs.max(1))
    }
}

fn default_base_url() -> String {
    OCTOPIA_BASE_URL.into()
}
fn default_token_url() -> String {
    OCTOPIA_TOKEN_URL.into()
}
fn default_soap_endpoint() -> String {
    SOAP_ENDPOINT.into()
}
fn default_sts_url() -> String {
    SOAP_STS_URL.into()
}
fn default_page_size() -> u32 {
    MAX_PAGE_SIZE
}
fn default_lookback_secs() -> u64 {
    3600
}
fn default_window_secs() -> u64 {
    86_400
}
fn default_timeout_secs() -> u64 {
    30
}
