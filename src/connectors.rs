//! The connectors a host runs, built from the configuration and looked up by id.
//!
//! The pipeline never knows which marketplace it is talking to: it asks this registry
//! for the [`Source`] or [`Storefront`] of a connector id.

use crate::config::{Config, ConfigError, ConnectorKind};
use shipgate_amazon::AmazonConnector;
use shipgate_cdiscount::CdiscountConnector;
use shipgate_douyin::DouyinConnector;
use shipgate_sdk::{Carrier, ConnectorError, Origin, RequestBudget, Source, Storefront};
use shipgate_shopify::ShopifyConnector;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Why the registry could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The configuration is incomplete.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The request budgets could not be set up (a shared budget's Redis unreachable).
    #[error(transparent)]
    RateLimit(#[from] crate::rate_limit::RateLimitError),
    /// A connector refused its settings.
    #[error("connector {id}: {source}")]
    Connector {
        /// The connector id.
        id: String,
        /// What it said.
        #[source]
        source: ConnectorError,
    },
}

/// A folder of supplier tracking files and how to read them.
#[derive(Debug, Clone)]
pub struct DropSpec {
    /// The csv_drop connector id (quarantine entries are filed under it).
    pub id: String,
    /// The tenant whose orders its rows refer to.
    pub tenant: String,
    /// The merchant files of orders belong to.
    pub merchant: String,
    /// The folder.
    pub folder: PathBuf,
    /// The column template name.
    pub template: String,
    /// How often to look.
    pub poll_interval: Duration,
}

/// A pulled source and how often the scheduler pulls it.
#[derive(Clone)]
pub struct PullSpec {
    /// The connector.
    pub source: Arc<dyn Source>,
    /// Scheduler interval.
    pub interval: Duration,
}

/// How a connector's incoming webhooks are authenticated. Secrets stay out of `Debug`.
#[derive(Clone)]
pub enum WebhookAuth {
    /// Shopify: HMAC-SHA256 of the raw body under the app's client secret.
    Shopify {
        /// The app's client secret.
        secret: Vec<u8>,
    },
    /// Douyin: `event-sign`, keyed by the app key and secret.
    Douyin {
        /// The app key.
        app_key: String,
        /// The app secret.
        app_secret: String,
    },
}

impl std::fmt::Debug for WebhookAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Shopify { .. } => f.write_str("Shopify { secret: <redacted> }"),
            Self::Douyin { app_key, .. } => {
                write!(
                    f,
                    "Douyin {{ app_key: {app_key:?}, app_secret: <redacted> }}"
                )
            }
        }
    }
}

/// Every connector of this host, by id.
#[derive(Default, Clone)]
pub struct Connectors {
    sources: BTreeMap<String, PullSpec>,
    storefronts: BTreeMap<String, Arc<dyn Storefront>>,
    webhooks: BTreeMap<String, WebhookAuth>,
    carriers: BTreeMap<String, CarrierAccount>,
    drops: Vec<DropSpec>,
}

/// A carrier adapter and the token its tracking webhooks must present.
#[derive(Clone)]
pub struct CarrierAccount {
    /// The adapter.
    pub adapter: Arc<dyn Carrier>,
    /// The shared token carrier webhooks present; `None` refuses them.
    pub webhook_token: Option<String>,
}

impl Connectors {
    /// Opens the request budgets the configuration places (see [`crate::rate_limit`])
    /// and builds every configured connector waiting on them; fails on the first one
    /// that cannot start, naming it.
    pub async fn open(config: &Config) -> Result<Self, BuildError> {
        let budget = crate::rate_limit::open(config).await?;
        Self::build(config, budget)
    }

