//! Domestic Labels 3.0: `POST /labels/v3/label` (one label per package) and
//! `DELETE /labels/v3/label/{trackingNumber}` (cancel and refund).
//!
//! The body (`imageInfo`, `toAddress`, `fromAddress`, `packageDescription` with
//! `mailClass`, `rateIndicator`, `weightUOM`/`weight`, `dimensionsUOM`/`length`…,
//! `processingCategory`, `mailingDate`, `destinationEntryFacilityType`,
//! `customerReference`) follows USPS's Domestic Labels 3.0 documentation
//! (<https://developers.usps.com/domesticlabelsv3>). With
//! `Accept: application/vnd.usps.labels+json` USPS answers one JSON document instead of
//! `multipart/mixed`: the label metadata (`trackingNumber`, `postage`…) and
//! `labelImage`, the label in base64 (`DELETE` answers `status` `CANCELED`, or
//! `DISPUTED` with a refund dispute once manifested). Public integrations read the
//! metadata both nested under `labelMetadata` and at the top level (the
//! `LabelVendorResponse` schema is an `allOf`), so both are read here. Image types used: `PDF` and `ZPL203DPI`.
//! Idempotency travels in `X-Idempotency-Key` (seen in public integrations; USPS's
//! label purchase is otherwise not idempotent), and the adapter keeps its own ledger.

use super::quote::{inches, number, pounds};
use base64::Engine;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{json, Value};
use shipgate_sdk::model::{Address, Currency, Money};
use shipgate_sdk::{ConnectorError, LabelFormat, Parcel, ShipmentRequest};

/// USPS's `imageType` for a label format.
pub(super) fn image_type(format: LabelFormat) -> &'static str {
    match format {
        LabelFormat::Pdf => "PDF",
        LabelFormat::Zpl => "ZPL203DPI",
    }
}

fn address(a: &Address, zip: &str) -> Value {
    let (first, last) = match a.name.as_deref().map(str::trim) {
        Some(full) => match full.rsplit_once(' ') {
            Some((first, last)) => (first.to_string(), last.to_string()),
            None => (String::new(), full.to_string()),
        },
        None => (String::new(), String::new()),
    };
    json!({
        "firstName": first,
        "lastName": last,
        "firm": a.company,
        "streetAddress": a.line1.clone().unwrap_or_default(),
        "secondaryAddress": a.line2,
        "city": a.city.clone().unwrap_or_default(),
        "state": a.region.clone().unwrap_or_default(),
        "ZIPCode": zip,
    })
}

/// The label body for one package of `r`.
pub(super) fn request(r: &ShipmentRequest, parcel: &Parcel, zips: (&str, &str)) -> Value {
    let reference: String = r.reference.chars().take(30).collect();
    json!({
        "imageInfo": {"imageType": image_type(r.label_format), "labelType": "4X6LABEL"},
        "toAddress": address(&r.ship_to, zips.1),
        "fromAddress": address(&r.ship_from, zips.0),
        "packageDescription": {
            "mailClass": r.service,
            "rateIndicator": "SP",
            "weightUOM": "lb",
            "weight": number(pounds(parcel.weight_grams)),
            "dimensionsUOM": "in",
            "length": number(inches(parcel.length_mm)),
            "width": number(inches(parcel.width_mm)),
            "height": number(inches(parcel.height_mm)),
            "processingCategory": "MACHINABLE",
            "mailingDate": chrono::Utc::now().date_naive().to_string(),
            "destinationEntryFacilityType": "NONE",
            "customerReference": [{"referenceNumber": reference}],
        },
    })
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Metadata {
    tracking_number: Option<String>,
    postage: Option<serde_json::Number>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Answer {
    label_metadata: Option<Metadata>,
    #[serde(flatten)]
    flat: Metadata,
    label_image: Option<String>,
}

/// One bought label: its tracking number, postage and decoded image.
pub(super) struct Bought {
    /// The IMpb tracking number.
    pub(super) tracking_number: String,
    /// The postage charged, when USPS gave it.
    pub(super) postage: Option<Money>,
    /// The label file.
    pub(super) image: Vec<u8>,
}

/// Reads a label answer, checking the image is the format asked for.
pub(super) fn parse(body: &[u8], format: LabelFormat) -> Result<Bought, ConnectorError> {
    let shape = |reason: String| ConnectorError::UnexpectedShape {
        reason: format!("usps label answer: {reason}"),
        raw: body.to_vec(),
    };
    let answer: Answer = serde_json::from_slice(body).map_err(|e| shape(e.to_string()))?;
    let meta = answer.label_metadata.unwrap_or_default();
    let tracking_number = meta
        .tracking_number
        .or(answer.flat.tracking_number)
        .ok_or_else(|| shape("no trackingNumber".into()))?;
    let postage = match meta.postage.or(answer.flat.postage) {
        Some(n) => {
            let amount: Decimal = n
                .to_string()
                .parse()
                .map_err(|e| shape(format!("postage {n}: {e}")))?;
            let usd = Currency::parse("USD").map_err(|e| shape(e.to_string()))?;
            Some(Money::new(amount, usd))
        }
        None => None,
    };
    let image = answer
        .label_image
        .ok_or_else(|| shape("no labelImage".into()))?;
    let image = base64::engine::general_purpose::STANDARD
        .decode(image.trim())
        .map_err(|e| shape(format!("labelImage is not base64: {e}")))?;
    let expected: &[u8] = match format {
        LabelFormat::Pdf => b"%PDF",
        LabelFormat::Zpl => b"^XA",
    };
    if !image.starts_with(expected) {
        return Err(shape(format!(
            "labelImage is not the {} asked for",
            image_type(format)
        )));
    }
    Ok(Bought {
        tracking_number,
        postage,
        image,
    })
}

#[derive(Deserialize)]
struct Cancelled {
    status: Option<String>,
}

/// Reads the answer of `DELETE /labels/v3/label/{trackingNumber}`: USPS cancels a label
/// with no Shipping Services File yet (`CANCELED`) and opens a refund dispute for one
/// already manifested (`DISPUTED`); both end the label's use.
pub(super) fn parse_cancel(body: &[u8]) -> Result<(), ConnectorError> {
    let answer: Cancelled =
        serde_json::from_slice(body).map_err(|e| ConnectorError::UnexpectedShape {
            reason: format!("usps cancel answer: {e}"),
            raw: body.to_vec(),
        })?;
    match answer.status.as_deref() {
        Some("CANCELED" | "DISPUTED") => Ok(()),
        other => Err(ConnectorError::Rejected {
            status: None,
            message: format!("usps did not cancel the label: status {other:?}"),
        }),
    }
}
