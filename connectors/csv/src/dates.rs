//! Dates as suppliers and exports write them: a list of accepted formats tried in order,
//! and a default offset for the ones that carry none.

use chrono::format::{Item, StrftimeItems};
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};

/// One accepted date format, classified once when the template loads so parsing does
/// not have to guess whether a time or an offset is expected.
#[derive(Debug, Clone, PartialEq, Eq)]
enum DateFormat {
    /// RFC 3339 / ISO 8601 with offset (`2024-05-01T10:00:00Z`).
    Rfc3339,
    /// A strftime pattern that includes an offset (`%z`).
    WithOffset(String),
    /// A strftime pattern with a time but no offset: the default offset applies.
    Local(String),
    /// A strftime pattern with a date only: midnight at the default offset.
    DateOnly(String),
}

impl DateFormat {
    fn parse_spec(spec: &str) -> Result<Self, String> {
        if spec.eq_ignore_ascii_case("rfc3339") {
            return Ok(Self::Rfc3339);
        }
        if StrftimeItems::new(spec).any(|item| matches!(item, Item::Error)) {
            return Err(format!(
                "date format {spec:?} is not a valid strftime pattern"
            ));
        }
        let has = |codes: &[&str]| codes.iter().any(|c| spec.contains(c));
        if has(&["%z", "%:z", "%#z", "%::z"]) {
            Ok(Self::WithOffset(spec.to_string()))
        } else if has(&["%H", "%I", "%M", "%S", "%T", "%R", "%X", "%r", "%k", "%l"]) {
            Ok(Self::Local(spec.to_string()))
        } else if has(&["%d", "%e", "%j", "%F", "%D", "%x"]) {
            Ok(Self::DateOnly(spec.to_string()))
        } else {
            Err(format!("date format {spec:?} names no day"))
        }
    }

    fn parse(&self, text: &str, tz: &FixedOffset) -> Option<DateTime<Utc>> {
        match self {
            Self::Rfc3339 => DateTime::parse_from_rfc3339(text)
                .ok()
                .map(|d| d.with_timezone(&Utc)),
            Self::WithOffset(f) => DateTime::parse_from_str(text, f)
                .ok()
                .map(|d| d.with_timezone(&Utc)),
            Self::Local(f) => NaiveDateTime::parse_from_str(text, f)
                .ok()
                .and_then(|n| tz.from_local_datetime(&n).single())
                .map(|d| d.with_timezone(&Utc)),
            Self::DateOnly(f) => NaiveDate::parse_from_str(text, f)
                .ok()
                .and_then(|d| tz.from_local_datetime(&d.and_hms_opt(0, 0, 0)?).single())
                .map(|d| d.with_timezone(&Utc)),
        }
    }
}

/// Parses a fixed UTC offset such as `UTC`, `Z`, `+02:00` or `-0500`. Named zones
/// (`Europe/Paris`) would need the tz database; a file's dates come from one clock, so
/// a fixed offset is what a template states.
pub(crate) fn parse_offset(text: &str) -> Result<FixedOffset, String> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("utc") || t.eq_ignore_ascii_case("z") {
        return FixedOffset::east_opt(0).ok_or_else(|| "offset 0 refused".to_string());
    }
    let bad = || format!("timezone {text:?} is not UTC or an offset like +02:00");
    let (sign, rest) = match t.as_bytes().first() {
        Some(b'+') => (1, &t[1..]),
        Some(b'-') => (-1, &t[1..]),
        _ => return Err(bad()),
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let hours: i32 = digits[..2].parse().map_err(|_| bad())?;
    let minutes: i32 = digits[2..].parse().map_err(|_| bad())?;
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60)).ok_or_else(bad)
}

/// The accepted formats of one column plus the default offset, remembering which format
/// matched last: files are written by one program, so the same format nearly always
/// matches again and is tried first.
#[derive(Debug, Clone)]
pub(crate) struct DateParser {
    formats: Vec<DateFormat>,
    tz: FixedOffset,
    last_hit: usize,
}

impl DateParser {
    /// Builds a parser from format specs (`rfc3339` or strftime patterns).
    pub(crate) fn new(specs: &[String], tz: FixedOffset) -> Result<Self, String> {
        if specs.is_empty() {
            return Err("date_formats is empty".to_string());
        }
        let formats = specs
            .iter()
            .map(|s| DateFormat::parse_spec(s))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            formats,
            tz,
            last_hit: 0,
        })
    }

    /// The instant `text` names, or `None` when no accepted format matches.
    pub(crate) fn parse(&mut self, text: &str) -> Option<DateTime<Utc>> {
        if let Some(d) = self
            .formats
            .get(self.last_hit)
            .and_then(|f| f.parse(text, &self.tz))
        {
            return Some(d);
        }
        let (i, d) = self
            .formats
            .iter()
            .enumerate()
            .find_map(|(i, f)| f.parse(text, &self.tz).map(|d| (i, d)))?;
        self.last_hit = i;
        Some(d)
    }

    /// The accepted formats, for error messages.
    pub(crate) fn describe(&self) -> String {
        let names: Vec<&str> = self
            .formats
            .iter()
            .map(|f| match f {
                DateFormat::Rfc3339 => "rfc3339",
                DateFormat::WithOffset(s) | DateFormat::Local(s) | DateFormat::DateOnly(s) => s,
            })
            .collect();
        names.join(" | ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parser(specs: &[&str], tz: &str) -> DateParser {
        let specs: Vec<String> = specs.iter().map(|s| s.to_string()).collect();
        DateParser::new(&specs, parse_offset(tz).unwrap()).unwrap()
    }

    #[test]
    fn each_kind_of_format_lands_on_the_right_utc_instant() {
        let mut p = parser(
            &[
                "rfc3339",
                "%Y-%m-%d %H:%M:%S %z",
                "%Y-%m-%d %H:%M:%S",
                "%d/%m/%Y",
            ],
            "+02:00",
        );
        let utc = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert_eq!(
            p.parse("2024-05-01T10:00:00Z"),
            Some(utc("2024-05-01T10:00:00Z"))
        );
        assert_eq!(
            p.parse("2024-05-01 10:00:00 +0000"),
            Some(utc("2024-05-01T10:00:00Z"))
        );
        assert_eq!(
            p.parse("2024-05-01 10:00:00"),
            Some(utc("2024-05-01T08:00:00Z"))
        );
        assert_eq!(p.parse("03/05/2024"), Some(utc("2024-05-02T22:00:00Z")));
        assert_eq!(p.parse("2024-13-01"), None);
        assert_eq!(p.parse(""), None);
    }

    #[test]
    fn bad_specs_and_offsets_are_refused() {
        assert!(DateFormat::parse_spec("%Y-%Q").is_err());
        assert!(DateFormat::parse_spec("%Y").is_err());
        assert!(parse_offset("Europe/Paris").is_err());
        assert!(parse_offset("+2").is_err());
        assert_eq!(
            parse_offset("-05:30").unwrap().local_minus_utc(),
            -(5 * 3600 + 30 * 60)
        );
        assert_eq!(parse_offset("utc").unwrap().local_minus_utc(), 0);
    }
}
