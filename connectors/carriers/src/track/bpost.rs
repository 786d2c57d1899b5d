//! bpost's item-tracking API (`itemTracking`, schema `tracking/v1`): one parcel per
//! answer, with its `stateInfo` steps dated with their offset (`+01:00`). bpost refuses
//! with an exception document instead (`systemException`, `businessException`), whose
//! root element says which.

use super::{parse_utc, CarrierErrorKind, CarrierEvent, ParcelTrack, TrackError};
use quick_xml::events::Event;
use quick_xml::Reader;
use serde::Deserialize;

const API: &str = "bpost";

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ItemTracking {
    item_code: String,
    #[serde(default)]
    state_info: Vec<StateInfo>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StateInfo {
    time: String,
    state_code: String,
    #[serde(default)]
    state_description: String,
}

/// An exception document: its message (and code, when bpost gives one).
#[derive(Debug, Deserialize)]
struct Exception {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: String,
}

/// Parses a bpost tracking answer into its parcel.
pub(super) fn parse(body: &[u8]) -> Result<Vec<ParcelTrack>, TrackError> {
    let text = std::str::from_utf8(body).map_err(|e| malformed(format!("not UTF-8: {e}")))?;
    let root = root_name(text)?;
    if root.ends_with("Exception") {
        let exception: Exception = read(text)?;
        return Err(TrackError::Carrier {
            api: API,
            kind: CarrierErrorKind::Other,
            code: Some(exception.code.unwrap_or(root)),
            message: squash(&exception.message),
        });
    }
    if root != "itemTracking" {
        return Err(malformed(format!("unexpected root element <{root}>")));
    }
    let item: ItemTracking = read(text)?;
    let events = item
        .state_info
        .into_iter()
        .enumerate()
        .map(|(j, s)| {
            let occurred_at = parse_utc(&s.time).ok_or_else(|| {
                malformed(format!(
                    "itemTracking.stateInfo[{j}].time: not a date: {:?}",
                    s.time
                ))
            })?;
            Ok(CarrierEvent {
                code: s.state_code,
                description: s.state_description,
                occurred_at,
                location: None,
            })
        })
        .collect::<Result<_, TrackError>>()?;
    Ok(vec![ParcelTrack {
        tracking_number: item.item_code,
        events,
        estimated_delivery: None,
    }])
}

/// The local name of the document's root element.
fn root_name(text: &str) -> Result<String, TrackError> {
    let mut reader = Reader::from_str(text);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                return Ok(e.local_name().into_inner().to_string())
            }
            Ok(Event::Eof) => return Err(malformed("no root element".to_string())),
            Ok(_) => {}
            Err(e) => {
                return Err(malformed(format!(
                    "at byte {}: {e}",
                    reader.error_position()
                )))
            }
        }
    }
}

/// bpost's messages span several indented lines; one line reads better in a log.
fn squash(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn read<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, TrackError> {
    let mut de = quick_xml::de::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut de)
        .map_err(|e| malformed(format!("at {}: {}", e.path(), e.inner())))
}

fn malformed(reason: String) -> TrackError {
    TrackError::Malformed { api: API, reason }
}
