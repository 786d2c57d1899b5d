//! The canonical model: one shape for every order, whatever channel it came from.
//!
//! Money is always [`rust_decimal::Decimal`] with an ISO 4217 [`Currency`], times are UTC,
//! weights are grams and lengths millimetres, countries ISO 3166-1 alpha-2. Each value
//! type validates itself on construction or in [`Order::validate`], and a failure names
//! the field path and the offending value.

mod address;
mod codes;
mod money;
mod order;
pub mod phone;
mod shipment;
mod tracking;

pub use address::Address;
pub use codes::{CountryCode, Currency};
pub use money::Money;
pub use order::{
    Channel, DeliveryConditions, Dimensions, Order, OrderLine, OrderStatus, Payment, SourceRef,
};
pub use shipment::{CarrierRef, Shipment};
pub use tracking::{TrackingEvent, TrackingNumber, TrackingStatus, TrackingUpdate};

use sha2::{Digest, Sha256};

/// The content hash that keys a raw payload in the store and ties an order to the bytes
/// it was made from, so a replay can prove which input produced which order.
pub fn content_hash(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}
