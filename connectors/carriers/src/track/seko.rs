//! SEKO Logistics' Omni tracking API (`GET /labels/status`): a JSON array of
//! consignments, each with events coded by SEKO's own `OmniCode` (`OP-72` delivered…)
//! beside the last-mile carrier's `Code`. A refused request is an object with `Errors`.

use super::util::{first_byte, json, kind_by_words, malformed, non_blank, refusal, Keep};
use super::{parse_local, CarrierErrorKind, CarrierEvent, ParcelTrack, TrackError};
use chrono::{Offset, Utc};
use serde::Deserialize;

const API: &str = "seko";

/// `EventDT` has no offset and SEKO documents no zone for it, so it is read as UTC.
const TIME_FORMATS: &[&str] = &["%Y-%m-%dT%H:%M:%S%.f"];

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Consignment {
    consignment_no: String,
    #[serde(default)]
    events: Vec<Event>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Event {
    #[serde(rename = "EventDT")]
    event_dt: String,
    omni_code: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    location: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Refusal {
    errors: Vec<RefusalError>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RefusalError {
    #[serde(default)]
    property: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

/// Parses a tracking answer: several consignments per answer.
pub(super) fn parse(body: &[u8]) -> Result<Vec<ParcelTrack>, TrackError> {
    if first_byte(body) == Some(b'{') {
        let refusal: Refusal = json(API, body)?;
        return Err(refusal_error(refusal));
    }
    let consignments: Vec<Consignment> = json(API, body)?;
    consignments
        .into_iter()
        .enumerate()
        .map(|(c, consignment)| {
            let events = consignment
                .events
                .into_iter()
                .enumerate()
                .map(|(i, e)| event(c, i, e))
                .collect::<Result<_, _>>()?;
            Ok(ParcelTrack {
                tracking_number: consignment.consignment_no,
                events,
                estimated_delivery: None,
            })
        })
        .collect()
}

fn event(consignment: usize, index: usize, e: Event) -> Result<CarrierEvent, TrackError> {
    let occurred_at = parse_local(&e.event_dt, TIME_FORMATS, Utc.fix()).ok_or_else(|| {
        malformed(
            API,
            format!(
                "[{consignment}].Events[{index}].EventDT: {:?} is not a date-time",
                e.event_dt
            ),
        )
    })?;
    Ok(CarrierEvent {
        code: e.omni_code,
        description: e
            .description
            .map(|d| d.trim().to_string())
            .unwrap_or_default(),
        occurred_at,
        location: non_blank(e.location, Keep::AsWritten),
    })
}

fn refusal_error(answer: Refusal) -> TrackError {
    let message = answer
        .errors
        .iter()
        .map(|e| match (&e.property, &e.message) {
            (Some(p), Some(m)) => format!("{p}: {m}"),
            (None, Some(m)) => m.clone(),
            (Some(p), None) => p.clone(),
            (None, None) => String::new(),
        })
        .filter(|m| !m.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    let kind = kind_by_words(
        &message,
        &[
            (CarrierErrorKind::NotFound, &["not found"]),
            (CarrierErrorKind::Unauthorized, &["unauthori", "access key"]),
        ],
    );
    refusal(API, kind, None, message)
}
