//! DHL Paket (Germany) Sendungsverfolgung XML (`d-get-piece-detail`): nested `<data>`
//! elements whose attributes carry everything — the list, each piece, its event list and
//! events.
//!
//! Event code: the event's `standard-event-code` (ES posted, AA left parcel centre, EE
//! destination parcel centre, PO in delivery, ZU delivered…). Times: `dd.mm.yyyy hh:mm`
//! German local time without offset (the answer states no zone), read as
//! Europe/Berlin: CET, CEST under the EU summer-time rule.
//! List `code` other than 0 is an error answer (100 "No data found" → not found).

use super::util::{join_non_blank, malformed, non_blank, refusal, utf8, xml, Keep};
use super::{CarrierErrorKind, CarrierEvent, ParcelTrack, TrackError};
use serde::Deserialize;

const API: &str = "dhl_parcel_de";

/// One `<data>` element: every attribute this parser reads, and its children.
#[derive(Deserialize)]
struct Data {
    #[serde(rename = "@name")]
    name: Option<String>,
    #[serde(rename = "@code")]
    code: Option<String>,
    #[serde(rename = "@error")]
    error: Option<String>,
    #[serde(rename = "@error-status")]
    error_status: Option<String>,
    #[serde(rename = "@piece-code")]
    piece_code: Option<String>,
    #[serde(rename = "@searched-piece-code")]
    searched_piece_code: Option<String>,
    #[serde(rename = "@event-timestamp")]
    event_timestamp: Option<String>,
    #[serde(rename = "@event-text")]
    event_text: Option<String>,
    #[serde(rename = "@event-status")]
    event_status: Option<String>,
    #[serde(rename = "@event-location")]
    event_location: Option<String>,
    #[serde(rename = "@event-country")]
    event_country: Option<String>,
    #[serde(rename = "@standard-event-code")]
    standard_event_code: Option<String>,
    #[serde(rename = "data", default)]
    children: Vec<Data>,
}

/// Parses a DHL Paket tracking answer.
pub(super) fn parse(body: &[u8]) -> Result<Vec<ParcelTrack>, TrackError> {
    let text = utf8(API, body)?;
    let list: Data = xml(API, text)?;
    if list.name.as_deref() != Some("piece-shipment-list") {
        return Err(malformed(
            API,
            "root <data> is not name=\"piece-shipment-list\"".into(),
        ));
    }
    let code = list.code.as_deref().map(str::trim).unwrap_or("0");
    if code != "0" {
        return Err(carrier_error(code, list.error.unwrap_or_default()));
    }
    let mut parcels = Vec::new();
    let mut first_error = None;
    for (p, piece) in list.children.into_iter().enumerate() {
        let status = piece.error_status.as_deref().map(str::trim).unwrap_or("0");
        if status != "0" {
            first_error =
                first_error.or(Some((status.to_string(), piece.error.unwrap_or_default())));
            continue;
        }
        let number = piece
            .piece_code
            .or(piece.searched_piece_code)
            .and_then(|n| non_blank(Some(n), Keep::AsWritten))
            .ok_or_else(|| malformed(API, format!("piece-shipment[{p}]: no piece-code")))?;
        let events = piece
            .children
            .into_iter()
            .filter(|c| c.name.as_deref() == Some("piece-event-list"))
            .flat_map(|list| list.children)
            .enumerate()
            .map(|(e, event)| {
                to_event(event).ok_or_else(|| {
                    malformed(
                        API,
                        format!("piece-shipment[{p}] piece-event[{e}]: unreadable event-timestamp"),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        parcels.push(ParcelTrack {
            tracking_number: number.trim().to_string(),
            events,
            estimated_delivery: None,
        });
    }
    match (parcels.is_empty(), first_error) {
        (true, Some((code, message))) => Err(carrier_error(&code, message)),
        _ => Ok(parcels),
    }
}

fn to_event(event: Data) -> Option<CarrierEvent> {
    let occurred_at = super::parse_central_european(
        event.event_timestamp.as_deref()?,
        &["%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S"],
    )?;
    Some(CarrierEvent {
        code: event
            .standard_event_code
            .unwrap_or_default()
            .trim()
            .to_string(),
        description: event.event_text.or(event.event_status).unwrap_or_default(),
        occurred_at,
        location: join_non_blank(
            [event.event_location, event.event_country],
            ", ",
            Keep::AsWritten,
        ),
    })
}

fn carrier_error(code: &str, message: String) -> TrackError {
    let kind = match code {
        "100" => CarrierErrorKind::NotFound,
        _ => CarrierErrorKind::Other,
    };
    refusal(API, kind, Some(code.to_string()), message)
}
