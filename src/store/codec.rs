//! How values become column text and back: one place decides the stored form of times,
//! ids and enums, so every table agrees and a bad row is reported the same way.

use super::StoreError;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{de::DeserializeOwned, Serialize};
use ulid::Ulid;

/// RFC 3339 UTC with exactly six fractional digits and a `Z`: fixed width, so comparing
/// the text compares the instants (the stale-update check relies on it).
pub(crate) fn time_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// The current instant in stored form.
pub(crate) fn now_text() -> String {
    time_text(Utc::now())
}

/// Reads a stored time back.
pub(crate) fn parse_time(
    table: &'static str,
    key: &str,
    text: &str,
) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| corrupt(table, key, format!("time {text:?}: {e}")))
}

/// Reads a stored ULID back.
pub(crate) fn parse_ulid(table: &'static str, text: &str) -> Result<Ulid, StoreError> {
    Ulid::from_string(text).map_err(|e| corrupt(table, text, format!("id {text:?}: {e}")))
}

/// The snake_case name serde gives a unit enum variant (`in_transit`), which is also
/// its stored form, so the database and the JSON API spell statuses alike.
pub(crate) fn enum_text<T: Serialize>(value: &T) -> Result<String, StoreError> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => Ok(s),
        Ok(other) => Err(StoreError::Invalid {
            what: "enum value",
            reason: format!("serializes as {other}, not as a name"),
        }),
        Err(source) => Err(StoreError::Encode {
            what: "enum value",
            source,
        }),
    }
}

/// Reads a stored enum name back.
pub(crate) fn parse_enum<T: DeserializeOwned>(
    table: &'static str,
    key: &str,
    text: &str,
) -> Result<T, StoreError> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .map_err(|e| corrupt(table, key, format!("value {text:?}: {e}")))
}

/// Reads stored JSON back.
pub(crate) fn parse_json<T: DeserializeOwned>(
    table: &'static str,
    key: &str,
    text: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| corrupt(table, key, format!("JSON: {e}")))
}

/// A stored count or attempt number as the unsigned value the API speaks.
pub(crate) fn unsigned(table: &'static str, key: &str, n: i64) -> Result<u64, StoreError> {
    u64::try_from(n).map_err(|_| corrupt(table, key, format!("negative count {n}")))
}

/// The error for a row that cannot be read back.
pub(crate) fn corrupt(table: &'static str, key: &str, reason: String) -> StoreError {
    StoreError::Corrupt {
        table,
        key: key.to_owned(),
        reason,
    }
}
