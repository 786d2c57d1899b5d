//! Canada Post's Tracking web service (`GET /vis/track/pin/{pin}/detail`): XML
//! `<tracking-detail>` whose `<significant-events>` give a numeric event identifier,
//! a local date and time and the zone abbreviation they were written in (EST, PDT…).
//! Errors are `<messages>` (`004` "No Pin History"). Several answers may come wrapped
//! in one `<wrapper>` element, as a batch of requests stores them.

use super::util::{
    join_non_blank, kind_by_words, malformed, non_blank, refusal, root_name, utf8, xml, BeforeRoot,
    Keep,
};
use super::{parse_local, CarrierErrorKind, CarrierEvent, ParcelTrack, TrackError};
use chrono::{FixedOffset, Offset, Utc};
use serde::Deserialize;

const API: &str = "canadapost";

#[derive(Deserialize, Default)]
struct Wrapper {
    #[serde(rename = "tracking-detail", default)]
    details: Vec<Detail>,
    #[serde(default)]
    messages: Option<Messages>,
}

#[derive(Deserialize)]
struct Detail {
    #[serde(default)]
    pin: Option<String>,
    #[serde(rename = "expected-delivery-date", default)]
    expected_delivery_date: Option<String>,
    #[serde(rename = "changed-expected-date", default)]
    changed_expected_date: Option<String>,
    #[serde(rename = "significant-events", default)]
    significant_events: Option<Occurrences>,
}

#[derive(Deserialize)]
struct Occurrences {
    #[serde(rename = "occurrence", default)]
    list: Vec<Occurrence>,
}

#[derive(Deserialize)]
struct Occurrence {
    #[serde(rename = "event-identifier")]
    identifier: String,
    #[serde(rename = "event-date")]
    date: String,
    #[serde(rename = "event-time", default)]
    time: Option<String>,
    #[serde(rename = "event-time-zone", default)]
    zone: Option<String>,
    #[serde(rename = "event-description", default)]
    description: Option<String>,
    #[serde(rename = "event-site", default)]
    site: Option<String>,
    #[serde(rename = "event-province", default)]
    province: Option<String>,
}

#[derive(Deserialize)]
struct Messages {
    #[serde(rename = "message", default)]
    list: Vec<Message>,
}

#[derive(Deserialize)]
struct Message {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

/// Parses a tracking answer: a `<tracking-detail>`, a `<messages>` error, or a
/// `<wrapper>` holding several of them.
pub(super) fn parse(body: &[u8]) -> Result<Vec<ParcelTrack>, TrackError> {
    let text = utf8(API, body)?;
    let answer = match root_name(API, text, BeforeRoot::Rejected)?.as_str() {
        "wrapper" => xml::<Wrapper>(API, text)?,
        "tracking-detail" => Wrapper {
            details: vec![xml(API, text)?],
            messages: None,
        },
        "messages" => Wrapper {
            messages: Some(xml(API, text)?),
            ..Wrapper::default()
        },
        other => {
            return Err(malformed(
                API,
                format!("root element <{other}> is not <tracking-detail>, <messages> or <wrapper>"),
            ))
        }
    };
    if answer.details.is_empty() {
        let first = answer.messages.and_then(|m| m.list.into_iter().next());
        return Err(match first {
            Some(message) => carrier_error(message),
            None => malformed(API, "neither <tracking-detail> nor <messages>".into()),
        });
    }
    answer
        .details
        .into_iter()
        .enumerate()
        .map(|(d, detail)| parcel(d, detail))
        .collect()
}

fn parcel(index: usize, detail: Detail) -> Result<ParcelTrack, TrackError> {
    let path = format!("tracking-detail[{index}]");
    let tracking_number = non_blank(detail.pin, Keep::Trimmed)
        .ok_or_else(|| malformed(API, format!("{path}/pin: missing or empty")))?;
    let events = detail
        .significant_events
        .map(|s| s.list)
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, o)| event(&format!("{path}/significant-events/occurrence[{i}]"), o))
        .collect::<Result<_, _>>()?;
    // A date alone, read as midnight UTC: Canada Post gives no zone for it. A changed
    // date replaces the original promise.
    let estimated_delivery = non_blank(detail.changed_expected_date, Keep::Trimmed)
        .or(non_blank(detail.expected_delivery_date, Keep::Trimmed))
        .and_then(|d| parse_local(&d, &["%Y-%m-%d"], Utc.fix()));
    Ok(ParcelTrack {
        tracking_number,
        events,
        estimated_delivery,
    })
}

fn event(path: &str, o: Occurrence) -> Result<CarrierEvent, TrackError> {
    let zone = non_blank(o.zone, Keep::Trimmed);
    let offset = match zone.as_deref() {
        Some(abbreviation) => zone_offset(abbreviation).ok_or_else(|| {
            malformed(
                API,
                format!("{path}/event-time-zone: unknown zone {abbreviation:?}"),
            )
        })?,
        // No zone written: the service documents none, so UTC.
        None => Utc.fix(),
    };
    let stamp = match non_blank(o.time, Keep::Trimmed) {
        Some(time) => format!("{} {time}", o.date.trim()),
        None => o.date.trim().to_string(),
    };
    let occurred_at = parse_local(&stamp, &["%Y-%m-%d %H:%M:%S", "%Y-%m-%d"], offset)
        .ok_or_else(|| malformed(API, format!("{path}: {stamp:?} is not a date and time")))?;
    Ok(CarrierEvent {
        code: o.identifier.trim().to_string(),
        description: o.description.unwrap_or_default().trim().to_string(),
        occurred_at,
        location: join_non_blank([o.site, o.province], ", ", Keep::Trimmed),
    })
}

/// The North American zone abbreviations Canada Post writes, standard and daylight.
fn zone_offset(abbreviation: &str) -> Option<FixedOffset> {
    let minutes = match abbreviation.to_ascii_uppercase().as_str() {
        "UTC" | "GMT" => 0,
        "NDT" => -150,
        "NST" => -210,
        "ADT" => -180,
        "AST" | "EDT" => -240,
        "EST" | "CDT" => -300,
        "CST" | "MDT" => -360,
        "MST" | "PDT" => -420,
        "PST" => -480,
        _ => return None,
    };
    FixedOffset::east_opt(minutes * 60)
}

fn carrier_error(m: Message) -> TrackError {
    let code = non_blank(m.code, Keep::Trimmed);
    let message = m.description.unwrap_or_default().trim().to_string();
    let kind = if code.as_deref() == Some("004") {
        CarrierErrorKind::NotFound
    } else {
        kind_by_words(
            &message,
            &[
                (CarrierErrorKind::NotFound, &["no pin history"]),
                (
                    CarrierErrorKind::Unauthorized,
                    &["authentication", "unauthori"],
                ),
            ],
        )
    };
    refusal(API, kind, code, message)
}
