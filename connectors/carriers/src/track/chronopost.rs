//! Chronopost's tracking web service (SOAP, `trackSkybillV2`). The answer's `return`
//! holds an `errorCode` (0 when all went well) and one `listEventInfoComp` per parcel
//! with its `skybillNumber` and events. Event dates carry their offset (`+02:00`).
//! A SOAP fault (bad request, server down) becomes a carrier error too.

use super::util::{join_non_blank, malformed, non_blank, refusal, utf8, xml, Keep};
use super::{parse_utc, CarrierErrorKind, CarrierEvent, ParcelTrack, TrackError};
use serde::Deserialize;

const API: &str = "chronopost";

#[derive(Debug, Deserialize)]
struct Envelope {
    #[serde(rename = "Body")]
    body: Body,
}

#[derive(Debug, Deserialize)]
struct Body {
    #[serde(rename = "trackSkybillV2Response", default)]
    response: Option<Response>,
    #[serde(rename = "Fault", default)]
    fault: Option<Fault>,
}

#[derive(Debug, Deserialize)]
struct Fault {
    #[serde(default)]
    faultcode: String,
    #[serde(default)]
    faultstring: String,
}

#[derive(Debug, Deserialize)]
struct Response {
    #[serde(rename = "return")]
    result: Return,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Return {
    error_code: i64,
    #[serde(default)]
    error_message: Option<String>,
    #[serde(default)]
    list_event_info_comp: Vec<Parcel>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Parcel {
    #[serde(default)]
    skybill_number: Option<String>,
    #[serde(default)]
    events: Vec<Event>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Event {
    code: String,
    event_date: String,
    #[serde(default)]
    event_label: String,
    #[serde(default)]
    office_label: Option<String>,
    #[serde(default)]
    zip_code: Option<String>,
}

/// Parses a `trackSkybillV2` answer into its parcels.
pub(super) fn parse(body: &[u8]) -> Result<Vec<ParcelTrack>, TrackError> {
    let envelope: Envelope = xml(API, utf8(API, body)?)?;
    if let Some(fault) = envelope.body.fault {
        return Err(refusal(
            API,
            CarrierErrorKind::Other,
            Some(fault.faultcode),
            fault.faultstring,
        ));
    }
    let Some(response) = envelope.body.response else {
        return Err(malformed(
            API,
            "Body holds neither trackSkybillV2Response nor Fault".to_string(),
        ));
    };
    let result = response.result;
    if result.error_code != 0 {
        return Err(refusal(
            API,
            CarrierErrorKind::Other,
            Some(result.error_code.to_string()),
            result.error_message.unwrap_or_default(),
        ));
    }
    let mut parcels = Vec::new();
    for (i, parcel) in result.list_event_info_comp.into_iter().enumerate() {
        let Some(number) = non_blank(parcel.skybill_number, Keep::AsWritten) else {
            return Err(malformed(
                API,
                format!("return.listEventInfoComp[{i}]: no skybillNumber"),
            ));
        };
        let events = parcel
            .events
            .into_iter()
            .enumerate()
            .map(|(j, e)| event(i, j, e))
            .collect::<Result<_, _>>()?;
        parcels.push(ParcelTrack {
            tracking_number: number,
            events,
            estimated_delivery: None,
        });
    }
    if parcels.iter().all(|p| p.events.is_empty()) {
        // errorCode 0 with nothing to show: Chronopost does not know the number (yet).
        return Err(refusal(
            API,
            CarrierErrorKind::NotFound,
            Some("0".to_string()),
            result.error_message.unwrap_or_default(),
        ));
    }
    Ok(parcels)
}

/// The office and its postcode make the location ("37400 AMBOISE").
fn event(i: usize, j: usize, e: Event) -> Result<CarrierEvent, TrackError> {
    let occurred_at = parse_utc(&e.event_date).ok_or_else(|| {
        malformed(
            API,
            format!(
                "return.listEventInfoComp[{i}].events[{j}].eventDate: not a date: {:?}",
                e.event_date
            ),
        )
    })?;
    Ok(CarrierEvent {
        code: e.code,
        description: e.event_label,
        occurred_at,
        location: join_non_blank([e.zip_code, e.office_label], " ", Keep::Trimmed),
    })
}
