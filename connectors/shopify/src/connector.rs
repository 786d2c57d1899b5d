//! The connector the host holds: one shop, its client, and the `Source` / `Storefront`
//! contracts wired to the pull, mapping and push modules.

use crate::client::{GraphqlClient, Operation};
use crate::config::ShopifyConfig;
use crate::throttle::{QueryCost, ThrottleStatus};
use crate::{mapping, pull, push, status};
use serde::{Deserialize, Serialize};
use shipgate_sdk::model::{Channel, Order, Shipment, TrackingUpdate};
use shipgate_sdk::{
    ConnectorError, Cursor, MappingError, Origin, Page, RawOrder, RemoteRef, RequestBudget, Source,
    StatusPush, Storefront,
};
use std::sync::Arc;

const SHOP_QUERY: &str = "query Shop { shop { name myshopifyDomain currencyCode } }";

/// What the health check learned about the shop: enough for `shipgate connectors check`
/// to show that the token reaches the shop the operator meant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShopInfo {
    /// The shop's display name.
    pub name: String,
    /// `x.myshopify.com`.
    pub myshopify_domain: String,
    /// The shop currency (ISO 4217), the one `shopMoney` amounts are in.
    pub currency_code: String,
}

#[derive(Deserialize)]
struct ShopData {
    shop: ShopInfo,
}

/// A Shopify shop as a source of orders and a destination for fulfillments.
pub struct ShopifyConnector {
    config: ShopifyConfig,
    page_size: u32,
    origin: Origin,
    client: GraphqlClient,
}

impl std::fmt::Debug for ShopifyConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShopifyConnector")
            .field("config", &self.config)
            .field("origin", &self.origin)
            .finish()
    }
}

impl ShopifyConnector {
    /// Validates the configuration and builds the HTTP client, with the shop's request
    /// budget kept in this process until [`Self::with_budget`]. No request is sent: call
    /// [`Self::check`] to test the credentials. A `page_size` whose orders query would
    /// cost more than [`crate::config::COST_BUDGET`] is lowered, with a warning.
    pub fn new(config: ShopifyConfig, origin: Origin) -> Result<Self, ConnectorError> {
        let invalid = |e: crate::config::ConfigError| ConnectorError::Rejected {
            status: None,
            message: format!("invalid Shopify config: {e}"),
        };
        config.validate().map_err(invalid)?;
        let account = config.request_account().map_err(invalid)?;
        let client = GraphqlClient::new(
            config.endpoint(),
            config.access_token.clone(),
            config.request_timeout(),
            config.max_wait(),
            account,
        )?;
        let page_size = pull::fitting_page_size(config.page_size);
        if page_size < config.page_size {
            tracing::warn!(
                configured = config.page_size,
                page_size,
                configured_cost = pull::orders_query_cost(config.page_size, pull::LINE_ITEMS_FIRST),
                cost = pull::orders_query_cost(page_size, pull::LINE_ITEMS_FIRST),
                max_query_cost = crate::config::MAX_QUERY_COST,
                "shopify page_size lowered: at the configured size the orders query would exceed \
                 Shopify's single-query cost limit (MAX_COST_EXCEEDED) or our margin below it"
            );
        }
        Ok(Self {
            config,
            page_size,
            origin,
            client,
        })
    }

    /// Makes every request wait on `budget` (the host's, shared by all its workers and,
    /// through Redis, by other processes) instead of a budget of this connector alone.
    pub fn with_budget(mut self, budget: Arc<dyn RequestBudget>) -> Self {
        self.client.set_budget(budget);
        self
    }

    /// The health check: reads the shop's name, domain and currency with the configured
    /// token, so a wrong URL or a revoked token shows up before the first pull.
    pub async fn check(&self) -> Result<ShopInfo, ConnectorError> {
        let op = Operation {
            name: "shop",
            query: SHOP_QUERY,
            variables: serde_json::json!({}),
            default_cost: 1.0,
        };
        let body = self.client.execute(&op).await?;
        GraphqlClient::data::<ShopData>(&body).map(|d| d.shop)
    }

    /// The cost bucket as Shopify last reported it (`None` before the first response).
    pub fn throttle_status(&self) -> Option<ThrottleStatus> {
        self.client.throttle_status()
    }

    /// What Shopify last reported in `extensions.cost` for an operation: `"shop"`,
    /// [`pull::ORDERS_OPERATION`], [`pull::LINE_ITEMS_OPERATION`],
    /// [`push::STATE_OPERATION`], [`push::CREATE_OPERATION`], [`status::EVENTS_OPERATION`]
    /// or [`status::EVENT_CREATE_OPERATION`]. Lets an operator (and
    /// the tests) see how close each query runs to the single-query ceiling.
    pub fn last_query_cost(&self, operation: &str) -> Option<QueryCost> {
        self.client.last_cost(operation)
    }

    /// The orders per page actually requested: `page_size` from the configuration,
    /// lowered to fit the cost budget.
    pub fn page_size(&self) -> u32 {
        self.page_size
    }

    /// The configuration in use.
    pub fn config(&self) -> &ShopifyConfig {
        &self.config
    }
}

#[async_trait::async_trait]
impl Source for ShopifyConnector {
    fn channel(&self) -> Channel {
        Channel::new(mapping::CHANNEL)
    }

    fn origin(&self) -> &Origin {
        &self.origin
    }

    async fn pull(&self, cursor: &Cursor) -> Result<Page, ConnectorError> {
        pull::pull_page(
            &self.client,
            self.page_size,
            self.config.lookback_secs,
            cursor,
        )
        .await
    }

    async fn fetch(&self, external_id: &str) -> Result<Page, ConnectorError> {
        pull::fetch_order(&self.client, external_id).await
    }

    fn normalize(&self, raw: &RawOrder) -> Result<Order, MappingError> {
        mapping::normalize_order(&raw.body, &self.origin)
    }
}

#[async_trait::async_trait]
impl Storefront for ShopifyConnector {
    async fn push_fulfillment(
        &self,
        order: &Order,
        shipment: &Shipment,
    ) -> Result<RemoteRef, ConnectorError> {
        push::push_fulfillment(&self.client, self.config.notify_customer, order, shipment).await
    }

    async fn push_status(
        &self,
        order: &Order,
        fulfillment: &str,
        update: &TrackingUpdate,
    ) -> Result<StatusPush, ConnectorError> {
        status::push_status(&self.client, order, fulfillment, update).await
    }
}
