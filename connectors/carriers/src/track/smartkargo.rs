//! SmartKargo's tracking API (`GET /tracking?prefix=…&Airwaybill=…`): a flat JSON array
//! of piece events, each naming its air waybill (`prefix` + `airWaybill`, the number
//! shippers track by) and coded with SmartKargo's three-letter event types (`BKD`
//! booked… `DDL` delivered). Errors are `{"error": {"code", "message"}}`.

use super::util::{first_byte, json, malformed, non_blank, Keep};
use super::{parse_local, CarrierErrorKind, CarrierEvent, ParcelTrack, TrackError};
use chrono::{Offset, Utc};
use serde::Deserialize;

const API: &str = "smartkargo";

/// `eventDate` has no offset and SmartKargo documents no zone for it, so it is read as
/// UTC (the airport's local time is not given either).
const TIME_FORMATS: &[&str] = &["%Y-%m-%dT%H:%M:%S%.f"];

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Event {
    #[serde(default)]
    prefix: Option<String>,
    air_waybill: String,
    event_type: String,
    event_date: String,
    #[serde(default)]
    event_location: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    estimated_delivery_date: Option<String>,
}

#[derive(Deserialize)]
struct Refusal {
    error: RefusalError,
}

#[derive(Deserialize)]
struct RefusalError {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

/// Parses a tracking answer; events of several waybills become several parcels, in
/// the order each waybill first appears.
pub(super) fn parse(body: &[u8]) -> Result<Vec<ParcelTrack>, TrackError> {
    if first_byte(body) == Some(b'{') {
        let refusal: Refusal = json(API, body)?;
        return Err(refusal_error(refusal.error));
    }
    let events: Vec<Event> = json(API, body)?;
    let mut parcels: Vec<ParcelTrack> = Vec::new();
    for (i, e) in events.into_iter().enumerate() {
        let number = format!(
            "{}{}",
            e.prefix.as_deref().unwrap_or_default().trim(),
            e.air_waybill.trim()
        );
        let occurred_at = read_time(&e.event_date).ok_or_else(|| {
            malformed(
                API,
                format!("[{i}].eventDate: {:?} is not a date-time", e.event_date),
            )
        })?;
        let estimated = e.estimated_delivery_date.as_deref().and_then(read_time);
        let event = CarrierEvent {
            code: e.event_type,
            description: e.description.unwrap_or_default(),
            occurred_at,
            location: non_blank(e.event_location, Keep::AsWritten),
        };
        match parcels.iter_mut().find(|p| p.tracking_number == number) {
            Some(parcel) => {
                parcel.events.push(event);
                parcel.estimated_delivery = parcel.estimated_delivery.or(estimated);
            }
            None => parcels.push(ParcelTrack {
                tracking_number: number,
                events: vec![event],
                estimated_delivery: estimated,
            }),
        }
    }
    Ok(parcels)
}

fn read_time(text: &str) -> Option<chrono::DateTime<Utc>> {
    parse_local(text, TIME_FORMATS, Utc.fix())
}

fn refusal_error(e: RefusalError) -> TrackError {
    let kind = match e.code.as_deref() {
        Some("NOT_FOUND") => CarrierErrorKind::NotFound,
        Some("UNAUTHORIZED" | "FORBIDDEN") => CarrierErrorKind::Unauthorized,
        _ => CarrierErrorKind::Other,
    };
    TrackError::Carrier {
        api: API,
        kind,
        message: e.message.or_else(|| e.code.clone()).unwrap_or_default(),
        code: e.code,
    }
}
