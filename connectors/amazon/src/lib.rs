//! The Amazon Selling Partner API connector: pulls orders with the Orders API 2026-01-01
//! (`searchOrders`, `getOrder`), maps them to the canonical order, confirms shipments
//! with the v0 `confirmShipment` operation, and ships a loopback [`sandbox`] that serves
//! Amazon's own public sandbox pairs on the same paths.
//!
//! Entry points: [`AmazonConfig`] (what the host deserializes), [`AmazonConnector`]
//! (implements [`shipgate_sdk::Source`] and [`shipgate_sdk::Storefront`]),
//! [`normalize`] (pure, for `shipgate normalize --from amazon` and quarantine replays) and
//! [`notification::order_ids_to_fetch`] (an `ORDER_CHANGE` notification → the orders to
//! re-read with `getOrder`, because `searchOrders` may only run every few minutes).
#![deny(missing_docs)]
#![warn(unreachable_pub)]

mod client;
pub mod config;
mod connector;
pub mod mapping;
pub mod notification;
pub mod pull;
pub mod push;
pub mod sandbox;
pub mod usage_plan;

pub use client::Operation;
pub use config::{AmazonConfig, ConfigError};
pub use connector::AmazonConnector;
pub use mapping::normalize;
