//! Helpers every adapter of this family (Chronopost, Colissimo, DPD, GLS, CDEK, Russian
//! Post) needs the same way: reading settings, the one-carrier registry that maps
//! tracking codes, and turning a parsed tracking answer into the host's result.

use crate::track::{CarrierErrorKind, TrackError};
use crate::Registry;
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use shipgate_sdk::model::TrackingUpdate;
use shipgate_sdk::ConnectorError;
use std::path::Path;

/// Reads an adapter's settings table; a bad one is refused with serde's words (field
/// and reason), never half-applied.
pub(crate) fn settings<T: DeserializeOwned>(
    code: &str,
    table: toml::Table,
) -> Result<T, ConnectorError> {
    table.try_into().map_err(|e| ConnectorError::Rejected {
        status: None,
        message: format!("[carriers.{code}] settings: {e}"),
    })
}

/// The registry holding only `code`'s profile, read from `dir/<code>.toml`: its
/// `[statuses]` table maps the carrier's tracking codes, a data change away from a fix.
pub(crate) fn profile_registry(dir: &Path, code: &str) -> Result<Registry, ConnectorError> {
    let path = dir.join(format!("{code}.toml"));
    let refuse = |message: String| ConnectorError::Rejected {
        status: None,
        message,
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| refuse(format!("carrier profile {}: {e}", path.display())))?;
    let file = path.display().to_string();
    Registry::from_sources([(file.as_str(), text.as_str())]).map_err(|errors| {
        let all: Vec<String> = errors.iter().map(ToString::to_string).collect();
        refuse(all.join("; "))
    })
}

/// The update for `number` from one tracking answer: `Ok(None)` when the carrier does
/// not know the number (left out of the batch, as the contract says), the carrier's
/// refusal of credentials as Unauthorized, other refusals as a retryable remote error
/// (the carrier's own "system error"), and bytes that are not the API's answer as an
/// unexpected shape keeping them.
pub(crate) fn tracking_update(
    registry: &Registry,
    api: &str,
    body: &[u8],
    number: &str,
) -> Result<Option<TrackingUpdate>, ConnectorError> {
    match registry.parse_tracking(api, body, Some(number)) {
        Ok(updates) => Ok(updates.into_iter().next()),
        Err(TrackError::Carrier {
            kind: CarrierErrorKind::NotFound,
            ..
        }) => Ok(None),
        Err(TrackError::Carrier {
            kind: CarrierErrorKind::Unauthorized,
            message,
            ..
        }) => Err(ConnectorError::Unauthorized {
            status: 200,
            message,
        }),
        Err(e @ TrackError::Carrier { .. }) => Err(ConnectorError::Remote {
            status: 200,
            message: e.to_string(),
        }),
        Err(e) => Err(ConnectorError::UnexpectedShape {
            reason: e.to_string(),
            raw: body.to_vec(),
        }),
    }
}

/// Grams as kilograms with three decimals, the unit European carriers price in.
pub(crate) fn kilograms(grams: u32) -> Decimal {
    Decimal::new(i64::from(grams), 3).normalize()
}

/// A one-page PDF naming the carrier and the number, with a correct cross-reference
/// table: what sandboxes return as a label, so label handling is tested on a real PDF.
pub(crate) fn sample_pdf(carrier: &str, number: &str) -> Vec<u8> {
    let text = format!("{carrier} {number}").replace(['(', ')', '\\'], " ");
    let stream = format!("BT /F1 24 Tf 40 200 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 288 432] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
        format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

/// A ZPL label with the number as text and as a Code 128 barcode.
pub(crate) fn sample_zpl(carrier: &str, number: &str) -> Vec<u8> {
    format!("^XA^CI28^FO40,40^A0N,40,40^FD{carrier}^FS^FO40,120^BCN,120,Y,N,N^FD{number}^FS^XZ")
        .into_bytes()
}

/// The UPU S10 check digit of an 8-digit serial (weights 8 6 4 2 3 5 9 7, mod 11).
pub(crate) fn s10_check_digit(serial: u32) -> u32 {
    const WEIGHTS: [u32; 8] = [8, 6, 4, 2, 3, 5, 9, 7];
    let digits = format!("{serial:08}");
    let sum: u32 = digits
        .bytes()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    match 11 - sum % 11 {
        10 => 0,
        11 => 5,
        d => d,
    }
}

/// An S10 number `PP` + serial + check digit + `CC`.
pub(crate) fn s10(prefix: &str, serial: u32, country: &str) -> String {
    let serial = serial % 100_000_000;
    format!("{prefix}{serial:08}{}{country}", s10_check_digit(serial))
}