    fn build(config: &Config, budget: Arc<dyn RequestBudget>) -> Result<Self, BuildError> {
        let mut set = Self::default();
        for (index, c) in config.connectors.iter().enumerate() {
            config.require_env(c, index)?;
            let origin = Origin {
                tenant: c.tenant.clone(),
                merchant: c.merchant.clone(),
                connector_id: c.id.clone(),
            };
            let failed = |source| BuildError::Connector {
                id: c.id.clone(),
                source,
            };
            match &c.kind {
                ConnectorKind::Shopify {
                    pull_interval_secs,
                    shopify,
                } => set.add_shopify(
                    Arc::new(
                        ShopifyConnector::new(shopify.clone(), origin)
                            .map_err(failed)?
                            .with_budget(budget.clone()),
                    ),
                    Duration::from_secs(*pull_interval_secs),
                ),
                ConnectorKind::Amazon {
                    pull_interval_secs,
                    amazon,
                } => set.add_marketplace(
                    Arc::new(
                        AmazonConnector::new(amazon.clone(), origin)
                            .map_err(failed)?
                            .with_budget(budget.clone()),
                    ),
                    Duration::from_secs(*pull_interval_secs),
                ),
                ConnectorKind::Douyin {
                    pull_interval_secs,
                    douyin,
                } => set.add_douyin(
                    Arc::new(
                        DouyinConnector::new(douyin.clone(), origin)
                            .map_err(failed)?
                            .with_budget(budget.clone()),
                    ),
                    Duration::from_secs(*pull_interval_secs),
                ),
                ConnectorKind::Cdiscount {
                    pull_interval_secs,
                    cdiscount,
                } => set.add_marketplace(
                    Arc::new(
                        CdiscountConnector::new(cdiscount.clone(), origin)
                            .map_err(failed)?
                            .with_budget(budget.clone()),
                    ),
                    Duration::from_secs(*pull_interval_secs),
                ),
                ConnectorKind::CsvDrop {
                    folder,
                    template,
                    poll_interval_secs,
                } => set.drops.push(DropSpec {
                    id: c.id.clone(),
                    tenant: c.tenant.clone(),
                    merchant: c.merchant.clone(),
                    folder: folder.clone(),
                    template: template.clone(),
                    poll_interval: Duration::from_secs(*poll_interval_secs),
                }),
            }
        }
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| BuildError::Connector {
                id: "carriers".into(),
                source: ConnectorError::Transport(e.to_string()),
            })?;
        for c in &config.carriers {
            let built = shipgate_carriers::adapters::build(
                &c.code,
                c.settings.clone(),
                http.clone(),
                budget.clone(),
            )
            .unwrap_or_else(|| {
                Err(ConnectorError::Rejected {
                    status: None,
                    message: format!(
                        "no carrier adapter {:?}; this build has: {}",
                        c.code,
                        shipgate_carriers::adapters::codes()
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                })
            });
            let adapter = built.map_err(|source| BuildError::Connector {
                id: c.code.clone(),
                source,
            })?;
            set.add_carrier(adapter, c.webhook_token.clone());
        }
        Ok(set)
    }

    /// Registers a carrier adapter under its registry code.
    pub fn add_carrier(&mut self, adapter: Arc<dyn Carrier>, webhook_token: Option<String>) {
        let code = adapter.info().code.clone();
        self.carriers.insert(
            code,
            CarrierAccount {
                adapter,
                webhook_token,
            },
        );
    }

    /// The carrier adapter for a registry code.
    pub fn carrier(&self, code: &str) -> Option<&Arc<dyn Carrier>> {
        self.carrier_account(code).map(|a| &a.adapter)
    }

    /// Whether any configured carrier adapter tracks (the Track scheduler runs then).
    pub fn has_tracking_carriers(&self) -> bool {
        self.carriers
            .values()
            .any(|a| a.adapter.info().capabilities.track)
    }

    /// The carrier account (adapter and webhook token) for a registry code.
    pub fn carrier_account(&self, code: &str) -> Option<&CarrierAccount> {
        self.carriers.get(code)
    }

    /// Registers a Shopify shop as both source and storefront.
    pub fn add_shopify(&mut self, connector: Arc<ShopifyConnector>, interval: Duration) {
        let id = connector.origin().connector_id.clone();
        if let Some(secret) = &connector.config().webhook_secret {
            self.webhooks.insert(
                id.clone(),
                WebhookAuth::Shopify {
                    secret: secret.as_bytes().to_vec(),
                },
            );
        }
        self.add_marketplace(connector, interval);
    }

    /// Registers a Douyin shop as source and storefront, taking its push messages.
    pub fn add_douyin(&mut self, connector: Arc<DouyinConnector>, interval: Duration) {
        let config = connector.config();
        self.webhooks.insert(
            connector.origin().connector_id.clone(),
            WebhookAuth::Douyin {
                app_key: config.app_key.clone(),
                app_secret: config.app_secret.clone(),
            },
        );
        self.add_marketplace(connector, interval);
    }

    /// Registers a marketplace connector as both source and storefront.
    pub fn add_marketplace<C: Source + Storefront + 'static>(
        &mut self,
        connector: Arc<C>,
        interval: Duration,
    ) {
        let id = connector.origin().connector_id.clone();
        self.sources.insert(
            id.clone(),
            PullSpec {
                source: connector.clone(),
                interval,
            },
        );
        self.storefronts.insert(id, connector);
    }

    /// The source with this id.
    pub fn source(&self, id: &str) -> Option<&Arc<dyn Source>> {
        self.sources.get(id).map(|p| &p.source)
    }

    /// The storefront with this id.
    pub fn storefront(&self, id: &str) -> Option<&Arc<dyn Storefront>> {
        self.storefronts.get(id)
    }

    /// How webhooks addressed to this connector are checked; `None` when it takes none.
    pub fn webhook_auth(&self, id: &str) -> Option<&WebhookAuth> {
        self.webhooks.get(id)
    }

    /// Every pulled source, for the scheduler.
    pub fn pulls(&self) -> impl Iterator<Item = (&String, &PullSpec)> {
        self.sources.iter()
    }

    /// Every drop folder, for the scheduler.
    pub fn drops(&self) -> &[DropSpec] {
        &self.drops
    }
}
