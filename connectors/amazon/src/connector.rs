//! The connector the host holds: one seller account, its client, and the `Source` /
//! `Storefront` contracts wired to the pull, mapping and push modules.

use crate::client::{Operation, SpApi};
use crate::config::AmazonConfig;
use crate::{mapping, pull, push};
use shipgate_sdk::model::{Channel, Order, Shipment};
use shipgate_sdk::{
    ConnectorError, Cursor, MappingError, Origin, Page, RawOrder, RemoteRef, RequestBudget,
    RequestRate, Source, Storefront,
};
use std::sync::Arc;

/// An Amazon seller account as a source of orders and a destination for shipment
/// confirmations.
pub struct AmazonConnector {
    config: AmazonConfig,
    origin: Origin,
    api: SpApi,
}

impl std::fmt::Debug for AmazonConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AmazonConnector")
            .field("config", &self.config)
            .field("origin", &self.origin)
            .field("api", &self.api)
            .finish()
    }
}

/// Refuses an order id that could change the request path: Amazon's ids are digits and
/// dashes (`3-7-7`), and sandboxes use the same alphabet.
pub(crate) fn checked_order_id(id: &str) -> Result<&str, ConnectorError> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(id)
    } else {
        Err(ConnectorError::Rejected {
            status: None,
            message: format!("{id:?} is not an Amazon order id"),
        })
    }
}

impl AmazonConnector {
    /// Validates the configuration and builds the HTTP client, with the seller's request
    /// budgets kept in this process until [`Self::with_budget`]. No request is sent: call
    /// [`Self::check`] to test the credentials.
    pub fn new(config: AmazonConfig, origin: Origin) -> Result<Self, ConnectorError> {
        let invalid = |e: crate::ConfigError| ConnectorError::Rejected {
            status: None,
            message: format!("invalid Amazon config: {e}"),
        };
        config.validate().map_err(invalid)?;
        let api = SpApi::new(&config, config.request_rates().map_err(invalid)?)?;
        Ok(Self {
            config,
            origin,
            api,
        })
    }

    /// Makes every request wait on `budget` (the host's, shared by all its workers and,
    /// through Redis, by other processes) instead of budgets of this connector alone.
    pub fn with_budget(mut self, budget: Arc<dyn RequestBudget>) -> Self {
        self.api.set_budget(budget);
        self
    }

    /// The health check: fetches an LWA access token with the configured refresh token,
    /// so wrong credentials show up before the first pull without spending a
    /// `searchOrders` call (the scarcest quota the seller has).
    pub async fn check(&self) -> Result<(), ConnectorError> {
        self.api.check_token().await
    }

    /// Reads one order with everything the mapping needs (`getOrder`, 0.5 rps burst
    /// 30): what the host calls for each id [`crate::notification::order_ids_to_fetch`]
    /// gives. The raw order is the `{"order":…}` answer as received.
    pub async fn get_order(&self, order_id: &str) -> Result<RawOrder, ConnectorError> {
        let id = checked_order_id(order_id)?;
        let body = self
            .api
            .get(
                Operation::GetOrder,
                &format!("/orders/2026-01-01/orders/{id}"),
                &[("includedData", pull::INCLUDED_DATA.to_string())],
            )
            .await?;
        Ok(RawOrder {
            external_id: Some(id.to_string()),
            content_type: "application/json".into(),
            body,
        })
    }

    /// The rate the connector currently paces `op` at (the configured or default usage
    /// plan, or the rate Amazon last reported in `x-amzn-RateLimit-Limit`).
    pub fn request_rate(&self, op: Operation) -> RequestRate {
        self.api.rate(op)
    }

    /// The configuration in use.
    pub fn config(&self) -> &AmazonConfig {
        &self.config
    }
}

#[async_trait::async_trait]
impl Source for AmazonConnector {
    fn channel(&self) -> Channel {
        Channel::new(mapping::CHANNEL)
    }

    fn origin(&self) -> &Origin {
        &self.origin
    }

    async fn pull(&self, cursor: &Cursor) -> Result<Page, ConnectorError> {
        pull::pull_page(&self.api, &self.config, cursor).await
    }

    async fn fetch(&self, external_id: &str) -> Result<Page, ConnectorError> {
        Ok(Page {
            orders: vec![self.get_order(external_id).await?],
            ..Page::default()
        })
    }

    fn normalize(&self, raw: &RawOrder) -> Result<Order, MappingError> {
        mapping::normalize(&self.origin, &raw.body)
    }
}

#[async_trait::async_trait]
impl Storefront for AmazonConnector {
    async fn push_fulfillment(
        &self,
        order: &Order,
        shipment: &Shipment,
    ) -> Result<RemoteRef, ConnectorError> {
        let marketplace = self
            .config
            .marketplace_ids
            .first()
            .map(String::as_str)
            .unwrap_or_default();
        push::push_fulfillment(&self.api, marketplace, order, shipment).await
    }
}
