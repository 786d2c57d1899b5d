//! The carrier registry: every carrier shipgate knows, loaded from one TOML file per
//! carrier in `mappings/carriers/`.
//!
//! A carrier that needs no API code is data only: its code, names in each storefront's
//! vocabulary, countries, tracking URL, tracking-number formats with their check-digit
//! rules, and its status codes mapped to the canonical [`TrackingStatus`]. The registry
//! answers three questions the pipeline keeps asking: which carrier is this supplier's
//! free-text name ([`Registry::by_name`]), which carriers can this tracking number belong
//! to ([`Registry::detect`]), and where can a buyer follow it ([`Registry::tracking_url`]).
//!
//! [`TrackingStatus`]: shipgate_sdk::model::TrackingStatus
#![deny(missing_docs)]
#![warn(unreachable_pub)]

pub mod adapters;
mod checksum;
mod detect;
mod error;
mod evidence;
mod format;
mod profile;
mod registry;
pub mod shopping;
mod spec;
pub mod track;

pub use checksum::Checksum;
pub use detect::Detection;
pub use error::RegistryError;
pub use format::TrackingFormat;
pub use profile::{CarrierProfile, Countries, Vocabulary};
pub use registry::Registry;
