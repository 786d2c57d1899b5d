//! MyDHL API tracking (`GET /shipments/{number}/tracking`, DHL Express): one answer holds
//! shipments, each with its events.
//!
//! Event code: the event's `typeCode` (PU picked up, OK delivered…), the same checkpoint
//! codes as the DHL Express XML service, so both share `dhl_express.toml`. Times: `date`
//! and `time` are local at the service area; read with the event's `GMTOffset` when the
//! answer gives it, else as UTC (the area's zone is not in the answer). Errors are RFC 7807
//! problem answers (`status`, `title`, `detail`).

use super::util::{json, json_text, kind_of_status, malformed, non_blank, Keep};
use super::{CarrierEvent, ParcelTrack, TrackError};
use chrono::{DateTime, Offset, Utc};
use serde::Deserialize;

const API: &str = "mydhl";

#[derive(Deserialize)]
struct Answer {
    shipments: Option<Vec<Shipment>>,
    status: Option<serde_json::Value>,
    title: Option<String>,
    detail: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Shipment {
    shipment_tracking_number: String,
    estimated_time_of_delivery: Option<String>,
    #[serde(default)]
    events: Vec<Event>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Event {
    date: String,
    time: Option<String>,
    #[serde(rename = "GMTOffset")]
    gmt_offset: Option<String>,
    type_code: Option<String>,
    description: Option<String>,
    #[serde(default)]
    service_area: Vec<ServiceArea>,
}

#[derive(Deserialize)]
struct ServiceArea {
    code: Option<String>,
    description: Option<String>,
}

/// Parses a MyDHL API tracking answer.
pub(super) fn parse(body: &[u8]) -> Result<Vec<ParcelTrack>, TrackError> {
    let answer: Answer = json(API, body)?;
    let Some(shipments) = answer.shipments else {
        return Err(match answer.status {
            Some(status) => problem(API, &status, answer.title, answer.detail),
            None => malformed(API, "neither shipments nor an error status".into()),
        });
    };
    shipments
        .into_iter()
        .enumerate()
        .map(|(s, shipment)| {
            let events = shipment
                .events
                .into_iter()
                .enumerate()
                .map(|(e, event)| {
                    to_event(event).ok_or_else(|| {
                        malformed(
                            API,
                            format!("shipments[{s}].events[{e}]: unreadable date/time"),
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(ParcelTrack {
                tracking_number: shipment.shipment_tracking_number,
                events,
                estimated_delivery: shipment
                    .estimated_time_of_delivery
                    .as_deref()
                    .and_then(|t| super::parse_utc(t).or_else(|| local(t))),
            })
        })
        .collect()
}

fn local(text: &str) -> Option<DateTime<Utc>> {
    super::parse_local(
        text,
        &["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"],
        Utc.fix(),
    )
}

fn to_event(event: Event) -> Option<CarrierEvent> {
    let text = format!(
        "{}T{}",
        event.date.trim(),
        event.time.as_deref().unwrap_or("00:00:00").trim()
    );
    let occurred_at = match event.gmt_offset.as_deref() {
        Some(offset) => super::parse_utc(&format!("{text}{}", offset.trim()))?,
        None => local(&text)?,
    };
    let location = event
        .service_area
        .into_iter()
        .next()
        .and_then(|a| non_blank(a.description.or(a.code), Keep::AsWritten));
    Some(CarrierEvent {
        code: event.type_code.unwrap_or_default(),
        description: event.description.unwrap_or_default(),
        occurred_at,
        location,
    })
}

/// An RFC 7807 problem answer (`status` as number or string) as a carrier error; the DHL
/// unified tracking API answers the same way.
pub(super) fn problem(
    api: &'static str,
    status: &serde_json::Value,
    title: Option<String>,
    detail: Option<String>,
) -> TrackError {
    let code = json_text(status.clone());
    TrackError::Carrier {
        api,
        kind: kind_of_status(&code),
        code: Some(code),
        message: detail.or(title).unwrap_or_default(),
    }
}
