//! Orders in the Otpravka API (<https://otpravka.pochta.ru/specification>):
//!
//! - `PUT /1.0/user/backlog` ("Создание заказа", `#/orders-creating_order`): an array of
//!   orders (`address-type-to`, `mail-type`, `mail-category`, `mail-direct`, `mass` in
//!   grams, `index-to` as a number, `region-to`, `place-to`, `street-to`, `house-to`,
//!   `room-to`, `recipient-name`, `surname`, `given-name`, `middle-name`, `tel-address`
//!   as a number, `order-num`, `postoffice-code`, `fragile`, `dimension` in cm,
//!   `insr-value` in kopecks); answer `{"result-ids": [id], "errors": [{"error-codes":
//!   [{"code", "description", "details"}], "position"}]}`, errors with the
//!   OrderValidationError codes (`EMPTY_INDEX_TO`, `ILLEGAL_MAIL_TYPE`…).
//! - `GET /1.0/backlog/{id}` (`#/orders-search_order_byid`): the order with its
//!   `barcode` (ШПИ) and charge, `total-rate-wo-vat` and `total-vat` in kopecks. Russian
//!   Post gives some accounts the barcode only when orders go into a batch; such an
//!   order has no `barcode` here, and booking says so instead of guessing one.
//! - `GET /1.0/forms/{id}/forms` (`#/documents-create_forms_backlog`): the order's
//!   printed forms as one PDF (`print-type` `THERMO` for a 10 × 15 cm label).
//! - `DELETE /1.0/backlog` (`#/orders-delete_new_order`): an array of ids; the answer
//!   has the creation answer's shape, with RemoveBacklogErrorCode (`NOT_FOUND`,
//!   `ACCESS_VIOLATION`, `UNDEFINED`).

use super::client::decode;
use super::CODE;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use shipgate_sdk::model::{Address, CountryCode, Currency, Money};
use shipgate_sdk::{ConnectorError, Parcel, ShipmentRequest};

/// `mail-direct` of Russia (ISO 3166 numeric, the Otpravka country dictionary).
const RUSSIA: u16 = 643;

fn refuse(message: String) -> ConnectorError {
    ConnectorError::Rejected {
        status: None,
        message: format!("{CODE}: {message}"),
    }
}

/// Russia, the only country these orders go from and to.
pub(super) fn russia() -> CountryCode {
    CountryCode::parse("RU").unwrap_or_else(|_| unreachable!("RU is an ISO 3166 code"))
}

/// Whether `text` is a six-digit Russian post office index.
pub(super) fn is_index(text: &str) -> bool {
    text.len() == 6 && text.bytes().all(|b| b.is_ascii_digit())
}

/// What every tariff and order needs from a request: the destination index and the
/// one parcel.
pub(super) struct Lane {
    /// The destination's post office index.
    pub(super) index_to: String,
    /// The parcel.
    pub(super) parcel: Parcel,
}

/// The lane of a request, refused when the API would refuse it: not to Russia, no
/// six-digit index, not exactly one parcel, no weight.
pub(super) fn lane(to: &Address, parcels: &[Parcel]) -> Result<Lane, ConnectorError> {
    if to.country != Some(russia()) {
        return Err(refuse(format!(
            "ship_to.country must be RU (orders abroad need a customs declaration), got {:?}",
            to.country.map(|c| c.as_str())
        )));
    }
    let index_to = to
        .postal_code
        .as_deref()
        .map(str::trim)
        .filter(|p| is_index(p))
        .ok_or_else(|| {
            refuse(format!(
                "ship_to.postal_code must be a six-digit index, got {:?}",
                to.postal_code
            ))
        })?;
    let [parcel] = parcels else {
        return Err(refuse(format!(
            "one order is one parcel; got {} parcels, book each as its own shipment",
            parcels.len()
        )));
    };
    if parcel.weight_grams == 0 {
        return Err(refuse("parcels[0].weight_grams must be above 0".into()));
    }
    Ok(Lane {
        index_to: index_to.to_string(),
        parcel: *parcel,
    })
}

/// `mail-category` and the declared value in kopecks: `WITH_DECLARED_VALUE` when the
/// merchant declares one (in roubles), `ORDINARY` otherwise.
pub(super) fn category(
    declared: Option<&Money>,
) -> Result<(&'static str, Option<i64>), ConnectorError> {
    let Some(money) = declared else {
        return Ok(("ORDINARY", None));
    };
    if money.currency.as_str() != "RUB" {
        return Err(refuse(format!(
            "declared_value must be in RUB, got {}",
            money.currency
        )));
    }
    let kopecks = (money.amount * Decimal::ONE_HUNDRED).round();
    let kopecks = i64::try_from(kopecks)
        .ok()
        .filter(|k| *k > 0)
        .ok_or_else(|| refuse(format!("declared_value {money} is not a positive amount")))?;
    Ok(("WITH_DECLARED_VALUE", Some(kopecks)))
}

