//! Column templates: data files (`mappings/csv/<name>.toml`) that say how a file's
//! columns map to our fields, so a new supplier layout is a new file, not new code.
//!
//! ```toml
//! name = "supplier-tracking"
//! kind = "tracking"            # or "orders"
//! delimiter = ","              # ",", ";", "\t", "tab" or "auto" (sniffed from the header)
//! date_formats = ["rfc3339", "%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d"]
//! timezone = "+02:00"          # offset for dates written without one
//!
//! [columns.order_ref]
//! header = ["order", "order_number", "Order Name"]   # aliases, case/space-insensitive
//! required = true              # the header must have it, or the file is refused
//! ```
//!
//! A column may also say `date_formats = [..]` (overrides the template's list) and
//! `strip_prefix = "'"` (removed from values, for zips a spreadsheet would otherwise eat).

use crate::dates::{parse_offset, DateParser};
use crate::error::CsvError;
use crate::fields;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

/// Formats tried when a template names none: the common machine formats first.
const DEFAULT_DATE_FORMATS: &[&str] = &[
    "rfc3339",
    "%Y-%m-%d %H:%M:%S %z",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d",
    "%d/%m/%Y",
];

/// What a file holds, which decides the reader and the fields a template may map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TemplateKind {
    /// Orders, one row per line item ([`crate::OrdersReader`]).
    Orders,
    /// Tracking numbers for orders ([`crate::TrackingReader`]).
    Tracking,
}

impl fmt::Display for TemplateKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Orders => "orders",
            Self::Tracking => "tracking",
        })
    }
}

/// How one of our fields is found in a file and cleaned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnSpec {
    /// Header names accepted for it, first match wins; compared ignoring case, spaces
    /// and punctuation (`Tracking No.` = `tracking_no`).
    pub headers: Vec<String>,
    /// Whether a file without this column is refused as a whole.
    pub required: bool,
    /// Date formats for this column, overriding the template's list.
    pub date_formats: Option<Vec<String>>,
    /// A prefix removed from values (`'` before zips, added to keep leading zeros).
    pub strip_prefix: Option<String>,
}

