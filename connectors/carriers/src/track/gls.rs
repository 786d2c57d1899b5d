//! GLS's Track And Trace V1 API (`/track-and-trace-v1/tracking/simple/trackids/…`): one
//! answer lists every requested parcel, each either with its events or with its own
//! `errorCode`, so unknown numbers do not spoil known ones. Times carry their offset
//! (`+0200`).

use super::util::{join_non_blank, json, kind_of_status, malformed, refusal, Keep};
use super::{parse_utc, CarrierErrorKind, CarrierEvent, ParcelTrack, TrackError};
use serde::Deserialize;

const API: &str = "gls";

#[derive(Debug, Deserialize)]
struct Answer {
    parcels: Vec<Parcel>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Parcel {
    requested: String,
    #[serde(default)]
    unitno: Option<String>,
    #[serde(default)]
    events: Vec<Event>,
    #[serde(default)]
    error_code: Option<String>,
    #[serde(default)]
    error_message: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Event {
    code: String,
    #[serde(default)]
    description: String,
    event_date_time: String,
    #[serde(default)]
    city: String,
    #[serde(default)]
    country: String,
}

/// Parses a GLS tracking answer into its parcels.
pub(super) fn parse(body: &[u8]) -> Result<Vec<ParcelTrack>, TrackError> {
    let answer: Answer = json(API, body)?;
    let mut parcels = Vec::new();
    let mut refusal = None;
    for (i, parcel) in answer.parcels.into_iter().enumerate() {
        if let Some(code) = parcel.error_code {
            refusal.get_or_insert(refused(code, parcel.error_message));
            continue;
        }
        let events = parcel
            .events
            .into_iter()
            .enumerate()
            .map(|(j, e)| event(i, j, e))
            .collect::<Result<_, _>>()?;
        parcels.push(ParcelTrack {
            tracking_number: parcel.unitno.unwrap_or(parcel.requested),
            events,
            estimated_delivery: None,
        });
    }
    match refusal {
        Some(error) if parcels.is_empty() => Err(error),
        _ => Ok(parcels),
    }
}

fn event(i: usize, j: usize, e: Event) -> Result<CarrierEvent, TrackError> {
    let occurred_at = parse_utc(&e.event_date_time).ok_or_else(|| {
        malformed(
            API,
            format!(
                "parcels[{i}].events[{j}].eventDateTime: not a date: {:?}",
                e.event_date_time
            ),
        )
    })?;
    Ok(CarrierEvent {
        code: e.code,
        description: e.description,
        occurred_at,
        location: join_non_blank([Some(e.city), Some(e.country)], ", ", Keep::Trimmed),
    })
}

/// GLS error codes read `E_<http status>_<n>`: `E_404_…` is an unknown number,
/// `E_401_…`/`E_403_…` refused credentials.
fn refused(code: String, message: Option<String>) -> TrackError {
    let kind = code
        .split('_')
        .nth(1)
        .map_or(CarrierErrorKind::Other, kind_of_status);
    refusal(API, kind, Some(code), message.unwrap_or_default())
}
