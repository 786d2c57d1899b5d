//! The pipeline jobs of DESIGN.md: `PullOrders`, `Normalize`, `PushBack`, and the
//! supplier tracking import that feeds `PushBack`.
//!
//! Each job is small and safe to run twice: raw payloads are keyed by hash, orders are
//! upserted, shipments are unique per (order, tracking number), and every remote effect
//! goes through the effects ledger.

mod carriers;
mod dead_letters;
pub mod drop_import;
mod error;
mod handler;
mod normalize;
mod pull;
mod push_back;
pub mod replay;
mod route;
mod stats;
mod track;
pub use track::{PushedTrackingError, TRACK_BATCH};
pub mod track_policy;
pub mod tracking_import;

pub use carriers::supplier_shipment;
pub use dead_letters::StoreDeadLetters;
pub use handler::Pipeline;
pub use push_back::fulfillment_key;
pub use stats::{PipelineStats, StatsSnapshot};
