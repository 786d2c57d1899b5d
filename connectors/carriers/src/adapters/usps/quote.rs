//! Domestic Prices 3.0: `POST /prices/v3/base-rates/search`, one mail class and one
//! package per call.
//!
//! Request fields (`originZIPCode`, `destinationZIPCode`, `weight` in pounds, `length`,
//! `width`, `height` in inches, `mailClass`, `processingCategory`,
//! `destinationEntryFacilityType`, `rateIndicator`, `priceType`, `mailingDate`) and the
//! answer (`totalBasePrice`, `rates[{SKU, description, priceType, price, zone…}]`) as in
//! USPS's Domestic Prices 3.0 documentation (<https://developers.usps.com/domesticpricesv3>)
//! and the examples of <https://github.com/USPS/api-examples> ("Domestic Prices").

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Deserialize;
use serde_json::{json, Value};
use shipgate_sdk::model::{Address, Currency, Money};
use shipgate_sdk::{ConnectorError, Parcel};

const GRAMS_PER_LB: Decimal = Decimal::from_parts(45_359_237, 0, 0, false, 5);
const MM_PER_INCH: Decimal = Decimal::from_parts(254, 0, 0, false, 1);

/// Pounds, rounded up to a hundredth (USPS prices by the pound, rounding up).
pub(super) fn pounds(grams: u32) -> Decimal {
    (Decimal::from(grams) / GRAMS_PER_LB).round_dp_with_strategy(2, RoundingStrategy::AwayFromZero)
}

/// Inches, rounded up to a tenth.
pub(super) fn inches(mm: u32) -> Decimal {
    (Decimal::from(mm) / MM_PER_INCH).round_dp_with_strategy(1, RoundingStrategy::AwayFromZero)
}

/// A decimal as a JSON number, the way USPS writes weights, sizes and prices.
pub(super) fn number(d: Decimal) -> Value {
    serde_json::from_str(&d.normalize().to_string()).unwrap_or(Value::Null)
}

/// The five-digit ZIP Code of a US address, or a clear refusal naming `role`.
pub(super) fn zip(a: &Address, role: &str) -> Result<String, ConnectorError> {
    let us = a.country.map(|c| c.as_str() == "US").unwrap_or(false);
    let five: String = a
        .postal_code
        .as_deref()
        .unwrap_or_default()
        .chars()
        .take(5)
        .collect();
    if !us || five.len() != 5 || !five.chars().all(|c| c.is_ascii_digit()) {
        return Err(ConnectorError::Rejected {
            status: None,
            message: format!(
                "usps: the {role} address needs country US and a 5-digit ZIP Code \
                 (Domestic Prices and Labels are US-only)"
            ),
        });
    }
    Ok(five)
}

/// The search body for one package and one mail class, at retail prices.
pub(super) fn request(from_zip: &str, to_zip: &str, parcel: &Parcel, mail_class: &str) -> Value {
    json!({
        "originZIPCode": from_zip,
        "destinationZIPCode": to_zip,
        "weight": number(pounds(parcel.weight_grams)),
        "length": number(inches(parcel.length_mm)),
        "width": number(inches(parcel.width_mm)),
        "height": number(inches(parcel.height_mm)),
        "mailClass": mail_class,
        "processingCategory": "MACHINABLE",
        "destinationEntryFacilityType": "NONE",
        "rateIndicator": "SP",
        "priceType": "RETAIL",
        "mailingDate": chrono::Utc::now().date_naive().to_string(),
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Answer {
    total_base_price: serde_json::Number,
}

/// The `totalBasePrice` of one search answer, in dollars.
pub(super) fn parse(body: &[u8]) -> Result<Money, ConnectorError> {
    let shape = |reason: String| ConnectorError::UnexpectedShape {
        reason: format!("usps base-rates answer: {reason}"),
        raw: body.to_vec(),
    };
    let answer: Answer = serde_json::from_slice(body).map_err(|e| shape(e.to_string()))?;
    let text = answer.total_base_price.to_string();
    let amount: Decimal = text
        .parse()
        .map_err(|e| shape(format!("totalBasePrice {text:?}: {e}")))?;
    let currency = Currency::parse("USD").map_err(|e| shape(e.to_string()))?;
    Ok(Money::new(amount, currency))
}
