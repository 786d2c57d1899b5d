//! DHL Shipment Tracking – Unified API (`GET /track/shipments?trackingNumber=`): one
//! answer holds shipments of any DHL division, each with its events.
//!
//! Event code: the event's `statusCode` (pre-transit, transit, delivered, failure,
//! unknown), prefixed `universal:` because it shares `dhl_express.toml` with the Express
//! checkpoint codes. Times: with an offset when written so; a timestamp without one is
//! read as UTC (the fixture's shipment status writes the same instant with `Z`).
//! A shipment without events contributes its current `status` as its one event.

use super::util::{join_non_blank, json, malformed, Keep};
use super::{CarrierEvent, ParcelTrack, TrackError};
use chrono::{DateTime, Offset, Utc};
use serde::Deserialize;

const API: &str = "dhl_universal";

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
    id: serde_json::Value,
    status: Option<Event>,
    estimated_time_of_delivery: Option<String>,
    #[serde(default)]
    events: Vec<Event>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Event {
    timestamp: String,
    status_code: Option<String>,
    status: Option<String>,
    description: Option<String>,
    location: Option<Location>,
}

#[derive(Deserialize)]
struct Location {
    address: Option<Address>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Address {
    address_locality: Option<String>,
    country_code: Option<String>,
}

/// Parses a DHL unified tracking answer.
pub(super) fn parse(body: &[u8]) -> Result<Vec<ParcelTrack>, TrackError> {
    let answer: Answer = json(API, body)?;
    let Some(shipments) = answer.shipments else {
        return Err(match answer.status {
            Some(status) => super::mydhl::problem(API, &status, answer.title, answer.detail),
            None => malformed(API, "neither shipments nor an error status".into()),
        });
    };
    shipments
        .into_iter()
        .enumerate()
        .map(|(s, shipment)| {
            let tracking_number = match shipment.id {
                serde_json::Value::String(id) => id,
                serde_json::Value::Number(id) => id.to_string(),
                _ => {
                    return Err(malformed(
                        API,
                        format!("shipments[{s}].id: not a string or number"),
                    ))
                }
            };
            let mut raw = shipment.events;
            if raw.is_empty() {
                raw.extend(shipment.status);
            }
            let events = raw
                .into_iter()
                .enumerate()
                .map(|(e, event)| {
                    to_event(event).ok_or_else(|| {
                        malformed(
                            API,
                            format!("shipments[{s}].events[{e}].timestamp: not a date-time"),
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(ParcelTrack {
                tracking_number,
                events,
                estimated_delivery: shipment
                    .estimated_time_of_delivery
                    .as_deref()
                    .and_then(time),
            })
        })
        .collect()
}

fn time(text: &str) -> Option<DateTime<Utc>> {
    super::parse_utc(text)
        .or_else(|| super::parse_local(text, &["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d"], Utc.fix()))
}

fn to_event(event: Event) -> Option<CarrierEvent> {
    let occurred_at = time(&event.timestamp)?;
    let location = event
        .location
        .and_then(|l| l.address)
        .and_then(|a| join_non_blank([a.address_locality, a.country_code], ", ", Keep::AsWritten));
    let description = join_non_blank([event.status, event.description], ": ", Keep::AsWritten)
        .unwrap_or_default();
    Some(CarrierEvent {
        code: format!(
            "universal:{}",
            event.status_code.unwrap_or_else(|| "unknown".into())
        ),
        description,
        occurred_at,
        location,
    })
}
