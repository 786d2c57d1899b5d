//! The connector the host holds: one shop, its signed client, and the `Source` /
//! `Storefront` contracts wired to the pull, mapping and push modules.

use crate::client::Client;
use crate::config::DouyinConfig;
use crate::{mapping, pull, push};
use shipgate_sdk::model::{Channel, Order, Shipment};
use shipgate_sdk::{
    ConnectorError, Cursor, MappingError, Origin, Page, RawOrder, RemoteRef, RequestBudget, Source,
    Storefront,
};
use std::sync::Arc;

/// A Douyin shop as a source of orders and a destination for tracking numbers.
pub struct DouyinConnector {
    origin: Origin,
    client: Client,
}

impl std::fmt::Debug for DouyinConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DouyinConnector")
            .field("config", self.client.config())
            .field("origin", &self.origin)
            .finish()
    }
}

impl DouyinConnector {
    /// Validates the configuration and builds the client, with the app's request budget
    /// kept in this process until [`Self::with_budget`]. No request is sent until the
    /// first call, which also obtains the access token.
    pub fn new(config: DouyinConfig, origin: Origin) -> Result<Self, ConnectorError> {
        let invalid = |e: String| ConnectorError::Rejected {
            status: None,
            message: format!("invalid Douyin config: {e}"),
        };
        config.validate().map_err(invalid)?;
        let account = config.request_account().map_err(invalid)?;
        Ok(Self {
            origin,
            client: Client::new(config, account)?,
        })
    }

    /// Makes every request wait on `budget` (the host's, shared by all its workers and,
    /// through Redis, by other processes) instead of a budget of this connector alone.
    pub fn with_budget(mut self, budget: Arc<dyn RequestBudget>) -> Self {
        self.client.set_budget(budget);
        self
    }

    /// The configuration (secrets redacted in `Debug`).
    pub fn config(&self) -> &DouyinConfig {
        self.client.config()
    }
}

#[async_trait::async_trait]
impl Source for DouyinConnector {
    fn channel(&self) -> Channel {
        Channel::new(mapping::CHANNEL)
    }

    fn origin(&self) -> &Origin {
        &self.origin
    }

    async fn pull(&self, cursor: &Cursor) -> Result<Page, ConnectorError> {
        pull::pull(&self.client, cursor).await
    }

    async fn fetch(&self, external_id: &str) -> Result<Page, ConnectorError> {
        pull::fetch_order(&self.client, external_id).await
    }

    fn normalize(&self, raw: &RawOrder) -> Result<Order, MappingError> {
        mapping::normalize(&self.origin, &raw.body)
    }
}

#[async_trait::async_trait]
impl Storefront for DouyinConnector {
    async fn push_fulfillment(
        &self,
        order: &Order,
        shipment: &Shipment,
    ) -> Result<RemoteRef, ConnectorError> {
        push::push_fulfillment(&self.client, order, shipment).await
    }
}
