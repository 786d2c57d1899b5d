//! The Douyin shop (抖店, doudian) open-platform connector: pulls shop orders with
//! `order.searchList`, decrypts the recipient with `order.batchDecrypt`, maps them to the
//! canonical order, pushes tracking back with `order.logisticsAdd`, verifies push
//! messages (webhooks), and ships a loopback [`sandbox`] that speaks the same gateway.
//!
//! Entry points: [`DouyinConfig`] (what the host deserializes), [`DouyinConnector`]
//! (implements [`shipgate_sdk::Source`] and [`shipgate_sdk::Storefront`]),
//! [`mapping::normalize`] (pure, for `shipgate normalize --from douyin FILE` and quarantine
//! replays) and [`webhook::receive`] (the host's webhook route).
//!
//! Facts about the platform come from the official Go SDK as republished in
//! `zsmhub/doudian-sdk` @ `93c52ff` (signing, token calls, message signing) and from the
//! platform's error-code table as transcribed in public SDKs; see each module.
#![deny(missing_docs)]
#![warn(unreachable_pub)]

mod client;
pub mod config;
mod connector;
pub mod errors;
pub mod mapping;
mod pull;
mod push;
pub mod sandbox;
pub mod sign;
pub mod webhook;

pub use config::DouyinConfig;
pub use connector::DouyinConnector;
