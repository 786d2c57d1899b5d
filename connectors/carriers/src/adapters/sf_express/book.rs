//! Ordering, labels and cancelling on the SF open platform.
//!
//! - `EXP_RECE_CREATE_ORDER` (下订单): `msgData` `{language, orderId, contactInfoList
//!   [{contactType 1 sender / 2 receiver, contact, tel, country, province, city, county,
//!   address, postCode}], cargoDetails[{name, count}], expressTypeId, parcelQty,
//!   totalWeight, monthlyCard, payMethod}`; answer `{orderId, waybillNoInfoList
//!   [{waybillType, waybillNo}], originCode, destCode, filterResult}`
//!   (<https://open.sf-express.com/Api/ApiDetails?apiServiceCode=EXP_RECE_CREATE_ORDER>).
//!   The idempotency key is the `orderId`: SF refuses a second order with the same id
//!   (error 8016), so a retry cannot buy a second waybill.
//! - `COM_RECE_CLOUD_PRINT_WAYBILLS` (云打印面单): `{templateCode, version "2.0", fileType
//!   "pdf", sync true, documents[{masterWaybillNo}]}`; answer `obj.files[{url, token,
//!   waybillNo}]`, the PDF fetched from `url` with the `X-Auth-token` header
//!   (<https://open.sf-express.com/Api/ApiDetails?apiServiceCode=COM_RECE_CLOUD_PRINT_WAYBILLS>).
//! - `EXP_RECE_UPDATE_ORDER` with `dealType` 2 cancels the order
//!   (<https://open.sf-express.com/Api/ApiDetails?apiServiceCode=EXP_RECE_UPDATE_ORDER>).

use super::quote::{kilograms, number};
use serde::Deserialize;
use serde_json::{json, Value};
use shipgate_sdk::model::Address;
use shipgate_sdk::{ConnectorError, ShipmentRequest};

fn contact(a: &Address, kind: u8) -> Value {
    json!({
        "contactType": kind,
        "contact": a.name.clone().unwrap_or_default(),
        "company": a.company,
        "tel": a.phone.clone().unwrap_or_default(),
        "country": a.country.map(|c| c.as_str().to_string()).unwrap_or_default(),
        "province": a.region.clone().unwrap_or_default(),
        "city": a.city.clone().unwrap_or_default(),
        "county": a.line2.clone().unwrap_or_default(),
        "address": a.line1.clone().unwrap_or_default(),
        "postCode": a.postal_code.clone().unwrap_or_default(),
    })
}

/// The create-order `msgData`; `expressTypeId` is the service code as a number.
pub(super) fn request(r: &ShipmentRequest, monthly_card: &str) -> Result<Value, ConnectorError> {
    let express_type: u32 = r.service.parse().map_err(|_| ConnectorError::Rejected {
        status: None,
        message: format!(
            "sf_express: service {:?} is not an expressTypeId number",
            r.service
        ),
    })?;
    Ok(json!({
        "language": "zh-CN",
        "orderId": r.idempotency_key,
        "contactInfoList": [contact(&r.ship_from, 1), contact(&r.ship_to, 2)],
        "cargoDetails": [{"name": r.reference, "count": 1}],
        "expressTypeId": express_type,
        "parcelQty": r.parcels.len(),
        "totalWeight": number(kilograms(&r.parcels)),
        "monthlyCard": monthly_card,
        "payMethod": 1,
        "isReturnRoutelabel": 1,
    }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Created {
    #[serde(default)]
    waybill_no_info_list: Vec<Waybill>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Waybill {
    waybill_type: Option<u8>,
    waybill_no: String,
}

/// The master waybill number (type 1) of a create-order answer, then the others.
pub(super) fn waybills(data: &Value, raw: &[u8]) -> Result<Vec<String>, ConnectorError> {
    let created: Created =
        serde_json::from_value(data.clone()).map_err(|e| ConnectorError::UnexpectedShape {
            reason: format!("sf_express EXP_RECE_CREATE_ORDER answer: {e}"),
            raw: raw.to_vec(),
        })?;
    let mut list = created.waybill_no_info_list;
    list.sort_by_key(|w| w.waybill_type.unwrap_or(u8::MAX));
    if list.is_empty() {
        return Err(ConnectorError::UnexpectedShape {
            reason: "sf_express EXP_RECE_CREATE_ORDER answer: no waybillNoInfoList".into(),
            raw: raw.to_vec(),
        });
    }
    Ok(list.into_iter().map(|w| w.waybill_no).collect())
}

/// The cloud-print `msgData` for one master waybill.
pub(super) fn print(template: &str, waybill: &str) -> Value {
    json!({
        "templateCode": template,
        "version": "2.0",
        "fileType": "pdf",
        "sync": true,
        "documents": [{"masterWaybillNo": waybill}],
    })
}

#[derive(Deserialize)]
struct Printed {
    #[serde(default)]
    files: Vec<File>,
}

#[derive(Deserialize)]
struct File {
    url: String,
    token: String,
}

/// The (url, token) of the first printed file.
pub(super) fn printed(data: &Value, raw: &[u8]) -> Result<(String, String), ConnectorError> {
    let shape = |reason: String| ConnectorError::UnexpectedShape {
        reason: format!("sf_express COM_RECE_CLOUD_PRINT_WAYBILLS answer: {reason}"),
        raw: raw.to_vec(),
    };
    let printed: Printed =
        serde_json::from_value(data.clone()).map_err(|e| shape(e.to_string()))?;
    printed
        .files
        .into_iter()
        .next()
        .map(|f| (f.url, f.token))
        .ok_or_else(|| shape("no files".into()))
}

/// The cancel `msgData`.
pub(super) fn cancel(order_id: &str) -> Value {
    json!({"orderId": order_id, "dealType": 2})
}
