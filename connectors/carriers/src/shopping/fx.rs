//! A table of exchange rates into one reference currency, so prices quoted in several
//! currencies are compared on the same scale rather than as bare numbers.

use rust_decimal::Decimal;
use shipgate_sdk::model::{Currency, Money};
use std::collections::HashMap;

/// Exchange rates into `base`: `amount × rate(currency)` is the amount in `base`.
#[derive(Debug, Clone, PartialEq)]
pub struct FxTable {
    base: Currency,
    rates: HashMap<Currency, Decimal>,
}

impl FxTable {
    /// An empty table converting into `base` (which converts to itself at 1).
    pub fn new(base: Currency) -> Self {
        Self {
            base,
            rates: HashMap::from([(base, Decimal::ONE)]),
        }
    }

    /// Adds how many units of the base currency one unit of `currency` is worth. A rate
    /// that is zero or negative is ignored: it would make that currency look free.
    pub fn with_rate(mut self, currency: Currency, rate: Decimal) -> Self {
        if rate > Decimal::ZERO {
            self.rates.insert(currency, rate);
        }
        self
    }

    /// The reference currency.
    pub fn base(&self) -> Currency {
        self.base
    }

    /// `money` in the base currency; `None` when the table has no rate for it.
    pub fn convert(&self, money: &Money) -> Option<Decimal> {
        self.rates
            .get(&money.currency)
            .and_then(|rate| money.amount.checked_mul(*rate))
    }
}
