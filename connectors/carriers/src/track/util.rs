//! Small pieces every tracking parser needs: decoding a body into its typed answer,
//! tidying optional text, joining a place's parts, naming a malformed answer. They
//! live once here so that a fix to how answers are read or reported reaches every
//! carrier; where parsers genuinely differ (trimming, trailing bytes, text before the
//! XML root) the difference is a parameter, so it stays visible at the call.

use super::{CarrierErrorKind, TrackError};
use quick_xml::events::Event;
use serde::de::DeserializeOwned;
use std::fmt::Display;

/// A `Malformed` error of `api`: every parser reports bytes that are not its API's
/// answer the same way.
pub(super) fn malformed(api: &'static str, reason: String) -> TrackError {
    TrackError::Malformed { api, reason }
}

/// The carrier's own refusal (unknown number, bad credentials…), as every parser reports
/// it: the kind the parser read from it, and the carrier's code and words as written.
pub(super) fn refusal(
    api: &'static str,
    kind: CarrierErrorKind,
    code: Option<String>,
    message: String,
) -> TrackError {
    TrackError::Carrier {
        api,
        kind,
        code,
        message,
    }
}

/// The kind of a refusal by the words of its message: the first group whose words
/// appear (case-insensitively) decides, so a parser lists its carrier's wording in the
/// order the carrier's documentation implies.
pub(super) fn kind_by_words(
    message: &str,
    groups: &[(CarrierErrorKind, &[&str])],
) -> CarrierErrorKind {
    let lower = message.to_lowercase();
    groups
        .iter()
        .find(|(_, words)| words.iter().any(|w| lower.contains(w)))
        .map(|(kind, _)| *kind)
        .unwrap_or(CarrierErrorKind::Other)
}

/// A typed-decoding failure as `Malformed`, naming the path where the answer stopped
/// fitting its shape ("at shipments[0].id: invalid type…"), so a broken answer can be
/// found in its body.
pub(super) fn at_path<E: Display>(
    api: &'static str,
    e: serde_path_to_error::Error<E>,
) -> TrackError {
    malformed(api, format!("at {}: {}", e.path(), e.inner()))
}

/// Decodes a JSON answer into `T`, errors naming the path that failed; bytes after the
/// value make the answer malformed (a truncated-and-concatenated body is not an answer).
pub(super) fn json<T: DeserializeOwned>(api: &'static str, body: &[u8]) -> Result<T, TrackError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| at_path(api, e))?;
    de.end().map_err(|e| malformed(api, e.to_string()))?;
    Ok(value)
}

/// The body as text, which XML answers must be before they can be read.
pub(super) fn utf8<'a>(api: &'static str, body: &'a [u8]) -> Result<&'a str, TrackError> {
    std::str::from_utf8(body).map_err(|e| malformed(api, format!("not UTF-8: {e}")))
}

/// Decodes an XML answer into `T` with quick-xml's serde support, errors naming the
/// path that failed.
pub(super) fn xml<T: DeserializeOwned>(api: &'static str, text: &str) -> Result<T, TrackError> {
    let mut de = quick_xml::de::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut de).map_err(|e| at_path(api, e))
}

/// What to do with non-blank text before an XML document's root element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BeforeRoot {
    /// It makes the answer malformed.
    Rejected,
    /// It is passed over.
    Skipped,
}

/// The local name of an XML document's root element, for answers whose root says
/// which kind of answer they are (a result, an error, a batch).
pub(super) fn root_name(
    api: &'static str,
    text: &str,
    before_root: BeforeRoot,
) -> Result<String, TrackError> {
    let mut reader = quick_xml::Reader::from_str(text);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                return Ok(e.local_name().into_inner().to_string())
            }
            Ok(Event::Text(t)) if before_root == BeforeRoot::Rejected && !t.trim().is_empty() => {
                return Err(malformed(
                    api,
                    format!(
                        "text before the root element at byte {}",
                        reader.buffer_position()
                    ),
                ))
            }
            Ok(Event::Eof) => return Err(malformed(api, "no root element".into())),
            Ok(_) => {}
            Err(e) => {
                return Err(malformed(
                    api,
                    format!("at byte {}: {e}", reader.error_position()),
                ))
            }
        }
    }
}

