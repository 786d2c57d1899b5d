//! Spring GDS's XBS API, command `TrackShipment`: one JSON shipment whose events carry a
//! numeric code, a Unix timestamp and the place. `ErrorLevel` 0 is success, 1 success
//! with warnings, 10 a failed command with the reason in `Error`.

use super::util::{join_non_blank, json, kind_by_words, malformed, refusal, Keep};
use super::{CarrierErrorKind, CarrierEvent, ParcelTrack, TrackError};
use chrono::{DateTime, Offset, Utc};
use serde::Deserialize;

const API: &str = "spring";

/// The XBS error level at and above which the command failed.
const FATAL_LEVEL: i64 = 10;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Answer {
    error_level: i64,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    shipment: Option<Shipment>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Shipment {
    tracking_number: String,
    #[serde(default)]
    events: Vec<Event>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Event {
    code: Code,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    timestamp: Option<i64>,
    #[serde(default)]
    date_time: Option<String>,
    #[serde(default)]
    city: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    country: Option<String>,
}

/// XBS writes event codes as numbers; a string code is accepted as written.
#[derive(Deserialize)]
#[serde(untagged)]
enum Code {
    Number(i64),
    Text(String),
}

impl Code {
    fn into_string(self) -> String {
        match self {
            Code::Number(n) => n.to_string(),
            Code::Text(s) => s,
        }
    }
}

/// Parses a `TrackShipment` answer.
pub(super) fn parse(body: &[u8]) -> Result<Vec<ParcelTrack>, TrackError> {
    let answer: Answer = json(API, body)?;
    let shipment = match answer.shipment {
        Some(shipment) if answer.error_level < FATAL_LEVEL => shipment,
        _ => return Err(carrier_error(answer.error_level, answer.error)),
    };
    let events = shipment
        .events
        .into_iter()
        .enumerate()
        .map(|(i, e)| event(i, e))
        .collect::<Result<_, _>>()?;
    Ok(vec![ParcelTrack {
        tracking_number: shipment.tracking_number,
        events,
        estimated_delivery: None,
    }])
}

fn event(index: usize, e: Event) -> Result<CarrierEvent, TrackError> {
    // `Timestamp` is Unix time, so UTC by definition; `DateTime` is the same instant
    // written without a zone and is only read (as UTC) when the timestamp is missing.
    let occurred_at = match (e.timestamp, e.date_time.as_deref()) {
        (Some(ts), _) => DateTime::<Utc>::from_timestamp(ts, 0),
        (None, Some(text)) => super::parse_local(text, &["%Y-%m-%d %H:%M:%S"], Utc.fix()),
        (None, None) => None,
    }
    .ok_or_else(|| {
        malformed(
            API,
            format!("Shipment.Events[{index}]: no readable Timestamp or DateTime"),
        )
    })?;
    Ok(CarrierEvent {
        code: e.code.into_string(),
        description: e.description.unwrap_or_default(),
        occurred_at,
        location: join_non_blank([e.city, e.state, e.country], ", ", Keep::Trimmed),
    })
}

fn carrier_error(level: i64, message: Option<String>) -> TrackError {
    let message = message
        .filter(|m| !m.trim().is_empty())
        .unwrap_or_else(|| format!("ErrorLevel {level} without a shipment"));
    let kind = kind_by_words(
        &message,
        &[
            (CarrierErrorKind::NotFound, &["not found"]),
            (
                CarrierErrorKind::Unauthorized,
                &["apikey", "api key", "unauthori"],
            ),
        ],
    );
    refusal(API, kind, None, message)
}
