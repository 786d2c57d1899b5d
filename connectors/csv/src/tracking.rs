//! Supplier tracking files: one row per parcel, streamed row by row.

use crate::cells::{broken_row, RowCtx, RowResult};
use crate::dates::DateParser;
use crate::error::{CsvError, RowError};
use crate::header::{self, Column};
use crate::rows::{Row, Splitter};
use crate::{Template, TemplateKind};
use chrono::{DateTime, Utc};
use shipgate_sdk::model::TrackingNumber;
use std::io::{self, Read};

/// One parcel a supplier reports as shipped for one of our orders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackingRecord {
    /// 1-based line in the file, to trace a push back to its row.
    pub line: u64,
    /// The order as the supplier names it (`#1001`, `1001`…), matched by the host.
    pub order_ref: String,
    /// The tracking number, canonicalized.
    pub tracking_number: TrackingNumber,
    /// The carrier exactly as written (`La Poste`, `colissimo`): resolved to a carrier
    /// code later, by the carrier registry.
    pub carrier_name: Option<String>,
    /// A tracking page URL, when the file has one.
    pub tracking_url: Option<String>,
    /// When the parcel left, in UTC.
    pub shipped_at: Option<DateTime<Utc>>,
}

struct Columns {
    order_ref: Column,
    tracking_number: Column,
    carrier: Column,
    tracking_url: Column,
    shipped_at: Column,
}

/// Streams a tracking file: one `Result` per row, so a bad row is reported and the
/// next one read. Memory stays flat whatever the file size.
///
/// ```
/// use shipgate_csv::{Template, TrackingReader};
/// let template = Template::from_toml_str("inline", r#"
///     name = "t"
///     kind = "tracking"
///     [columns.order_ref]
///     header = ["order"]
///     required = true
///     [columns.tracking_number]
///     header = ["tracking"]
///     required = true
/// "#)?;
/// let file = "order,tracking\n#1001,1Z999AA10123456784\n#1002,??\n";
/// let mut rows = TrackingReader::new(file.as_bytes(), &template, "drop.csv")?;
/// assert_eq!(rows.next().unwrap().unwrap().tracking_number.as_str(), "1Z999AA10123456784");
/// assert_eq!(rows.next().unwrap().unwrap_err().line, 3);
/// assert!(rows.next().is_none());
/// # Ok::<(), shipgate_csv::CsvError>(())
/// ```
pub struct TrackingReader<R> {
    rows: Splitter<R>,
    file: String,
    width: usize,
    headers: Vec<String>,
    columns: Columns,
    dates: DateParser,
    io_error: Option<io::Error>,
    last_line: u64,
    done: bool,
}

impl<R: Read> TrackingReader<R> {
    /// Reads the header of `reader` and checks it against `template` (kind `tracking`).
    /// `file` names the file in every error. Fails on a missing required column, an
    /// empty file, or a template of another kind.
    pub fn new(reader: R, template: &Template, file: impl Into<String>) -> Result<Self, CsvError> {
        let file = file.into();
        let (rows, header, _) = header::open(reader, template, TemplateKind::Tracking, &file)?;
        let columns = Columns {
            order_ref: header.column(template, "order_ref"),
            tracking_number: header.column(template, "tracking_number"),
            carrier: header.column(template, "carrier"),
            tracking_url: header.column(template, "tracking_url"),
            shipped_at: header.column(template, "shipped_at"),
        };
        Ok(Self {
            rows,
            file,
            width: header.names.len(),
            headers: header.names,
            columns,
            dates: template.date_parser("shipped_at"),
            io_error: None,
            last_line: 1,
            done: false,
        })
    }

    /// Bytes consumed from the reader so far, for a progress bar.
    pub fn position(&self) -> u64 {
        self.rows.position()
    }

    /// The file's header names, as written.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// The read error that ended the iteration early, if one did: the file was not read
    /// to its end and must not be treated as done.
    pub fn io_error(&self) -> Option<&io::Error> {
        self.io_error.as_ref()
    }
}

impl<R: Read> Iterator for TrackingReader<R> {
    type Item = Result<TrackingRecord, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.rows.next_row() {
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                let err = broken_row(
                    &self.file,
                    self.last_line,
                    b"",
                    format!("read error after this line, file not read to its end: {e}"),
                );
                self.io_error = Some(e);
                Some(Err(err))
            }
            Ok(Some(Row::Broken { line, raw, reason })) => {
                self.last_line = line;
                Some(Err(broken_row(&self.file, line, raw, reason)))
            }
            Ok(Some(Row::Record { line, raw, fields })) => {
                self.last_line = line;
                let row = RowCtx {
                    file: &self.file,
                    line,
                    raw,
                    fields,
                };
                Some(map_row(&row, self.width, &self.columns, &mut self.dates).map_err(|e| *e))
            }
        }
    }
}

fn map_row(
    row: &RowCtx<'_>,
    width: usize,
    c: &Columns,
    dates: &mut DateParser,
) -> RowResult<TrackingRecord> {
    row.check_width(width)?;
    let order_ref = row.required(&c.order_ref)?;
    let number = row.required(&c.tracking_number)?;
    let tracking_number = TrackingNumber::parse(number).map_err(|e| {
        row.error(
            Some(&c.tracking_number),
            Some(number),
            format!("bad tracking number: {}", e.reason),
        )
    })?;
    let tracking_url = row.text(&c.tracking_url)?;
    if let Some(url) = tracking_url {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(row.error(Some(&c.tracking_url), Some(url), "not an http(s) URL"));
        }
    }
    Ok(TrackingRecord {
        line: row.line,
        order_ref: order_ref.to_string(),
        tracking_number,
        carrier_name: row.text(&c.carrier)?.map(str::to_string),
        tracking_url: tracking_url.map(str::to_string),
        shipped_at: row.date(&c.shipped_at, dates)?,
    })
}
