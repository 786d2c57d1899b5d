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
    /// The carrier's name or code in the vocabulary of the storefront the shipment is
    /// pushed to (Shopify's tracking company, Amazon's `carrierCode`, Douyin's company
    /// code…), filled from the carrier registry just before the push. `None` when the
    /// registry has no spelling for that storefront: a storefront that accepts free text
    /// falls back to `name`, one that accepts only its own codes refuses the push.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storefront_code: Option<String>,
}

impl CarrierRef {
    /// A carrier as a supplier or channel named it, not yet spelled for any storefront.
    pub fn new(code: Option<String>, name: impl Into<String>) -> Self {
        Self {
            code,
            name: name.into(),
            storefront_code: None,
        }
    }
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
