//! Hermes Germany's shipment-info API (HSI `shipmentinfo`): one answer lists every
//! requested shipment, each with its status history or its own `result` error, so an
//! unknown number does not spoil the others. Status timestamps carry their offset; the
//! delivery forecast is a German local date and time window, read at German time.

use super::util::{join_non_blank, json, malformed, refusal, Keep};
use super::{parse_utc, CarrierErrorKind, CarrierEvent, ParcelTrack, TrackError};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::Deserialize;

const API: &str = "hermes";

#[derive(Debug, Deserialize)]
struct Answer {
    shipmentinfo: Vec<Shipment>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Shipment {
    #[serde(rename = "shipmentID")]
    shipment_id: String,
    #[serde(default)]
    delivery_forecast: Option<Forecast>,
    #[serde(default)]
    status: Vec<Status>,
    #[serde(default)]
    result: Option<Refusal>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Forecast {
    date: String,
    #[serde(default)]
    time_slot: Option<TimeSlot>,
}

#[derive(Debug, Deserialize)]
struct TimeSlot {
    to: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Status {
    timestamp: String,
    code: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    scanning_unit: Option<ScanningUnit>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ScanningUnit {
    #[serde(default)]
    city: String,
    #[serde(default)]
    country_code: String,
}

#[derive(Debug, Deserialize)]
struct Refusal {
    code: String,
    #[serde(default)]
    message: String,
}

/// Parses a Hermes shipment-info answer into its parcels.
pub(super) fn parse(body: &[u8]) -> Result<Vec<ParcelTrack>, TrackError> {
    let answer: Answer = json(API, body)?;
    let mut parcels = Vec::new();
    let mut refusal = None;
    for (i, shipment) in answer.shipmentinfo.into_iter().enumerate() {
        if let Some(r) = shipment.result {
            refusal.get_or_insert(refused(r));
            continue;
        }
        let events = shipment
            .status
            .into_iter()
            .enumerate()
            .map(|(j, s)| event(i, j, s))
            .collect::<Result<_, _>>()?;
        parcels.push(ParcelTrack {
            tracking_number: shipment.shipment_id,
            events,
            estimated_delivery: shipment.delivery_forecast.and_then(forecast),
        });
    }
    match refusal {
        Some(error) if parcels.is_empty() => Err(error),
        _ => Ok(parcels),
    }
}

fn event(i: usize, j: usize, s: Status) -> Result<CarrierEvent, TrackError> {
    let occurred_at = parse_utc(&s.timestamp).ok_or_else(|| {
        malformed(
            API,
            format!(
                "shipmentinfo[{i}].status[{j}].timestamp: not a date: {:?}",
                s.timestamp
            ),
        )
    })?;
    let location = s
        .scanning_unit
        .and_then(|u| join_non_blank([Some(u.city), Some(u.country_code)], ", ", Keep::Trimmed));
    Ok(CarrierEvent {
        code: s.code,
        description: s.description,
        occurred_at,
        location,
    })
}

/// The end of the forecast window (or the day itself when there is none), at German
/// local time: the latest moment Hermes promises.
fn forecast(f: Forecast) -> Option<DateTime<Utc>> {
    let day = NaiveDate::parse_from_str(f.date.trim(), "%Y-%m-%d").ok()?;
    let time = match f.time_slot {
        Some(slot) => NaiveTime::parse_from_str(slot.to.trim(), "%H:%M").ok()?,
        None => NaiveTime::MIN,
    };
    super::central_european(day.and_time(time))
}

/// Hermes answers `e001` for a number it has no information about.
fn refused(r: Refusal) -> TrackError {
    let kind = match r.code.as_str() {
        "e001" => CarrierErrorKind::NotFound,
        _ => CarrierErrorKind::Other,
    };
    refusal(API, kind, Some(r.code), r.message)
}
