//! The connector the host holds: one Cdiscount seller account on the API its
//! configuration picked, behind the `Source` and `Storefront` contracts.

use crate::config::CdiscountConfig;
use crate::mapping::{self, CHANNEL};
use crate::rest::client::RestClient;
use crate::soap::client::SoapClient;
use crate::{rest, soap};
use shipgate_sdk::model::{Channel, Order, Shipment};
use shipgate_sdk::{
    ConnectorError, Cursor, MappingError, Origin, Page, RawOrder, RemoteRef, RequestBudget, Source,
    Storefront,
};
use std::sync::Arc;

enum Api {
    Rest(RestClient),
    Soap(SoapClient),
}

/// A Cdiscount seller as a source of orders and a destination for tracking.
pub struct CdiscountConnector {
    config: CdiscountConfig,
    origin: Origin,
    api: Api,
}

impl std::fmt::Debug for CdiscountConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CdiscountConnector")
            .field("config", &self.config)
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

impl CdiscountConnector {
    /// Validates the configuration and builds the client of the chosen API, with the
    /// account's request budget kept in this process until [`Self::with_budget`]. Sends
    /// nothing.
    pub fn new(config: CdiscountConfig, origin: Origin) -> Result<Self, ConnectorError> {
        let invalid = |e: crate::ConfigError| ConnectorError::Rejected {
            status: None,
            message: format!("invalid Cdiscount config: {e}"),
        };
        let api = match &config {
            CdiscountConfig::Rest(c) => {
                c.validate().map_err(invalid)?;
                Api::Rest(RestClient::new(c)?)
            }
            CdiscountConfig::Soap(c) => {
                c.validate().map_err(invalid)?;
                Api::Soap(SoapClient::new(c)?)
            }
        };
        Ok(Self {
            config,
            origin,
            api,
        })
    }

    /// Makes every API call wait on `budget` (the host's, shared by all its workers and,
    /// through Redis, by other processes) instead of a budget of this connector alone.
    pub fn with_budget(mut self, budget: Arc<dyn RequestBudget>) -> Self {
        match &mut self.api {
            Api::Rest(client) => client.set_budget(budget),
            Api::Soap(client) => client.set_budget(budget),
        }
        self
    }

    /// The configuration in use.
    pub fn config(&self) -> &CdiscountConfig {
        &self.config
    }
}

#[async_trait::async_trait]
impl Source for CdiscountConnector {
    fn channel(&self) -> Channel {
        Channel::new(CHANNEL)
    }

    fn origin(&self) -> &Origin {
        &self.origin
    }

    async fn pull(&self, cursor: &Cursor) -> Result<Page, ConnectorError> {
        match (&self.api, &self.config) {
            (Api::Rest(client), CdiscountConfig::Rest(c)) => {
                rest::pull::pull_page(client, c, cursor).await
            }
            (Api::Soap(client), CdiscountConfig::Soap(c)) => {
                soap::pull::pull_window(client, c, cursor, chrono::Utc::now()).await
            }
            _ => Err(ConnectorError::Rejected {
                status: None,
                message: "client and configuration disagree on the API".into(),
            }),
        }
    }

    fn normalize(&self, raw: &RawOrder) -> Result<Order, MappingError> {
        mapping::normalize(&self.origin, &raw.body)
    }
}

#[async_trait::async_trait]
impl Storefront for CdiscountConnector {
    async fn push_fulfillment(
        &self,
        order: &Order,
        shipment: &Shipment,
    ) -> Result<RemoteRef, ConnectorError> {
        match &self.api {
            Api::Rest(client) => rest::push::push_shipment(client, order, shipment).await,
            Api::Soap(client) => soap::push::push_shipment(client, order, shipment).await,
        }
    }
}
