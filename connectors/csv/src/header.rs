//! Matching a file's header row to a template's columns, by name and never by position
//! (Shopify's export gained columns over the years; suppliers reorder theirs freely).

use crate::error::CsvError;
use crate::rows::Fields;
use crate::Template;

/// The comparison form of a header name: lower case, letters and digits only, so
/// `Tracking No.`, `tracking_no` and `TRACKING NO` are one name.
pub(crate) fn normalize(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Where one field was found in a file, and how its values are cleaned.
#[derive(Debug, Clone, Default)]
pub(crate) struct Column {
    /// Field index in each row; `None` when the file lacks this optional column.
    pub(crate) index: Option<usize>,
    /// The header as written in the file, for error messages.
    pub(crate) header: String,
    /// Removed from the start of values.
    pub(crate) strip_prefix: Option<String>,
}

/// A file's header row resolved against a template.
#[derive(Debug)]
pub(crate) struct Header {
    /// The header names as found (invalid UTF-8 shown as U+FFFD).
    pub(crate) names: Vec<String>,
    normalized: Vec<String>,
}

impl Header {
    /// Reads the header row.
    pub(crate) fn new(fields: &Fields<'_>) -> Self {
        let names: Vec<String> = fields
            .iter()
            .map(|f| String::from_utf8_lossy(f).trim().to_string())
            .collect();
        let normalized = names.iter().map(|n| normalize(n)).collect();
        Self { names, normalized }
    }

    /// Checks that every required column of `template` is present, naming all missing
    /// ones and the headers found if not.
    pub(crate) fn check_required(&self, template: &Template, file: &str) -> Result<(), CsvError> {
        let missing: Vec<String> = template
            .columns()
            .filter(|(field, spec)| spec.required && self.column(template, field).index.is_none())
            .map(|(field, spec)| format!("{field} ({})", spec.headers.join(" | ")))
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(CsvError::MissingColumns {
                file: file.to_string(),
                missing,
                found: self.names.clone(),
            })
        }
    }

    /// Where `field` is in this file (the first alias that matches a header).
    pub(crate) fn column(&self, template: &Template, field: &str) -> Column {
        let Some(spec) = template.column(field) else {
            return Column {
                header: field.to_string(),
                ..Column::default()
            };
        };
        let index = spec.headers.iter().find_map(|alias| {
            let wanted = normalize(alias);
            self.normalized.iter().position(|n| *n == wanted)
        });
        let header = index
            .and_then(|i| self.names.get(i).cloned())
            .or_else(|| spec.headers.first().cloned())
            .unwrap_or_else(|| field.to_string());
        Column {
            index,
            header,
            strip_prefix: spec.strip_prefix.clone(),
        }
    }
}

/// Opens a file for `template`: checks the kind, reads and resolves the header row,
/// and returns the splitter positioned on the first data row, the header, and the
/// header line as written (for the raw payload of orders).
pub(crate) fn open<R: std::io::Read>(
    src: R,
    template: &Template,
    kind: crate::TemplateKind,
    file: &str,
) -> Result<(crate::rows::Splitter<R>, Header, Vec<u8>), CsvError> {
    if template.kind() != kind {
        return Err(CsvError::WrongKind {
            template: template.name().to_string(),
            expected: kind,
            found: template.kind(),
        });
    }
    let io_err = |source| CsvError::Io {
        path: file.to_string(),
        source,
    };
    let mut rows = crate::rows::Splitter::new(src, template.delimiter()).map_err(io_err)?;
    let (header, raw) = match rows.next_row().map_err(io_err)? {
        Some(crate::rows::Row::Record { raw, fields, .. }) => (Header::new(&fields), raw.to_vec()),
        Some(crate::rows::Row::Broken { .. }) | None => {
            return Err(CsvError::NoHeader {
                file: file.to_string(),
            })
        }
    };
    header.check_required(template, file)?;
    rows.expect_fields(header.names.len());
    Ok((rows, header, raw))
}
