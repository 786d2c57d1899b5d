//! ShipmentService 4.4 `storeOrders`: one consignment with one `parcels` element per
//! box (weight in decagrams, DPD's unit), `printOptions` asking for PDF or ZPL; the
//! answer's `orderResult` holds the labels as base64 (`output/content`, whatever the
//! printer language) and one `parcelLabelNumber` per parcel, or per-shipment `faults`.
//! The idempotency key travels as `mpsCustomerReferenceNumber1`, the shipper's
//! reference of the consignment.
//!
//! Shape: DPD ShipmentService 4.4 documentation
//! (https://esolutions.dpd.com/dokumente/ShipmentService_V4_4.pdf).

use super::soap::leaf;
use base64::Engine;
use serde::Deserialize;
use shipgate_sdk::model::Address;
use shipgate_sdk::{ConnectorError, LabelFormat, ShipmentRequest};

const NS: &str = "http://dpd.com/common/service/types/ShipmentService/4.4";

fn party(tag: &str, a: &Address) -> String {
    let name = a
        .company
        .as_deref()
        .or(a.name.as_deref())
        .unwrap_or_default();
    format!(
        "<{tag}>{}{}{}{}{}</{tag}>",
        leaf("name1", name),
        leaf("street", a.line1.as_deref().unwrap_or_default()),
        leaf("country", a.country.map(|c| c.as_str()).unwrap_or_default()),
        leaf("zipCode", a.postal_code.as_deref().unwrap_or_default()),
        leaf("city", a.city.as_deref().unwrap_or_default()),
    )
}

/// The `storeOrders` operation element.
pub(crate) fn request(depot: &str, req: &ShipmentRequest) -> String {
    let language = match req.label_format {
        LabelFormat::Pdf => "PDF",
        LabelFormat::Zpl => "ZPL",
    };
    let parcels: String = req
        .parcels
        .iter()
        .map(|p| {
            format!(
                "<parcels>{}{}</parcels>",
                leaf("customerReferenceNumber1", &req.reference),
                leaf("weight", &p.weight_grams.div_ceil(10).to_string())
            )
        })
        .collect();
    format!(
        r#"<ns:storeOrders xmlns:ns="{NS}"><printOptions><printOption>{}{}</printOption></printOptions><order><generalShipmentData>{}{}{}{}{}</generalShipmentData>{parcels}<productAndServiceData>{}</productAndServiceData></order></ns:storeOrders>"#,
        leaf("outputFormat", language),
        leaf("paperFormat", "A6"),
        leaf("mpsCustomerReferenceNumber1", &req.idempotency_key),
        leaf("sendingDepot", depot),
        leaf("product", &req.service),
        party("sender", &req.ship_from),
        party("recipient", &req.ship_to),
        leaf("orderType", "consignment"),
    )
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OrderResult {
    #[serde(default)]
    output: Option<Output>,
    #[serde(default)]
    shipment_responses: Vec<ShipmentResponse>,
}

#[derive(Deserialize)]
struct Output {
    content: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ShipmentResponse {
    #[serde(default)]
    parcel_information: Vec<ParcelInformation>,
    #[serde(default)]
    faults: Vec<Fault>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ParcelInformation {
    parcel_label_number: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Fault {
    fault_code: String,
    message: String,
}

/// Parcel numbers and the decoded label file of a `storeOrdersResponse`.
pub(crate) fn parse(raw: &[u8]) -> Result<(Vec<String>, Vec<u8>), ConnectorError> {
    let shape = |reason: String| ConnectorError::UnexpectedShape {
        reason,
        raw: raw.to_vec(),
    };
    let result = read_order_result(raw)?;
    let mut numbers = Vec::new();
    for shipment in &result.shipment_responses {
        if let Some(f) = shipment.faults.first() {
            return Err(ConnectorError::Rejected {
                status: Some(200),
                message: format!("DPD {}: {}", f.fault_code, f.message),
            });
        }
        numbers.extend(
            shipment
                .parcel_information
                .iter()
                .map(|p| p.parcel_label_number.trim().to_string()),
        );
    }
    let content = result.output.map(|o| o.content).unwrap_or_default();
    let label = base64::engine::general_purpose::STANDARD
        .decode(content.trim())
        .map_err(|e| shape(format!("orderResult.output.content: {e}")))?;
    if numbers.is_empty() || label.is_empty() {
        return Err(shape("orderResult without parcel numbers or label".into()));
    }
    Ok((numbers, label))
}

fn read_order_result(raw: &[u8]) -> Result<OrderResult, ConnectorError> {
    #[derive(Deserialize)]
    struct Envelope {
        #[serde(rename = "Body")]
        body: Body,
    }
    #[derive(Deserialize)]
    struct Body {
        #[serde(rename = "storeOrdersResponse")]
        response: Response,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Response {
        order_result: OrderResult,
    }
    let text = std::str::from_utf8(raw).map_err(|e| ConnectorError::UnexpectedShape {
        reason: format!("not UTF-8: {e}"),
        raw: raw.to_vec(),
    })?;
    quick_xml::de::from_str::<Envelope>(text)
        .map(|e| e.body.response.order_result)
        .map_err(|e| ConnectorError::UnexpectedShape {
            reason: format!("not a storeOrdersResponse: {e}"),
            raw: raw.to_vec(),
        })
}
