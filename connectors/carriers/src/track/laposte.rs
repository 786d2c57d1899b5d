//! La Poste's Suivi API (v2, `idships`), which tracks Colissimo parcels and Lettre
//! suivie alike. One number answers an object, several numbers an array of them; each
//! answer carries its own `returnCode`, so an unknown number among known ones does not
//! spoil the rest. Every date carries its offset (`+01:00`).

use super::util::{first_byte, json, malformed, refusal};
use super::{parse_utc, CarrierErrorKind, CarrierEvent, ParcelTrack, TrackError};
use serde::Deserialize;

const API: &str = "laposte";

/// One answer: a shipment when `returnCode` is 200, else the carrier's refusal.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Answer {
    return_code: u16,
    #[serde(default)]
    return_message: Option<String>,
    #[serde(default)]
    shipment: Option<Shipment>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Shipment {
    id_ship: String,
    #[serde(default)]
    event: Vec<Event>,
    #[serde(default)]
    estim_date: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Event {
    code: String,
    #[serde(default)]
    label: String,
    date: String,
}

/// Parses a Suivi answer (one object or an array of them) into its parcels.
pub(super) fn parse(body: &[u8]) -> Result<Vec<ParcelTrack>, TrackError> {
    let answers: Vec<Answer> = match first_byte(body) {
        Some(b'[') => json(API, body)?,
        _ => vec![json(API, body)?],
    };
    let mut parcels = Vec::new();
    let mut refusal = None;
    for (i, answer) in answers.into_iter().enumerate() {
        match (answer.return_code, answer.shipment) {
            (200, Some(shipment)) => parcels.push(parcel(i, shipment)?),
            (200, None) => {
                return Err(malformed(
                    API,
                    format!("[{i}]: returnCode 200 without shipment"),
                ))
            }
            (code, _) => {
                refusal.get_or_insert(refused(code, answer.return_message));
            }
        }
    }
    match refusal {
        Some(error) if parcels.is_empty() => Err(error),
        _ => Ok(parcels),
    }
}

fn parcel(i: usize, shipment: Shipment) -> Result<ParcelTrack, TrackError> {
    let events = shipment
        .event
        .into_iter()
        .enumerate()
        .map(|(j, e)| {
            let occurred_at = parse_utc(&e.date).ok_or_else(|| {
                malformed(
                    API,
                    format!("[{i}].shipment.event[{j}].date: not a date: {:?}", e.date),
                )
            })?;
            Ok(CarrierEvent {
                code: e.code,
                description: e.label,
                occurred_at,
                location: None,
            })
        })
        .collect::<Result<_, TrackError>>()?;
    Ok(ParcelTrack {
        tracking_number: shipment.id_ship,
        events,
        estimated_delivery: shipment.estim_date.as_deref().and_then(parse_utc),
    })
}

/// La Poste answers 400 for a number it cannot read and 404 for one it does not know:
/// either way the number has nothing to track. 401 means the `X-Okapi-Key` was refused.
fn refused(code: u16, message: Option<String>) -> TrackError {
    let kind = match code {
        400 | 404 => CarrierErrorKind::NotFound,
        401 | 403 => CarrierErrorKind::Unauthorized,
        _ => CarrierErrorKind::Other,
    };
    refusal(
        API,
        kind,
        Some(code.to_string()),
        message.unwrap_or_default(),
    )
}
