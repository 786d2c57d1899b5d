//! DHL Parcel Poland DHL24 WebAPI v2, SOAP method `getTrackAndTraceInfo`: one shipment per
//! answer with its events (`status`, `description`, `terminal`, `timestamp`).
//!
//! Event code: the event's `status`. Times: `yyyy-mm-dd hh:mm:ss` Polish local time
//! without offset (the answer states no zone), read as Europe/Warsaw: CET/CEST under
//! the EU summer-time rule. Accepts the answer bare or inside its
//! SOAP envelope; a SOAP fault is the error answer (faultcode 100, "Nieprawidlowe dane
//! autoryzacyjne" = invalid credentials → unauthorized).

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
    let text = std::str::from_utf8(body).map_err(|e| malformed(format!("not UTF-8: {e}")))?;
    let root: Root = quick_xml::de::from_str(text).map_err(|e| malformed(format!("XML: {e}")))?;
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
                malformed(format!(
                    "events.item[{i}].timestamp: {:?} is not yyyy-mm-dd hh:mm:ss",
                    item.timestamp
                ))
            })?;
            Ok(CarrierEvent {
                code: item.status.unwrap_or_default().trim().to_string(),
                description: item.description.unwrap_or_default(),
                occurred_at,
                location: item.terminal.filter(|t| !t.trim().is_empty()),
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
    let lower = message.to_lowercase();
    let kind = if code.as_deref() == Some("100") || lower.contains("autoryzac") {
        CarrierErrorKind::Unauthorized
    } else {
        CarrierErrorKind::Other
    };
    TrackError::Carrier {
        api: API,
        kind,
        code,
        message,
    }
}

fn malformed(reason: String) -> TrackError {
    TrackError::Malformed { api: API, reason }
}
