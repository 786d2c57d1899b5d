//! A loopback Shopify shop for tests and `shipgate demo`: the GraphQL Admin API subset
//! the connector uses (orders with cursor pagination and `updated_at:>=` search, an
//! order's fulfillment orders and fulfillments, `fulfillmentCreate`, `shop`), Shopify's
//! token check and error bodies, a calculated-cost bucket, and fault injection.

mod bucket;
pub mod data;
mod schema;
mod server;
mod state;

pub use bucket::BucketStatus;
pub use data::generate_orders;
pub use server::{SandboxConfig, ShopifySandbox, INVALID_TOKEN_BODY};
pub use state::RecordedFulfillment;
