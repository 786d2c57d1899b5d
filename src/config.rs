//! The host's configuration: one TOML file plus `SHIPGATE_*` environment overrides.
//!
//! Loading goes file → `${VAR}` interpolation → `SHIPGATE_A__B=value` overrides →
//! typed structs, so every error names the key it is about. A `${VAR}` that is not set
//! does not fail the load (`shipgate jobs dead` needs no shop token); it is remembered and
//! reported when the connector that needs it is built.

use serde::Deserialize;
use shipgate_amazon::AmazonConfig;
use shipgate_cdiscount::CdiscountConfig;
use shipgate_douyin::DouyinConfig;
use shipgate_shopify::ShopifyConfig;
use std::path::{Path, PathBuf};
use toml::Value;

/// Why a configuration could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML or does not match the expected keys.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The parser's message, with line and column.
        message: String,
    },
    /// A `SHIPGATE_*` override points at something that does not exist.
    #[error("environment override {var}: {reason}")]
    Override {
        /// The variable name.
        var: String,
        /// What is wrong.
        reason: String,
    },
    /// A connector needs an environment variable that is not set.
    #[error("connector {connector}: environment variable {var} is not set (used by {key})")]
    MissingEnv {
        /// The connector id.
        connector: String,
        /// The variable.
        var: String,
        /// The config key that uses it.
        key: String,
    },
    /// Two connectors share an id.
    #[error("connector id {0:?} is used twice")]
    DuplicateConnector(String),
}

/// The whole configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where orders, payloads, cursors, ledgers and the audit log live.
    #[serde(default)]
    pub store: StoreSettings,
    /// The job queue.
    #[serde(default)]
    pub queue: QueueSettings,
    /// Where the request budgets of remote accounts are kept.
    #[serde(default)]
    pub rate_limit: RateLimitSettings,
    /// Data files: CSV templates and code tables.
    #[serde(default)]
    pub mappings: MappingSettings,
    /// The HTTP listener `shipgate run` serves webhooks on.
    #[serde(default)]
    pub http: HttpSettings,
    /// Connected shops and drop folders.
    #[serde(default)]
    pub connectors: Vec<ConnectorConfig>,
    /// Carrier accounts with a code adapter (quote, book, track).
    #[serde(default)]
    pub carriers: Vec<CarrierConfig>,
    /// `${VAR}` references that were not set: (config key, variable).
    #[serde(skip)]
    pub missing_env: Vec<(String, String)>,
}

/// Store settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreSettings {
    /// `sqlite://path.db` (embedded default) or
    /// `postgres://[user[:password]@]host[:port]/db` for workers on many machines.
    pub url: String,
}

impl Default for StoreSettings {
    fn default() -> Self {
        Self {
            url: "sqlite://data/shipgate.db".into(),
        }
    }
}

/// `url` with any password replaced by `***`, for messages and logs: a store or queue
/// URL may carry credentials (`redis://user:password@host`).
pub fn redacted_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(user, _)| user);
            let masked = if userinfo.contains(':') {
                format!("{user}:***")
            } else {
                "***".to_owned()
            };
            format!("{scheme}://{masked}@{host}{path}")
        }
        None => url.to_owned(),
    }
}

/// Queue settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueSettings {
    /// `sqlite://path.db` (embedded default) or `redis://[user:password@]host[:port][/db]`
    /// for workers on many machines.
    pub url: String,
    /// The queue's name: deployments sharing one Redis (or one SQLite file) keep their
    /// jobs apart by name. Every process of one deployment must use the same.
    #[serde(default = "default_queue_name")]
    pub name: String,
    /// Workers in this process.
    #[serde(default = "default_concurrency")]
    pub concurrency: usize,
    /// Attempts before a job goes to the dead list.
    #[serde(default = "default_max_attempts")]
    pub max_attempts: u32,
    /// First retry delay (before jitter).
    #[serde(default = "default_base_delay_ms")]
    pub base_delay_ms: u64,
    /// Longest retry delay.
    #[serde(default = "default_max_delay_secs")]
    pub max_delay_secs: u64,
    /// How long finished jobs stay in the queue's store before workers sweep them out;
    /// unset, the store's default (an hour on SQLite, a minute on Redis).
    #[serde(default)]
    pub keep_finished_secs: Option<u64>,
}

