//! Australia Post's Shipping and Tracking API (`GET /shipping/v1/track`): up to ten
//! tracking ids per answer, each a consignment of articles or an article itself, whose
//! events carry a description, an offset timestamp and a place but no code. The
//! description is therefore the event's code for the `[statuses]` table. A refused id
//! carries `errors` in its result; a refused request has top-level `errors`.

use super::util::{json, malformed, non_blank, refusal, Keep};
use super::{parse_utc, CarrierErrorKind, CarrierEvent, ParcelTrack, TrackError};
use serde::Deserialize;

const API: &str = "australiapost";

#[derive(Deserialize)]
struct Answer {
    #[serde(default)]
    tracking_results: Option<Vec<TrackingResult>>,
    #[serde(default)]
    errors: Vec<ApiError>,
}

#[derive(Deserialize)]
struct TrackingResult {
    #[serde(default)]
    tracking_id: Option<String>,
    #[serde(default)]
    trackable_items: Vec<Trackable>,
    #[serde(default)]
    errors: Vec<ApiError>,
}

/// A consignment (with `items`) or an article (with `events`).
#[derive(Deserialize)]
struct Trackable {
    #[serde(default)]
    article_id: Option<String>,
    #[serde(default)]
    consignment_id: Option<String>,
    #[serde(default)]
    events: Option<Vec<Event>>,
    #[serde(default)]
    items: Vec<Trackable>,
}

#[derive(Deserialize)]
struct Event {
    #[serde(default)]
    description: Option<String>,
    date: String,
    #[serde(default)]
    location: Option<String>,
}

#[derive(Deserialize)]
struct ApiError {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

/// Parses a tracking answer: one parcel per article. Ids the carrier refused are left
/// out when others were found; when none was, the first refusal is the error.
pub(super) fn parse(body: &[u8]) -> Result<Vec<ParcelTrack>, TrackError> {
    let answer: Answer = json(API, body)?;
    if let Some(error) = answer.errors.into_iter().next() {
        return Err(carrier_error(error));
    }
    let results = answer
        .tracking_results
        .ok_or_else(|| malformed(API, "tracking_results: missing, and no errors".into()))?;
    let mut parcels = Vec::new();
    let mut refusals = Vec::new();
    for (r, result) in results.into_iter().enumerate() {
        refusals.extend(result.errors);
        for (t, item) in result.trackable_items.into_iter().enumerate() {
            let path = format!("tracking_results[{r}].trackable_items[{t}]");
            collect(item, &path, result.tracking_id.as_deref(), &mut parcels)?;
        }
    }
    match refusals.into_iter().next() {
        Some(error) if parcels.is_empty() => Err(carrier_error(error)),
        _ => Ok(parcels),
    }
}

/// Adds the article `item` is, or the articles of the consignment it is.
fn collect(
    item: Trackable,
    path: &str,
    fallback_id: Option<&str>,
    parcels: &mut Vec<ParcelTrack>,
) -> Result<(), TrackError> {
    let id = item
        .article_id
        .or(item.consignment_id)
        .or_else(|| fallback_id.map(str::to_string));
    if let Some(events) = item.events {
        let tracking_number = id
            .clone()
            .ok_or_else(|| malformed(API, format!("{path}: an article without article_id")))?;
        let events = events
            .into_iter()
            .enumerate()
            .map(|(i, e)| event(&format!("{path}.events[{i}]"), e))
            .collect::<Result<_, _>>()?;
        parcels.push(ParcelTrack {
            tracking_number,
            events,
            estimated_delivery: None,
        });
    }
    for (i, article) in item.items.into_iter().enumerate() {
        collect(
            article,
            &format!("{path}.items[{i}]"),
            id.as_deref(),
            parcels,
        )?;
    }
    Ok(())
}

fn event(path: &str, e: Event) -> Result<CarrierEvent, TrackError> {
    let occurred_at = parse_utc(&e.date)
        .ok_or_else(|| malformed(API, format!("{path}.date: {:?} has no offset", e.date)))?;
    let description = e
        .description
        .map(|d| d.trim().to_string())
        .unwrap_or_default();
    Ok(CarrierEvent {
        code: description.clone(),
        description,
        occurred_at,
        location: non_blank(e.location, Keep::AsWritten),
    })
}

fn carrier_error(e: ApiError) -> TrackError {
    let words = format!(
        "{} {}",
        e.name.as_deref().unwrap_or_default(),
        e.message.as_deref().unwrap_or_default()
    )
    .to_lowercase();
    let kind = if words.contains("invalid tracking id") || words.contains("not found") {
        CarrierErrorKind::NotFound
    } else if words.contains("unauthori") || words.contains("forbidden") {
        CarrierErrorKind::Unauthorized
    } else {
        CarrierErrorKind::Other
    };
    let message = match (e.name, e.message) {
        (Some(n), Some(m)) => format!("{n}: {m}"),
        (Some(n), None) => n,
        (None, Some(m)) => m,
        (None, None) => String::new(),
    };
    refusal(API, kind, e.code, message)
}
