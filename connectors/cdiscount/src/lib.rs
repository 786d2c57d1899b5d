//! The Cdiscount / Octopia connector: pulls Cdiscount orders, maps them to the canonical
//! order, and pushes tracking back, through either of the two APIs Cdiscount sellers
//! meet today:
//!
//! - [`rest`]: the Octopia seller REST API (`api.octopia-io.net/seller/v2`), the live
//!   path: OAuth2 client credentials, a `SellerId` header, paged `GET /orders` by update
//!   date, `POST /orders/{orderId}/shipments`.
//! - [`soap`]: the legacy `MarketplaceAPIService.svc` SOAP API (`GetOrderList`,
//!   `ValidateOrderList`), for sellers not yet moved; Octopia is retiring it.
//!
//! [`CdiscountConfig`] picks one per connector (`api = "rest"` or `api = "soap"`);
//! [`CdiscountConnector`] implements [`shipgate_sdk::Source`] and
//! [`shipgate_sdk::Storefront`] over either. [`normalize`] is the pure entry point the
//! host's `shipgate normalize --from cdiscount FILE` calls: it takes either shape and
//! detects which. [`sandbox`] holds loopback servers for both APIs.
#![deny(missing_docs)]
#![warn(unreachable_pub)]

pub mod budget;
pub mod config;
mod connector;
pub mod error;
pub mod mapping;
pub mod rest;
pub mod sandbox;
pub mod soap;

pub use budget::BudgetConfig;
pub use config::{CdiscountConfig, ConfigError, RestConfig, SoapConfig};
pub use connector::CdiscountConnector;
pub use mapping::{normalize, CHANNEL};
