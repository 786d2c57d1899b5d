//! Rating API request and answer (`POST /api/rating/{version}/Shop|Rate`).
//!
//! Shapes from UPS's `Rating.yaml` (<https://github.com/UPS-API/api-documentation/blob/main/Rating.yaml>,
//! `RATERequestWrapper` / `RATEResponseWrapper`) and the sample answers karrio keeps in
//! `modules/connectors/ups/schemas/rating_responses.json`. UPS rates US shipments in
//! pounds and inches; numbers travel as strings. A lone `RatedShipment` may come as an
//! object rather than a one-element list (UPS's JSON is converted from XML), so both are
//! read.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Deserialize;
use serde_json::{json, Value};
use shipgate_sdk::model::{Address, Currency, Money};
use shipgate_sdk::{ConnectorError, Parcel, Rate, RateRequest};

/// Grams per pound (exact, by definition).
const GRAMS_PER_LB: Decimal = Decimal::from_parts(45359237, 0, 0, false, 5);
/// Millimetres per inch.
const MM_PER_INCH: Decimal = Decimal::from_parts(254, 0, 0, false, 1);

/// Pounds, rounded up to a tenth (UPS bills any fraction upward anyway).
pub(super) fn pounds(grams: u32) -> Decimal {
    (Decimal::from(grams) / GRAMS_PER_LB).round_dp_with_strategy(1, RoundingStrategy::AwayFromZero)
}

/// Inches, rounded up to a tenth.
pub(super) fn inches(mm: u32) -> Decimal {
    (Decimal::from(mm) / MM_PER_INCH).round_dp_with_strategy(1, RoundingStrategy::AwayFromZero)
}

/// A UPS `Address` object.
pub(super) fn address(a: &Address) -> Value {
    let lines: Vec<&str> = [a.line1.as_deref(), a.line2.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    json!({
        "AddressLine": lines,
        "City": a.city.clone().unwrap_or_default(),
        "StateProvinceCode": a.region.clone().unwrap_or_default(),
        "PostalCode": a.postal_code.clone().unwrap_or_default(),
        "CountryCode": a.country.map(|c| c.as_str()).unwrap_or_default(),
    })
}

/// A party (`Shipper`, `ShipTo`, `ShipFrom`): name and address.
pub(super) fn party(a: &Address) -> Value {
    json!({
        "Name": a.company.clone().or_else(|| a.name.clone()).unwrap_or_default(),
        "Address": address(a),
    })
}

/// Dimensions and weight of one package, in inches and pounds.
pub(super) fn measures(p: &Parcel) -> (Value, Value) {
    (
        json!({
            "UnitOfMeasurement": {"Code": "IN", "Description": "Inches"},
            "Length": inches(p.length_mm).to_string(),
            "Width": inches(p.width_mm).to_string(),
            "Height": inches(p.height_mm).to_string(),
        }),
        json!({
            "UnitOfMeasurement": {"Code": "LBS", "Description": "Pounds"},
            "Weight": pounds(p.weight_grams).to_string(),
        }),
    )
}

/// The `RateRequest` body.
pub(super) fn request(r: &RateRequest, account_number: &str) -> Value {
    let mut shipper = party(&r.ship_from);
    shipper["ShipperNumber"] = json!(account_number);
    let packages: Vec<Value> = r
        .parcels
        .iter()
        .map(|p| {
            let (dimensions, weight) = measures(p);
            json!({
                "PackagingType": {"Code": "02", "Description": "Package"},
                "Dimensions": dimensions,
                "PackageWeight": weight,
            })
        })
        .collect();
    let mut shipment = json!({
        "Shipper": shipper,
        "ShipTo": party(&r.ship_to),
        "ShipFrom": party(&r.ship_from),
        "PaymentDetails": {"ShipmentCharge": [
            {"Type": "01", "BillShipper": {"AccountNumber": account_number}}
        ]},
        "NumOfPieces": r.parcels.len().to_string(),
        "Package": packages,
    });
    if let Some(service) = &r.service {
        shipment["Service"] = json!({"Code": service});
    }
    json!({
        "RateRequest": {
            "Request": {"TransactionReference": {"CustomerContext": r.merchant}},
            "Shipment": shipment,
        }
    })
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<T> OneOrMany<T> {
    pub(super) fn into_vec(self) -> Vec<T> {
        match self {
            Self::One(one) => vec![one],
            Self::Many(many) => many,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Answer {
    rate_response: RateResponse,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RateResponse {
    rated_shipment: OneOrMany<RatedShipment>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RatedShipment {
    service: Code,
    total_charges: Charge,
    negotiated_rate_charges: Option<Negotiated>,
    guaranteed_delivery: Option<Guaranteed>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct Code {
    pub(super) code: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct Charge {
    pub(super) currency_code: String,
    pub(super) monetary_value: String,
}

impl Charge {
    pub(super) fn money(&self) -> Result<Money, String> {
        let amount: Decimal = self
            .monetary_value
            .trim()
            .parse()
            .map_err(|e| format!("MonetaryValue {:?}: {e}", self.monetary_value))?;
        let currency = Currency::parse(&self.currency_code).map_err(|e| e.to_string())?;
        Ok(Money::new(amount, currency))
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Negotiated {
    total_charge: Charge,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Guaranteed {
    business_days_in_transit: Option<String>,
}

/// Reads a `RateResponse`: one rate per rated service, the negotiated total when the
/// account has one (that is what the account pays), else the published total.
pub(super) fn parse(
    body: &[u8],
    service_name: impl Fn(&str) -> String,
) -> Result<Vec<Rate>, ConnectorError> {
    let shape = |reason: String| ConnectorError::UnexpectedShape {
        reason: format!("ups rate answer: {reason}"),
        raw: body.to_vec(),
    };
    let mut de = serde_json::Deserializer::from_slice(body);
    let answer: Answer = serde_path_to_error::deserialize(&mut de)
        .map_err(|e| shape(format!("at {}: {}", e.path(), e.inner())))?;
    answer
        .rate_response
        .rated_shipment
        .into_vec()
        .into_iter()
        .map(|s| {
            let charge = s
                .negotiated_rate_charges
                .as_ref()
                .map(|n| &n.total_charge)
                .unwrap_or(&s.total_charges);
            Ok(Rate {
                carrier: "ups".into(),
                service_name: service_name(&s.service.code),
                price: charge.money().map_err(shape)?,
                transit_days: s
                    .guaranteed_delivery
                    .and_then(|g| g.business_days_in_transit)
                    .and_then(|d| d.trim().parse::<Decimal>().ok())
                    .and_then(|d| d.to_u32()),
                estimated_delivery: None,
                service: s.service.code,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_round_up_to_a_tenth() {
        assert_eq!(pounds(1000), Decimal::new(23, 1));
        assert_eq!(pounds(453), Decimal::ONE);
        assert_eq!(inches(254), Decimal::TEN);
        assert_eq!(inches(300), Decimal::new(119, 1));
    }
}
