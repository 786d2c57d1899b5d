//! USPS Tracking API v3 (`GET /tracking/v3/tracking/{number}`): one parcel per answer,
//! its `trackingEvents` newest first.
//!
//! Event code: the event's `eventCode` (01 delivered, OF out for delivery, GX label
//! created…). Times: `GMTTimestamp` is UTC and is used; when it is missing the local
//! `eventTimestamp` is read at the event's `GMTOffset`, and at UTC without one. Error
//! answers are the API's `{"error": {…}}` and the OAuth server's
//! `{"error": "invalid_client", …}`.

use super::util::{at_path, join_non_blank, kind_of_status, malformed, Keep};
use super::{CarrierErrorKind, CarrierEvent, ParcelTrack, TrackError};
use chrono::{DateTime, Offset, Utc};
use serde::Deserialize;

#[derive(Deserialize)]
struct ErrorAnswer {
    error: ErrorBody,
    error_description: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ErrorBody {
    OAuth(String),
    Api(ApiError),
}

#[derive(Deserialize)]
struct ApiError {
    code: Option<String>,
    message: Option<String>,
    #[serde(default)]
    errors: Vec<ErrorDetail>,
}

#[derive(Deserialize)]
struct ErrorDetail {
    status: Option<String>,
    code: Option<String>,
    title: Option<String>,
    detail: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Tracking {
    tracking_number: String,
    #[serde(default)]
    tracking_events: Vec<Event>,
    expected_delivery_date: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Event {
    event_type: Option<String>,
    event_code: Option<String>,
    event_timestamp: Option<String>,
    #[serde(rename = "GMTTimestamp")]
    gmt_timestamp: Option<String>,
    #[serde(rename = "GMTOffset")]
    gmt_offset: Option<String>,
    event_city: Option<String>,
    event_state: Option<String>,
    event_country: Option<String>,
    #[serde(rename = "eventZIP")]
    event_zip: Option<String>,
}

/// Parses a USPS Tracking API v3 answer.
pub(super) fn parse(body: &[u8]) -> Result<Vec<ParcelTrack>, TrackError> {
    parse_as("usps", body)
}

/// Parses a USPS tracking answer, naming `api` in errors (the international tracking
/// answers are the same shape).
pub(super) fn parse_as(api: &'static str, body: &[u8]) -> Result<Vec<ParcelTrack>, TrackError> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| malformed(api, e.to_string()))?;
    let typed = |e| at_path(api, e);
    if value.get("error").is_some() {
        let error: ErrorAnswer = serde_path_to_error::deserialize(&value).map_err(typed)?;
        return Err(carrier_error(api, error));
    }
    let trackings: Vec<Tracking> = if value.is_array() {
        serde_path_to_error::deserialize(&value).map_err(typed)?
    } else {
        vec![serde_path_to_error::deserialize(&value).map_err(typed)?]
    };
    trackings
        .into_iter()
        .enumerate()
        .map(|(t, tracking)| {
            let events = tracking
                .tracking_events
                .into_iter()
                .enumerate()
                .map(|(e, event)| {
                    to_event(event).ok_or_else(|| {
                        malformed(
                            api,
                            format!("[{t}].trackingEvents[{e}]: no readable timestamp"),
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(ParcelTrack {
                tracking_number: tracking.tracking_number,
                events,
                estimated_delivery: tracking
                    .expected_delivery_date
                    .as_deref()
                    .and_then(|d| super::parse_local(d, &["%Y-%m-%d"], Utc.fix())),
            })
        })
        .collect()
}

fn to_event(event: Event) -> Option<CarrierEvent> {
    let occurred_at = occurred_at(&event)?;
    Some(CarrierEvent {
        code: event.event_code.unwrap_or_default(),
        description: event.event_type.unwrap_or_default(),
        occurred_at,
        location: join_non_blank(
            [
                event.event_city,
                event.event_state,
                event.event_zip,
                event.event_country,
            ],
            ", ",
            Keep::AsWritten,
        ),
    })
}

fn occurred_at(event: &Event) -> Option<DateTime<Utc>> {
    if let Some(t) = event.gmt_timestamp.as_deref().and_then(super::parse_utc) {
        return Some(t);
    }
    let local = event.event_timestamp.as_deref()?;
    match event.gmt_offset.as_deref() {
        Some(offset) => super::parse_utc(&format!("{local}{offset}")),
        None => super::parse_local(local, &["%Y-%m-%dT%H:%M:%S%.f"], Utc.fix()),
    }
}

fn carrier_error(api: &'static str, answer: ErrorAnswer) -> TrackError {
    match answer.error {
        ErrorBody::OAuth(code) => TrackError::Carrier {
            api,
            kind: CarrierErrorKind::Unauthorized,
            message: answer.error_description.unwrap_or_else(|| code.clone()),
            code: Some(code),
        },
        ErrorBody::Api(error) => {
            let detail = error.errors.first();
            let status = detail
                .and_then(|d| d.status.as_deref())
                .or(error.code.as_deref());
            let kind = status.map_or(CarrierErrorKind::Other, kind_of_status);
            let message = error
                .message
                .clone()
                .or_else(|| detail.and_then(|d| d.detail.clone().or(d.title.clone())))
                .unwrap_or_default();
            TrackError::Carrier {
                api,
                kind,
                code: error.code.or_else(|| detail.and_then(|d| d.code.clone())),
                message,
            }
        }
    }
}
