//! DPD's ParcelLifeCycle web service (SOAP, `getTrackingData` 2.0). Its answer lists
//! the parcel's `statusInfo` steps but never repeats the parcel number that was asked
//! for: the parcel comes out unnamed, and `Registry::parse_tracking` names it with the
//! number the request asked about.
//!
//! Dates are US-style local times without offset (`8/17/2021 7:11:26 PM`); DPD documents
//! no zone for them, so they are read as UTC.

use super::util::{malformed, non_blank, refusal, utf8, xml, Keep};
use super::{parse_local, CarrierErrorKind, CarrierEvent, ParcelTrack, TrackError};
use chrono::{Offset, Utc};
use serde::Deserialize;

const API: &str = "dpd";

#[derive(Debug, Deserialize)]
struct Envelope {
    #[serde(rename = "Body")]
    body: Body,
}

#[derive(Debug, Deserialize)]
struct Body {
    #[serde(rename = "getTrackingDataResponse", default)]
    response: Option<Response>,
    #[serde(rename = "Fault", default)]
    fault: Option<Fault>,
}

#[derive(Debug, Deserialize)]
struct Fault {
    #[serde(default)]
    faultstring: String,
    #[serde(default)]
    detail: Option<Detail>,
}

/// DPD puts its own error in the fault's detail: `authenticationFault` for refused
/// credentials, `faults` for everything else.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Detail {
    #[serde(default)]
    authentication_fault: Option<AuthenticationFault>,
    #[serde(default)]
    faults: Option<Faults>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AuthenticationFault {
    #[serde(default)]
    error_code: Option<String>,
    #[serde(default)]
    error_message: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Faults {
    #[serde(default)]
    fault_code: Option<String>,
    #[serde(default)]
    message: String,
}

#[derive(Debug, Deserialize)]
struct Response {
    trackingresult: TrackingResult,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TrackingResult {
    #[serde(default)]
    status_info: Vec<StatusInfo>,
}

#[derive(Debug, Deserialize)]
struct StatusInfo {
    status: String,
    #[serde(default)]
    label: Option<ContentLine>,
    #[serde(default)]
    description: Option<ContentItem>,
    #[serde(default)]
    location: Option<ContentLine>,
    #[serde(default)]
    date: Option<ContentLine>,
}

/// One line of DPD's display text.
#[derive(Debug, Deserialize)]
struct ContentLine {
    #[serde(default)]
    content: String,
}

/// A block of display lines.
#[derive(Debug, Deserialize)]
struct ContentItem {
    #[serde(default)]
    content: Vec<ContentLine>,
}

/// The registry's parser: DPD's faults as carrier errors; a successful answer is
/// `Malformed` because it does not name its parcel (use [`parse_for`]).
pub(super) fn parse(body: &[u8]) -> Result<Vec<ParcelTrack>, TrackError> {
    let result = read_result(body)?;
    if result.status_info.is_empty() {
        return Err(refusal(
            API,
            CarrierErrorKind::NotFound,
            None,
            "no tracking data for the parcel asked about".to_string(),
        ));
    }
    let events = result
        .status_info
        .into_iter()
        .enumerate()
        .map(|(j, s)| event(j, s))
        .collect::<Result<_, _>>()?;
    Ok(vec![ParcelTrack {
        tracking_number: String::new(),
        events,
        estimated_delivery: None,
    }])
}

fn read_result(body: &[u8]) -> Result<TrackingResult, TrackError> {
    let envelope: Envelope = xml(API, utf8(API, body)?)?;
    if let Some(fault) = envelope.body.fault {
        return Err(refused(fault));
    }
    envelope
        .body
        .response
        .map(|r| r.trackingresult)
        .ok_or_else(|| {
            malformed(
                API,
                "Body holds neither getTrackingDataResponse nor Fault".to_string(),
            )
        })
}

fn refused(fault: Fault) -> TrackError {
    let detail = fault.detail.unwrap_or(Detail {
        authentication_fault: None,
        faults: None,
    });
    if let Some(auth) = detail.authentication_fault {
        return refusal(
            API,
            CarrierErrorKind::Unauthorized,
            auth.error_code,
            auth.error_message,
        );
    }
    let (code, message) = match detail.faults {
        Some(f) => (f.fault_code, f.message),
        None => (None, fault.faultstring),
    };
    refusal(API, CarrierErrorKind::Other, code, message)
}

/// The status name is the code; the description's lines (or the label) the words.
fn event(j: usize, s: StatusInfo) -> Result<CarrierEvent, TrackError> {
    let date = s.date.map(|d| d.content).unwrap_or_default();
    let occurred_at =
        parse_local(&date, &["%m/%d/%Y %I:%M:%S %p"], Utc.fix()).ok_or_else(|| {
            malformed(
                API,
                format!("trackingresult.statusInfo[{j}].date: not a date: {date:?}"),
            )
        })?;
    let lines: Vec<String> = s
        .description
        .map(|d| {
            d.content
                .into_iter()
                .map(|l| l.content.trim().to_string())
                .collect()
        })
        .unwrap_or_default();
    let description = match lines.join(" ") {
        text if text.trim().is_empty() => s.label.map(|l| l.content).unwrap_or_default(),
        text => text,
    };
    let location = non_blank(s.location.map(|l| l.content), Keep::Trimmed);
    Ok(CarrierEvent {
        code: s.status,
        description,
        occurred_at,
        location,
    })
}
