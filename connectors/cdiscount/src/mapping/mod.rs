//! From Cdiscount's two order shapes to the canonical order.
//!
//! [`normalize`] is the pure entry point: it detects the shape (Octopia REST JSON, or
//! SOAP XML; a whole response or one order) and dispatches to [`rest`] or [`soap`]. Both
//! share the value parsers: exact decimals ([`money`]), Paris wall-clock times
//! ([`paris`]), countries given as ISO codes or French names ([`country`]) and the state
//! tables ([`status`]).

pub mod country;
pub mod money;
pub mod paris;
pub mod rest;
pub mod soap;
pub mod status;

use shipgate_sdk::model::Order;
use shipgate_sdk::{MappingError, Origin};

/// The channel name every Cdiscount order carries.
pub const CHANNEL: &str = "cdiscount";

/// Which of the two shapes a payload is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Octopia REST JSON (`{"orderId": …}` or a `{"items": [...]}` page).
    RestJson,
    /// SOAP XML (`<Order>` or a whole `GetOrderList` envelope).
    SoapXml,
}

/// Tells the two shapes apart by the first significant byte (after white space and a
/// UTF-8 byte-order mark): `{`/`[` is JSON, `<` is XML. Anything else is refused with
/// its position, so a stray file gives a clear error instead of a parser's.
pub fn detect(bytes: &[u8]) -> Result<Shape, MappingError> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let at = body.iter().position(|b| !b.is_ascii_whitespace());
    match at.map(|i| body[i]) {
        Some(b'{') | Some(b'[') => Ok(Shape::RestJson),
        Some(b'<') => Ok(Shape::SoapXml),
        None => Err(MappingError::Malformed {
            line: 1,
            column: 1,
            reason: "empty payload: neither a REST JSON nor a SOAP XML order".into(),
        }),
        Some(other) => {
            let i = at.unwrap_or(0);
            let (line, column) = line_column(body, i);
            Err(MappingError::Malformed {
                line,
                column,
                reason: format!(
                    "starts with {:?}: neither a REST JSON (`{{`) nor a SOAP XML (`<`) order",
                    other as char
                ),
            })
        }
    }
}

/// Maps one Cdiscount order, in either shape, to the canonical order stamped with
/// `origin`. A whole response is accepted when it holds exactly one order. Pure: the
/// host replays quarantined payloads through it after a mapping fix.
pub fn normalize(origin: &Origin, bytes: &[u8]) -> Result<Order, MappingError> {
    match detect(bytes)? {
        Shape::RestJson => rest::normalize_rest(origin, bytes),
        Shape::SoapXml => soap::normalize_soap(origin, bytes),
    }
}

/// 1-based line and column of byte `offset`, for errors that point into the payload.
pub(crate) fn line_column(bytes: &[u8], offset: usize) -> (usize, usize) {
    let head = &bytes[..offset.min(bytes.len())];
    let line = head.iter().filter(|b| **b == b'\n').count() + 1;
    let column = head.len() - head.iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1) + 1;
    (line, column)
}

/// An invalid-value error in one line.
pub(crate) fn invalid(
    path: impl Into<String>,
    value: impl Into<String>,
    reason: impl Into<String>,
) -> MappingError {
    MappingError::InvalidValue {
        path: path.into(),
        value: value.into(),
        reason: reason.into(),
    }
}

/// A missing-field error in one line.
pub(crate) fn missing(path: impl Into<String>) -> MappingError {
    MappingError::MissingField { path: path.into() }
}

/// Trims, and turns the empty strings Cdiscount sends for absent values (`<Phone/>`,
/// `"companyName": ""`) into `None`.
pub(crate) fn text(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_by_first_significant_byte() {
        assert_eq!(detect(b"  {\"orderId\":1}").unwrap(), Shape::RestJson);
        assert_eq!(detect(b"\xEF\xBB\xBF<Order/>").unwrap(), Shape::SoapXml);
        let err = detect(b"\n  hello").unwrap_err();
        assert_eq!(err.location(), "line 2, column 3");
        assert!(detect(b"   ").is_err());
    }
}
