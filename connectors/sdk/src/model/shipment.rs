//! A shipment: the parcel that leaves for an order, with the number that tracks it.

use super::TrackingNumber;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Which carrier moves a parcel. Until the carrier registry resolves a name to a code,
/// the name stays exactly as the supplier or the channel wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CarrierRef {
    /// Our carrier code (`ups`, `chronopost`…), once known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The carrier's name as given.
    pub name: String,
}

/// A parcel on its way for one order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shipment {
    /// The number that tracks the parcel.
    pub tracking_number: TrackingNumber,
    /// Who carries it.
    pub carrier: CarrierRef,
    /// A tracking page, when the carrier or supplier gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_url: Option<String>,
    /// When it left (UTC), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipped_at: Option<DateTime<Utc>>,
    /// Whether the storefront should e-mail the buyer about it.
    #[serde(default)]
    pub notify_customer: bool,
}