/// A loaded, checked template.
#[derive(Debug, Clone)]
pub struct Template {
    name: String,
    kind: TemplateKind,
    description: Option<String>,
    delimiter: Option<u8>,
    dates: DateParser,
    column_dates: BTreeMap<String, DateParser>,
    columns: BTreeMap<String, ColumnSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TemplateFile {
    name: String,
    kind: TemplateKind,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    delimiter: Option<String>,
    #[serde(default)]
    date_formats: Option<Vec<String>>,
    #[serde(default)]
    timezone: Option<String>,
    columns: BTreeMap<toml::Spanned<String>, ColumnFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ColumnFile {
    header: Vec<String>,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    date_formats: Option<Vec<String>>,
    #[serde(default)]
    strip_prefix: Option<String>,
}

impl Template {
    /// Reads and checks one template file; errors name the file and the TOML line.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, CsvError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| CsvError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_toml_str(&path.display().to_string(), &text)
    }

    /// Parses and checks template text; `origin` names where it came from in errors.
    pub fn from_toml_str(origin: &str, text: &str) -> Result<Self, CsvError> {
        let err = |line: Option<usize>, message: String| CsvError::Template {
            file: origin.to_string(),
            line,
            message,
        };
        let line_of =
            |offset: usize| Some(text[..offset.min(text.len())].matches('\n').count() + 1);
        let file: TemplateFile = toml::from_str(text).map_err(|e| {
            err(
                e.span().and_then(|s| line_of(s.start)),
                e.message().to_string(),
            )
        })?;
        if file.name.trim().is_empty() {
            return Err(err(None, "name is empty".into()));
        }
        let delimiter = match file.delimiter.as_deref() {
            None | Some(",") => Some(b','),
            Some(";") => Some(b';'),
            Some("\t") | Some("tab") => Some(b'\t'),
            Some("|") => Some(b'|'),
            Some("auto") => None,
            Some(other) => {
                return Err(err(
                    None,
                    format!(
                        "delimiter {other:?} is not one of \",\", \";\", \"tab\", \"|\", \"auto\""
                    ),
                ))
            }
        };
        let timezone =
            parse_offset(file.timezone.as_deref().unwrap_or("UTC")).map_err(|m| err(None, m))?;
        let date_formats = file
            .date_formats
            .unwrap_or_else(|| DEFAULT_DATE_FORMATS.iter().map(|s| s.to_string()).collect());
        let dates = DateParser::new(&date_formats, timezone).map_err(|m| err(None, m))?;
        let mut column_dates = BTreeMap::new();

        let known = fields::of(file.kind);
        let mut columns = BTreeMap::new();
        for (key, col) in file.columns {
            let line = line_of(key.span().start);
            let field = key.into_inner();
            if !known.iter().any(|f| f.name == field) {
                let names: Vec<&str> = known.iter().map(|f| f.name).collect();
                return Err(err(
                    line,
                    format!(
                        "unknown column field {field:?} for kind {}; known: {names:?}",
                        file.kind
                    ),
                ));
            }
            if col
                .header
                .iter()
                .all(|h| crate::header::normalize(h).is_empty())
            {
                return Err(err(
                    line,
                    format!("column {field:?} has no usable header name"),
                ));
            }
            if let Some(formats) = &col.date_formats {
                let parser = DateParser::new(formats, timezone)
                    .map_err(|m| err(line, format!("column {field:?}: {m}")))?;
                column_dates.insert(field.clone(), parser);
            }
            let spec = ColumnSpec {
                headers: col.header,
                required: col.required,
                date_formats: col.date_formats,
                strip_prefix: col.strip_prefix.filter(|p| !p.is_empty()),
            };
            columns.insert(field, spec);
        }
        if let Some(missing) = known
            .iter()
            .find(|f| f.needed && !columns.contains_key(f.name))
        {
            return Err(err(
                None,
                format!(
                    "kind {} needs a [columns.{}] table",
                    file.kind, missing.name
                ),
            ));
        }
        Ok(Self {
            name: file.name,
            kind: file.kind,
            description: file.description,
            delimiter,
            dates,
            column_dates,
            columns,
        })
    }

    /// The template's name (`supplier-tracking`), used to pick it on the command line.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The free-text description, for listings.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// What the files it reads hold.
    pub fn kind(&self) -> TemplateKind {
        self.kind
    }

    /// The field separator, or `None` when it is sniffed from each file's header line.
    pub fn delimiter(&self) -> Option<u8> {
        self.delimiter
    }

    /// How `field` (`tracking_number`, `line_price`…) is found, if the template maps it.
    pub fn column(&self, field: &str) -> Option<&ColumnSpec> {
        self.columns.get(field)
    }

    /// Every mapped field and its spec, in field-name order.
    pub fn columns(&self) -> impl Iterator<Item = (&str, &ColumnSpec)> {
        self.columns.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The date parser for `field`: its own formats or the template's, checked at load.
    pub(crate) fn date_parser(&self, field: &str) -> DateParser {
        self.column_dates.get(field).unwrap_or(&self.dates).clone()
    }
}

/// Every template of a folder, by name.
#[derive(Debug, Clone, Default)]
pub struct Templates {
    by_name: BTreeMap<String, Template>,
}

impl Templates {
    /// Loads every `*.toml` file of `dir`. The first bad file stops the load with its
    /// name and line, so a broken mapping is found at start-up, not mid-import.
    pub fn load_dir(dir: impl AsRef<Path>) -> Result<Self, CsvError> {
        let dir = dir.as_ref();
        let io_err = |source| CsvError::Io {
            path: dir.display().to_string(),
            source,
        };
        let mut paths = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(io_err)? {
            let path = entry.map_err(io_err)?.path();
            if path.is_file() && path.extension().is_some_and(|e| e == "toml") {
                paths.push(path);
            }
        }
        paths.sort();
        let mut by_name: BTreeMap<String, Template> = BTreeMap::new();
        let mut files: BTreeMap<String, String> = BTreeMap::new();
        for path in paths {
            let template = Template::load(&path)?;
            let file = path.display().to_string();
            if let Some(first) = files.get(template.name()) {
                return Err(CsvError::DuplicateTemplate {
                    name: template.name().to_string(),
                    first: first.clone(),
                    second: file,
                });
            }
            files.insert(template.name().to_string(), file);
            by_name.insert(template.name().to_string(), template);
        }
        Ok(Self { by_name })
    }

    /// The template called `name`.
    pub fn get(&self, name: &str) -> Option<&Template> {
        self.by_name.get(name)
    }

    /// All templates, in name order.
    pub fn iter(&self) -> impl Iterator<Item = &Template> {
        self.by_name.values()
    }

    /// How many templates were loaded.
    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    /// Whether the folder held no template.
    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }
}
