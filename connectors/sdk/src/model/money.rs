//! Money as a decimal amount plus its currency, never a float.

use super::Currency;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;

/// An amount in one currency. Amounts are [`Decimal`] serialized as strings, so
/// `"19.99"` stays `19.99` through every hop (floats turned Airbyte's Shopify prices
/// into `19.989999…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    /// The amount, in major units (euros, not cents).
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    /// ISO 4217 currency.
    pub currency: Currency,
}

impl Money {
    /// Builds money from an amount and its currency.
    pub fn new(amount: Decimal, currency: Currency) -> Self {
        Self { amount, currency }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}
