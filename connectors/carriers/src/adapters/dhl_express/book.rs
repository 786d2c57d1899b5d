//! MyDHL API shipment creation: `POST /shipments`.
//!
//! Body (`plannedShippingDateAndTime`, `pickup.isRequested`, `productCode`, `accounts`,
//! `customerReferences[{value,typeCode:"CU"}]`, `outputImageProperties{encodingFormat,
//! imageOptions[{typeCode:"label"}]}`, `customerDetails.shipperDetails`/
//! `receiverDetails{postalAddress, contactInformation}`, `content{packages,
//! isCustomsDeclarable, description, incoterm, unitOfMeasurement}`) and answer
//! (`shipmentTrackingNumber`, `packages[{referenceNumber, trackingNumber}]`,
//! `documents[{imageFormat, content, typeCode}]` with the label in base64,
//! `shipmentCharges[{currencyType, priceCurrency, price}]`) from DHL's MyDHL API
//! reference (<https://developer.dhl.com/api-reference/dhl-express-mydhl-api>, "Create
//! Shipment"). DHL keeps no idempotency key: the idempotency key travels as the `CU`
//! customer reference (35 characters at most) and the adapter keeps its own ledger.

use super::quote::{country, package, planned};
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};
use shipgate_sdk::model::{Address, TrackingNumber};
use shipgate_sdk::{Booking, ConnectorError, Label, LabelFormat, ShipmentRequest};

fn party(a: &Address, role: &str) -> Result<Value, ConnectorError> {
    Ok(json!({
        "postalAddress": {
            "postalCode": a.postal_code.clone().unwrap_or_default(),
            "cityName": a.city.clone().unwrap_or_default(),
            "countryCode": country(a, role)?,
            "provinceCode": a.region,
            "addressLine1": a.line1.clone().unwrap_or_default(),
            "addressLine2": a.line2,
        },
        "contactInformation": {
            "phone": a.phone.clone().unwrap_or_default(),
            "companyName": a.company.clone().or_else(|| a.name.clone()).unwrap_or_default(),
            "fullName": a.name.clone().unwrap_or_default(),
        },
    }))
}

/// MyDHL's `encodingFormat` for a label format.
pub(super) fn encoding(format: LabelFormat) -> &'static str {
    match format {
        LabelFormat::Pdf => "pdf",
        LabelFormat::Zpl => "zpl",
    }
}

/// The `/shipments` body.
pub(super) fn request(r: &ShipmentRequest, account: &str) -> Result<Value, ConnectorError> {
    let declarable = country(&r.ship_from, "ship-from")? != country(&r.ship_to, "ship-to")?;
    let key: String = r.idempotency_key.chars().take(35).collect();
    Ok(json!({
        "plannedShippingDateAndTime": planned(Utc::now()),
        "pickup": {"isRequested": false},
        "productCode": r.service,
        "accounts": [{"typeCode": "shipper", "number": account}],
        "customerReferences": [{"value": key, "typeCode": "CU"}],
        "outputImageProperties": {
            "encodingFormat": encoding(r.label_format),
            "imageOptions": [{"typeCode": "label", "templateName": "ECOM26_84_001"}],
        },
        "customerDetails": {
            "shipperDetails": party(&r.ship_from, "ship-from")?,
            "receiverDetails": party(&r.ship_to, "ship-to")?,
        },
        "content": {
            "packages": r.parcels.iter().map(package).collect::<Vec<_>>(),
            "isCustomsDeclarable": declarable,
            "description": r.reference,
            "incoterm": "DAP",
            "unitOfMeasurement": "metric",
        },
    }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Answer {
    shipment_tracking_number: String,
    #[serde(default)]
    documents: Vec<Document>,
    #[serde(default)]
    shipment_charges: Vec<super::quote::Price>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Document {
    image_format: Option<String>,
    content: String,
    type_code: Option<String>,
}

/// Reads a create-shipment answer: the AWB is the tracking number the Tracking API
/// takes; the label is the `label` document.
pub(super) fn parse(
    body: &[u8],
    format: LabelFormat,
    now: DateTime<Utc>,
) -> Result<Booking, ConnectorError> {
    let shape = |reason: String| ConnectorError::UnexpectedShape {
        reason: format!("dhl_express shipment answer: {reason}"),
        raw: body.to_vec(),
    };
    let mut de = serde_json::Deserializer::from_slice(body);
    let answer: Answer = serde_path_to_error::deserialize(&mut de)
        .map_err(|e| shape(format!("at {}: {}", e.path(), e.inner())))?;
    let label = answer
        .documents
        .iter()
        .find(|d| d.type_code.as_deref() == Some("label"))
        .ok_or_else(|| shape("no label document".into()))?;
    let wanted = encoding(format);
    if !label
        .image_format
        .as_deref()
        .is_some_and(|f| f.eq_ignore_ascii_case(wanted))
    {
        return Err(shape(format!(
            "label imageFormat {:?}, asked for {wanted}",
            label.image_format
        )));
    }
    let content = base64::engine::general_purpose::STANDARD
        .decode(label.content.trim())
        .map_err(|e| shape(format!("label content is not base64: {e}")))?;
    let number = TrackingNumber::parse(&answer.shipment_tracking_number)
        .map_err(|e| shape(format!("shipmentTrackingNumber: {e}")))?;
    let price = super::quote::billed(&answer.shipment_charges)
        .map(|p| p.money())
        .transpose()
        .map_err(shape)?;
    Ok(Booking {
        carrier: "dhl_express".into(),
        shipment_id: answer.shipment_tracking_number,
        tracking_numbers: vec![number],
        label: Label { format, content },
        price,
        booked_at: now,
    })
}
