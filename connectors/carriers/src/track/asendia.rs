//! Asendia's sync tracking API (`/api/customers/{id}/tracking/{number}`): one parcel per
//! answer, events with UTC times (`Z`). Errors come as RFC 7807 problem documents whose
//! `status` is the HTTP status.

use super::util::{join_non_blank, json, malformed, refusal, Keep};
use super::{parse_utc, CarrierErrorKind, CarrierEvent, ParcelTrack, TrackError};
use serde::Deserialize;

const API: &str = "asendia";

/// Either a parcel or a problem document; told apart by which fields are there.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Answer {
    #[serde(default)]
    tracking_number: Option<String>,
    #[serde(default)]
    tracking_events: Vec<Event>,
    #[serde(default)]
    status: Option<u16>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    detail: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Event {
    code: String,
    time: String,
    #[serde(default)]
    carrier_event_description: String,
    #[serde(default)]
    location_name: String,
    #[serde(default)]
    location_country: String,
}

/// Parses an Asendia tracking answer into its parcel.
pub(super) fn parse(body: &[u8]) -> Result<Vec<ParcelTrack>, TrackError> {
    let answer: Answer = json(API, body)?;
    let Some(tracking_number) = answer.tracking_number else {
        return Err(refused(answer));
    };
    let events = answer
        .tracking_events
        .into_iter()
        .enumerate()
        .map(|(j, e)| {
            let occurred_at = parse_utc(&e.time).ok_or_else(|| {
                malformed(
                    API,
                    format!("trackingEvents[{j}].time: not a date: {:?}", e.time),
                )
            })?;
            Ok(CarrierEvent {
                code: e.code,
                description: e.carrier_event_description,
                occurred_at,
                location: join_non_blank(
                    [Some(e.location_name), Some(e.location_country)],
                    ", ",
                    Keep::Trimmed,
                ),
            })
        })
        .collect::<Result<_, TrackError>>()?;
    Ok(vec![ParcelTrack {
        tracking_number,
        events,
        estimated_delivery: None,
    }])
}

/// A problem document: its HTTP status says what kind; `message` is Asendia's key
/// (`error.tracking.not_found`), `detail` its words.
fn refused(answer: Answer) -> TrackError {
    let Some(status) = answer.status else {
        return malformed(
            API,
            "neither trackingNumber nor a problem status".to_string(),
        );
    };
    let kind = match status {
        404 => CarrierErrorKind::NotFound,
        401 | 403 => CarrierErrorKind::Unauthorized,
        _ => CarrierErrorKind::Other,
    };
    refusal(
        API,
        kind,
        Some(answer.message.unwrap_or_else(|| status.to_string())),
        answer.detail.or(answer.title).unwrap_or_default(),
    )
}
