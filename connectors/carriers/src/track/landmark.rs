//! Landmark Global's Track API (`Track.php`): XML `<TrackResponse>` with one
//! `<Package>` per parcel, each event a numeric `EventCode` (50 data uploaded … 500
//! delivered), a status text, a local time and a place. A refused request has
//! `<Success>false</Success>` and `<Errors>` (`Login` for bad credentials).

use super::util::{
    kind_by_words, malformed, non_blank, refusal, root_name, utf8, xml, BeforeRoot, Keep,
};
use super::{parse_local, CarrierErrorKind, CarrierEvent, ParcelTrack, TrackError};
use chrono::{Offset, Utc};
use serde::Deserialize;

const API: &str = "landmark";

/// Landmark writes both US-style and ISO local times, without a zone; it documents
/// none, and its events happen on several continents, so they are read as UTC.
const TIME_FORMATS: &[&str] = &[
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %I:%M:%S %p",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
];

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TrackResponse {
    #[serde(default)]
    result: Option<ResultBlock>,
    #[serde(default)]
    errors: Option<Errors>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ResultBlock {
    #[serde(default)]
    success: Option<String>,
    #[serde(default)]
    result_message: Option<String>,
    #[serde(default)]
    packages: Option<Packages>,
}

#[derive(Deserialize)]
struct Errors {
    #[serde(rename = "Error", default)]
    list: Vec<LandmarkError>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct LandmarkError {
    #[serde(default)]
    error_code: Option<String>,
    #[serde(default)]
    error_message: Option<String>,
}

#[derive(Deserialize)]
struct Packages {
    #[serde(rename = "Package", default)]
    list: Vec<Package>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Package {
    #[serde(default)]
    tracking_number: Option<String>,
    #[serde(default)]
    landmark_tracking_number: Option<String>,
    #[serde(default)]
    events: Option<Events>,
}

#[derive(Deserialize)]
struct Events {
    #[serde(rename = "Event", default)]
    list: Vec<Event>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Event {
    event_code: String,
    date_time: String,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    location: Option<String>,
}

/// Parses a tracking answer: one parcel per `<Package>`, numbered by the
/// `TrackingNumber` the shipper tracks by (Landmark's own `LTN…` number when that is
/// empty).
pub(super) fn parse(body: &[u8]) -> Result<Vec<ParcelTrack>, TrackError> {
    let text = utf8(API, body)?;
    let root = root_name(API, text, BeforeRoot::Rejected)?;
    if root != "TrackResponse" {
        return Err(malformed(
            API,
            format!("root element <{root}> is not <TrackResponse>"),
        ));
    }
    let answer: TrackResponse = xml(API, text)?;
    if let Some(first) = answer.errors.and_then(|e| e.list.into_iter().next()) {
        return Err(carrier_error(first));
    }
    let result = answer
        .result
        .ok_or_else(|| malformed(API, "TrackResponse: no <Result> and no <Errors>".into()))?;
    if result.success.as_deref().map(str::trim) != Some("true") {
        return Err(refusal(
            API,
            CarrierErrorKind::Other,
            None,
            result
                .result_message
                .unwrap_or_else(|| "Success is not true".into()),
        ));
    }
    result
        .packages
        .map(|p| p.list)
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(p, package)| parcel(p, package))
        .collect()
}

fn parcel(index: usize, package: Package) -> Result<ParcelTrack, TrackError> {
    let path = format!("Result/Packages/Package[{index}]");
    let tracking_number = non_blank(package.tracking_number, Keep::Trimmed)
        .or(non_blank(package.landmark_tracking_number, Keep::Trimmed))
        .ok_or_else(|| malformed(API, format!("{path}: no TrackingNumber")))?;
    let events = package
        .events
        .map(|e| e.list)
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            let occurred_at =
                parse_local(&e.date_time, TIME_FORMATS, Utc.fix()).ok_or_else(|| {
                    malformed(
                        API,
                        format!(
                            "{path}/Events/Event[{i}]/DateTime: {:?} is not a date and time",
                            e.date_time
                        ),
                    )
                })?;
            Ok(CarrierEvent {
                code: e.event_code.trim().to_string(),
                description: e.status.unwrap_or_default().trim().to_string(),
                occurred_at,
                location: non_blank(e.location, Keep::Trimmed),
            })
        })
        .collect::<Result<_, TrackError>>()?;
    Ok(ParcelTrack {
        tracking_number,
        events,
        estimated_delivery: None,
    })
}

fn carrier_error(e: LandmarkError) -> TrackError {
    let code = non_blank(e.error_code, Keep::Trimmed);
    let message = e.error_message.unwrap_or_default().trim().to_string();
    let kind = if code.as_deref() == Some("Login") {
        CarrierErrorKind::Unauthorized
    } else {
        kind_by_words(
            &message,
            &[
                (CarrierErrorKind::Unauthorized, &["username/password"]),
                (CarrierErrorKind::NotFound, &["not found", "no tracking"]),
            ],
        )
    };
    refusal(API, kind, code, message)
}
