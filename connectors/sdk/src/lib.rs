//! The contract every shipgate connector builds on.
//!
//! A connector crate (Shopify, CSV, a carrier…) depends on this crate only: it maps its
//! remote shapes into the [`model`] types, reports failures as [`ConnectorError`] or
//! [`MappingError`] so the host can decide between retry, dead list and quarantine, and
//! implements [`Source`], [`Storefront`] and/or [`Carrier`]. Nothing here knows about a specific
//! remote system, the store or the queue.
#![deny(missing_docs)]
#![warn(unreachable_pub)]

pub mod budget;
pub mod carrier;
pub mod error;
pub mod http;
pub mod model;
pub mod oauth;
pub mod sandbox;
pub mod source;
pub mod storefront;
#[cfg(feature = "testkit")]
pub mod testkit;

pub use budget::{url_host, Account, BudgetError, LocalBudget, Pace, RequestBudget, RequestRate};
pub use carrier::{
    Booking, Capabilities, Carrier, CarrierInfo, Label, LabelFormat, Parcel, Rate, RateRequest,
    ServiceInfo, ShipmentRequest,
};
pub use error::{ConnectorError, MappingError, ValidationError};
pub use source::{Cursor, Origin, Page, RawOrder, RejectedRecord, Source};
pub use storefront::{RemoteRef, StatusPush, Storefront};
