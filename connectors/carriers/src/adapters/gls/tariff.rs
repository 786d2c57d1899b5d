//! GLS has no public rating API (see the module doc of [`super`]) and sells at contract
//! prices that differ per shipper, so unlike Colissimo there is no public grid to keep
//! as data: the merchant writes its GLS price list into the settings, one row per
//! product, destination countries and weight ceiling:
//!
//! ```toml
//! tariff = [
//!   { product = "PARCEL", countries = ["DE"], up_to_grams = 2000, price = "4.90" },
//!   { product = "PARCEL", countries = ["DE"], up_to_grams = 31500, price = "7.40" },
//! ]
//! ```
//!
//! A parcel costs the price of the lightest row of its product that covers its country
//! and weight; a shipment the sum of its parcels. A lane or weight no row covers gets no
//! rate, so a missing price is never guessed.

use rust_decimal::Decimal;
use serde::Deserialize;
use shipgate_sdk::model::{CountryCode, Currency, Money};
use shipgate_sdk::Parcel;

/// One row of the merchant's GLS price list.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TariffRow {
    /// The ShipIT product it prices (`PARCEL`, `EXPRESS`).
    pub product: String,
    /// ISO 3166-1 alpha-2 destination countries.
    pub countries: Vec<String>,
    /// The heaviest parcel, in grams, this price covers.
    pub up_to_grams: u32,
    /// The price of one parcel, as a decimal string (`"4.90"`).
    pub price: Decimal,
}

/// Why a tariff was refused, naming the row and field.
#[derive(Debug, thiserror::Error)]
pub(super) enum TariffError {
    /// `currency` is not an ISO 4217 code.
    #[error("currency: {0}")]
    Currency(String),
    /// A row's product is not one GLS sells through this adapter.
    #[error("tariff[{0}].product: {1:?} is not PARCEL or EXPRESS")]
    Product(usize, String),
    /// A row names no country, or a code that is not a country.
    #[error("tariff[{0}].countries: {1}")]
    Countries(usize, String),
    /// A row covers no weight.
    #[error("tariff[{0}].up_to_grams: must be above 0")]
    Weight(usize),
    /// A row's price is negative.
    #[error("tariff[{0}].price: {1} is negative")]
    Price(usize, Decimal),
}

/// The checked tariff.
#[derive(Debug)]
pub(super) struct Tariff {
    rows: Vec<TariffRow>,
    currency: Currency,
}

impl Tariff {
    /// Checks every row; the first wrong field refuses the whole table.
    pub(super) fn new(rows: &[TariffRow], currency: &str) -> Result<Self, TariffError> {
        let currency =
            Currency::parse(currency).map_err(|e| TariffError::Currency(e.to_string()))?;
        for (i, row) in rows.iter().enumerate() {
            if !super::SERVICES.iter().any(|(code, _)| *code == row.product) {
                return Err(TariffError::Product(i, row.product.clone()));
            }
            if row.countries.is_empty() {
                return Err(TariffError::Countries(i, "names no country".into()));
            }
            if let Some(Err(e)) = row
                .countries
                .iter()
                .map(|c| CountryCode::parse(c))
                .find(Result::is_err)
            {
                return Err(TariffError::Countries(i, e.to_string()));
            }
            if row.up_to_grams == 0 {
                return Err(TariffError::Weight(i));
            }
            if row.price.is_sign_negative() {
                return Err(TariffError::Price(i, row.price));
            }
        }
        Ok(Self {
            rows: rows.to_vec(),
            currency,
        })
    }

    /// Whether no price was configured.
    pub(super) fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The price of `parcels` to `country` by `product`, `None` when a parcel is not
    /// covered (or there is no parcel).
    pub(super) fn price(&self, product: &str, country: &str, parcels: &[Parcel]) -> Option<Money> {
        if parcels.is_empty() {
            return None;
        }
        let mut total = Decimal::ZERO;
        for parcel in parcels {
            let row = self
                .rows
                .iter()
                .filter(|r| {
                    r.product == product
                        && r.countries.iter().any(|c| c.eq_ignore_ascii_case(country))
                        && parcel.weight_grams <= r.up_to_grams
                })
                .min_by_key(|r| r.up_to_grams)?;
            total += row.price;
        }
        Some(Money::new(total, self.currency))
    }
}
