//! MyDHL API rating: `POST /rates` (several packages, one answer with every product the
//! lane allows).
//!
//! Body (`customerDetails.shipperDetails`/`receiverDetails` with `postalCode`,
//! `cityName`, `countryCode`; `accounts[{typeCode:"shipper",number}]`;
//! `plannedShippingDateAndTime`; `unitOfMeasurement` `metric`; `isCustomsDeclarable`;
//! `packages[{weight, dimensions{length,width,height}}]` in kg and cm) and answer
//! (`products[{productName, productCode, totalPrice[{currencyType, priceCurrency,
//! price}], deliveryCapabilities{totalTransitDays, estimatedDeliveryDateAndTime}}]`)
//! from DHL's MyDHL API reference
//! (<https://developer.dhl.com/api-reference/dhl-express-mydhl-api>, "Rates").

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Deserialize;
use serde_json::{json, Value};
use shipgate_sdk::model::{Address, Currency, Money};
use shipgate_sdk::{ConnectorError, Parcel, Rate, RateRequest};

/// A decimal as a JSON number, the way DHL writes weights and prices.
pub(super) fn number(d: Decimal) -> Value {
    serde_json::from_str(&d.normalize().to_string()).unwrap_or(Value::Null)
}

/// Kilograms, rounded up to a thousandth.
pub(super) fn kilograms(grams: u32) -> Decimal {
    (Decimal::from(grams) / Decimal::from(1000))
        .round_dp_with_strategy(3, RoundingStrategy::AwayFromZero)
}

/// Centimetres, rounded up to a whole one (DHL wants whole numbers).
pub(super) fn centimetres(mm: u32) -> Decimal {
    (Decimal::from(mm) / Decimal::from(10)).ceil()
}

/// One package in MyDHL's shape.
pub(super) fn package(p: &Parcel) -> Value {
    json!({
        "weight": number(kilograms(p.weight_grams)),
        "dimensions": {
            "length": number(centimetres(p.length_mm)),
            "width": number(centimetres(p.width_mm)),
            "height": number(centimetres(p.height_mm)),
        },
    })
}

/// The country code of an address, or a refusal naming `role`.
pub(super) fn country(a: &Address, role: &str) -> Result<String, ConnectorError> {
    a.country
        .map(|c| c.as_str().to_string())
        .ok_or_else(|| ConnectorError::Rejected {
            status: None,
            message: format!("dhl_express: the {role} address has no country"),
        })
}

/// `shipperDetails` / `receiverDetails` of a rate request.
fn place(a: &Address, role: &str) -> Result<Value, ConnectorError> {
    Ok(json!({
        "postalCode": a.postal_code.clone().unwrap_or_default(),
        "cityName": a.city.clone().unwrap_or_default(),
        "countryCode": country(a, role)?,
    }))
}

/// DHL's date-time with offset, e.g. `2026-11-24T10:00:00GMT+00:00`.
pub(super) fn planned(now: chrono::DateTime<chrono::Utc>) -> String {
    now.format("%Y-%m-%dT%H:%M:%SGMT+00:00").to_string()
}

/// The `/rates` body.
pub(super) fn request(r: &RateRequest, account: &str) -> Result<Value, ConnectorError> {
    let declarable = country(&r.ship_from, "ship-from")? != country(&r.ship_to, "ship-to")?;
    Ok(json!({
        "customerDetails": {
            "shipperDetails": place(&r.ship_from, "ship-from")?,
            "receiverDetails": place(&r.ship_to, "ship-to")?,
        },
        "accounts": [{"typeCode": "shipper", "number": account}],
        "plannedShippingDateAndTime": planned(chrono::Utc::now()),
        "unitOfMeasurement": "metric",
        "isCustomsDeclarable": declarable,
        "packages": r.parcels.iter().map(package).collect::<Vec<_>>(),
    }))
}

#[derive(Deserialize)]
struct Answer {
    #[serde(default)]
    products: Vec<Product>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Product {
    product_name: Option<String>,
    product_code: String,
    #[serde(default)]
    total_price: Vec<Price>,
    delivery_capabilities: Option<Capabilities>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Price {
    currency_type: Option<String>,
    price_currency: Option<String>,
    price: serde_json::Number,
}

impl Price {
    /// The amount in its currency.
    pub(super) fn money(&self) -> Result<Money, String> {
        let amount: Decimal = self
            .price
            .to_string()
            .parse()
            .map_err(|e| format!("price {}: {e}", self.price))?;
        let code = self.price_currency.as_deref().unwrap_or_default();
        let currency = Currency::parse(code).map_err(|e| format!("priceCurrency {code:?}: {e}"))?;
        Ok(Money::new(amount, currency))
    }
}

/// The `BILLC` (billing currency) price of a list, else the first one.
pub(super) fn billed(prices: &[Price]) -> Option<&Price> {
    prices
        .iter()
        .find(|p| p.currency_type.as_deref() == Some("BILLC"))
        .or_else(|| prices.first())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Capabilities {
    total_transit_days: Option<Value>,
    estimated_delivery_date_and_time: Option<String>,
}

/// Reads a rates answer; `wanted` keeps one product code.
pub(super) fn parse(body: &[u8], wanted: Option<&str>) -> Result<Vec<Rate>, ConnectorError> {
    let shape = |reason: String| ConnectorError::UnexpectedShape {
        reason: format!("dhl_express rates answer: {reason}"),
        raw: body.to_vec(),
    };
    let mut de = serde_json::Deserializer::from_slice(body);
    let answer: Answer = serde_path_to_error::deserialize(&mut de)
        .map_err(|e| shape(format!("at {}: {}", e.path(), e.inner())))?;
    let mut rates = Vec::new();
    for product in answer.products {
        if wanted.is_some_and(|w| w != product.product_code) {
            continue;
        }
        let price = billed(&product.total_price)
            .ok_or_else(|| shape(format!("product {}: no totalPrice", product.product_code)))?
            .money()
            .map_err(shape)?;
        let capabilities = product.delivery_capabilities;
        let transit_days = capabilities
            .as_ref()
            .and_then(|c| c.total_transit_days.as_ref())
            .and_then(|v| match v {
                Value::String(s) => s.trim().parse().ok(),
                other => other.as_u64().and_then(|n| u32::try_from(n).ok()),
            });
        let estimated_delivery = capabilities
            .and_then(|c| c.estimated_delivery_date_and_time)
            .and_then(|t| t.get(..10).and_then(|d| d.parse().ok()));
        rates.push(Rate {
            carrier: "dhl_express".into(),
            service_name: product
                .product_name
                .unwrap_or_else(|| format!("DHL product {}", product.product_code)),
            service: product.product_code,
            price,
            transit_days,
            estimated_delivery,
        });
    }
    Ok(rates)
}
