//! A loopback Shopify shop for tests and `shipgate demo`: the GraphQL Admin API subset
//! the connector uses (orders with cursor pagination and `updated_at:>=` search, an
//! order's fulfillment orders and fulfillments, `fulfillmentCreate`, a fulfillment's
//! events and `fulfillmentEventCreate`, `shop`), Shopify's
//! token check and error bodies, Shopify's calculated query cost (the single-query
//! ceiling and a leaky bucket charged the requested cost and refunded to the actual
//! one), an optional request-rate limit answering HTTP 429 like Shopify's, and fault
//! injection.

mod bucket;
pub(crate) mod cost;
pub mod data;
mod limit;
mod schema;
mod server;
mod state;

pub use bucket::BucketStatus;
pub use data::{enlarge_order, generate_orders};
pub use server::{SandboxConfig, ShopifySandbox, INVALID_TOKEN_BODY};
pub use state::{RecordedEvent, RecordedFulfillment};
