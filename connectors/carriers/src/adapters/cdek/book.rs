//! Orders and their labels. Registration is asynchronous at CDEK: every entity operation
//! answers `202` with `{"entity":{"uuid"},"requests":[{"request_uuid","type","state",
//! "date_time","errors","warnings"}]}`, where `state` is `ACCEPTED` (pre-validation
//! passed), `WAITING`, `SUCCESSFUL` or `INVALID` (<https://api-docs.cdek.ru/33828855.html>),
//! and the result is read back later.
//!
//! - `POST {base}/orders` (order registration, <https://api-docs.cdek.ru/33828802.html>):
//!   `{type, number, tariff_code, comment, from_location, to_location, sender{company,
//!   name, phones[{number}]}, recipient{company, name, email, phones[{number}]},
//!   packages[{number, weight, length, width, height, comment}]}`, with `shipment_point` (a CDEK office code) instead of
//!   `from_location` for tariffs that start at an office. Type 2 ("delivery", any
//!   contract) needs no item list; a package then carries a `comment`. Type 1 ("e-shop")
//!   lists goods, `items[{name, ware_key, payment{value}, cost, weight, amount}]`
//!   (`payment.value` is the cash to collect on delivery: 0, prepaid), and takes `number`,
//!   the client's order number ("only for orders of e-shop type"): shipgate's
//!   idempotency key.
//! - `GET {base}/orders/{uuid}` (order details, <https://api-docs.cdek.ru/33828849.html>)
//!   until `entity.cdek_number` is there; the `CREATE` request turning `INVALID` is a
//!   refusal with its errors.
//! - `POST {base}/print/barcodes` `{orders[{order_uuid}], copy_count, format A4|A5|A6}`
//!   (the barcode of the cargo package, <https://api-docs.cdek.ru/36969713.html>), then
//!   `GET {base}/print/barcodes/{uuid}` until `entity.url` is there (it is "contained in
//!   the answer only in the Formed status"; statuses ACCEPTED, PROCESSING, READY,
//!   INVALID, REMOVED), then the PDF is downloaded from `url`
//!   (`https://api.cdek.ru/v2/print/barcodes/{uuid}.pdf`, valid for one hour) with the
//!   same bearer token (<https://api-docs.cdek.ru/36969722.html>).
//! - `DELETE {base}/orders/{uuid}` cancels an order still in status CREATED
//!   (<https://api-docs.cdek.ru/33828855.html>).

use super::client::{join, ErrorItem};
use super::quote::{location, package};
use serde::Deserialize;
use serde_json::{json, Value};
use shipgate_sdk::model::Address;
use shipgate_sdk::{ConnectorError, ShipmentRequest};

/// A decimal as a JSON number.
fn decimal(d: rust_decimal::Decimal) -> Value {
    serde_json::from_str(&d.normalize().to_string()).unwrap_or(Value::Null)
}

fn phones(a: &Address) -> Value {
    match a.phone.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => json!([{"number": p}]),
        None => json!([]),
    }
}

fn contact(a: &Address) -> Value {
    let mut person = json!({
        "name": a.name.clone().unwrap_or_default(),
        "phones": phones(a),
    });
    if let Some(company) = a.company.as_deref().filter(|c| !c.trim().is_empty()) {
        person["company"] = json!(company);
    }
    if let Some(email) = a.email.as_deref().filter(|e| !e.trim().is_empty()) {
        person["email"] = json!(email);
    }
    person
}

