//! DHL Parcel Poland DHL24 WebAPI v2, SOAP method `getTrackAndTraceInfo`: one shipment per
//! answer with its events (`status`, `description`, `terminal`, `timestamp`).
//!
//! Event code: the event's `status`. Times: `yyyy-mm-dd hh:mm:ss` Polish local time
//! without offset (the answer states no zone), read as Europe/Warsaw: CET/CEST under
//! the EU summer-time rule. Accepts the answer bare or inside its
//! SOAP envelope; a SOAP fault is the error answer (faultcode 100, "Nieprawidlowe dane
//! autoryzacyjne" = invalid credentials → unauthorized).

use super::util::{kind_by_words, malformed, non_blank, refusal, utf8, xml, Keep};
use super::{CarrierErrorKind, CarrierEvent, ParcelTrack, TrackError};
use serde::Deserialize;

const API: &str = "dhl_poland";

/// The root: either the SOAP `Envelope` or the bare `getTrackAndTraceInfoResponse`.
#[derive(Deserialize)]
#[allow(non_snake_case)]
struct Root {
    Body: Option<Body>,
    getTrackAndTraceInfoResult: Option<TrackResult>,
}

#[derive(Deserialize)]
#[allow(non_snake_case)]
struct Body {
    Fault: Option<Fault>,
    getTrackAndTraceInfoResponse: Option<Response>,
}

#[derive(Deserialize)]
#[allow(non_snake_case)]
struct Response {
    getTrackAndTraceInfoResult: Option<TrackResult>,
}

#[derive(Deserialize)]
struct Fault {
    faultcode: Option<String>,
    faultstring: Option<String>,
}

#[derive(Deserialize)]
#[allow(non_snake_case)]
struct TrackResult {
    shipmentId: String,
    events: Option<Events>,
}

#[derive(Deserialize)]
struct Events {
    #[serde(rename = "item", default)]
    items: Vec<Item>,
}

#[derive(Deserialize)]
struct Item {
    status: Option<String>,
    description: Option<String>,
    terminal: Option<String>,
    timestamp: String,
}

/// Parses a DHL24 `getTrackAndTraceInfo` answer.
pub(super) fn parse(body: &[u8]) -> Result<Vec<ParcelTrack>, TrackError> {
    let text = utf8(API, body)?;
    let root: Root = xml(API, text)?;
    let result = match (root.Body, root.getTrackAndTraceInfoResult) {
        (_, Some(result)) => result,
        (
            Some(Body {
                Fault: Some(fault), ..
            }),
            None,
        ) => return Err(carrier_error(fault)),
        (
            Some(Body {
                getTrackAndTraceInfoResponse:
                    Some(Response {
                        getTrackAndTraceInfoResult: Some(result),
                    }),
                ..
            }),
            None,
        ) => result,
        _ => {
            return Err(malformed(
                API,
                "no getTrackAndTraceInfoResult nor SOAP Fault".into(),
            ))
        }
    };
    let events = result
        .events
        .map(|e| e.items)
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let occurred_at = super::parse_central_european(
                &item.timestamp,
                &["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"],
            )
            .ok_or_else(|| {
                malformed(
                    API,
                    format!(
                        "events.item[{i}].timestamp: {:?} is not yyyy-mm-dd hh:mm:ss",
                        item.timestamp
                    ),
                )
            })?;
            Ok(CarrierEvent {
                code: item.status.unwrap_or_default().trim().to_string(),
                description: item.description.unwrap_or_default(),
                occurred_at,
                location: non_blank(item.terminal, Keep::AsWritten),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(vec![ParcelTrack {
        tracking_number: result.shipmentId.trim().to_string(),
        events,
        estimated_delivery: None,
    }])
}

fn carrier_error(fault: Fault) -> TrackError {
    let code = fault.faultcode.map(|c| c.trim().to_string());
    let message = fault.faultstring.unwrap_or_default();
    let kind = if code.as_deref() == Some("100") {
        CarrierErrorKind::Unauthorized
    } else {
        kind_by_words(
            &message,
            &[(CarrierErrorKind::Unauthorized, &["autoryzac"])],
        )
    };
    refusal(API, kind, code, message)
}
