//! Rate shopping: one [`shipgate_sdk::RateRequest`] quoted by every eligible carrier at
//! once, under one global deadline and a per-carrier timeout, so the slowest or a broken
//! carrier never holds the others back (DESIGN.md: "nothing waits on the slowest party").
//!
//! [`shop`] returns [`Quotes`]: the rates, sorted as [`ShoppingOptions::sort`] asks, and
//! one [`LeftOut`] with its [`Reason`] for every carrier that gave none, so a merchant can
//! see why a carrier is missing instead of guessing.
//!
//! Currency policy: prices in different currencies are never compared as bare numbers.
//! Without an [`FxTable`] a price sort groups rates by currency (each group sorted by
//! price, groups by currency code) and [`Quotes::cheapest`] answers `None` when more than
//! one currency is present. With a table, every rate whose currency the table knows is
//! compared on its converted amount; rates in currencies it does not know follow in their
//! own groups.

mod eligibility;
mod fanout;
mod fx;
mod options;
mod quotes;
pub mod sandbox;
mod sort;

pub use fanout::shop;
pub use fx::FxTable;
pub use options::{ShoppingOptions, SortBy};
pub use quotes::{LeftOut, Quotes, Reason};
