//! Teleship's tracking API: one JSON shipment with events coded in snake_case
//! (`collected`, `in_hub`, `delivered`…) and RFC 3339 timestamps; errors come as
//! `messages` carrying the HTTP status as their code.

use super::util::{json, json_text, kind_of_status, malformed, non_blank, refusal, Keep};
use super::{parse_local, parse_utc, CarrierErrorKind, CarrierEvent, ParcelTrack, TrackError};
use chrono::{Offset, Utc};
use serde::Deserialize;

const API: &str = "teleship";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Answer {
    #[serde(default)]
    tracking_number: Option<String>,
    #[serde(default)]
    estimated_delivery: Option<String>,
    #[serde(default)]
    events: Vec<Event>,
    #[serde(default)]
    messages: Vec<Message>,
}

#[derive(Deserialize)]
struct Event {
    timestamp: String,
    code: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    location: Option<String>,
}

#[derive(Deserialize)]
struct Message {
    #[serde(default)]
    code: Option<serde_json::Value>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    details: Vec<String>,
}

/// Parses a tracking answer.
pub(super) fn parse(body: &[u8]) -> Result<Vec<ParcelTrack>, TrackError> {
    let answer: Answer = json(API, body)?;
    if let Some(first) = answer.messages.into_iter().next() {
        return Err(carrier_error(first));
    }
    let tracking_number = answer
        .tracking_number
        .and_then(|n| non_blank(Some(n), Keep::AsWritten))
        .ok_or_else(|| malformed(API, "trackingNumber: missing, and no error messages".into()))?;
    let events = answer
        .events
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            let occurred_at = parse_utc(&e.timestamp).ok_or_else(|| {
                malformed(
                    API,
                    format!("events[{i}].timestamp: {:?} is not RFC 3339", e.timestamp),
                )
            })?;
            Ok(CarrierEvent {
                code: e.code,
                description: e.description.unwrap_or_default(),
                occurred_at,
                location: non_blank(e.location, Keep::AsWritten),
            })
        })
        .collect::<Result<_, TrackError>>()?;
    // A date alone ("2025-01-20"), read as midnight UTC: Teleship gives no zone for it.
    let estimated_delivery = answer
        .estimated_delivery
        .as_deref()
        .and_then(|d| parse_utc(d).or_else(|| parse_local(d, &["%Y-%m-%d"], Utc.fix())));
    Ok(vec![ParcelTrack {
        tracking_number,
        events,
        estimated_delivery,
    }])
}

fn carrier_error(m: Message) -> TrackError {
    let code = m.code.map(json_text);
    let kind = code
        .as_deref()
        .map_or(CarrierErrorKind::Other, kind_of_status);
    let mut message = m.message.unwrap_or_default();
    for detail in m.details {
        message = if message.is_empty() {
            detail
        } else {
            format!("{message}; {detail}")
        };
    }
    refusal(API, kind, code, message)
}
