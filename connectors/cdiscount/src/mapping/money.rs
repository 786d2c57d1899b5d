//! Exact amounts: Cdiscount sends `xs:decimal` text in SOAP and JSON numbers in REST.
//! Both are parsed from their text, never through a float, so `19.99` stays `19.99`.

use super::invalid;
use rust_decimal::Decimal;
use shipgate_sdk::MappingError;
use std::str::FromStr;

/// Parses a decimal written as text (`"1"`, `"0.18"`, `"100.0"`, `"1e2"`); negative
/// amounts are refused with the path, since no Cdiscount amount we map can be negative.
pub fn decimal(path: &str, raw: &str) -> Result<Decimal, MappingError> {
    let t = raw.trim().trim_matches('"');
    let value = Decimal::from_str(t)
        .or_else(|_| Decimal::from_scientific(t))
        .map_err(|e| invalid(path, raw, format!("not a decimal amount: {e}")))?;
    if value.is_sign_negative() && !value.is_zero() {
        return Err(invalid(path, raw, "is negative"));
    }
    Ok(value.normalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_exactly_and_names_the_path_on_error() {
        assert_eq!(decimal("a", "19.99").unwrap().to_string(), "19.99");
        assert_eq!(decimal("a", "100.0").unwrap().to_string(), "100");
        assert_eq!(decimal("a", "1e2").unwrap().to_string(), "100");
        let err = decimal("lines[0].price", "abc").unwrap_err();
        assert_eq!(err.location(), "lines[0].price");
        assert!(decimal("a", "-1").is_err());
    }
}
