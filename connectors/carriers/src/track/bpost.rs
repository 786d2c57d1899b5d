//! bpost's item-tracking API (`itemTracking`, schema `tracking/v1`): one parcel per
//! answer, with its `stateInfo` steps dated with their offset (`+01:00`). bpost refuses
//! with an exception document instead (`systemException`, `businessException`), whose
//! root element says which.

use super::util::{malformed, refusal, root_name, squash, utf8, xml, BeforeRoot};
use super::{parse_utc, CarrierErrorKind, CarrierEvent, ParcelTrack, TrackError};
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
    let text = utf8(API, body)?;
    let root = root_name(API, text, BeforeRoot::Skipped)?;
    if root.ends_with("Exception") {
        let exception: Exception = xml(API, text)?;
        return Err(refusal(
            API,
            CarrierErrorKind::Other,
            Some(exception.code.unwrap_or(root)),
            squash(&exception.message),
        ));
    }
    if root != "itemTracking" {
        return Err(malformed(API, format!("unexpected root element <{root}>")));
    }
    let item: ItemTracking = xml(API, text)?;
    let events = item
        .state_info
        .into_iter()
        .enumerate()
        .map(|(j, s)| {
            let occurred_at = parse_utc(&s.time).ok_or_else(|| {
                malformed(
                    API,
                    format!("itemTracking.stateInfo[{j}].time: not a date: {:?}", s.time),
                )
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