fn default_concurrency() -> usize {
    4
}
fn default_queue_name() -> String {
    crate::queue::DEFAULT_QUEUE_NAME.to_owned()
}
fn default_max_attempts() -> u32 {
    8
}
fn default_base_delay_ms() -> u64 {
    500
}
fn default_max_delay_secs() -> u64 {
    300
}

impl Default for QueueSettings {
    fn default() -> Self {
        Self {
            url: "sqlite://data/queue.db".into(),
            name: default_queue_name(),
            concurrency: default_concurrency(),
            max_attempts: default_max_attempts(),
            base_delay_ms: default_base_delay_ms(),
            max_delay_secs: default_max_delay_secs(),
            keep_finished_secs: None,
        }
    }
}

/// Where request budgets per remote account are kept.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitSettings {
    /// `redis://…` to share budgets through that Redis, `local` to keep them in this
    /// process. Unset: the queue's Redis when `queue.url` is `redis://…`, so every worker
    /// process shares one budget per account; this process otherwise.
    #[serde(default)]
    pub url: Option<String>,
}

/// The HTTP listener.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpSettings {
    /// `host:port` to bind; loopback by default, so nothing is exposed until someone
    /// chooses to (behind a TLS proxy).
    pub listen: String,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
        }
    }
}

/// Where data files live.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingSettings {
    /// The `mappings/` folder.
    pub dir: PathBuf,
}

impl Default for MappingSettings {
    fn default() -> Self {
        Self {
            dir: PathBuf::from("mappings"),
        }
    }
}

/// One connected shop or drop folder.
#[derive(Debug, Clone, Deserialize)]
pub struct ConnectorConfig {
    /// Unique id, used in cursors, ledgers and logs.
    pub id: String,
    /// The tenant it belongs to.
    pub tenant: String,
    /// The merchant it belongs to.
    pub merchant: String,
    /// What kind of connector, with its settings.
    #[serde(flatten)]
    pub kind: ConnectorKind,
}

/// One carrier account: the registry code of its adapter and the adapter's own settings
/// (credentials as `${VAR}`, base URL, account numbers), passed to it as they are.
#[derive(Debug, Clone, Deserialize)]
pub struct CarrierConfig {
    /// The registry code (`ups`, `colissimo`…).
    pub code: String,
    /// A token carriers' tracking webhooks must present (`?token=` or the
    /// `X-Shipgate-Token` header); without one the carrier's webhooks are refused.
    #[serde(default)]
    pub webhook_token: Option<String>,
    /// Everything else, for the adapter.
    #[serde(flatten)]
    pub settings: toml::Table,
}

/// The connector kinds this build knows, tagged by `type`.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ConnectorKind {
    /// A Shopify shop over the GraphQL Admin API.
    Shopify {
        /// How often the scheduler pulls.
        #[serde(default = "default_pull_interval")]
        pull_interval_secs: u64,
        /// The Shopify settings (`[connectors.shopify]`).
        shopify: ShopifyConfig,
    },
    /// An Amazon seller account over the Selling Partner API.
    Amazon {
        /// How often the scheduler pulls (searchOrders allows about one call per 3 min).
        #[serde(default = "default_amazon_pull_interval")]
        pull_interval_secs: u64,
        /// The SP-API settings (`[connectors.amazon]`).
        amazon: AmazonConfig,
    },
    /// A Douyin (抖店) shop over the open platform.
    Douyin {
        /// How often the scheduler pulls.
        #[serde(default = "default_pull_interval")]
        pull_interval_secs: u64,
        /// The open-platform settings (`[connectors.douyin]`).
        douyin: DouyinConfig,
    },
    /// A Cdiscount seller over Octopia's REST API or the legacy SOAP API.
    Cdiscount {
        /// How often the scheduler pulls.
        #[serde(default = "default_pull_interval")]
        pull_interval_secs: u64,
        /// The settings (`[connectors.cdiscount]`, `api = "rest"` or `"soap"`).
        cdiscount: CdiscountConfig,
    },
    /// A folder suppliers drop tracking CSV files into.
    CsvDrop {
        /// The folder; `done/` and `failed/` are made inside it.
        folder: PathBuf,
        /// The column template (`mappings/csv/<template>.toml`).
        template: String,
        /// How often the folder is looked at.
        #[serde(default = "default_poll_interval")]
        poll_interval_secs: u64,
    },
}