/// The parcel's sides in whole centimetres (rounded up), when all three are given.
pub(super) fn dimension(parcel: &Parcel) -> Option<Value> {
    let cm = |mm: u32| mm.div_ceil(10);
    (parcel.length_mm > 0 && parcel.width_mm > 0 && parcel.height_mm > 0).then(|| {
        json!({
            "length": cm(parcel.length_mm),
            "width": cm(parcel.width_mm),
            "height": cm(parcel.height_mm),
        })
    })
}

/// `street-to` and `house-to` from a street line written "street, house": the part
/// after the last comma is the house when it holds a digit.
fn street_and_house(line: &str) -> (String, Option<String>) {
    match line.rsplit_once(',') {
        Some((street, house))
            if house.chars().any(|c| c.is_ascii_digit()) && !street.trim().is_empty() =>
        {
            (street.trim().to_string(), Some(house.trim().to_string()))
        }
        _ => (line.trim().to_string(), None),
    }
}

/// The order of one shipment. The recipient's full name goes in `recipient-name`; its
/// words also fill `surname`, `given-name` and `middle-name` in the Russian order
/// (Фамилия Имя Отчество).
pub(super) fn order(
    request: &ShipmentRequest,
    lane: &Lane,
    postoffice_code: &str,
) -> Result<Value, ConnectorError> {
    let to = &request.ship_to;
    let text = |value: &Option<String>, field: &str| {
        value
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .ok_or_else(|| refuse(format!("ship_to.{field} is required")))
    };
    let name = text(&to.name, "name")?;
    let city = text(&to.city, "city")?;
    let line1 = text(&to.line1, "line1")?;
    let region = to
        .region
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .unwrap_or(&city)
        .to_string();
    let index_to: u32 = lane
        .index_to
        .parse()
        .map_err(|_| refuse(format!("index {:?} is not a number", lane.index_to)))?;
    let (category, insured) = category(request.declared_value.as_ref())?;
    let mut words = name.split_whitespace();
    let surname = words.next().unwrap_or_default().to_string();
    let given = words.next().unwrap_or_default().to_string();
    let middle = words.collect::<Vec<_>>().join(" ");
    let (street, house) = street_and_house(&line1);

    let mut order = Map::new();
    let mut put = |key: &str, value: Value| {
        order.insert(key.to_string(), value);
    };
    put("address-type-to", json!("DEFAULT"));
    put("mail-type", json!(request.service));
    put("mail-category", json!(category));
    put("mail-direct", json!(RUSSIA));
    put("mass", json!(lane.parcel.weight_grams));
    put("index-to", json!(index_to));
    put("region-to", json!(region));
    put("place-to", json!(city));
    put("street-to", json!(street));
    if let Some(house) = house {
        put("house-to", json!(house));
    }
    if let Some(room) = to.line2.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        put("room-to", json!(room));
    }
    put("recipient-name", json!(name));
    put("surname", json!(surname));
    put("given-name", json!(given));
    if !middle.is_empty() {
        put("middle-name", json!(middle));
    }
    let digits: String = to
        .phone
        .as_deref()
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    if let Ok(phone) = digits.parse::<u64>() {
        put("tel-address", json!(phone));
    }
    put("order-num", json!(request.reference));
    put("postoffice-code", json!(postoffice_code));
    put("fragile", json!(false));
    if let Some(dimension) = dimension(&lane.parcel) {
        put("dimension", dimension);
    }
    if let Some(kopecks) = insured {
        put("insr-value", json!(kopecks));
    }
    Ok(Value::Object(order))
}

/// The creation and deletion answer.
#[derive(Deserialize)]
struct Outcome {
    #[serde(rename = "result-ids", default)]
    result_ids: Vec<u64>,
    #[serde(default)]
    errors: Vec<OrderErrors>,
}

#[derive(Deserialize)]
struct OrderErrors {
    #[serde(rename = "error-codes", default)]
    error_codes: Vec<ErrorCode>,
}

#[derive(Deserialize)]
struct ErrorCode {
    code: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    details: Option<String>,
}

impl Outcome {
    /// Every error code with its words, and whether one is `NOT_FOUND`.
    fn refusal(&self) -> Option<(String, bool)> {
        let codes: Vec<&ErrorCode> = self.errors.iter().flat_map(|e| &e.error_codes).collect();
        if codes.is_empty() {
            return None;
        }
        let words = codes
            .iter()
            .map(|c| {
                let text = [c.description.as_deref(), c.details.as_deref()]
                    .into_iter()
                    .flatten()
                    .filter(|t| !t.trim().is_empty())
                    .collect::<Vec<_>>()
                    .join("; ");
                if text.is_empty() {
                    c.code.clone()
                } else {
                    format!("{}: {text}", c.code)
                }
            })
            .collect::<Vec<_>>()
            .join(", ");
        Some((words, codes.iter().any(|c| c.code == "NOT_FOUND")))
    }
}

