//! What the host deserializes for one Douyin shop. Secrets (app secret, refresh token,
//! auth code) are redacted from `Debug`.

use serde::{Deserialize, Serialize};
use shipgate_sdk::{Account, RequestRate};
use std::time::Duration;

/// The production gateway.
pub const GATEWAY: &str = "https://openapi-fxg.jinritemai.com";
/// `size` may not exceed this on `order.searchList`.
pub const MAX_PAGE_SIZE: u32 = 100;

/// One shop on the Douyin open platform.
#[derive(Clone, Serialize, Deserialize)]
pub struct DouyinConfig {
    /// Gateway base URL, without a trailing slash (the sandbox's in tests).
    #[serde(default = "default_base_url")]
    pub base_url: String,
    /// The app key (19 digits).
    pub app_key: String,
    /// The app secret: keys request signatures and push-message signatures.
    pub app_secret: String,
    /// Self-use apps (自用型): the shop id, for `token.create` with
    /// `grant_type=authorization_self`.
    #[serde(default)]
    pub shop_id: Option<i64>,
    /// Tool apps (工具型): the authorization `code` the merchant granted, for
    /// `token.create` with `grant_type=authorization_code`.
    #[serde(default)]
    pub auth_code: Option<String>,
    /// A refresh token already held (14 days per the SDK), tried before `token.create`.
    #[serde(default)]
    pub refresh_token: Option<String>,
    /// Orders per `order.searchList` page (1..=100).
    #[serde(default = "default_page_size")]
    pub page_size: u32,
    /// Per-request timeout; the official SDK's default is 12 s.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
    /// How far back the next window starts before the last one ended, so an order
    /// updated while a window was being read is not missed.
    #[serde(default = "default_lookback_secs")]
    pub lookback_secs: i64,
    /// Gateway calls per second for this app, shared by every worker of every process
    /// (the app's request budget). The platform limits calls per app and API and answers
    /// code 60000 over it, but publishes no numbers we could find (see
    /// `shared/notes/marketplaces.md` §3.5): the default, 4/s with a burst of 1, never
    /// puts more than 5 calls in any one second, the conservative 5 QPS the notes
    /// suggest. Raise it when the app's console shows a higher limit.
    #[serde(default = "default_requests_per_second")]
    pub requests_per_second: f64,
    /// Calls that may go at once after a quiet spell (see `requests_per_second`).
    #[serde(default = "default_burst")]
    pub burst: u32,
    /// The longest a call waits for its turn in the budget; a longer wait is returned as
    /// `Throttled` so the queue retries later instead of holding a worker.
    #[serde(default = "default_max_wait_secs")]
    pub max_wait_secs: u64,
}

fn default_base_url() -> String {
    GATEWAY.into()
}
fn default_page_size() -> u32 {
    50
}
fn default_timeout_secs() -> u64 {
    12
}
fn default_lookback_secs() -> i64 {
    300
}
fn default_requests_per_second() -> f64 {
    4.0
}
fn default_burst() -> u32 {
    1
}
fn default_max_wait_secs() -> u64 {
    10
}

impl std::fmt::Debug for DouyinConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DouyinConfig")
            .field("base_url", &self.base_url)
            .field("app_key", &self.app_key)
            .field("app_secret", &"<redacted>")
            .field("shop_id", &self.shop_id)
            .field("auth_code", &self.auth_code.as_ref().map(|_| "<redacted>"))
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "<redacted>"),
            )
            .field("page_size", &self.page_size)
            .field("timeout_secs", &self.timeout_secs)
            .field("lookback_secs", &self.lookback_secs)
            .field("requests_per_second", &self.requests_per_second)
            .field("burst", &self.burst)
            .field("max_wait_secs", &self.max_wait_secs)
            .finish()
    }
}

impl DouyinConfig {
    /// A config with the defaults for everything but the credentials.
    pub fn new(app_key: impl Into<String>, app_secret: impl Into<String>) -> Self {
        Self {
            base_url: default_base_url(),
            app_key: app_key.into(),
            app_secret: app_secret.into(),
            shop_id: None,
            auth_code: None,
            refresh_token: None,
            page_size: default_page_size(),
            timeout_secs: default_timeout_secs(),
            lookback_secs: default_lookback_secs(),
            requests_per_second: default_requests_per_second(),
            burst: default_burst(),
            max_wait_secs: default_max_wait_secs(),
        }
    }

    /// Checks what can be checked before any request, naming the field.
    pub fn validate(&self) -> Result<(), String> {
        if self.app_key.trim().is_empty() {
            return Err("app_key is empty".into());
        }
        if self.app_secret.is_empty() {
            return Err("app_secret is empty".into());
        }
        if self.shop_id.is_none() && self.auth_code.is_none() && self.refresh_token.is_none() {
            return Err(
                "no way to get an access token: set shop_id (self-use app), auth_code (tool \
                 app) or refresh_token"
                    .into(),
            );
        }
        if !(1..=MAX_PAGE_SIZE).contains(&self.page_size) {
            return Err(format!(
                "page_size {} is outside 1..={MAX_PAGE_SIZE}",
                self.page_size
            ));
        }
        if self.lookback_secs < 0 {
            return Err("lookback_secs is negative".into());
        }
        self.request_account()?;
        Ok(())
    }

    /// The app's request budget: `douyin:<gateway host>:<app key>` at
    /// [`Self::requests_per_second`] with [`Self::burst`]. Keyed by app, not shop: the
    /// platform counts calls per app, so every shop one app serves shares the budget
    /// (connectors of one app should agree on its rate). The app key is an id the
    /// platform sends in clear, never the secret.
    pub fn request_account(&self) -> Result<Account, String> {
        let host = shipgate_sdk::url_host(&self.base_url);
        let rate =
            RequestRate::new(self.requests_per_second, self.burst).map_err(|e| e.to_string())?;
        Ok(Account {
            key: format!("douyin:{host}:{}", self.app_key.trim()),
            rate,
        })
    }

    /// [`Self::max_wait_secs`] as a duration.
    pub fn max_wait(&self) -> Duration {
        Duration::from_secs(self.max_wait_secs)
    }

    /// The per-request timeout.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs.max(1))
    }
}