/// How a kept piece of text is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Keep {
    /// Without its surrounding whitespace.
    Trimmed,
    /// As the carrier wrote it, spaces included.
    AsWritten,
}

/// `text` unless it is missing or blank: carriers send `""` or `" "` where they mean
/// "none", and an empty location or number is no location or number.
pub(super) fn non_blank(text: Option<String>, keep: Keep) -> Option<String> {
    let text = text?;
    match keep {
        Keep::Trimmed => Some(text.trim().to_string()),
        Keep::AsWritten => Some(text),
    }
    .filter(|t| !t.trim().is_empty())
}

/// The non-blank `parts` joined by `separator` ("Lyon, FR"), or `None` when every part
/// is missing or blank, so a place of empty fields is no place rather than ", ".
pub(super) fn join_non_blank<S: AsRef<str>>(
    parts: impl IntoIterator<Item = Option<S>>,
    separator: &str,
    keep: Keep,
) -> Option<String> {
    let parts: Vec<S> = parts.into_iter().flatten().collect();
    let kept: Vec<&str> = parts
        .iter()
        .map(AsRef::as_ref)
        .filter(|p| !p.trim().is_empty())
        .map(|p| match keep {
            Keep::Trimmed => p.trim(),
            Keep::AsWritten => p,
        })
        .collect();
    (!kept.is_empty()).then(|| kept.join(separator))
}

/// Text on one line: carriers' XML messages span indented lines, and one line reads
/// better in a log.
pub(super) fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first byte that is not whitespace, which tells a JSON array from an object
/// before the body is decoded as one or the other.
pub(super) fn first_byte(body: &[u8]) -> Option<u8> {
    body.iter().copied().find(|b| !b.is_ascii_whitespace())
}

/// The kind of error an HTTP status written in the answer means: several APIs repeat
/// their status in an error body (RFC 7807 problems, message lists).
pub(super) fn kind_of_status(status: &str) -> CarrierErrorKind {
    match status {
        "404" => CarrierErrorKind::NotFound,
        "401" | "403" => CarrierErrorKind::Unauthorized,
        _ => CarrierErrorKind::Other,
    }
}

/// A JSON code as text: some APIs write the same code as a number or a string.
pub(super) fn json_text(value: serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blanks_are_none_and_parts_join_without_them() {
        assert_eq!(non_blank(Some("  ".into()), Keep::AsWritten), None);
        assert_eq!(
            non_blank(Some(" a ".into()), Keep::Trimmed),
            Some("a".into())
        );
        assert_eq!(
            non_blank(Some(" a ".into()), Keep::AsWritten),
            Some(" a ".into())
        );
        let parts = [Some(" Lyon "), None, Some(" "), Some("FR")];
        assert_eq!(
            join_non_blank(parts, ", ", Keep::Trimmed),
            Some("Lyon, FR".into())
        );
        assert_eq!(
            join_non_blank(parts, ", ", Keep::AsWritten),
            Some(" Lyon , FR".into())
        );
        assert_eq!(
            join_non_blank([None::<&str>, Some("")], ", ", Keep::Trimmed),
            None
        );
    }

    #[test]
    fn trailing_bytes_are_refused() {
        let strict = json::<serde_json::Value>("t", br#"{"a": 1} x"#);
        assert!(matches!(
            strict,
            Err(TrackError::Malformed { api: "t", .. })
        ));
        let clean = json::<serde_json::Value>("t", br#"{"a": 1}"#).unwrap();
        assert_eq!(clean["a"], 1);
        match json::<Vec<u8>>("t", br#"[1, "x"]"#) {
            Err(TrackError::Malformed { reason, .. }) => {
                assert!(reason.starts_with("at [1]"), "{reason}")
            }
            other => panic!("expected Malformed, got {other:?}"),
        }
    }

    #[test]
    fn root_names_and_text_before_them() {
        assert_eq!(
            root_name(
                "t",
                "<?xml version=\"1.0\"?><a:b x=\"1\"/>",
                BeforeRoot::Rejected
            )
            .unwrap(),
            "b"
        );
        assert!(root_name("t", "junk <b/>", BeforeRoot::Rejected).is_err());
        assert_eq!(
            root_name("t", "junk <b/>", BeforeRoot::Skipped).unwrap(),
            "b"
        );
        assert!(root_name("t", "", BeforeRoot::Skipped).is_err());
    }
}
