//! The connector the host holds: one shop, its client, and the `Source` / `Storefront`
//! contracts wired to the pull, mapping and push modules.

use crate::client::{GraphqlClient, Operation};
use crate::config::ShopifyConfig;
use crate::throttle::ThrottleStatus;
use crate::{mapping, pull, push};
use serde::{Deserialize, Serialize};
use shipgate_sdk::model::{Channel, Order, Shipment};
use shipgate_sdk::{
    ConnectorError, Cursor, MappingError, Origin, Page, RawOrder, RemoteRef, Source, Storefront,
};

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
    /// Validates the configuration and builds the HTTP client. No request is sent: call
    /// [`Self::check`] to test the credentials.
    pub fn new(config: ShopifyConfig, origin: Origin) -> Result<Self, ConnectorError> {
        config.validate().map_err(|e| ConnectorError::Rejected {
            status: None,
            message: format!("invalid Shopify config: {e}"),
        })?;
        let client = GraphqlClient::new(
            config.endpoint(),
            config.access_token.clone(),
            config.request_timeout(),
            config.max_wait(),
        )?;
        Ok(Self {
            config,
            origin,
            client,
        })
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
            self.config.page_size,
            self.config.lookback_secs,
            cursor,
        )
        .await
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
}
