//! The own fleet's booking records: which idempotency key got which booking, and each
//! parcel's events. Kept in memory by the adapter (the fleet has no remote API to ask);
//! the host advances a parcel as drivers report ([`FleetLedger::advance`]) and keeps the
//! durable copy in its own store, as it does for every carrier.

use super::number::{first_serial, next_serial, tracking_number};
use chrono::{DateTime, Utc};
use shipgate_sdk::model::{TrackingEvent, TrackingNumber, TrackingStatus, TrackingUpdate};
use shipgate_sdk::{Booking, ConnectorError, ShipmentRequest};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// What a driver reports about a parcel. Each has the status code registered in
/// `mappings/carriers/own_fleet.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FleetEvent {
    /// Collected from the merchant.
    PickedUp,
    /// In the van for today's round.
    OutForDelivery,
    /// Nobody there; another attempt follows.
    DeliveryFailed,
    /// Handed to the recipient.
    Delivered,
    /// Brought back to the merchant.
    Returned,
}

impl FleetEvent {
    /// The fleet's own status code, kept beside the canonical status.
    pub fn code(&self) -> &'static str {
        match self {
            Self::PickedUp => "PICKED_UP",
            Self::OutForDelivery => "OUT_FOR_DELIVERY",
            Self::DeliveryFailed => "DELIVERY_FAILED",
            Self::Delivered => "DELIVERED",
            Self::Returned => "RETURNED",
        }
    }

    /// The canonical status it maps to.
    pub fn status(&self) -> TrackingStatus {
        match self {
            Self::PickedUp => TrackingStatus::InTransit,
            Self::OutForDelivery => TrackingStatus::OutForDelivery,
            Self::DeliveryFailed => TrackingStatus::AttemptFailed,
            Self::Delivered => TrackingStatus::Delivered,
            Self::Returned => TrackingStatus::Returned,
        }
    }
}

/// Status code of a booking nobody has collected yet.
pub(crate) const BOOKED: &str = "BOOKED";
/// Status code of a voided booking.
pub(crate) const CANCELLED: &str = "CANCELLED";

#[derive(Debug, Default)]
struct Records {
    /// Idempotency key → (the request it booked, the booking).
    by_key: HashMap<String, (ShipmentRequest, Booking)>,
    /// Every parcel's events, oldest first.
    events: HashMap<TrackingNumber, Vec<TrackingEvent>>,
}

/// A shared handle on the fleet's records: the adapter books into it, the host keeps a
/// clone to report drivers' events.
#[derive(Debug, Clone, Default)]
pub struct FleetLedger {
    records: Arc<Mutex<Records>>,
}

impl FleetLedger {
    fn lock(&self) -> MutexGuard<'_, Records> {
        // A panic while holding the lock cannot leave the maps half-written (each
        // change is one insert or push), so the data stays usable.
        self.records
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The booking already made under `request.idempotency_key`, or a new one made by
    /// `make` from fresh tracking numbers. The same key with a different request is
    /// refused: it would be a second shipment under the first one's key.
    pub(crate) fn book(
        &self,
        request: &ShipmentRequest,
        at: DateTime<Utc>,
        make: impl FnOnce(Vec<TrackingNumber>) -> Result<Booking, ConnectorError>,
    ) -> Result<Booking, ConnectorError> {
        let mut records = self.lock();
        if let Some((booked, booking)) = records.by_key.get(&request.idempotency_key) {
            if booked != request {
                return Err(ConnectorError::Rejected {
                    status: None,
                    message: format!(
                        "idempotency key {:?} already booked a different shipment ({})",
                        request.idempotency_key, booking.shipment_id
                    ),
                });
            }
            return Ok(booking.clone());
        }
        let mut numbers = Vec::with_capacity(request.parcels.len());
        for index in 0..request.parcels.len() {
            let mut serial = first_serial(&request.idempotency_key, index);
            let mut number = tracking_number(serial)?;
            while records.events.contains_key(&number) || numbers.contains(&number) {
                serial = next_serial(serial);
                number = tracking_number(serial)?;
            }
            numbers.push(number);
        }
        let booking = make(numbers.clone())?;
        for number in numbers {
            let event = event(
                &number,
                TrackingStatus::InfoReceived,
                BOOKED,
                "Booked, awaiting pick-up",
                None,
                at,
            );
            records.events.insert(number, vec![event]);
        }
        records.by_key.insert(
            request.idempotency_key.clone(),
            (request.clone(), booking.clone()),
        );
        Ok(booking)
    }

