//! Purolator's Tracking web service, SOAP operation `TrackPackagesByPin`: each
//! `<TrackingInformation>` is a parcel whose `<Scan>`s carry a coarse `ScanType`
//! (`Other`, `ProofOfPickUp`, `OnDelivery`, `Delivery`, `Undeliverable`), a date, a
//! `HHMMSS` time and the depot. Errors come in `<ResponseInformation><Errors>` or as a
//! SOAP fault.

use super::util::{
    join_non_blank, malformed, non_blank, refusal, root_name, utf8, xml, BeforeRoot, Keep,
};
use super::{parse_local, CarrierErrorKind, CarrierEvent, ParcelTrack, TrackError};
use chrono::{Offset, Utc};
use serde::Deserialize;

const API: &str = "purolator";

/// Scan dates and times are the depot's local time without a zone, and Purolator
/// documents none for them, so they are read as UTC.
const TIME_FORMATS: &[&str] = &["%Y-%m-%d %H%M%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"];

#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "Body")]
    body: Body,
}

#[derive(Deserialize)]
struct Body {
    #[serde(rename = "TrackPackagesByPinResponse", default)]
    response: Option<Response>,
    #[serde(rename = "Fault", default)]
    fault: Option<Fault>,
}

#[derive(Deserialize)]
struct Fault {
    #[serde(default)]
    faultcode: Option<String>,
    #[serde(default)]
    faultstring: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Response {
    #[serde(default)]
    response_information: Option<ResponseInformation>,
    #[serde(default)]
    tracking_information_list: Option<TrackingInformationList>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ResponseInformation {
    #[serde(default)]
    errors: Option<Errors>,
}

#[derive(Deserialize)]
struct Errors {
    #[serde(rename = "Error", default)]
    list: Vec<PurolatorError>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PurolatorError {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    additional_information: Option<String>,
}

#[derive(Deserialize)]
struct TrackingInformationList {
    #[serde(rename = "TrackingInformation", default)]
    list: Vec<TrackingInformation>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TrackingInformation {
    #[serde(rename = "PIN")]
    pin: Pin,
    #[serde(default)]
    scans: Option<Scans>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Pin {
    value: String,
}

#[derive(Deserialize)]
struct Scans {
    #[serde(rename = "Scan", default)]
    list: Vec<Scan>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Scan {
    scan_type: String,
    scan_date: String,
    #[serde(default)]
    scan_time: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    depot: Option<Depot>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Depot {
    #[serde(default)]
    name: Option<String>,
}

/// Parses a `TrackPackagesByPin` answer: one parcel per `<TrackingInformation>`. The
/// service repeats scans; identical ones are kept once.
pub(super) fn parse(body: &[u8]) -> Result<Vec<ParcelTrack>, TrackError> {
    let text = utf8(API, body)?;
    let root = root_name(API, text, BeforeRoot::Rejected)?;
    if root != "Envelope" {
        return Err(malformed(
            API,
            format!("root element <{root}> is not a SOAP <Envelope>"),
        ));
    }
    let envelope: Envelope = xml(API, text)?;
    if let Some(fault) = envelope.body.fault {
        return Err(fault_error(fault));
    }
    let response = envelope.body.response.ok_or_else(|| {
        malformed(
            API,
            "Body: no <TrackPackagesByPinResponse> and no <Fault>".into(),
        )
    })?;
    let errors = response
        .response_information
        .and_then(|r| r.errors)
        .map(|e| e.list)
        .unwrap_or_default();
    let infos = response
        .tracking_information_list
        .map(|l| l.list)
        .unwrap_or_default();
    if infos.is_empty() {
        if let Some(first) = errors.into_iter().next() {
            return Err(carrier_error(first));
        }
    }
    infos
        .into_iter()
        .enumerate()
        .map(|(t, info)| parcel(t, info))
        .collect()
}

fn parcel(index: usize, info: TrackingInformation) -> Result<ParcelTrack, TrackError> {
    let path = format!("TrackingInformation[{index}]");
    let tracking_number = info.pin.value.trim().to_string();
    if tracking_number.is_empty() {
        return Err(malformed(API, format!("{path}/PIN/Value: empty")));
    }
    let mut events: Vec<CarrierEvent> = Vec::new();
    for (i, scan) in info
        .scans
        .map(|s| s.list)
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        let event = event(&format!("{path}/Scans/Scan[{i}]"), scan)?;
        if !events.contains(&event) {
            events.push(event);
        }
    }
    Ok(ParcelTrack {
        tracking_number,
        events,
        estimated_delivery: None,
    })
}

fn event(path: &str, scan: Scan) -> Result<CarrierEvent, TrackError> {
    let stamp = match scan.scan_time.as_deref().map(str::trim) {
        Some(time) if !time.is_empty() => format!("{} {time}", scan.scan_date.trim()),
        _ => scan.scan_date.trim().to_string(),
    };
    let occurred_at = parse_local(&stamp, TIME_FORMATS, Utc.fix())
        .ok_or_else(|| malformed(API, format!("{path}: {stamp:?} is not a date and time")))?;
    let description = scan
        .description
        .map(|d| d.trim().trim_end_matches('-').trim_end().to_string())
        .unwrap_or_default();
    Ok(CarrierEvent {
        code: scan.scan_type.trim().to_string(),
        description,
        occurred_at,
        location: scan.depot.and_then(|d| non_blank(d.name, Keep::Trimmed)),
    })
}

fn carrier_error(e: PurolatorError) -> TrackError {
    let message = join_non_blank(
        [e.description, e.additional_information],
        ": ",
        Keep::Trimmed,
    )
    .unwrap_or_default();
    TrackError::Carrier {
        api: API,
        kind: kind_of(&message),
        code: non_blank(e.code, Keep::Trimmed),
        message,
    }
}

fn fault_error(f: Fault) -> TrackError {
    let message = f.faultstring.unwrap_or_default().trim().to_string();
    refusal(
        API,
        kind_of(&message),
        f.faultcode.map(|c| c.trim().to_string()),
        message,
    )
}

fn kind_of(message: &str) -> CarrierErrorKind {
    let lower = message.to_lowercase();
    if lower.contains("not found") || lower.contains("no tracking") || lower.contains("invalid pin")
    {
        CarrierErrorKind::NotFound
    } else if lower.contains("authenticat") || lower.contains("unauthori") {
        CarrierErrorKind::Unauthorized
    } else {
        CarrierErrorKind::Other
    }
}
