//! A loopback Douyin gateway for tests and `shipgate demo`: the same paths
//! (`/order/searchList`, `/order/orderDetail`, `/order/batchDecrypt`,
//! `/order/logisticsAdd`, `/token/create`, `/token/refresh`), the same signature and
//! access-token checks and the same envelope and error codes as the platform, paging,
//! throttling (code 60000), encrypted recipients, and fault injection.
//!
//! Its orders are **constructed** from the field list in
//! `shared/fixtures/marketplaces/douyin/schema-catalog.json` (no captured payload exists):
//! every name and type follows the official SDK's structs; the values are invented.

mod data;
mod server;
mod state;

pub use server::{DouyinSandbox, LogisticsCall, SandboxConfig};
