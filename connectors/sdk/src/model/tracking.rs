//! Tracking numbers, events and the one status enum every carrier maps into.

use crate::error::ValidationError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A tracking number in its canonical form: white space removed, upper case, 4 to 64
/// ASCII letters, digits or dashes. Suppliers type them with spaces and lower case;
/// comparing raw strings would let the same parcel be pushed twice.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct TrackingNumber(String);

impl TrackingNumber {
    /// Canonicalizes and checks a tracking number as a supplier or carrier gave it.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let canonical: String = raw
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if !(4..=64).contains(&canonical.len()) {
            return Err(ValidationError::new(
                "tracking_number",
                raw,
                "must be 4 to 64 characters long",
            ));
        }
        if let Some(bad) = canonical
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
        {
            return Err(ValidationError::new(
                "tracking_number",
                raw,
                format!("contains {bad:?}; only letters, digits and '-' are allowed"),
            ));
        }
        Ok(Self(canonical))
    }

    /// The canonical form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TrackingNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for TrackingNumber {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

/// The canonical tracking status. Small on purpose: storefronts and buyers need to know
/// where a parcel stands, not each carrier's hundred codes (kept beside it in
/// [`TrackingEvent::carrier_code`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrackingStatus {
    /// The carrier has the shipment data but not the parcel.
    InfoReceived,
    /// Moving through the network (picked up, sorted, delayed…).
    InTransit,
    /// On the van for delivery today.
    OutForDelivery,
    /// Waiting at a pick-up point or locker.
    AvailableForPickup,
    /// A delivery attempt failed; the carrier will try again or hold it.
    AttemptFailed,
    /// Handed to the recipient. Final.
    Delivered,
    /// Something is wrong (damaged, customs hold, address problem).
    Exception,
    /// On its way back to the sender.
    ReturningToSender,
    /// Back with the sender. Final.
    Returned,
    /// The shipment was cancelled before it moved. Final.
    Cancelled,
    /// The carrier stopped tracking it. Final.
    Expired,
    /// A carrier code nobody has mapped yet.
    Unknown,
}

impl TrackingStatus {
    /// A final status ends polling: nothing will change any more.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            Self::Delivered | Self::Returned | Self::Cancelled | Self::Expired
        )
    }
}

/// One thing that happened to a parcel, as a carrier reported it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackingEvent {
    /// The parcel.
    pub tracking_number: TrackingNumber,
    /// Canonical status.
    pub status: TrackingStatus,
    /// The carrier's own status code, kept for audits and mapping fixes.
    pub carrier_code: String,
    /// The carrier's own words.
    pub description: String,
    /// Where it happened, when the carrier says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// When it happened, in UTC.
    pub occurred_at: DateTime<Utc>,
}

/// What a carrier says about one parcel: its events in time order and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackingUpdate {
    /// The parcel.
    pub tracking_number: TrackingNumber,
    /// Canonical status of the latest event (`unknown` when there is none).
    pub status: TrackingStatus,
    /// Every event, oldest first.
    pub events: Vec<TrackingEvent>,
    /// When the carrier expects to deliver, if it says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_delivery: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracking_numbers_are_canonicalized() {
        let n = TrackingNumber::parse(" 1z 999aa1 0123456784 ").unwrap();
        assert_eq!(n.as_str(), "1Z999AA10123456784");
        assert_eq!(TrackingNumber::parse("1Z999AA10123456784").unwrap(), n);
    }

    #[test]
    fn bad_tracking_numbers_name_the_reason() {
        let err = TrackingNumber::parse("AB").unwrap_err();
        assert_eq!(err.value, "AB");
        assert!(err.reason.contains("4 to 64"));
        let err = TrackingNumber::parse("12345/678").unwrap_err();
        assert!(err.reason.contains("'/'"), "{}", err.reason);
    }

    #[test]
    fn statuses_serialize_as_in_the_design() {
        let s = serde_json::to_string(&TrackingStatus::AvailableForPickup).unwrap();
        assert_eq!(s, "\"available_for_pickup\"");
        assert!(TrackingStatus::Delivered.is_final());
        assert!(!TrackingStatus::AttemptFailed.is_final());
    }
}
