//! Reading typed values out of one row, with errors that name the file, line, column
//! (as headed in the file) and value. Values are decoded lazily: only the columns a
//! mapping reads are checked for UTF-8 and parsed.

use crate::dates::DateParser;
use crate::error::RowError;
use crate::header::Column;
use crate::rows::Fields;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use std::str::FromStr;

/// Results of reading a row. The error is boxed: it is the rare path, and a small
/// `Result` keeps the per-row success path cheap.
pub(crate) type RowResult<T> = Result<T, Box<RowError>>;

/// One record with where it came from.
pub(crate) struct RowCtx<'a> {
    pub(crate) file: &'a str,
    pub(crate) line: u64,
    pub(crate) raw: &'a [u8],
    pub(crate) fields: Fields<'a>,
}

/// A row error for a line that could not even be split into fields.
pub(crate) fn broken_row(file: &str, line: u64, raw: &[u8], reason: String) -> RowError {
    RowError {
        file: file.to_string(),
        line,
        column: None,
        value: None,
        reason,
        raw: String::from_utf8_lossy(raw).into_owned(),
        order_raw: None,
    }
}

impl<'a> RowCtx<'a> {
    /// An error about this row, optionally about one column and value.
    pub(crate) fn error(
        &self,
        column: Option<&Column>,
        value: Option<&str>,
        reason: impl Into<String>,
    ) -> Box<RowError> {
        Box::new(RowError {
            file: self.file.to_string(),
            line: self.line,
            column: column.map(|c| c.header.clone()),
            value: value.map(str::to_string),
            reason: reason.into(),
            raw: String::from_utf8_lossy(self.raw).into_owned(),
            order_raw: None,
        })
    }

    /// Checks the field count against the header's.
    pub(crate) fn check_width(&self, expected: usize) -> RowResult<()> {
        let found = self.fields.len();
        if found == expected {
            Ok(())
        } else {
            Err(self.error(None, None, format!("wrong column count: expected {expected} fields as in the header, found {found}")))
        }
    }

    /// The trimmed text of a column, prefix stripped; `None` when the column is absent
    /// from the file or the value is blank.
    pub(crate) fn text(&self, col: &Column) -> RowResult<Option<&'a str>> {
        let Some(bytes) = col.index.and_then(|i| self.fields.get(i)) else {
            return Ok(None);
        };
        let text = std::str::from_utf8(bytes).map_err(|e| {
            let shown = String::from_utf8_lossy(bytes);
            self.error(
                Some(col),
                Some(&shown),
                format!("not valid UTF-8 (bad byte at offset {})", e.valid_up_to()),
            )
        })?;
        let mut text = text.trim();
        if let Some(prefix) = &col.strip_prefix {
            text = text.strip_prefix(prefix.as_str()).unwrap_or(text).trim();
        }
        Ok((!text.is_empty()).then_some(text))
    }

    /// Like [`Self::text`], but blank or absent is an error.
    pub(crate) fn required(&self, col: &Column) -> RowResult<&'a str> {
        self.text(col)?
            .ok_or_else(|| self.error(Some(col), Some(""), "empty required value"))
    }

    /// A decimal amount (`19.99`); never a float.
    pub(crate) fn decimal(&self, col: &Column) -> RowResult<Option<Decimal>> {
        let Some(text) = self.text(col)? else {
            return Ok(None);
        };
        Decimal::from_str(text).map(Some).map_err(|_| {
            self.error(
                Some(col),
                Some(text),
                "not a decimal amount (expected digits with '.' as decimal point)",
            )
        })
    }

    /// A date in one of the column's accepted formats, as UTC.
    pub(crate) fn date(
        &self,
        col: &Column,
        parser: &mut DateParser,
    ) -> RowResult<Option<DateTime<Utc>>> {
        let Some(text) = self.text(col)? else {
            return Ok(None);
        };
        parser.parse(text).map(Some).ok_or_else(|| {
            self.error(
                Some(col),
                Some(text),
                format!("not a date in an accepted format ({})", parser.describe()),
            )
        })
    }
}
