//! How one rate-shopping round runs: its time limits, its ordering, its currency table.

use super::fx::FxTable;
use std::time::Duration;

/// The order rates come back in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortBy {
    /// Cheapest first (see the module's currency policy); ties by transit days.
    #[default]
    Price,
    /// Fastest first by business days in transit; rates whose carrier gave no transit
    /// time come last, since an unknown delay cannot be promised to a buyer. Ties by price.
    TransitDays,
}

/// Settings of one rate-shopping round.
#[derive(Debug, Clone)]
pub struct ShoppingOptions {
    /// The whole round ends at this point after it starts, whatever is still pending:
    /// the checkout waiting on it cannot wait longer.
    pub deadline: Duration,
    /// One carrier's quote is abandoned after this long, so a slow carrier is reported as
    /// such (not as cut by the deadline) when it is shorter than the deadline.
    pub per_carrier_timeout: Duration,
    /// The order of the rates.
    pub sort: SortBy,
    /// Exchange rates for comparing prices in several currencies; `None` keeps each
    /// currency apart.
    pub fx: Option<FxTable>,
}

impl Default for ShoppingOptions {
    /// Two seconds overall and 1.5 s per carrier: a checkout page can wait that long,
    /// and a carrier slower than that is treated as down for this round.
    fn default() -> Self {
        Self {
            deadline: Duration::from_secs(2),
            per_carrier_timeout: Duration::from_millis(1500),
            sort: SortBy::Price,
            fx: None,
        }
    }
}
