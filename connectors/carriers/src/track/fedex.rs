//! FedEx Track API (`POST /track/v1/trackingnumbers`): one answer holds a result per
//! number asked, each with scan events.
//!
//! Event code: the scan's `eventType` (PU, AR, DP, OD, DL…). Times: FedEx writes scan
//! dates with their offset, so they convert exactly. A number FedEx does not know comes
//! back as a result with an `error` and no scans; it is left out, and the answer is an
//! error only when no number had scans. A proof-of-delivery answer (same API family,
//! `documentType`) is not a tracking answer and is refused as malformed.

use super::util::{join_non_blank, json, malformed, non_blank, refusal, Keep};
use super::{CarrierErrorKind, CarrierEvent, ParcelTrack, TrackError};
use serde::Deserialize;

const API: &str = "fedex";

#[derive(Deserialize)]
struct Answer {
    output: Option<Output>,
    #[serde(default)]
    errors: Vec<Message>,
}

#[derive(Deserialize, Clone)]
struct Message {
    code: Option<String>,
    message: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Output {
    complete_track_results: Option<Vec<CompleteTrackResult>>,
    document_type: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CompleteTrackResult {
    tracking_number: Option<String>,
    #[serde(default)]
    track_results: Vec<TrackResult>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TrackResult {
    tracking_number_info: Option<TrackingNumberInfo>,
    #[serde(default)]
    scan_events: Vec<ScanEvent>,
    error: Option<Message>,
    estimated_delivery_time_window: Option<TimeWindow>,
    #[serde(default)]
    date_and_times: Vec<DateAndTime>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TrackingNumberInfo {
    tracking_number: Option<String>,
}

#[derive(Deserialize)]
struct TimeWindow {
    window: Option<Window>,
}

#[derive(Deserialize)]
struct Window {
    begins: Option<String>,
    ends: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DateAndTime {
    date_time: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ScanEvent {
    date: String,
    event_type: Option<String>,
    derived_status_code: Option<String>,
    event_description: Option<String>,
    scan_location: Option<ScanLocation>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ScanLocation {
    city: Option<String>,
    state_or_province_code: Option<String>,
    country_code: Option<String>,
}

/// Parses a FedEx Track API answer.
pub(super) fn parse(body: &[u8]) -> Result<Vec<ParcelTrack>, TrackError> {
    let answer: Answer = json(API, body)?;
    if let Some(first) = answer.errors.first() {
        return Err(carrier_error(first));
    }
    let output = answer
        .output
        .ok_or_else(|| malformed(API, "no output".into()))?;
    if let Some(document) = output.document_type {
        return Err(malformed(
            API,
            format!("output is a {document} document, not a tracking answer"),
        ));
    }
    let results = output
        .complete_track_results
        .ok_or_else(|| malformed(API, "output: no completeTrackResults".into()))?;
    let mut parcels = Vec::new();
    let mut first_error = None;
    for (c, complete) in results.into_iter().enumerate() {
        for (t, result) in complete.track_results.into_iter().enumerate() {
            if result.scan_events.is_empty() {
                if let Some(error) = result.error {
                    first_error = first_error.or(Some(error));
                    continue;
                }
            }
            let number = result
                .tracking_number_info
                .and_then(|i| non_blank(i.tracking_number, Keep::AsWritten))
                .or_else(|| complete.tracking_number.clone())
                .ok_or_else(|| {
                    malformed(
                        API,
                        format!("completeTrackResults[{c}].trackResults[{t}]: no tracking number"),
                    )
                })?;
            let events = result
                .scan_events
                .into_iter()
                .enumerate()
                .map(|(s, scan)| {
                    event(scan).ok_or_else(|| {
                        malformed(API, format!(
                            "completeTrackResults[{c}].trackResults[{t}].scanEvents[{s}].date: no offset or not a date"
                        ))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let estimated_delivery = result
                .date_and_times
                .iter()
                .find(|d| d.kind.as_deref() == Some("ESTIMATED_DELIVERY"))
                .and_then(|d| d.date_time.as_deref())
                .and_then(super::parse_utc)
                .or_else(|| {
                    let window = result.estimated_delivery_time_window?.window?;
                    window
                        .ends
                        .as_deref()
                        .and_then(super::parse_utc)
                        .or_else(|| window.begins.as_deref().and_then(super::parse_utc))
                });
            parcels.push(ParcelTrack {
                tracking_number: number,
                events,
                estimated_delivery,
            });
        }
    }
    match (parcels.is_empty(), first_error) {
        (true, Some(error)) => Err(carrier_error(&error)),
        _ => Ok(parcels),
    }
}

fn event(scan: ScanEvent) -> Option<CarrierEvent> {
    let occurred_at = super::parse_utc(&scan.date)?;
    let location = scan.scan_location.and_then(|l| {
        join_non_blank(
            [l.city, l.state_or_province_code, l.country_code],
            ", ",
            Keep::AsWritten,
        )
    });
    Some(CarrierEvent {
        code: scan
            .event_type
            .or(scan.derived_status_code)
            .unwrap_or_default(),
        description: scan.event_description.unwrap_or_default(),
        occurred_at,
        location,
    })
}

fn carrier_error(error: &Message) -> TrackError {
    let code = error.code.clone();
    let upper = code.as_deref().unwrap_or_default().to_ascii_uppercase();
    let kind = if upper.contains("NOTFOUND") {
        CarrierErrorKind::NotFound
    } else if upper.contains("AUTHORIZ") || upper.contains("AUTHENTICAT") {
        CarrierErrorKind::Unauthorized
    } else {
        CarrierErrorKind::Other
    };
    refusal(API, kind, code, error.message.clone().unwrap_or_default())
}
