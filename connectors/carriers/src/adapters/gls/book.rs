//! ShipIT `createParcels` (REST `POST /backend/rs/shipments`): a `ShipmentRequestData`
//! with the `Shipment` (references, product, consignee, the shipper's `ContactID`, one
//! `ShipmentUnit` per parcel with its weight in kilograms) and `PrintingOptions.ReturnLabels`
//! (`TemplateSet`, `LabelFormat` `PDF` or `ZEBRA`); the answer's `CreatedShipment` lists
//! per parcel its `TrackID` and `ParcelNumber` (`ParcelData`) and the labels as base64
//! (`PrintData[].Data`).
//!
//! Shapes: the "Germany domestic" request and answer of ShipIT's "Webservices Requests
//! Samples" (https://gls-shipit.gls-group.eu/webservices/5_0_11/WS-REST-API.zip,
//! `rest_web_service_requests_samples.html`; the same in 3_0_6 online), the field lists of
//! `rest_shipment_processing.html`, and the enumerations of GLS's ShipIT OpenAPI file
//! (`Product`, `TemplateSet`, `LabelFormat`). Unsure, and said so: the samples spell the
//! address fields `ZIPCode` and `eMail` while the OpenAPI file says `Zipcode` and `Email`
//! (the samples are followed); the OpenAPI file types `PrintData[].Data` as bytes while the
//! samples show one base64 string (a string is read); which `TemplateSet` GLS pairs with
//! `ZEBRA` is not shown in a sample (`ZPL_200`, the 203 dpi template, is sent).
//! `ShippingDate` is left out: "if no value is provided, the next working day is picked".

use base64::Engine;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use shipgate_sdk::model::{Address, TrackingNumber};
use shipgate_sdk::{Booking, ConnectorError, Label, LabelFormat, ShipmentRequest};

/// ShipIT's `LabelFormat` and `TemplateSet` for ours.
fn printing(format: LabelFormat) -> (&'static str, &'static str) {
    match format {
        LabelFormat::Pdf => ("PDF", "NONE"),
        LabelFormat::Zpl => ("ZEBRA", "ZPL_200"),
    }
}

/// A ShipIT `Address`: `Name1` is the company when there is one (then the person goes to
/// `Name2` and `ContactPerson`), blank fields are left out.
fn address(a: &Address) -> Value {
    let (name1, name2) = match (&a.company, &a.name) {
        (Some(company), person) if !company.trim().is_empty() => {
            (Some(company.clone()), person.clone())
        }
        (_, person) => (person.clone(), None),
    };
    let fields = [
        ("Name1", name1),
        ("Name2", name2),
        ("Name3", a.line2.clone()),
        ("CountryCode", a.country.map(|c| c.as_str().to_string())),
        ("Province", a.region.clone()),
        ("ZIPCode", a.postal_code.clone()),
        ("City", a.city.clone()),
        ("Street", a.line1.clone()),
        ("eMail", a.email.clone()),
        ("ContactPerson", a.name.clone()),
        ("MobilePhoneNumber", a.phone.clone()),
    ];
    let mut out = Map::new();
    for (key, value) in fields {
        if let Some(value) = value.filter(|v| !v.trim().is_empty()) {
            out.insert(key.into(), Value::String(value));
        }
    }
    Value::Object(out)
}

/// The `ShipmentRequestData` for `req`. The order reference is the `ShipmentReference`;
/// the idempotency key travels as each unit's `ShipmentUnitReference`, so a booking can be
/// found again in ShipIT by it.
pub(super) fn request(req: &ShipmentRequest, contact_id: &str) -> Value {
    let (label_format, template_set) = printing(req.label_format);
    let units: Vec<Value> = req
        .parcels
        .iter()
        .map(|p| {
            json!({
                "Weight": f64::from(p.weight_grams) / 1000.0,
                "ShipmentUnitReference": [req.idempotency_key],
            })
        })
        .collect();
    json!({
        "Shipment": {
            "ShipmentReference": [req.reference],
            "Product": req.service,
            "Consignee": { "Address": address(&req.ship_to) },
            "Shipper": { "ContactID": contact_id },
            "ShipmentUnit": units,
        },
        "PrintingOptions": {
            "ReturnLabels": { "TemplateSet": template_set, "LabelFormat": label_format },
        },
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Answer {
    created_shipment: Created,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Created {
    #[serde(default)]
    parcel_data: Vec<ParcelData>,
    #[serde(default)]
    print_data: Vec<PrintData>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ParcelData {
    #[serde(rename = "TrackID")]
    track_id: String,
    parcel_number: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PrintData {
    data: String,
    label_format: String,
}

/// Reads a `CreateParcelsResponse` into the booking: one parcel number per parcel asked
/// for, the TrackIDs (what cancel takes) as the comma-separated `shipment_id`, and the
/// decoded labels in the format asked for.
pub(super) fn parse(
    raw: &[u8],
    req: &ShipmentRequest,
    now: DateTime<Utc>,
) -> Result<Booking, ConnectorError> {
    let shape = |reason: String| ConnectorError::UnexpectedShape {
        reason: format!("GLS createParcels answer: {reason}"),
        raw: raw.to_vec(),
    };
    let answer: Answer =
        serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_slice(raw))
            .map_err(|e| shape(format!("{}: {}", e.path(), e.inner())))?;
    let created = answer.created_shipment;
    if created.parcel_data.len() != req.parcels.len() {
        return Err(shape(format!(
            "CreatedShipment.ParcelData: {} parcels for the {} asked",
            created.parcel_data.len(),
            req.parcels.len()
        )));
    }
    let tracking_numbers = created
        .parcel_data
        .iter()
        .enumerate()
        .map(|(i, p)| {
            TrackingNumber::parse(&p.parcel_number)
                .map_err(|e| shape(format!("CreatedShipment.ParcelData[{i}].ParcelNumber: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let track_ids: Vec<&str> = created
        .parcel_data
        .iter()
        .map(|p| p.track_id.trim())
        .collect();
    if let Some(i) = track_ids
        .iter()
        .position(|t| t.is_empty() || t.contains(','))
    {
        return Err(shape(format!(
            "CreatedShipment.ParcelData[{i}].TrackID: not a TrackID: {:?}",
            track_ids[i]
        )));
    }
    let (wanted, _) = printing(req.label_format);
    let mut content = Vec::new();
    for (i, print) in created.print_data.iter().enumerate() {
        if print.label_format != wanted {
            return Err(shape(format!(
                "CreatedShipment.PrintData[{i}].LabelFormat: {:?}, asked for {wanted}",
                print.label_format
            )));
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(print.data.trim())
            .map_err(|e| {
                shape(format!(
                    "CreatedShipment.PrintData[{i}].Data: not base64: {e}"
                ))
            })?;
        content.extend_from_slice(&bytes);
    }
    if content.is_empty() {
        return Err(shape("CreatedShipment.PrintData: no label".into()));
    }
    Ok(Booking {
        carrier: super::CODE.into(),
        shipment_id: track_ids.join(","),
        tracking_numbers,
        label: Label {
            format: req.label_format,
            content,
        },
        price: None,
        booked_at: now,
    })
}
