//! A loopback Selling Partner API for tests and `shipgate demo`: the Orders API
//! 2026-01-01 `searchOrders` and `getOrder`, v0 `confirmShipment`, and a Login with
//! Amazon token endpoint, on Amazon's paths, with Amazon's error bodies, access-token
//! check, per-operation token buckets (429 `QuotaExceeded`, `x-amzn-RateLimit-Limit`),
//! `paginationToken` paging, fault injection and a record of confirmed shipments.
//!
//! Its data are the orders of Amazon's public sandbox pairs (`fixtures/`, Apache-2.0),
//! plus orders generated from those shapes for volume.

pub mod data;
mod server;
mod state;

pub use server::{AmazonSandbox, SandboxConfig, DENIED_BODY, QUOTA_BODY};
pub use state::ConfirmedShipment;
