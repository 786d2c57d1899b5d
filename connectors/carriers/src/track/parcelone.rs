//! ParcelOne's tracking REST API, in its two shapes: the documented one
//! (`P1Trackno` + `TrackingEvents`, each event dated in UTC and in CET, or `Error` when
//! the number is unknown yet) and the older `success`/`results` one, whose `DateTime`
//! has no offset. ParcelOne dates its events in German time (its documented field is
//! `EventdateCET`), so offset-less times are read as German local time, summer time
//! included. The older shape names only the last-mile carrier's number
//! (`CarrierTrackingID`), which becomes the parcel's number.

use super::util::{json, malformed, non_blank, refusal, Keep};
use super::{parse_utc, CarrierErrorKind, CarrierEvent, ParcelTrack, TrackError};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Deserialize;

const API: &str = "parcelone";

/// Every top-level field of both shapes; which ones are present says which shape.
#[derive(Debug, Deserialize)]
struct Answer {
    #[serde(default)]
    success: Option<i64>,
    #[serde(default)]
    results: Option<Results>,
    #[serde(rename = "P1Trackno", default)]
    p1_trackno: Option<String>,
    #[serde(rename = "TrackingEvents", default)]
    tracking_events: Vec<TrackingEvent>,
    #[serde(rename = "Error", default)]
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Results {
    #[serde(default)]
    status_code: Option<String>,
    #[serde(rename = "CarrierTrackingID", default)]
    carrier_tracking_id: Option<String>,
    #[serde(default)]
    events: Vec<ResultEvent>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ResultEvent {
    date_time: String,
    status_code: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    location: String,
}

#[derive(Debug, Deserialize)]
struct TrackingEvent {
    #[serde(rename = "EventdateUTC")]
    eventdate_utc: String,
    #[serde(rename = "Statuscode")]
    statuscode: String,
    #[serde(rename = "Status", default)]
    status: String,
    #[serde(rename = "Location", default)]
    location: String,
}

/// Parses a ParcelOne tracking answer into its parcel.
pub(super) fn parse(body: &[u8]) -> Result<Vec<ParcelTrack>, TrackError> {
    let answer: Answer = json(API, body)?;
    if let Some(message) = answer.error {
        return Err(refusal(API, CarrierErrorKind::NotFound, None, message));
    }
    if let Some(number) = answer.p1_trackno {
        return documented(number, answer.tracking_events);
    }
    match (answer.success, answer.results) {
        (Some(1), Some(results)) => older(results),
        (Some(flag), _) if flag != 1 => Err(TrackError::Carrier {
            api: API,
            kind: CarrierErrorKind::Other,
            code: Some(format!("success={flag}")),
            message: String::new(),
        }),
        _ => Err(malformed(
            API,
            "neither P1Trackno, success/results nor Error".to_string(),
        )),
    }
}

fn documented(number: String, events: Vec<TrackingEvent>) -> Result<Vec<ParcelTrack>, TrackError> {
    let events = events
        .into_iter()
        .enumerate()
        .map(|(j, e)| {
            let occurred_at = parse_utc(&e.eventdate_utc).ok_or_else(|| {
                malformed(
                    API,
                    format!(
                        "TrackingEvents[{j}].EventdateUTC: not a date: {:?}",
                        e.eventdate_utc
                    ),
                )
            })?;
            Ok(event(e.statuscode, e.status, occurred_at, e.location))
        })
        .collect::<Result<_, TrackError>>()?;
    Ok(vec![ParcelTrack {
        tracking_number: number,
        events,
        estimated_delivery: None,
    }])
}

/// The older shape says an unknown number with `StatusCode: UNKNOWN`, no carrier number
/// and no events.
fn older(results: Results) -> Result<Vec<ParcelTrack>, TrackError> {
    let Some(number) = non_blank(results.carrier_tracking_id, Keep::AsWritten) else {
        return Err(refusal(
            API,
            CarrierErrorKind::NotFound,
            results.status_code,
            "no tracking data for this number".to_string(),
        ));
    };
    let events = results
        .events
        .into_iter()
        .enumerate()
        .map(|(j, e)| {
            let occurred_at =
                NaiveDateTime::parse_from_str(e.date_time.trim(), "%Y-%m-%dT%H:%M:%S")
                    .ok()
                    .and_then(super::central_european)
                    .ok_or_else(|| {
                        malformed(
                            API,
                            format!(
                                "results.Events[{j}].DateTime: not a date: {:?}",
                                e.date_time
                            ),
                        )
                    })?;
            Ok(event(e.status_code, e.description, occurred_at, e.location))
        })
        .collect::<Result<_, TrackError>>()?;
    Ok(vec![ParcelTrack {
        tracking_number: number,
        events,
        estimated_delivery: None,
    }])
}

fn event(
    code: String,
    description: String,
    occurred_at: DateTime<Utc>,
    location: String,
) -> CarrierEvent {
    CarrierEvent {
        code,
        description,
        occurred_at,
        location: non_blank(Some(location), Keep::Trimmed),
    }
}
