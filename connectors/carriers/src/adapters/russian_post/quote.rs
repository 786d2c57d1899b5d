//! Prices through `POST /1.0/tariff` ("Расчет стоимости пересылки",
//! <https://otpravka.pochta.ru/specification>): request `{"index-from", "index-to",
//! "mail-category", "mail-type", "mass" (grams), "dimension" {length, width, height}
//! (cm), "declared-value", "fragile"}`, answer with every charge as `{rate, vat}` in
//! kopecks, the totals `total-rate` and `total-vat` and `delivery-time` `{min-days,
//! max-days}`. The docs describe each `rate` as "Тариф без НДС" and `total-vat` as the
//! VAT of them all, so the price charged is `total-rate + total-vat`; public
//! integrations add them the same way.

use super::book::{category, dimension, roubles, Lane};
use super::client::decode;
use super::CODE;
use serde::Deserialize;
use serde_json::{json, Value};
use shipgate_sdk::model::Money;
use shipgate_sdk::{ConnectorError, Rate};

/// The tariff request for one mail type.
pub(super) fn request(
    index_from: &str,
    lane: &Lane,
    mail_type: &str,
    declared: Option<&Money>,
) -> Result<Value, ConnectorError> {
    let (mail_category, insured) = category(declared)?;
    let mut body = json!({
        "index-from": index_from,
        "index-to": lane.index_to,
        "mail-category": mail_category,
        "mail-type": mail_type,
        "mass": lane.parcel.weight_grams,
        "fragile": false,
    });
    if let Some(dimension) = dimension(&lane.parcel) {
        body["dimension"] = dimension;
    }
    if let Some(kopecks) = insured {
        body["declared-value"] = json!(kopecks);
    }
    Ok(body)
}

#[derive(Deserialize)]
struct Tariff {
    #[serde(rename = "total-rate")]
    total_rate: i64,
    #[serde(rename = "total-vat")]
    total_vat: i64,
    #[serde(rename = "delivery-time", default)]
    delivery_time: Option<DeliveryTime>,
}

#[derive(Deserialize)]
struct DeliveryTime {
    #[serde(rename = "max-days")]
    max_days: u32,
}

/// The rate of one tariff answer.
pub(super) fn parse(raw: &[u8], mail_type: &str, name: &str) -> Result<Rate, ConnectorError> {
    let tariff: Tariff = decode(raw, "POST /1.0/tariff")?;
    let kopecks = tariff
        .total_rate
        .checked_add(tariff.total_vat)
        .filter(|k| *k >= 0)
        .ok_or_else(|| ConnectorError::UnexpectedShape {
            reason: format!("{CODE} tariff: total-rate + total-vat is not a sum of kopecks"),
            raw: raw.to_vec(),
        })?;
    Ok(Rate {
        carrier: CODE.into(),
        service: mail_type.into(),
        service_name: name.into(),
        price: roubles(kopecks),
        transit_days: tariff.delivery_time.map(|d| d.max_days),
        estimated_delivery: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    #[test]
    fn the_price_is_rate_plus_vat_in_roubles() {
        let raw = br#"{"ground-rate":{"rate":31050,"vat":6210},"total-rate":31050,"total-vat":6210,"delivery-time":{"min-days":4,"max-days":8}}"#;
        let rate = parse(raw, "POSTAL_PARCEL", "Посылка").unwrap();
        assert_eq!(rate.price.amount, Decimal::new(37260, 2));
        assert_eq!(rate.price.currency.as_str(), "RUB");
        assert_eq!(rate.transit_days, Some(8));
        match parse(br#"{"total-rate":"a lot"}"#, "EMS", "EMS") {
            Err(ConnectorError::UnexpectedShape { reason, .. }) => {
                assert!(reason.contains("total-rate"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
    }
}
