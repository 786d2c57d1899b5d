//! Prices from the calculator, `POST {base}/calculator/tarifflist`
//! (<https://api-docs.cdek.ru/63347458.html>): body `{type, from_location{postal_code,
//! country_code, city, address}, to_location{…}, packages[{weight (g), length, width,
//! height (cm)}]}`, answer `{"tariff_codes":[{tariff_code, tariff_name,
//! tariff_description, delivery_mode, delivery_sum, period_min, period_max}]}` (periods in
//! working days; `delivery_mode` 1 door-door, 2 door-warehouse, 3 warehouse-door, 4
//! warehouse-warehouse, as the order-details page lists the modes). The answer names no
//! currency: `delivery_sum` is in the contract's currency (the request's `currency`
//! "default value: contract currency"), which the settings name.

use super::client::{join, ErrorItem};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use shipgate_sdk::model::{Address, Currency, Money};
use shipgate_sdk::{ConnectorError, Parcel, Rate, RateRequest};

/// A CDEK location object from an address: only the fields the address has.
pub(super) fn location(a: &Address) -> Value {
    let mut place = Map::new();
    let mut put = |key: &str, value: Option<String>| {
        if let Some(v) = value
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
        {
            place.insert(key.into(), Value::String(v));
        }
    };
    put("postal_code", a.postal_code.clone());
    put("country_code", a.country.map(|c| c.as_str().to_string()));
    put("city", a.city.clone());
    let street = [a.line1.clone(), a.line2.clone()]
        .into_iter()
        .flatten()
        .filter(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    put("address", Some(street));
    Value::Object(place)
}

/// Millimetres to whole centimetres, rounded up (CDEK takes integer centimetres).
fn centimetres(mm: u32) -> u32 {
    mm.div_ceil(10)
}

/// One CDEK package per parcel: grams and centimetres.
pub(super) fn package(p: &Parcel) -> Value {
    json!({
        "weight": p.weight_grams,
        "length": centimetres(p.length_mm),
        "width": centimetres(p.width_mm),
        "height": centimetres(p.height_mm),
    })
}

/// The calculator request.
pub(super) fn request(r: &RateRequest, order_type: u8) -> Value {
    json!({
        "type": order_type,
        "from_location": location(&r.ship_from),
        "to_location": location(&r.ship_to),
        "packages": r.parcels.iter().map(package).collect::<Vec<_>>(),
    })
}

#[derive(Deserialize)]
struct Answer {
    #[serde(default)]
    tariff_codes: Vec<Tariff>,
    #[serde(default)]
    errors: Vec<ErrorItem>,
}

/// `delivery_mode` 1, door to door.
pub(super) const DOOR_TO_DOOR: u8 = 1;
/// `delivery_mode` 3, office ("warehouse") to door.
pub(super) const OFFICE_TO_DOOR: u8 = 3;

#[derive(Deserialize)]
struct Tariff {
    tariff_code: u32,
    delivery_mode: Option<u8>,
    tariff_name: Option<String>,
    delivery_sum: serde_json::Number,
    period_max: Option<u32>,
}

/// The offers of a calculator answer in `currency`: only `wanted` when given, and only
/// tariffs whose `delivery_mode` (1 door-door, 2 door-office, 3 office-door, 4
/// office-office) `bookable` accepts; a tariff without a mode is kept.
pub(super) fn parse(
    raw: &[u8],
    currency: Currency,
    wanted: Option<&str>,
    bookable: impl Fn(u8) -> bool,
) -> Result<Vec<Rate>, ConnectorError> {
    let shape = |reason: String| ConnectorError::UnexpectedShape {
        reason: format!("cdek calculator/tarifflist answer: {reason}"),
        raw: raw.to_vec(),
    };
    let answer: Answer = serde_json::from_slice(raw).map_err(|e| shape(e.to_string()))?;
    if answer.tariff_codes.is_empty() && !answer.errors.is_empty() {
        return Err(ConnectorError::Rejected {
            status: None,
            message: join(&answer.errors),
        });
    }
    answer
        .tariff_codes
        .into_iter()
        .filter(|t| wanted.is_none_or(|w| w == t.tariff_code.to_string()))
        .filter(|t| t.delivery_mode.is_none_or(&bookable))
        .map(|t| {
            let amount: Decimal = t
                .delivery_sum
                .to_string()
                .parse()
                .map_err(|e| shape(format!("delivery_sum {}: {e}", t.delivery_sum)))?;
            let service = t.tariff_code.to_string();
            Ok(Rate {
                carrier: super::CODE.into(),
                service_name: t
                    .tariff_name
                    .unwrap_or_else(|| super::service_name(&service)),
                service,
                price: Money::new(amount, currency),
                transit_days: t.period_max,
                estimated_delivery: None,
            })
        })
        .collect()
}
