//! SLS `generateLabel` (REST JSON, `POST {base}/sls-ws/SlsServiceWSRest/2.0/generateLabel`):
//! credentials in the body (`contractNumber`, `password`), the `letter` with its
//! service, parcel weight in kilograms, sender and addressee; the answer is multipart
//! (see [`super::multipart`]) with `labelV2Response.parcelNumber` and the label bytes.
//! The idempotency key travels as `sender.senderParcelRef`, the shipper's own parcel
//! reference; the order reference as `service.orderNumber`.
//!
//! Shapes: Colissimo Box "Web service d'affranchissement" (SLS) documentation, as used in
//! karrio's Colissimo connector (github.com/karrioapi/karrio,
//! modules/connectors/colissimo/tests/colissimo/test_shipment.py and
//! karrio/providers/colissimo/utils.py: server https://ws.colissimo.fr/sls-ws/SlsServiceWSRest/2.0).

use super::multipart::{boundary, parts};
use crate::adapters::chronopost::support::kilograms;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};
use shipgate_sdk::model::Address;
use shipgate_sdk::{ConnectorError, LabelFormat, ShipmentRequest};

/// SLS message id for refused credentials.
pub(crate) const BAD_CREDENTIALS: &str = "30000";

/// The label format SLS prints for ours.
fn printing_type(format: LabelFormat) -> &'static str {
    match format {
        LabelFormat::Pdf => "PDF_10x15_300dpi",
        LabelFormat::Zpl => "ZPL_10x15_300dpi",
    }
}

fn address(a: &Address) -> Value {
    let country = a.country.map(|c| c.as_str()).unwrap_or("FR");
    json!({
        "companyName": a.company,
        "lastName": a.name,
        "line2": a.line1,
        "line3": a.line2,
        "countryCode": country,
        "city": a.city,
        "zipCode": a.postal_code,
        "phoneNumber": a.phone,
        "email": a.email,
    })
}

/// The `generateLabel` body for one parcel, deposited on `now`'s date.
pub(crate) fn request(
    contract: &str,
    password: &str,
    req: &ShipmentRequest,
    grams: u32,
    now: DateTime<Utc>,
) -> Value {
    json!({
        "contractNumber": contract,
        "password": password,
        "outputFormat": { "x": 0, "y": 0, "outputPrintingType": printing_type(req.label_format) },
        "letter": {
            "service": {
                "productCode": req.service,
                "depositDate": now.format("%Y-%m-%d").to_string(),
                "orderNumber": req.reference,
            },
            "parcel": { "weight": kilograms(grams) },
            "sender": { "senderParcelRef": req.idempotency_key, "address": address(&req.ship_from) },
            "addressee": { "addresseeParcelRef": req.reference, "address": address(&req.ship_to) },
        }
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Infos {
    #[serde(default)]
    messages: Vec<Message>,
    #[serde(default)]
    label_v2_response: Option<LabelResponse>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Message {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    message_content: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LabelResponse {
    parcel_number: String,
}

/// A generated label: the parcel number and the label file.
#[derive(Debug)]
pub(crate) struct Generated {
    /// The Colissimo parcel (tracking) number.
    pub(crate) parcel_number: String,
    /// The label bytes as SLS sent them.
    pub(crate) label: Vec<u8>,
}

/// Reads a `generateLabel` answer of any HTTP status: SLS explains refusals in the
/// JSON part (`messages` of type ERROR), credentials refused as id 30000.
pub(crate) fn parse(
    status: u16,
    content_type: Option<&str>,
    raw: &[u8],
) -> Result<Generated, ConnectorError> {
    let shape = |reason: String| ConnectorError::UnexpectedShape {
        reason,
        raw: raw.to_vec(),
    };
    let all = parts(raw, content_type.and_then(boundary).as_deref())
        .ok_or_else(|| shape(format!("HTTP {status}: not a multipart SLS answer")))?;
    let json_part = all
        .iter()
        .find(|p| p.content_id == "jsonInfos")
        .ok_or_else(|| shape("no <jsonInfos> part".into()))?;
    let infos: Infos =
        serde_json::from_slice(json_part.body).map_err(|e| shape(format!("<jsonInfos>: {e}")))?;
    if let Some(error) = infos.messages.iter().find(|m| m.kind == "ERROR") {
        let message = format!("Colissimo {}: {}", error.id, error.message_content);
        return Err(if error.id == BAD_CREDENTIALS {
            ConnectorError::Unauthorized { status, message }
        } else {
            ConnectorError::Rejected {
                status: Some(status),
                message,
            }
        });
    }
    let parcel_number = infos
        .label_v2_response
        .map(|l| l.parcel_number)
        .ok_or_else(|| shape("no error message but no labelV2Response".into()))?;
    let label = all
        .iter()
        .find(|p| p.content_id == "label")
        .map(|p| p.body.to_vec())
        .filter(|l| !l.is_empty())
        .ok_or_else(|| shape("no <label> part".into()))?;
    Ok(Generated {
        parcel_number,
        label,
    })
}
