//! `shippingMultiParcelV4` of ShippingServiceWS: one skybill per parcel, the label
//! returned in the answer (`modeRetour` 1) as base64 in `pdfEtiquette`, whatever the
//! `mode` (PDF, or ZPL300 for 300 dpi Zebra printers). The idempotency key travels as
//! `refValue/customerSkybillNumber`, the client's own reference of the skybill.
//!
//! Shapes: https://ws.chronopost.fr/shipping-cxf/ShippingServiceWS?wsdl (operation
//! shippingMultiParcelV4: esdValue, headerValue, shipperValue, customerValue,
//! recipientValue, refValue, skybillValue, skybillParamsValue, password, modeRetour,
//! numberOfParcel, version, multiParcel); field names and answer as in karrio's
//! Chronopost tests (github.com/karrioapi/karrio,
//! modules/connectors/chronopost/tests/chronopost/test_shipment.py).

use super::client::check_error_code;
use super::soap::{read_return, Envelope};
use super::support::kilograms;
use super::Credentials;
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use shipgate_sdk::model::Address;
use shipgate_sdk::{ConnectorError, LabelFormat, ShipmentRequest};

/// The ShippingServiceWS namespace.
const NAMESPACE: &str = "http://cxf.shipping.soap.chronopost.fr/";

/// The label `mode` for a format.
fn mode(format: LabelFormat) -> &'static str {
    match format {
        LabelFormat::Pdf => "PDF",
        LabelFormat::Zpl => "ZPL300",
    }
}

/// The `shippingMultiParcelV4` envelope for the request, shipped at `now`.
pub(crate) fn request(
    credentials: &Credentials,
    req: &ShipmentRequest,
    now: DateTime<Utc>,
) -> String {
    let mut env = Envelope::new(NAMESPACE, "shippingMultiParcelV4");
    env.open("headerValue")
        .leaf("accountNumber", &credentials.account_number)
        .leaf("idEmit", "CHRFR")
        .close("headerValue");
    party(&mut env, "shipper", &req.ship_from);
    party(&mut env, "customer", &req.ship_from);
    party(&mut env, "recipient", &req.ship_to);
    env.open("refValue")
        .leaf("shipperRef", &req.reference)
        .leaf("customerSkybillNumber", &req.idempotency_key)
        .close("refValue");
    for (i, parcel) in req.parcels.iter().enumerate() {
        env.open("skybillValue")
            .leaf("bulkNumber", (i + 1).to_string())
            .leaf("evtCode", "DC")
            .leaf("objectType", "MAR")
            .leaf("productCode", &req.service)
            .leaf("service", "0")
            .leaf("shipDate", now.format("%Y-%m-%dT%H:%M:%S").to_string())
            .leaf("shipHour", now.format("%H").to_string())
            .leaf("weight", kilograms(parcel.weight_grams).to_string())
            .leaf("weightUnit", "KGM")
            .leaf("height", centimetres(parcel.height_mm))
            .leaf("length", centimetres(parcel.length_mm))
            .leaf("width", centimetres(parcel.width_mm))
            .close("skybillValue");
    }
    env.open("skybillParamsValue")
        .leaf("mode", mode(req.label_format))
        .close("skybillParamsValue")
        .leaf("password", &credentials.password)
        .leaf("modeRetour", "1")
        .leaf("numberOfParcel", req.parcels.len().to_string())
        .leaf("version", "2.0")
        .leaf("multiParcel", if req.parcels.len() > 1 { "Y" } else { "N" });
    env.finish()
}

fn centimetres(mm: u32) -> String {
    mm.div_ceil(10).to_string()
}

/// `shipperValue`, `customerValue` or `recipientValue`: the same fields under a prefix.
fn party(env: &mut Envelope, prefix: &str, a: &Address) {
    let tag = |field: &str| format!("{prefix}{field}");
    let name = a
        .company
        .as_deref()
        .or(a.name.as_deref())
        .unwrap_or_default();
    env.open(&tag("Value"))
        .leaf(&tag("Adress1"), a.line1.as_deref().unwrap_or_default())
        .leaf_opt(&tag("Adress2"), a.line2.as_deref())
        .leaf(&tag("City"), a.city.as_deref().unwrap_or_default())
        .leaf(&tag("ContactName"), a.name.as_deref().unwrap_or(name))
        .leaf(
            &tag("Country"),
            a.country.map(|c| c.as_str()).unwrap_or("FR"),
        )
        .leaf_opt(&tag("Email"), a.email.as_deref())
        .leaf_opt(&tag("MobilePhone"), a.phone.as_deref())
        .leaf(&tag("Name"), name)
        .leaf(&tag("PreAlert"), "0")
        .leaf(
            &tag("ZipCode"),
            a.postal_code.as_deref().unwrap_or_default(),
        )
        .close(&tag("Value"));
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Return {
    error_code: i64,
    #[serde(default)]
    error_message: Option<String>,
    #[serde(default)]
    result_multi_parcel_value: Vec<ParcelResult>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ParcelResult {
    skybill_number: String,
    #[serde(default)]
    pdf_etiquette: Option<String>,
}

/// One booked parcel: its skybill number and label file.
#[derive(Debug)]
pub(crate) struct Booked {
    /// The skybill (tracking) number.
    pub(crate) skybill_number: String,
    /// The decoded label.
    pub(crate) label: Vec<u8>,
}

/// Reads a `shippingMultiParcelV4Response`: one skybill and label per parcel.
pub(crate) fn parse(raw: &[u8]) -> Result<Vec<Booked>, ConnectorError> {
    let result: Return = read_return(raw)?;
    check_error_code(result.error_code, result.error_message.as_deref())?;
    let shape = |reason: String| ConnectorError::UnexpectedShape {
        reason,
        raw: raw.to_vec(),
    };
    if result.result_multi_parcel_value.is_empty() {
        return Err(shape("errorCode 0 but no resultMultiParcelValue".into()));
    }
    result
        .result_multi_parcel_value
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let encoded = p.pdf_etiquette.unwrap_or_default();
            let label = base64::engine::general_purpose::STANDARD
                .decode(encoded.trim())
                .map_err(|e| shape(format!("resultMultiParcelValue[{i}].pdfEtiquette: {e}")))?;
            if label.is_empty() {
                return Err(shape(format!(
                    "resultMultiParcelValue[{i}].pdfEtiquette is empty"
                )));
            }
            Ok(Booked {
                skybill_number: p.skybill_number.trim().to_string(),
                label,
            })
        })
        .collect()
}
