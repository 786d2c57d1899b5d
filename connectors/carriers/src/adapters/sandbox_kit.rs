//! Helpers shared by every adapter's sandbox: the faults a test injects, numbering that
//! passes the registry's own check-digit rule, and labels a reader or printer accepts — a minimal valid one-page
//! PDF (4×6 in, Helvetica, a correct cross-reference table) and a ZPL label with the
//! number as a Code 128 barcode.

use crate::Registry;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// A failure a REST carrier sandbox serves instead of its next API answer, so tests see
/// throttling, outages and a proxy's page the way a live API gives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// HTTP 429 with `Retry-After` in seconds.
    Throttle(u64),
    /// HTTP 503.
    Unavailable,
    /// HTTP 200 with an HTML page where the API's JSON or XML was due.
    Garbage,
}

impl Fault {
    /// The answer to serve: the carrier's own 429 (given `Retry-After` here) or 503 error
    /// answer, or an HTML page where JSON was due.
    pub(crate) fn answer(
        self,
        throttled: impl FnOnce() -> Response,
        unavailable: impl FnOnce() -> Response,
    ) -> Response {
        match self {
            Self::Throttle(secs) => {
                let mut answer = throttled();
                answer
                    .headers_mut()
                    .insert(header::RETRY_AFTER, header::HeaderValue::from(secs));
                answer
            }
            Self::Unavailable => unavailable(),
            Self::Garbage => (StatusCode::OK, "<html>upstream proxy page</html>").into_response(),
        }
    }
}

/// A ZPL label naming the carrier, with the number as text and as a Code 128 barcode.
pub(crate) fn zpl(carrier: &str, number: &str) -> Vec<u8> {
    format!("^XA^CI28^FO40,40^A0N,40,40^FD{carrier}^FS^FO40,120^BCN,120,Y,N,N^FD{number}^FS^XZ")
        .into_bytes()
}

/// The check digit that makes `serial` valid under the format `format` of carrier
/// `code` in `registry`, so a sandbox's numbers pass `Registry::detect` like real ones.
pub(crate) fn check_digit(
    registry: &Registry,
    code: &str,
    format: &str,
    serial: &str,
) -> Option<char> {
    let checksum = registry
        .get(code)?
        .formats()
        .iter()
        .find(|f| f.name() == format)?
        .checksum()?;
    ('0'..='9').find(|d| checksum.verify(serial, &d.to_string()))
}

/// A 4×6 in PDF page showing `lines` top-down.
pub(crate) fn pdf(lines: &[&str]) -> Vec<u8> {
    let mut text = String::from("BT /F1 16 Tf 20 400 Td 18 TL");
    for line in lines {
        let escaped: String = line
            .chars()
            .filter(|c| c.is_ascii() && !c.is_ascii_control())
            .flat_map(|c| match c {
                '(' | ')' | '\\' => vec!['\\', c],
                _ => vec![c],
            })
            .collect();
        text.push_str(&format!(" ({escaped}) Tj T*"));
    }
    text.push_str(" ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 288 432] /Contents 4 0 R \
         /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_string(),
        format!("<< /Length {} >>\nstream\n{text}\nendstream", text.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_cross_reference_points_at_each_object() {
        let file = super::pdf(&["FedEx (test)", "794953535000"]);
        let text = String::from_utf8(file.clone()).unwrap();
        assert!(text.starts_with("%PDF-1.4\n") && text.ends_with("%%EOF\n"));
        let xref: usize = text
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(text[xref..].starts_with("xref\n0 6\n"));
        for (i, line) in text[xref..].lines().skip(3).take(5).enumerate() {
            let at: usize = line[..10].parse().unwrap();
            assert!(
                text[at..].starts_with(&format!("{} 0 obj", i + 1)),
                "object {}",
                i + 1
            );
        }
        assert!(text.contains("(FedEx \\(test\\)) Tj"));
    }
}
