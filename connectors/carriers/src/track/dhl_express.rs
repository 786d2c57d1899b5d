//! DHL Express XML Services tracking (`KnownTrackingRequest` → `req:TrackingResponse`):
//! one answer holds an `AWBInfo` per waybill asked, each with its checkpoint events.
//!
//! Event code: the checkpoint's `EventCode` (PU picked up, AF arrived at facility, WC with
//! delivery courier, OK delivered…). Times: `Date` and `Time` are local at the event's
//! service area and the answer carries no offset nor zone (the area is a free-text city),
//! so they are read as UTC; events of one waybill may then be off by the areas' offsets.
//! A waybill whose `ActionStatus` is not `success` (e.g. "No Shipments Found") is left
//! out; the answer is an error only when no waybill was found.

use super::util::{malformed, non_blank, refusal, squash, utf8, xml, Keep};
use super::{CarrierErrorKind, CarrierEvent, ParcelTrack, TrackError};
use chrono::{Offset, Utc};
use serde::Deserialize;

const API: &str = "dhl_express";

#[derive(Deserialize)]
struct Answer {
    #[serde(rename = "Response")]
    response: Option<Response>,
    #[serde(rename = "AWBInfo", default)]
    awbs: Vec<AwbInfo>,
}

#[derive(Deserialize)]
struct Response {
    #[serde(rename = "Status")]
    status: Option<Status>,
}

#[derive(Deserialize)]
struct Status {
    #[serde(rename = "ActionStatus")]
    action_status: Option<String>,
    #[serde(rename = "Condition", default)]
    conditions: Vec<Condition>,
}

#[derive(Deserialize)]
struct Condition {
    #[serde(rename = "ConditionCode")]
    code: Option<String>,
    #[serde(rename = "ConditionData")]
    data: Option<String>,
}

#[derive(Deserialize)]
struct AwbInfo {
    #[serde(rename = "AWBNumber")]
    number: String,
    #[serde(rename = "Status")]
    status: Option<Status>,
    #[serde(rename = "ShipmentInfo")]
    info: Option<ShipmentInfo>,
}

#[derive(Deserialize)]
struct ShipmentInfo {
    #[serde(rename = "ShipmentEvent", default)]
    events: Vec<ShipmentEvent>,
}

#[derive(Deserialize)]
struct ShipmentEvent {
    #[serde(rename = "Date")]
    date: String,
    #[serde(rename = "Time")]
    time: Option<String>,
    #[serde(rename = "ServiceEvent")]
    service_event: Option<ServiceEvent>,
    #[serde(rename = "ServiceArea")]
    service_area: Option<ServiceArea>,
}

#[derive(Deserialize)]
struct ServiceEvent {
    #[serde(rename = "EventCode")]
    code: Option<String>,
    #[serde(rename = "Description")]
    description: Option<String>,
}

#[derive(Deserialize)]
struct ServiceArea {
    #[serde(rename = "ServiceAreaCode")]
    code: Option<String>,
    #[serde(rename = "Description")]
    description: Option<String>,
}

/// Parses a DHL Express XML tracking answer.
pub(super) fn parse(body: &[u8]) -> Result<Vec<ParcelTrack>, TrackError> {
    let text = utf8(API, body)?;
    let answer: Answer = xml(API, text)?;
    let response_status = answer.response.and_then(|r| r.status);
    if let Some(status) = &response_status {
        if !is_success(status) {
            return Err(carrier_error(status));
        }
    }
    if answer.awbs.is_empty() {
        return Err(malformed(API, "no AWBInfo in the answer".into()));
    }
    let mut parcels = Vec::new();
    let mut first_failure = None;
    for (a, awb) in answer.awbs.into_iter().enumerate() {
        if let Some(status) = awb.status.filter(|s| !is_success(s)) {
            first_failure = first_failure.or(Some(status));
            continue;
        }
        let events = awb
            .info
            .map(|i| i.events)
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(e, event)| {
                to_event(event).ok_or_else(|| {
                    malformed(
                        API,
                        format!("AWBInfo[{a}].ShipmentEvent[{e}]: unreadable Date/Time"),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        parcels.push(ParcelTrack {
            tracking_number: awb.number.trim().to_string(),
            events,
            estimated_delivery: None,
        });
    }
    match (parcels.is_empty(), first_failure) {
        (true, Some(status)) => Err(carrier_error(&status)),
        _ => Ok(parcels),
    }
}

fn is_success(status: &Status) -> bool {
    status
        .action_status
        .as_deref()
        .is_some_and(|s| s.trim().eq_ignore_ascii_case("success"))
}

/// Collapses the line breaks and indentation DHL leaves inside descriptions.
fn words(text: Option<String>) -> Option<String> {
    non_blank(text.map(|t| squash(&t)), Keep::AsWritten)
}

fn to_event(event: ShipmentEvent) -> Option<CarrierEvent> {
    let text = format!(
        "{} {}",
        event.date.trim(),
        event.time.as_deref().unwrap_or("00:00:00").trim()
    );
    let occurred_at =
        super::parse_local(&text, &["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"], Utc.fix())?;
    let (code, description) = event
        .service_event
        .map(|s| {
            (
                s.code.unwrap_or_default(),
                words(s.description).unwrap_or_default(),
            )
        })
        .unwrap_or_default();
    Some(CarrierEvent {
        code: code.trim().to_string(),
        description,
        occurred_at,
        location: event
            .service_area
            .and_then(|a| words(a.description).or(words(a.code))),
    })
}

fn carrier_error(status: &Status) -> TrackError {
    let action = status.action_status.clone().unwrap_or_default();
    let condition = status.conditions.first();
    let message = condition
        .and_then(|c| words(c.data.clone()))
        .unwrap_or_else(|| action.trim().to_string());
    let lower = format!("{action} {message}").to_ascii_lowercase();
    let kind = if lower.contains("no shipments found") || lower.contains("not found") {
        CarrierErrorKind::NotFound
    } else if lower.contains("password") || lower.contains("login") || lower.contains("authoriz") {
        CarrierErrorKind::Unauthorized
    } else {
        CarrierErrorKind::Other
    };
    refusal(
        API,
        kind,
        condition
            .and_then(|c| c.code.clone())
            .map(|c| c.trim().to_string()),
        message,
    )
}
