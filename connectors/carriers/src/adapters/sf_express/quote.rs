//! Time and price query, service `EXP_RECE_QUERY_DELIVERTM` (时效标准及价格查询):
//! `msgData` `{businessType?, weight (kg), volume (cm³), consignedTime, searchPrice:"1",
//! srcAddress{province, city, district, address}, destAddress{…}}`, answer `msgData`
//! `{deliverTmDto:[{businessType, businessTypeDesc, deliverTime, fee}]}` with fees in
//! CNY, as in SF's service page
//! (<https://open.sf-express.com/Api/ApiDetails?apiServiceCode=EXP_RECE_QUERY_DELIVERTM>).

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Deserialize;
use serde_json::{json, Value};
use shipgate_sdk::model::{Address, Currency, Money};
use shipgate_sdk::{ConnectorError, Rate, RateRequest};

/// A decimal as a JSON number.
pub(super) fn number(d: Decimal) -> Value {
    serde_json::from_str(&d.normalize().to_string()).unwrap_or(Value::Null)
}

/// Total kilograms of a request's parcels, to three decimals.
pub(super) fn kilograms(parcels: &[shipgate_sdk::Parcel]) -> Decimal {
    let grams: u64 = parcels.iter().map(|p| u64::from(p.weight_grams)).sum();
    (Decimal::from(grams) / Decimal::from(1000))
        .round_dp_with_strategy(3, RoundingStrategy::AwayFromZero)
}

/// SF's address object: province (region), city, district (second line) and street.
pub(super) fn place(a: &Address) -> Value {
    json!({
        "province": a.region.clone().unwrap_or_default(),
        "city": a.city.clone().unwrap_or_default(),
        "district": a.line2.clone().unwrap_or_default(),
        "address": a.line1.clone().unwrap_or_default(),
    })
}

/// The query's `msgData`.
pub(super) fn request(r: &RateRequest) -> Value {
    let volume: u64 = r.parcels.iter().map(|p| p.volume_cm3()).sum();
    let mut body = json!({
        "weight": number(kilograms(&r.parcels)),
        "volume": volume,
        "consignedTime": china_now(),
        "searchPrice": "1",
        "srcAddress": place(&r.ship_from),
        "destAddress": place(&r.ship_to),
    });
    if let Some(service) = &r.service {
        body["businessType"] = json!(service);
    }
    body
}

/// Now in China Standard Time, the way SF writes times.
pub(super) fn china_now() -> String {
    let now = chrono::Utc::now();
    match chrono::FixedOffset::east_opt(8 * 3600) {
        Some(cst) => now
            .with_timezone(&cst)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string(),
        None => now.format("%Y-%m-%d %H:%M:%S").to_string(),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Answer {
    #[serde(default)]
    deliver_tm_dto: Vec<Offer>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Offer {
    business_type: String,
    business_type_desc: Option<String>,
    deliver_time: Option<String>,
    fee: Option<serde_json::Number>,
}

/// Reads the offers of a query answer's `msgData`.
pub(super) fn parse(data: &Value, raw: &[u8]) -> Result<Vec<Rate>, ConnectorError> {
    let shape = |reason: String| ConnectorError::UnexpectedShape {
        reason: format!("sf_express EXP_RECE_QUERY_DELIVERTM answer: {reason}"),
        raw: raw.to_vec(),
    };
    let answer: Answer = serde_json::from_value(data.clone()).map_err(|e| shape(e.to_string()))?;
    let cny = Currency::parse("CNY").map_err(|e| shape(e.to_string()))?;
    let mut rates = Vec::new();
    for offer in answer.deliver_tm_dto {
        let Some(fee) = offer.fee else {
            continue;
        };
        let amount: Decimal = fee
            .to_string()
            .parse()
            .map_err(|e| shape(format!("fee {fee}: {e}")))?;
        rates.push(Rate {
            carrier: "sf_express".into(),
            service_name: offer
                .business_type_desc
                .unwrap_or_else(|| super::service_name(&offer.business_type)),
            service: offer.business_type,
            price: Money::new(amount, cny),
            transit_days: None,
            estimated_delivery: offer
                .deliver_time
                .and_then(|t| t.get(..10).and_then(|d| d.parse().ok())),
        });
    }
    Ok(rates)
}
