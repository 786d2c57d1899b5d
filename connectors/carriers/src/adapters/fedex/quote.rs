//! Rate API request and answer (`POST /rate/v1/rates/quotes`).
//!
//! Shapes from FedEx's Rate API reference
//! (<https://developer.fedex.com/api/en-us/catalog/rate/v1/docs.html>) and the sample
//! answer karrio keeps in `modules/connectors/fedex/schemas/rating_response.json`.
//! Weights go in pounds with one decimal, dimensions in whole inches (FedEx refuses
//! fractional dimensions). Charges come as JSON numbers; they are read through their
//! decimal text, never through a float.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Deserialize;
use serde_json::{json, Number, Value};
use shipgate_sdk::model::{Address, Currency, Money};
use shipgate_sdk::{ConnectorError, Parcel, Rate, RateRequest};

/// Grams per pound (exact, by definition).
const GRAMS_PER_LB: Decimal = Decimal::from_parts(45359237, 0, 0, false, 5);
/// Millimetres per inch.
const MM_PER_INCH: Decimal = Decimal::from_parts(254, 0, 0, false, 1);

/// Pounds, rounded up to a tenth.
fn pounds(grams: u32) -> Decimal {
    (Decimal::from(grams) / GRAMS_PER_LB).round_dp_with_strategy(1, RoundingStrategy::AwayFromZero)
}

/// Whole inches, rounded up.
fn inches(mm: u32) -> Decimal {
    (Decimal::from(mm) / MM_PER_INCH).ceil()
}

/// A FedEx `address` object.
pub(super) fn address(a: &Address) -> Value {
    let lines: Vec<&str> = [a.line1.as_deref(), a.line2.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    json!({
        "streetLines": lines,
        "city": a.city.clone().unwrap_or_default(),
        "stateOrProvinceCode": a.region.clone().unwrap_or_default(),
        "postalCode": a.postal_code.clone().unwrap_or_default(),
        "countryCode": a.country.map(|c| c.as_str()).unwrap_or_default(),
    })
}

/// One `requestedPackageLineItems` entry.
pub(super) fn package(p: &Parcel) -> Value {
    json!({
        "weight": {"units": "LB", "value": pounds(p.weight_grams)},
        "dimensions": {
            "length": inches(p.length_mm),
            "width": inches(p.width_mm),
            "height": inches(p.height_mm),
            "units": "IN",
        },
    })
}

/// The rate quote body: account rates and list rates for every service of the lane, or
/// the one asked for.
pub(super) fn request(r: &RateRequest, account_number: &str) -> Value {
    let mut shipment = json!({
        "shipper": {"address": address(&r.ship_from)},
        "recipient": {"address": address(&r.ship_to)},
        "pickupType": "DROPOFF_AT_FEDEX_LOCATION",
        "rateRequestType": ["ACCOUNT", "LIST"],
        "requestedPackageLineItems": r.parcels.iter().map(package).collect::<Vec<_>>(),
    });
    if let Some(service) = &r.service {
        shipment["serviceType"] = json!(service);
    }
    json!({
        "accountNumber": {"value": account_number},
        "requestedShipment": shipment,
    })
}

#[derive(Deserialize)]
struct Answer {
    output: Output,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Output {
    rate_reply_details: Vec<Detail>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Detail {
    service_type: String,
    service_name: Option<String>,
    rated_shipment_details: Vec<Rated>,
    operational_detail: Option<Operational>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Rated {
    rate_type: Option<String>,
    total_net_charge: Number,
    currency: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Operational {
    transit_time: Option<String>,
}

/// A JSON number as money, through its text.
pub(super) fn money(amount: &Number, currency: &str) -> Result<Money, String> {
    let amount: Decimal = amount
        .to_string()
        .parse()
        .map_err(|e| format!("amount {amount}: {e}"))?;
    let currency = Currency::parse(currency).map_err(|e| e.to_string())?;
    Ok(Money::new(amount, currency))
}

/// FedEx's `transitTime` words ("THREE_DAYS") as a day count.
fn transit_days(words: &str) -> Option<u32> {
    const DAYS: [&str; 10] = [
        "ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE", "TEN",
    ];
    let first = words.split('_').next()?;
    DAYS.iter()
        .position(|d| *d == first)
        .and_then(|i| u32::try_from(i + 1).ok())
}

/// Reads a rate reply: one rate per service, the `ACCOUNT` rate when present (what the
/// account pays), else the first one given.
pub(super) fn parse(body: &[u8]) -> Result<Vec<Rate>, ConnectorError> {
    let shape = |reason: String| ConnectorError::UnexpectedShape {
        reason: format!("fedex rate answer: {reason}"),
        raw: body.to_vec(),
    };
    let mut de = serde_json::Deserializer::from_slice(body);
    let answer: Answer = serde_path_to_error::deserialize(&mut de)
        .map_err(|e| shape(format!("at {}: {}", e.path(), e.inner())))?;
    answer
        .output
        .rate_reply_details
        .into_iter()
        .map(|d| {
            let rated = d
                .rated_shipment_details
                .iter()
                .find(|r| r.rate_type.as_deref() == Some("ACCOUNT"))
                .or_else(|| d.rated_shipment_details.first())
                .ok_or_else(|| shape(format!("{}: no ratedShipmentDetails", d.service_type)))?;
            Ok(Rate {
                carrier: "fedex".into(),
                service_name: d
                    .service_name
                    .clone()
                    .unwrap_or_else(|| d.service_type.clone()),
                price: money(&rated.total_net_charge, &rated.currency).map_err(shape)?,
                transit_days: d
                    .operational_detail
                    .as_ref()
                    .and_then(|o| o.transit_time.as_deref())
                    .and_then(transit_days),
                estimated_delivery: None,
                service: d.service_type,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transit_words_and_units() {
        assert_eq!(transit_days("THREE_DAYS"), Some(3));
        assert_eq!(transit_days("ONE_DAY"), Some(1));
        assert_eq!(transit_days("UNKNOWN"), None);
        assert_eq!(inches(301).to_string(), "12");
        assert_eq!(pounds(2000).to_string(), "4.5");
    }
}
