//! The CSV drop connector: supplier tracking files and order exports dropped in a folder,
//! read by column templates that are data (`mappings/csv/*.toml`), not code.
//!
//! - [`Template`] / [`Templates`]: how a file's columns map to our fields.
//! - [`TrackingReader`]: streams [`TrackingRecord`]s out of a supplier tracking file.
//! - [`OrdersReader`]: streams [`CsvOrder`]s out of a one-row-per-line-item export
//!   (Shopify's "Orders → Export").
//! - [`DropFolder`]: finds files that are done being written and files them away.
//!
//! Readers never stop on bad input: each bad row becomes a [`RowError`] with file, line,
//! column, value, reason and the raw row, and the next row is read. Only file-level
//! problems ([`CsvError`]: missing column, no header, bad template) stop a file. Memory
//! stays flat whatever the file size.
#![deny(missing_docs)]
#![warn(unreachable_pub)]

mod cells;
mod dates;
mod drop_folder;
mod error;
mod fields;
mod header;
mod order_mapping;
mod orders;
mod rows;
mod template;
mod tracking;

pub use drop_folder::{DropFolder, Outcome};
pub use error::{CsvError, RowError};
pub use orders::{CsvOrder, OrdersReader, CSV_CHANNEL};
pub use template::{ColumnSpec, Template, TemplateKind, Templates};
pub use tracking::{TrackingReader, TrackingRecord};
