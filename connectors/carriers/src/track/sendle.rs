//! Sendle's parcel tracking API (`GET /api/tracking/{ref}`): one JSON parcel whose
//! events are typed by `event_type` ("Pickup", "In Transit", "Delivered"…) and dated by
//! `scan_time` in UTC. Errors are `{"error", "error_description"}`.
//!
//! The answer does not repeat the Sendle reference it was asked for; the parcel's
//! `tracking_number` is `sendle_reference` when the body carries one and empty
//! otherwise, for the caller who knows the number it asked about to fill in.

use super::util::{json, malformed, non_blank, Keep};
use super::{parse_local, parse_utc, CarrierErrorKind, CarrierEvent, ParcelTrack, TrackError};
use chrono::{Offset, Utc};
use serde::Deserialize;

const API: &str = "sendle";

#[derive(Deserialize)]
struct Answer {
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    error_description: Option<String>,
    #[serde(default)]
    sendle_reference: Option<String>,
    #[serde(default)]
    tracking_events: Option<Vec<Event>>,
    #[serde(default)]
    scheduling: Option<Scheduling>,
}

#[derive(Deserialize)]
struct Event {
    event_type: String,
    scan_time: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    location: Option<String>,
}

#[derive(Deserialize)]
struct Scheduling {
    #[serde(default)]
    estimated_delivery_date_maximum: Option<String>,
    #[serde(default)]
    estimated_delivery_date_minimum: Option<String>,
}

/// Parses a tracking answer.
pub(super) fn parse(body: &[u8]) -> Result<Vec<ParcelTrack>, TrackError> {
    let answer: Answer = json(API, body)?;
    if let Some(code) = answer.error {
        let kind = match code.as_str() {
            "not_found" => CarrierErrorKind::NotFound,
            "unauthorised" | "unauthorized" | "forbidden" => CarrierErrorKind::Unauthorized,
            _ => CarrierErrorKind::Other,
        };
        return Err(TrackError::Carrier {
            api: API,
            kind,
            message: answer.error_description.unwrap_or_else(|| code.clone()),
            code: Some(code),
        });
    }
    let events = answer
        .tracking_events
        .ok_or_else(|| malformed(API, "tracking_events: missing, and no error".into()))?
        .into_iter()
        .enumerate()
        .map(|(i, e)| event(i, e))
        .collect::<Result<_, _>>()?;
    // Sendle gives delivery estimates as dates alone; the latest one, read as midnight
    // UTC, is the promise a buyer is held to.
    let estimated_delivery = answer.scheduling.and_then(|s| {
        [
            s.estimated_delivery_date_maximum,
            s.estimated_delivery_date_minimum,
        ]
        .into_iter()
        .flatten()
        .find_map(|d| parse_local(&d, &["%Y-%m-%d"], Utc.fix()))
    });
    Ok(vec![ParcelTrack {
        tracking_number: answer.sendle_reference.unwrap_or_default(),
        events,
        estimated_delivery,
    }])
}

fn event(index: usize, e: Event) -> Result<CarrierEvent, TrackError> {
    let occurred_at = parse_utc(&e.scan_time).ok_or_else(|| {
        malformed(
            API,
            format!(
                "tracking_events[{index}].scan_time: {:?} is not an RFC 3339 time",
                e.scan_time
            ),
        )
    })?;
    let description = match (e.description, e.reason) {
        (Some(d), Some(r)) if !r.trim().is_empty() => format!("{d} ({r})"),
        (Some(d), _) => d,
        (None, Some(r)) => r,
        (None, None) => String::new(),
    };
    Ok(CarrierEvent {
        code: e.event_type,
        description,
        occurred_at,
        location: non_blank(e.location, Keep::AsWritten),
    })
}
