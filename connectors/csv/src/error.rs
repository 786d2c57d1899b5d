//! The two kinds of failure an import meets: a file-level [`CsvError`] that stops the
//! file (bad template, missing column, unreadable file), and a per-row [`RowError`] that
//! sets one row (or one order) aside while the rest of the file goes on.

use std::io;

/// A failure that concerns a whole file, a template or the drop folder: nothing from that
/// file can be imported until it is fixed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CsvError {
    /// A file or folder could not be read, created or moved.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder concerned.
        path: String,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },
    /// A template file is not valid TOML or breaks a template rule.
    #[error("template {file}{}: {message}", line.map(|l| format!(", line {l}")).unwrap_or_default())]
    Template {
        /// The template file (or the label given to [`crate::Template::from_toml_str`]).
        file: String,
        /// 1-based line in the TOML text, when the error has a place.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// Two template files declare the same `name`.
    #[error("template name {name:?} is declared by both {first} and {second}")]
    DuplicateTemplate {
        /// The clashing name.
        name: String,
        /// The file that declared it first.
        first: String,
        /// The file that declared it again.
        second: String,
    },
    /// A reader was given a template of the other kind (orders vs tracking).
    #[error("template {template:?} is of kind {found}, this reader needs {expected}")]
    WrongKind {
        /// The template's name.
        template: String,
        /// The kind the reader needs.
        expected: crate::TemplateKind,
        /// The template's kind.
        found: crate::TemplateKind,
    },
    /// The file has no header row (it is empty or holds only blank lines).
    #[error("{file}: empty file, no header row")]
    NoHeader {
        /// The file name.
        file: String,
    },
    /// Columns the template requires are not in the header.
    #[error("{file}: missing required column(s) {missing:?}; headers found: {found:?}")]
    MissingColumns {
        /// The file name.
        file: String,
        /// For each missing column, the header names the template accepts for it.
        missing: Vec<String>,
        /// The headers the file has.
        found: Vec<String>,
    },
}

/// One row (or, for orders, the row that spoiled one order) that could not be imported,
/// with everything quarantine needs to show where and why and to replay it after a fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}, line {line}{}: {reason}{}",
    column.as_ref().map(|c| format!(", column {c:?}")).unwrap_or_default(),
    value.as_ref().map(|v| format!(" (value: {v:?})")).unwrap_or_default())]
pub struct RowError {
    /// The file name given to the reader.
    pub file: String,
    /// 1-based physical line where the row starts.
    pub line: u64,
    /// The column's header as written in the file, when one column is at fault.
    pub column: Option<String>,
    /// The offending value, when one value is at fault.
    pub value: Option<String>,
    /// Why the row was refused.
    pub reason: String,
    /// The row exactly as it was in the file, without its line ending (invalid UTF-8
    /// shown as U+FFFD).
    pub raw: String,
    /// Orders only: the header and every row of the order this error spoiled, so the
    /// whole order can be replayed from quarantine, not just the row at fault.
    pub order_raw: Option<String>,
}