/// The order-registration body; `tariff_code` is the service code as a number. The
/// parcel starts at the office `drop_off` when given (`shipment_point`, which CDEK takes
/// instead of `from_location`), else at the sender's door.
pub(super) fn order(
    r: &ShipmentRequest,
    order_type: u8,
    drop_off: Option<&str>,
) -> Result<Value, ConnectorError> {
    let tariff: u32 = r.service.parse().map_err(|_| ConnectorError::Rejected {
        status: None,
        message: format!("cdek: service {:?} is not a tariff_code number", r.service),
    })?;
    let packages: Vec<Value> = r
        .parcels
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut one = package(p);
            one["number"] = json!((i + 1).to_string());
            one["comment"] = json!(r.reference);
            if order_type == 1 {
                // E-shop orders list their goods: one line per package, prepaid (no cash
                // on delivery), the declared value on the first.
                let cost = match (i, &r.declared_value) {
                    (0, Some(value)) => decimal(value.amount),
                    _ => json!(0),
                };
                one["items"] = json!([{
                    "name": r.reference,
                    "ware_key": format!("{}-{}", r.idempotency_key, i + 1),
                    "payment": {"value": 0},
                    "cost": cost,
                    "weight": p.weight_grams,
                    "amount": 1,
                }]);
            }
            one
        })
        .collect();
    let mut body = json!({
        "type": order_type,
        "tariff_code": tariff,
        "comment": r.reference,
        "to_location": location(&r.ship_to),
        "sender": contact(&r.ship_from),
        "recipient": contact(&r.ship_to),
        "packages": packages,
    });
    match drop_off {
        Some(point) => body["shipment_point"] = json!(point),
        None => body["from_location"] = location(&r.ship_from),
    }
    if order_type == 1 {
        // "Only for orders of e-shop type": the client's order number.
        body["number"] = json!(r.idempotency_key);
    }
    Ok(body)
}

#[derive(Deserialize)]
struct Request {
    #[serde(rename = "type")]
    kind: Option<String>,
    state: Option<String>,
    #[serde(default)]
    errors: Vec<ErrorItem>,
}

#[derive(Deserialize)]
struct Operation {
    entity: Option<Uuid>,
    #[serde(default)]
    requests: Vec<Request>,
}

#[derive(Deserialize)]
struct Uuid {
    uuid: Option<String>,
}

fn shape(what: &str, raw: &[u8], reason: String) -> ConnectorError {
    ConnectorError::UnexpectedShape {
        reason: format!("cdek {what} answer: {reason}"),
        raw: raw.to_vec(),
    }
}

/// A request of `kind` that CDEK marked `INVALID`, as a refusal in its words.
fn invalid(requests: &[Request], kind: &str) -> Option<ConnectorError> {
    requests
        .iter()
        .find(|r| r.kind.as_deref() == Some(kind) && r.state.as_deref() == Some("INVALID"))
        .map(|r| ConnectorError::Rejected {
            status: None,
            message: join(&r.errors),
        })
}

/// The entity uuid of an accepted operation (`what` names it in errors).
pub(super) fn accepted(what: &str, raw: &[u8]) -> Result<String, ConnectorError> {
    let op: Operation = serde_json::from_slice(raw).map_err(|e| shape(what, raw, e.to_string()))?;
    if let Some(refused) = op
        .requests
        .iter()
        .filter_map(|r| r.kind.as_deref())
        .find_map(|kind| invalid(&op.requests, kind))
    {
        return Err(refused);
    }
    op.entity
        .and_then(|e| e.uuid)
        .filter(|u| !u.is_empty())
        .ok_or_else(|| shape(what, raw, "no entity.uuid".into()))
}

#[derive(Deserialize)]
struct OrderInfo {
    entity: Option<OrderEntity>,
    #[serde(default)]
    requests: Vec<Request>,
}

#[derive(Deserialize)]
struct OrderEntity {
    cdek_number: Option<CdekNumber>,
}

/// `cdek_number`: a "long" in the field table, a string in CDEK's samples.
#[derive(Deserialize)]
#[serde(untagged)]
enum CdekNumber {
    Text(String),
    Integer(u64),
}

