//! Rating: `POST /rs/ship/price` (`application/vnd.cpc.ship.rate-v4+xml`), one parcel
//! per call.
//!
//! Request `<mailing-scenario>` (`customer-number`, `parcel-characteristics` with
//! `weight` in kg and `dimensions` in cm, `origin-postal-code`, `destination` as
//! `domestic/postal-code`, `united-states/zip-code` or `international/country-code`)
//! and answer `<price-quotes><price-quote>` (`service-code`, `service-name`,
//! `price-details/due`, `service-standard/expected-transit-time`,
//! `expected-delivery-date`) from Canada Post's "Get Rates" reference
//! (<https://www.canadapost-postescanada.ca/info/mc/business/productsservices/developers/services/rating/getrates/default.jsf>).

use super::client::esc;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Deserialize;
use shipgate_sdk::model::{Address, Currency, Money};
use shipgate_sdk::{ConnectorError, Parcel, Rate};

/// The rating service's media type.
pub(super) const MEDIA: &str = "application/vnd.cpc.ship.rate-v4+xml";

/// Kilograms to three decimals, rounded up (Canada Post's precision).
pub(super) fn kilograms(grams: u32) -> Decimal {
    (Decimal::from(grams) / Decimal::from(1000))
        .round_dp_with_strategy(3, RoundingStrategy::AwayFromZero)
}

/// Centimetres to one decimal.
pub(super) fn centimetres(mm: u32) -> Decimal {
    (Decimal::from(mm) / Decimal::from(10)).round_dp(1)
}

/// A postal code as Canada Post wants it: upper case, no space.
pub(super) fn postal(a: &Address) -> String {
    a.postal_code
        .as_deref()
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase()
}

/// `<parcel-characteristics>` of one parcel.
pub(super) fn characteristics(p: &Parcel) -> String {
    format!(
        "<parcel-characteristics><weight>{}</weight><dimensions><length>{}</length>\
         <width>{}</width><height>{}</height></dimensions></parcel-characteristics>",
        kilograms(p.weight_grams),
        centimetres(p.length_mm),
        centimetres(p.width_mm),
        centimetres(p.height_mm)
    )
}

/// The `<destination>` of a rate request, by country.
fn destination(to: &Address) -> Result<String, ConnectorError> {
    let country =
        to.country
            .map(|c| c.as_str().to_string())
            .ok_or_else(|| ConnectorError::Rejected {
                status: None,
                message: "canada_post: the ship-to address has no country".into(),
            })?;
    Ok(match country.as_str() {
        "CA" => format!(
            "<domestic><postal-code>{}</postal-code></domestic>",
            esc(&postal(to))
        ),
        "US" => format!(
            "<united-states><zip-code>{}</zip-code></united-states>",
            esc(&postal(to))
        ),
        other => format!("<international><country-code>{other}</country-code></international>"),
    })
}

/// The `<mailing-scenario>` body for one parcel.
pub(super) fn request(
    customer: &str,
    from: &Address,
    to: &Address,
    parcel: &Parcel,
) -> Result<String, ConnectorError> {
    Ok(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <mailing-scenario xmlns=\"http://www.canadapost.ca/ws/ship/rate-v4\">\
         <customer-number>{}</customer-number>{}<origin-postal-code>{}</origin-postal-code>\
         <destination>{}</destination></mailing-scenario>",
        esc(customer),
        characteristics(parcel),
        esc(&postal(from)),
        destination(to)?
    ))
}

#[derive(Deserialize)]
struct Quotes {
    #[serde(rename = "price-quote", default)]
    list: Vec<Quote>,
}

#[derive(Deserialize)]
struct Quote {
    #[serde(rename = "service-code")]
    service_code: String,
    #[serde(rename = "service-name")]
    service_name: Option<String>,
    #[serde(rename = "price-details")]
    price_details: PriceDetails,
    #[serde(rename = "service-standard")]
    service_standard: Option<Standard>,
}

#[derive(Deserialize)]
struct PriceDetails {
    due: String,
}

#[derive(Deserialize)]
struct Standard {
    #[serde(rename = "expected-transit-time")]
    transit: Option<u32>,
    #[serde(rename = "expected-delivery-date")]
    delivery: Option<String>,
}

/// Reads a `<price-quotes>` answer: the amount due (taxes included) in CAD.
pub(super) fn parse(body: &[u8]) -> Result<Vec<Rate>, ConnectorError> {
    let shape = |reason: String| ConnectorError::UnexpectedShape {
        reason: format!("canada_post price-quotes answer: {reason}"),
        raw: body.to_vec(),
    };
    let text = std::str::from_utf8(body).map_err(|e| shape(e.to_string()))?;
    if !text.contains("<price-quotes") {
        return Err(shape("no <price-quotes> root".into()));
    }
    let quotes: Quotes = quick_xml::de::from_str(text).map_err(|e| shape(e.to_string()))?;
    let cad = Currency::parse("CAD").map_err(|e| shape(e.to_string()))?;
    quotes
        .list
        .into_iter()
        .map(|q| {
            let amount: Decimal = q.price_details.due.trim().parse().map_err(|e| {
                shape(format!(
                    "{} due {:?}: {e}",
                    q.service_code, q.price_details.due
                ))
            })?;
            let standard = q.service_standard;
            Ok(Rate {
                carrier: "canada_post".into(),
                service_name: q.service_name.unwrap_or_else(|| q.service_code.clone()),
                service: q.service_code,
                price: Money::new(amount, cad),
                transit_days: standard.as_ref().and_then(|s| s.transit),
                estimated_delivery: standard
                    .and_then(|s| s.delivery)
                    .and_then(|d| d.trim().parse().ok()),
            })
        })
        .collect()
}
