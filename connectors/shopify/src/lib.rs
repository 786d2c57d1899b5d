//! The Shopify connector: pulls orders through the GraphQL Admin API, maps them to the
//! canonical order, pushes fulfillments with tracking back and then each delivery status
//! as a fulfillment event, and ships a loopback
//! [`sandbox`] that speaks the same GraphQL subset for tests and `shipgate demo`.
//!
//! Entry points: [`ShopifyConfig`] (what the host deserializes), [`ShopifyConnector`]
//! (implements [`shipgate_sdk::Source`] and [`shipgate_sdk::Storefront`], plus a health
//! check), [`mapping::normalize_order`] (pure, for quarantine replays).
#![deny(missing_docs)]
#![warn(unreachable_pub)]

mod client;
pub mod config;
mod connector;
pub mod mapping;
pub mod pull;
pub mod push;
pub mod sandbox;
pub mod status;
pub mod throttle;
pub mod webhook;

pub use config::{ConfigError, ShopifyConfig, API_VERSION};
pub use connector::{ShopInfo, ShopifyConnector};
pub use throttle::{QueryCost, ThrottleStatus};
