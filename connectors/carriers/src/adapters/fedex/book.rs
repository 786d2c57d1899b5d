//! Ship API: `POST /ship/v1/shipments` and `PUT /ship/v1/shipments/cancel`.
//!
//! Shapes from FedEx's Ship API reference
//! (<https://developer.fedex.com/api/en-us/catalog/ship/v1/docs.html>) and the sample
//! answer karrio keeps in `modules/connectors/fedex/schemas/shipping_response.json`:
//! `output.transactionShipments[].pieceResponses[].packageDocuments[].encodedLabel`
//! holds each package's label in base64 (`docType` PDF or ZPLII). The idempotency key
//! travels in the `x-customer-transaction-id` header, echoed as `customerTransactionId`.

use super::quote::{address, money, package};
use base64::Engine;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::{json, Number, Value};
use shipgate_sdk::model::{Address, TrackingNumber};
use shipgate_sdk::{Booking, ConnectorError, Label, LabelFormat, ShipmentRequest};

/// A `shipper` / `recipients[]` party: contact and address.
fn party(a: &Address) -> Value {
    json!({
        "contact": {
            "personName": a.name.clone().unwrap_or_default(),
            "companyName": a.company.clone().unwrap_or_default(),
            "phoneNumber": a.phone.clone().unwrap_or_default(),
        },
        "address": address(a),
    })
}

/// The create-shipment body: one label per package, the merchant's reference on each.
pub(super) fn request(r: &ShipmentRequest, account_number: &str, today: NaiveDate) -> Value {
    let (image, stock) = match r.label_format {
        LabelFormat::Pdf => ("PDF", "PAPER_4X6"),
        LabelFormat::Zpl => ("ZPLII", "STOCK_4X6"),
    };
    let packages: Vec<Value> = r
        .parcels
        .iter()
        .map(|p| {
            let mut item = package(p);
            item["customerReferences"] = json!([
                {"customerReferenceType": "CUSTOMER_REFERENCE", "value": r.reference}
            ]);
            item
        })
        .collect();
    json!({
        "labelResponseOptions": "LABEL",
        "accountNumber": {"value": account_number},
        "requestedShipment": {
            "shipper": party(&r.ship_from),
            "recipients": [party(&r.ship_to)],
            "shipDatestamp": today.format("%Y-%m-%d").to_string(),
            "serviceType": r.service,
            "packagingType": "YOUR_PACKAGING",
            "pickupType": "USE_SCHEDULED_PICKUP",
            "shippingChargesPayment": {"paymentType": "SENDER"},
            "labelSpecification": {"imageType": image, "labelStockType": stock},
            "requestedPackageLineItems": packages,
        },
    })
}

#[derive(Deserialize)]
struct Answer {
    output: Output,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Output {
    transaction_shipments: Vec<TransactionShipment>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TransactionShipment {
    master_tracking_number: String,
    piece_responses: Vec<Piece>,
    completed_shipment_detail: Option<Completed>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Piece {
    tracking_number: String,
    #[serde(default)]
    package_documents: Vec<Document>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Document {
    content_type: Option<String>,
    doc_type: Option<String>,
    encoded_label: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Completed {
    shipment_rating: Option<Rating>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Rating {
    #[serde(default)]
    shipment_rate_details: Vec<RateDetail>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RateDetail {
    total_net_charge: Number,
    currency: String,
}

fn shape(body: &[u8], reason: String) -> ConnectorError {
    ConnectorError::UnexpectedShape {
        reason: format!("fedex ship answer: {reason}"),
        raw: body.to_vec(),
    }
}

/// Reads a create-shipment answer: the master tracking number as shipment id, one
/// tracking number per piece, the first piece's label in the format asked for.
pub(super) fn parse(
    body: &[u8],
    asked: LabelFormat,
    now: DateTime<Utc>,
) -> Result<Booking, ConnectorError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let answer: Answer = serde_path_to_error::deserialize(&mut de)
        .map_err(|e| shape(body, format!("at {}: {}", e.path(), e.inner())))?;
    let shipment = answer
        .output
        .transaction_shipments
        .into_iter()
        .next()
        .ok_or_else(|| shape(body, "no transactionShipments".into()))?;
    let label = shipment
        .piece_responses
        .first()
        .and_then(|p| {
            p.package_documents
                .iter()
                .find(|d| d.content_type.as_deref() == Some("LABEL"))
        })
        .ok_or_else(|| shape(body, "no LABEL document on the first piece".into()))?;
    let format = match label.doc_type.as_deref() {
        Some("PDF") => LabelFormat::Pdf,
        Some("ZPLII") => LabelFormat::Zpl,
        other => return Err(shape(body, format!("label docType {other:?}"))),
    };
    if format != asked {
        return Err(shape(body, format!("asked for {asked:?}, got {format:?}")));
    }
    let content = base64::engine::general_purpose::STANDARD
        .decode(label.encoded_label.as_deref().unwrap_or_default().trim())
        .map_err(|e| shape(body, format!("encodedLabel is not base64: {e}")))?;
    let tracking_numbers = shipment
        .piece_responses
        .iter()
        .map(|p| {
            TrackingNumber::parse(&p.tracking_number)
                .map_err(|e| shape(body, format!("trackingNumber: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let price = shipment
        .completed_shipment_detail
        .and_then(|c| c.shipment_rating)
        .and_then(|r| r.shipment_rate_details.into_iter().next())
        .map(|d| money(&d.total_net_charge, &d.currency))
        .transpose()
        .map_err(|e| shape(body, e))?;
    Ok(Booking {
        carrier: "fedex".into(),
        shipment_id: shipment.master_tracking_number,
        tracking_numbers,
        label: Label { format, content },
        price,
        booked_at: now,
    })
}

#[derive(Deserialize)]
struct CancelAnswer {
    output: CancelOutput,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CancelOutput {
    cancelled_shipment: bool,
    message: Option<String>,
}

/// Reads a cancel answer: `cancelledShipment` says whether it happened.
pub(super) fn parse_cancel(body: &[u8]) -> Result<(), ConnectorError> {
    let answer: CancelAnswer =
        serde_json::from_slice(body).map_err(|e| ConnectorError::UnexpectedShape {
            reason: format!("fedex cancel answer: {e}"),
            raw: body.to_vec(),
        })?;
    if answer.output.cancelled_shipment {
        Ok(())
    } else {
        Err(ConnectorError::Rejected {
            status: None,
            message: format!(
                "FedEx did not cancel the shipment: {}",
                answer.output.message.unwrap_or_default()
            ),
        })
    }
}
