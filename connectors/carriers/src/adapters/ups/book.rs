//! Shipping API: `POST /api/shipments/{version}/ship` and
//! `DELETE /api/shipments/{version}/void/cancel/{shipmentidentificationnumber}`.
//!
//! Shapes from UPS's `Shipping.yaml` (<https://github.com/UPS-API/api-documentation/blob/main/Shipping.yaml>,
//! `SHIPRequestWrapper`, `SHIPResponseWrapper`, `VOIDSHIPMENTResponseWrapper`). The
//! label comes base64 in `PackageResults.ShippingLabel.GraphicImage`; UPS's
//! `LabelImageFormat` codes are GIF, PNG, ZPL, EPL, SPL and STARPL, so this adapter asks
//! for ZPL. The idempotency key travels as `TransactionReference.CustomerContext`, which
//! UPS echoes back (UPS itself keeps no idempotency key).

use super::quote::{measures, party, Charge, OneOrMany};
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};
use shipgate_sdk::model::TrackingNumber;
use shipgate_sdk::{Booking, ConnectorError, Label, LabelFormat, ShipmentRequest};

/// The `ShipmentRequest` body, asking for a 4×6 ZPL label.
pub(super) fn request(r: &ShipmentRequest, account_number: &str) -> Value {
    let mut shipper = party(&r.ship_from);
    shipper["ShipperNumber"] = json!(account_number);
    let packages: Vec<Value> = r
        .parcels
        .iter()
        .map(|p| {
            let (dimensions, weight) = measures(p);
            json!({
                "Packaging": {"Code": "02", "Description": "Package"},
                "Dimensions": dimensions,
                "PackageWeight": weight,
            })
        })
        .collect();
    json!({
        "ShipmentRequest": {
            "Request": {
                "RequestOption": "nonvalidate",
                "TransactionReference": {"CustomerContext": r.idempotency_key},
            },
            "Shipment": {
                "Description": r.reference,
                "Shipper": shipper,
                "ShipTo": party(&r.ship_to),
                "ShipFrom": party(&r.ship_from),
                "PaymentInformation": {"ShipmentCharge": [
                    {"Type": "01", "BillShipper": {"AccountNumber": account_number}}
                ]},
                "Service": {"Code": r.service},
                "ReferenceNumber": {"Value": r.reference},
                "Package": packages,
            },
            "LabelSpecification": {
                "LabelImageFormat": {"Code": "ZPL", "Description": "ZPL"},
                "LabelStockSize": {"Height": "6", "Width": "4"},
            },
        }
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Answer {
    shipment_response: ShipmentResponse,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ShipmentResponse {
    shipment_results: ShipmentResults,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ShipmentResults {
    shipment_charges: Option<Charges>,
    shipment_identification_number: String,
    package_results: OneOrMany<PackageResult>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Charges {
    total_charges: Charge,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PackageResult {
    tracking_number: String,
    shipping_label: ShippingLabel,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ShippingLabel {
    image_format: super::quote::Code,
    graphic_image: String,
}

fn shape(body: &[u8], reason: String) -> ConnectorError {
    ConnectorError::UnexpectedShape {
        reason: format!("ups ship answer: {reason}"),
        raw: body.to_vec(),
    }
}

/// Reads a `ShipmentResponse`: the shipment id, one tracking number per package, and the
/// first package's label (UPS prints one label per package; the host prints them in turn
/// from the tracking numbers).
pub(super) fn parse(body: &[u8], now: DateTime<Utc>) -> Result<Booking, ConnectorError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let answer: Answer = serde_path_to_error::deserialize(&mut de)
        .map_err(|e| shape(body, format!("at {}: {}", e.path(), e.inner())))?;
    let results = answer.shipment_response.shipment_results;
    let packages = results.package_results.into_vec();
    let first = packages
        .first()
        .ok_or_else(|| shape(body, "no PackageResults".into()))?;
    let format = match first.shipping_label.image_format.code.as_str() {
        "ZPL" => LabelFormat::Zpl,
        other => {
            return Err(shape(
                body,
                format!("label format {other:?}, asked for ZPL"),
            ))
        }
    };
    let content = base64::engine::general_purpose::STANDARD
        .decode(first.shipping_label.graphic_image.trim())
        .map_err(|e| shape(body, format!("GraphicImage is not base64: {e}")))?;
    let tracking_numbers = packages
        .iter()
        .map(|p| {
            TrackingNumber::parse(&p.tracking_number)
                .map_err(|e| shape(body, format!("TrackingNumber: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let price = results
        .shipment_charges
        .map(|c| c.total_charges.money())
        .transpose()
        .map_err(|e| shape(body, e))?;
    Ok(Booking {
        carrier: "ups".into(),
        shipment_id: results.shipment_identification_number,
        tracking_numbers,
        label: Label { format, content },
        price,
        booked_at: now,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct VoidAnswer {
    void_shipment_response: VoidResponse,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct VoidResponse {
    summary_result: SummaryResult,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SummaryResult {
    status: Status,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Status {
    code: String,
    description: Option<String>,
}

/// Reads a `VoidShipmentResponse`: summary status code `1` is "Voided".
pub(super) fn parse_void(body: &[u8]) -> Result<(), ConnectorError> {
    let answer: VoidAnswer =
        serde_json::from_slice(body).map_err(|e| ConnectorError::UnexpectedShape {
            reason: format!("ups void answer: {e}"),
            raw: body.to_vec(),
        })?;
    let status = answer.void_shipment_response.summary_result.status;
    if status.code == "1" {
        Ok(())
    } else {
        Err(ConnectorError::Rejected {
            status: None,
            message: format!(
                "UPS did not void the shipment: {} {}",
                status.code,
                status.description.unwrap_or_default()
            ),
        })
    }
}