/// The id of the order `PUT /1.0/user/backlog` created, or its refusal.
pub(super) fn created(raw: &[u8]) -> Result<u64, ConnectorError> {
    let outcome: Outcome = decode(raw, "PUT /1.0/user/backlog")?;
    if let Some((words, _)) = outcome.refusal() {
        return Err(refuse(words));
    }
    outcome
        .result_ids
        .first()
        .copied()
        .ok_or_else(|| ConnectorError::UnexpectedShape {
            reason: format!("{CODE} PUT /1.0/user/backlog answer: neither result-ids nor errors"),
            raw: raw.to_vec(),
        })
}

#[derive(Deserialize)]
struct OrderInfo {
    #[serde(default)]
    barcode: Option<String>,
    #[serde(rename = "total-rate-wo-vat")]
    total_rate_wo_vat: i64,
    #[serde(rename = "total-vat")]
    total_vat: i64,
}

/// Kopecks as roubles, exactly.
pub(super) fn roubles(kopecks: i64) -> Money {
    let rub = Currency::parse("RUB").unwrap_or_else(|_| unreachable!("RUB is an ISO 4217 code"));
    Money::new(Decimal::new(kopecks, 2), rub)
}

/// The barcode and the charge (with VAT) of order `id`.
pub(super) fn order_info(raw: &[u8], id: u64) -> Result<(String, Money), ConnectorError> {
    let info: OrderInfo = decode(raw, &format!("GET /1.0/backlog/{id}"))?;
    let barcode = info
        .barcode
        .map(|b| b.trim().to_string())
        .filter(|b| !b.is_empty())
        .ok_or_else(|| {
            refuse(format!(
                "order {id} has no barcode yet: this account is given barcodes when orders \
                 are put into a batch"
            ))
        })?;
    let total = info
        .total_rate_wo_vat
        .checked_add(info.total_vat)
        .filter(|k| *k >= 0)
        .ok_or_else(|| ConnectorError::UnexpectedShape {
            reason: format!("{CODE} order {id}: charge is not a sum of kopecks"),
            raw: raw.to_vec(),
        })?;
    Ok((barcode, roubles(total)))
}

/// Whether `DELETE /1.0/backlog` removed order `id`: `NOT_FOUND` is
/// [`ConnectorError::NotFound`], other codes a refusal.
pub(super) fn deleted(raw: &[u8], id: u64) -> Result<(), ConnectorError> {
    let outcome: Outcome = decode(raw, "DELETE /1.0/backlog")?;
    match outcome.refusal() {
        Some((words, true)) => Err(ConnectorError::NotFound(format!(
            "{CODE} order {id}: {words}"
        ))),
        Some((words, false)) => Err(refuse(words)),
        None if outcome.result_ids.contains(&id) => Ok(()),
        None => Err(ConnectorError::UnexpectedShape {
            reason: format!("{CODE} DELETE /1.0/backlog answer does not name order {id}"),
            raw: raw.to_vec(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_house_is_the_part_after_the_last_comma_when_it_has_a_digit() {
        assert_eq!(
            street_and_house("ул. Мира, д. 5"),
            ("ул. Мира".into(), Some("д. 5".into()))
        );
        assert_eq!(
            street_and_house("Невский проспект"),
            ("Невский проспект".into(), None)
        );
        assert_eq!(
            street_and_house("пос. Лесной, школа"),
            ("пос. Лесной, школа".into(), None)
        );
    }

    #[test]
    fn kopecks_become_roubles_exactly() {
        assert_eq!(roubles(37260).amount.to_string(), "372.60");
        assert_eq!(roubles(5).amount.to_string(), "0.05");
        let raw = br#"{"barcode":"CA800000011RU","total-rate-wo-vat":31050,"total-vat":6210}"#;
        let (barcode, price) = order_info(raw, 7).unwrap();
        assert_eq!(barcode, "CA800000011RU");
        assert_eq!(price.amount, Decimal::new(37260, 2));
    }

    #[test]
    fn creation_errors_and_missing_barcodes_are_refusals() {
        let refused = r#"{"errors":[{"error-codes":[{"code":"EMPTY_INDEX_TO","description":"Почтовый индекс не указан"}],"position":0}],"result-ids":[]}"#;
        match created(refused.as_bytes()) {
            Err(ConnectorError::Rejected { message, .. }) => {
                assert_eq!(
                    message,
                    "russian_post: EMPTY_INDEX_TO: Почтовый индекс не указан"
                )
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            created(b"{}"),
            Err(ConnectorError::UnexpectedShape { .. })
        ));
        let no_barcode = br#"{"id":7,"total-rate-wo-vat":1,"total-vat":0}"#;
        assert!(matches!(
            order_info(no_barcode, 7),
            Err(ConnectorError::Rejected { .. })
        ));
    }
}