    /// Records what a driver reported about `number`. A parcel in a final state
    /// (delivered, returned, cancelled) takes no more events.
    pub fn advance(
        &self,
        number: &TrackingNumber,
        what: FleetEvent,
        location: Option<String>,
        at: DateTime<Utc>,
    ) -> Result<(), ConnectorError> {
        let mut records = self.lock();
        let events = records
            .events
            .get_mut(number)
            .ok_or_else(|| ConnectorError::NotFound(format!("own-fleet parcel {number}")))?;
        if let Some(last) = events.last().filter(|e| e.status.is_final()) {
            return Err(ConnectorError::Rejected {
                status: None,
                message: format!(
                    "parcel {number} is already {} ({})",
                    last.carrier_code, last.description
                ),
            });
        }
        let description = match what {
            FleetEvent::PickedUp => "Picked up from the merchant",
            FleetEvent::OutForDelivery => "Out for delivery",
            FleetEvent::DeliveryFailed => "Delivery attempt failed",
            FleetEvent::Delivered => "Delivered",
            FleetEvent::Returned => "Returned to the merchant",
        };
        events.push(event(
            number,
            what.status(),
            what.code(),
            description,
            location,
            at,
        ));
        Ok(())
    }

    /// The events of each known number; unknown numbers are left out.
    pub(crate) fn track(&self, numbers: &[TrackingNumber]) -> Vec<TrackingUpdate> {
        let records = self.lock();
        numbers
            .iter()
            .filter_map(|n| {
                let events = records.events.get(n)?;
                Some(TrackingUpdate {
                    tracking_number: n.clone(),
                    status: events.last().map_or(TrackingStatus::Unknown, |e| e.status),
                    events: events.clone(),
                    estimated_delivery: None,
                })
            })
            .collect()
    }

    /// Voids every parcel of `booking`, if none has been picked up yet.
    pub(crate) fn cancel(
        &self,
        booking: &Booking,
        at: DateTime<Utc>,
    ) -> Result<(), ConnectorError> {
        let mut records = self.lock();
        for number in &booking.tracking_numbers {
            let events = records
                .events
                .get(number)
                .ok_or_else(|| ConnectorError::NotFound(format!("own-fleet parcel {number}")))?;
            match events.last() {
                Some(last) if last.carrier_code == CANCELLED => {}
                Some(last) if last.carrier_code != BOOKED => {
                    return Err(ConnectorError::Rejected {
                        status: None,
                        message: format!(
                            "parcel {number} is already {}: only a booking not yet picked up can be cancelled",
                            last.carrier_code
                        ),
                    })
                }
                _ => {}
            }
        }
        for number in &booking.tracking_numbers {
            if let Some(events) = records.events.get_mut(number) {
                if events.last().is_some_and(|e| e.carrier_code != CANCELLED) {
                    let cancelled = event(
                        number,
                        TrackingStatus::Cancelled,
                        CANCELLED,
                        "Booking cancelled",
                        None,
                        at,
                    );
                    events.push(cancelled);
                }
            }
        }
        Ok(())
    }
}

fn event(
    number: &TrackingNumber,
    status: TrackingStatus,
    code: &str,
    description: &str,
    location: Option<String>,
    at: DateTime<Utc>,
) -> TrackingEvent {
    TrackingEvent {
        tracking_number: number.clone(),
        status,
        carrier_code: code.to_string(),
        description: description.to_string(),
        location,
        occurred_at: at,
    }
}