fn default_pull_interval() -> u64 {
    300
}
fn default_amazon_pull_interval() -> u64 {
    180
}
fn default_poll_interval() -> u64 {
    10
}

impl Config {
    /// Loads a file with the process environment applied.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_toml(path, &text, std::env::vars())
    }

    /// Parses TOML text with the given environment (injectable for tests).
    pub fn from_toml(
        path: &Path,
        text: &str,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        let env: Vec<(String, String)> = env.into_iter().collect();
        let mut root: Value = text
            .parse::<toml::Table>()
            .map(Value::Table)
            .map_err(|e| invalid(e.to_string()))?;
        let mut missing = Vec::new();
        interpolate(&mut root, "", &env, &mut missing);
        for (var, value) in env.iter().filter(|(k, _)| k.starts_with("SHIPGATE_")) {
            apply_override(&mut root, var, value)?;
        }
        let mut config: Config = root
            .try_into()
            .map_err(|e: toml::de::Error| invalid(e.to_string()))?;
        config.missing_env = missing;
        let mut seen = std::collections::HashSet::new();
        for c in &config.connectors {
            if !seen.insert(c.id.as_str()) {
                return Err(ConfigError::DuplicateConnector(c.id.clone()));
            }
        }
        Ok(config)
    }

    /// Fails when a `${VAR}` used by this connector's settings was not set.
    pub fn require_env(
        &self,
        connector: &ConnectorConfig,
        index: usize,
    ) -> Result<(), ConfigError> {
        let prefix = format!("connectors[{index}].");
        match self
            .missing_env
            .iter()
            .find(|(key, _)| key.starts_with(&prefix))
        {
            Some((key, var)) => Err(ConfigError::MissingEnv {
                connector: connector.id.clone(),
                var: var.clone(),
                key: key.clone(),
            }),
            None => Ok(()),
        }
    }
}

/// Replaces `${VAR}` in every string; unset variables become empty and are recorded.
fn interpolate(
    value: &mut Value,
    key: &str,
    env: &[(String, String)],
    missing: &mut Vec<(String, String)>,
) {
    match value {
        Value::String(s) => {
            let mut out = String::with_capacity(s.len());
            let mut rest = s.as_str();
            while let Some(start) = rest.find("${") {
                out.push_str(&rest[..start]);
                let Some(len) = rest[start + 2..].find('}') else {
                    break;
                };
                let var = &rest[start + 2..start + 2 + len];
                match env.iter().find(|(k, _)| k == var) {
                    Some((_, v)) => out.push_str(v),
                    None => missing.push((key.to_string(), var.to_string())),
                }
                rest = &rest[start + 3 + len..];
            }
            out.push_str(rest);
            *s = out;
        }
        Value::Table(t) => {
            for (k, v) in t.iter_mut() {
                let child = if key.is_empty() {
                    k.clone()
                } else {
                    format!("{key}.{k}")
                };
                interpolate(v, &child, env, missing);
            }
        }
        Value::Array(a) => {
            for (i, v) in a.iter_mut().enumerate() {
                interpolate(v, &format!("{key}[{i}]"), env, missing);
            }
        }
        _ => {}
    }
}

