//! UPS Track API (`GET /api/track/v1/details/{inquiryNumber}`): one answer holds
//! shipments, each with packages and their activity scans.
//!
//! Event code: the activity's status `type` letter (D delivered, I in transit, O out for
//! delivery, P pickup, M billing information received, X exception…), the class UPS itself
//! gives each scan; the finer two-letter `code` is kept in the description. Times: UPS
//! writes `date` (YYYYMMDD) and `time` (HHMMSS) in the local time of the scan's place and
//! adds `gmtDate`/`gmtTime` in newer answers; without those the local time is
//! read as UTC, since the place's zone is not in the answer.

use super::util::{join_non_blank, json, malformed, non_blank, refusal, Keep};
use super::{CarrierErrorKind, CarrierEvent, ParcelTrack, TrackError};
use chrono::{DateTime, FixedOffset, Offset, Utc};
use serde::Deserialize;

const API: &str = "ups";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Answer {
    track_response: Option<TrackResponse>,
    response: Option<ErrorResponse>,
}

#[derive(Deserialize)]
struct ErrorResponse {
    #[serde(default)]
    errors: Vec<Message>,
}

#[derive(Deserialize)]
struct Message {
    code: Option<String>,
    message: Option<String>,
}

#[derive(Deserialize)]
struct TrackResponse {
    #[serde(default)]
    shipment: Vec<Shipment>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Shipment {
    inquiry_number: Option<String>,
    #[serde(default)]
    package: Vec<Package>,
    #[serde(default)]
    warnings: Vec<Message>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Package {
    tracking_number: Option<String>,
    #[serde(default)]
    activity: Vec<Activity>,
    #[serde(default)]
    delivery_date: Vec<DeliveryDate>,
}

#[derive(Deserialize)]
struct DeliveryDate {
    date: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Activity {
    date: String,
    time: Option<String>,
    gmt_date: Option<String>,
    gmt_time: Option<String>,
    location: Option<Location>,
    status: Option<Status>,
}

#[derive(Deserialize)]
struct Location {
    address: Option<Address>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Address {
    city: Option<String>,
    state_province: Option<String>,
    country_code: Option<String>,
    country: Option<String>,
}

#[derive(Deserialize)]
struct Status {
    #[serde(rename = "type")]
    kind: Option<String>,
    code: Option<String>,
    description: Option<String>,
}

/// Parses a UPS Track API answer.
pub(super) fn parse(body: &[u8]) -> Result<Vec<ParcelTrack>, TrackError> {
    let answer: Answer = json(API, body)?;
    if let Some(error) = answer.response {
        return Err(carrier_error(error.errors.first()));
    }
    let shipments = answer
        .track_response
        .ok_or_else(|| malformed(API, "neither trackResponse nor response".into()))?
        .shipment;
    let mut parcels = Vec::new();
    let mut warning = None;
    for (s, shipment) in shipments.into_iter().enumerate() {
        if shipment.package.is_empty() {
            warning = warning.or(shipment.warnings.into_iter().next());
            continue;
        }
        for (p, package) in shipment.package.into_iter().enumerate() {
            let number = package
                .tracking_number
                .and_then(|n| non_blank(Some(n), Keep::AsWritten))
                .or_else(|| shipment.inquiry_number.clone())
                .ok_or_else(|| {
                    malformed(
                        API,
                        format!("shipment[{s}].package[{p}]: no tracking number"),
                    )
                })?;
            let events = package
                .activity
                .into_iter()
                .enumerate()
                .map(|(a, activity)| {
                    event(activity).ok_or_else(|| {
                        malformed(
                            API,
                            format!(
                                "shipment[{s}].package[{p}].activity[{a}]: unreadable date/time"
                            ),
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let estimated_delivery = package
                .delivery_date
                .iter()
                .find(|d| matches!(d.kind.as_deref(), Some("SDD" | "RDD")))
                .and_then(|d| d.date.as_deref())
                .and_then(|d| super::parse_local(d, &["%Y%m%d"], utc()));
            parcels.push(ParcelTrack {
                tracking_number: number,
                events,
                estimated_delivery,
            });
        }
    }
    if parcels.is_empty() {
        if let Some(w) = warning {
            return Err(carrier_error(Some(&w)));
        }
    }
    Ok(parcels)
}

fn utc() -> FixedOffset {
    Utc.fix()
}

fn event(activity: Activity) -> Option<CarrierEvent> {
    let occurred_at = time(&activity)?;
    let status = activity.status;
    let code = status
        .as_ref()
        .and_then(|s| s.kind.clone())
        .unwrap_or_default();
    let description = status
        .map(|s| match (s.code, s.description) {
            (Some(c), Some(d)) => format!("{d} ({c})"),
            (Some(c), None) => c,
            (None, d) => d.unwrap_or_default(),
        })
        .unwrap_or_default();
    let location = activity.location.and_then(|l| l.address).and_then(|a| {
        join_non_blank(
            [a.city, a.state_province, a.country_code.or(a.country)],
            ", ",
            Keep::AsWritten,
        )
    });
    Some(CarrierEvent {
        code,
        description,
        occurred_at,
        location,
    })
}

fn time(activity: &Activity) -> Option<DateTime<Utc>> {
    // gmtDate/gmtTime are already UTC (gmtOffset only tells the place's zone).
    if let (Some(date), Some(time)) = (&activity.gmt_date, &activity.gmt_time) {
        return super::parse_local(
            &format!("{date} {time}"),
            &["%Y%m%d %H:%M:%S", "%Y%m%d %H%M%S"],
            utc(),
        );
    }
    let text = format!(
        "{} {}",
        activity.date,
        activity.time.as_deref().unwrap_or("000000")
    );
    super::parse_local(&text, &["%Y%m%d %H%M%S"], utc())
}

fn carrier_error(message: Option<&Message>) -> TrackError {
    let code = message.and_then(|m| m.code.clone());
    let kind = match code.as_deref() {
        // TW0001 "Tracking Information Not Found": the number is unknown (yet).
        Some("TW0001") => CarrierErrorKind::NotFound,
        _ => CarrierErrorKind::Other,
    };
    refusal(
        API,
        kind,
        code,
        message.and_then(|m| m.message.clone()).unwrap_or_default(),
    )
}