/// The `cdek_number` of an order-details answer, `None` while registration runs; the
/// registration turning `INVALID` is a refusal with CDEK's errors.
pub(super) fn registered(raw: &[u8]) -> Result<Option<String>, ConnectorError> {
    let info: OrderInfo =
        serde_json::from_slice(raw).map_err(|e| shape("orders/{uuid}", raw, e.to_string()))?;
    if let Some(refused) = invalid(&info.requests, "CREATE") {
        return Err(refused);
    }
    let entity = info
        .entity
        .ok_or_else(|| shape("orders/{uuid}", raw, "no entity".into()))?;
    Ok(match entity.cdek_number {
        Some(CdekNumber::Text(t)) if !t.trim().is_empty() => Some(t.trim().to_string()),
        Some(CdekNumber::Integer(n)) => Some(n.to_string()),
        _ => None,
    })
}

/// The barcode-label request for one order.
pub(super) fn print(order_uuid: &str, format: &str) -> Value {
    json!({
        "orders": [{"order_uuid": order_uuid}],
        "copy_count": 1,
        "format": format,
    })
}

#[derive(Deserialize)]
struct PrintInfo {
    entity: Option<PrintEntity>,
}

#[derive(Deserialize)]
struct PrintEntity {
    url: Option<String>,
    #[serde(default)]
    statuses: Vec<PrintStatus>,
}

#[derive(Deserialize)]
struct PrintStatus {
    code: String,
    name: Option<String>,
}

/// The download link of a barcode print form, `None` while it is being made; a form
/// CDEK marked `INVALID` or `REMOVED` is a refusal.
pub(super) fn printed(raw: &[u8]) -> Result<Option<String>, ConnectorError> {
    let what = "print/barcodes/{uuid}";
    let info: PrintInfo =
        serde_json::from_slice(raw).map_err(|e| shape(what, raw, e.to_string()))?;
    let entity = info
        .entity
        .ok_or_else(|| shape(what, raw, "no entity".into()))?;
    if let Some(url) = entity.url.filter(|u| !u.is_empty()) {
        return Ok(Some(url));
    }
    match entity.statuses.last() {
        Some(s) if s.code == "INVALID" || s.code == "REMOVED" => Err(ConnectorError::Rejected {
            status: None,
            message: format!(
                "cdek barcode print form {}: {}",
                s.code,
                s.name.clone().unwrap_or_default()
            ),
        }),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invalid_registration_is_a_refusal_and_a_pending_one_has_no_number() {
        let pending = br#"{"entity":{"uuid":"u","statuses":[{"code":"ACCEPTED"}]},"requests":[{"type":"CREATE","state":"ACCEPTED"}]}"#;
        assert_eq!(registered(pending).unwrap(), None);
        let done = br#"{"entity":{"uuid":"u","cdek_number":"1106000001"},"requests":[{"type":"CREATE","state":"SUCCESSFUL"}]}"#;
        assert_eq!(registered(done).unwrap().as_deref(), Some("1106000001"));
        let refused = br#"{"entity":{"uuid":"u"},"requests":[{"type":"CREATE","state":"INVALID","errors":[{"code":"v2_field_is_empty","message":"recipient.phones"}]}]}"#;
        match registered(refused) {
            Err(ConnectorError::Rejected { message, .. }) => {
                assert_eq!(message, "v2_field_is_empty: recipient.phones")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_print_form_is_pending_ready_or_refused() {
        let pending =
            br#"{"entity":{"uuid":"p","statuses":[{"code":"ACCEPTED"},{"code":"PROCESSING"}]}}"#;
        assert_eq!(printed(pending).unwrap(), None);
        let ready = br#"{"entity":{"uuid":"p","url":"https://api.cdek.ru/v2/print/barcodes/p.pdf","statuses":[{"code":"READY"}]}}"#;
        assert!(printed(ready).unwrap().is_some());
        let invalid = br#"{"entity":{"uuid":"p","statuses":[{"code":"INVALID","name":"bad"}]}}"#;
        assert!(matches!(
            printed(invalid),
            Err(ConnectorError::Rejected { .. })
        ));
    }
}
