//! Mapping cases as data: a saved remote payload and the canonical fields it must give,
//! in `tests/mappings/**/*.toml`, checked by `shipgate mappings check` and by the tests.
//!
//! A marketplace admin who fixes a mapping or a carrier's status table adds a case file
//! beside the others; nobody writes Rust to pin what a payload must turn into.
//!
//! ```toml
//! source = "shopify"                 # or "csv:<orders template>" or "track:<carrier API>"
//! input = "order_1001.json"          # relative to this file
//! [expect]                           # JSON paths into the canonical output
//! "source.external_number" = "#1001"
//! "lines[0].quantity" = 1
//! ```
//! or `[expect_error] location = "totalPriceSet"` (and/or `message = "…"`, a substring).

mod case;
mod path;

pub use case::{run_case, Case, CaseError, CaseOutcome, Mismatch};