/// `SHIPGATE_QUEUE__CONCURRENCY=8` sets `queue.concurrency`; inside `[[connectors]]` the
/// segment after `CONNECTORS` is the connector id (`SHIPGATE_CONNECTORS__SHOP_MAIN__SHOPIFY__ACCESS_TOKEN`).
/// The value takes the type of the value it replaces.
fn apply_override(root: &mut Value, var: &str, raw: &str) -> Result<(), ConfigError> {
    let fail = |reason: String| ConfigError::Override {
        var: var.to_string(),
        reason,
    };
    let segments: Vec<String> = var["SHIPGATE_".len()..]
        .split("__")
        .map(|s| s.to_ascii_lowercase())
        .collect();
    if segments.iter().any(|s| s.is_empty()) {
        return Err(fail("empty key segment".into()));
    }
    let mut node = root;
    for (i, seg) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        node = match node {
            Value::Table(t) if last => {
                let typed = match t.get(seg.as_str()) {
                    Some(Value::Integer(_)) => raw
                        .parse()
                        .map(Value::Integer)
                        .map_err(|e| fail(format!("{raw:?}: {e}")))?,
                    Some(Value::Boolean(_)) => raw
                        .parse()
                        .map(Value::Boolean)
                        .map_err(|e| fail(format!("{raw:?}: {e}")))?,
                    Some(Value::Table(_) | Value::Array(_)) => {
                        return Err(fail(format!("{seg} is a section, not a value")))
                    }
                    _ => Value::String(raw.to_string()),
                };
                t.insert(seg.clone(), typed);
                return Ok(());
            }
            Value::Table(t) => t
                .entry(seg.clone())
                .or_insert_with(|| Value::Table(toml::Table::new())),
            Value::Array(items) => {
                let wanted = seg.replace('_', "-");
                items
                    .iter_mut()
                    .find(|item| {
                        item.get("id")
                            .and_then(Value::as_str)
                            .map(|id| id.to_ascii_lowercase().replace('_', "-"))
                            == Some(wanted.clone())
                    })
                    .ok_or_else(|| fail(format!("no entry with id {wanted:?}")))?
            }
            _ => return Err(fail(format!("{seg} is below a plain value"))),
        };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_in_urls_are_masked() {
        assert_eq!(
            redacted_url("redis://user:s3cret@redis.internal:6380/2"),
            "redis://user:***@redis.internal:6380/2"
        );
        assert_eq!(
            redacted_url("rediss://:s3cret@host/"),
            "rediss://:***@host/"
        );
        assert_eq!(redacted_url("redis://token@host"), "redis://***@host");
        assert_eq!(redacted_url("redis://host:6379/0"), "redis://host:6379/0");
        assert_eq!(redacted_url("sqlite://data/q.db"), "sqlite://data/q.db");
        assert_eq!(redacted_url("sqlite::memory:"), "sqlite::memory:");
    }

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_shipped_default_loads() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/shipgate.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        let c = Config::from_toml(&path, &text, env(&[])).unwrap();
        assert_eq!(c.store.url, "sqlite://data/shipgate.db");
        assert_eq!(c.connectors.len(), 2);
        assert!(matches!(
            c.connectors[1].kind,
            ConnectorKind::CsvDrop { .. }
        ));
        let err = c.require_env(&c.connectors[0], 0).unwrap_err().to_string();
        assert!(err.contains("SHOPIFY_ACCESS_TOKEN"), "{err}");
        assert!(err.contains("connectors[0].shopify.access_token"), "{err}");
    }

    #[test]
    fn environment_overrides_keep_types_and_reach_connectors() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/shipgate.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        let c = Config::from_toml(
            &path,
            &text,
            env(&[
                ("SHIPGATE_QUEUE__CONCURRENCY", "9"),
                ("SHIPGATE_STORE__URL", "sqlite://x.db"),
                ("SHIPGATE_CONNECTORS__SUPPLIER_DROP__TEMPLATE", "other"),
                ("SHOPIFY_ACCESS_TOKEN", "shpat_secret"),
            ]),
        )
        .unwrap();
        assert_eq!(c.queue.concurrency, 9);
        assert_eq!(c.store.url, "sqlite://x.db");
        assert!(
            matches!(&c.connectors[1].kind, ConnectorKind::CsvDrop { template, .. } if template == "other")
        );
        assert!(c.require_env(&c.connectors[0], 0).is_ok());
    }

    #[test]
    fn bad_overrides_and_typos_name_the_key() {
        let path = Path::new("t.toml");
        let err = Config::from_toml(
            path,
            "[queue]\nurl='sqlite::memory:'\nconcurrency=2",
            env(&[("SHIPGATE_QUEUE__CONCURRENCY", "many")]),
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("SHIPGATE_QUEUE__CONCURRENCY"),
            "{err}"
        );
        let err = Config::from_toml(path, "[queue]\nurl='x'\nconcurency=2", env(&[])).unwrap_err();
        assert!(err.to_string().contains("concurency"), "{err}");
    }
}
