//! The canonical order and its parts.

use super::{Address, Money};
use crate::error::ValidationError;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;
use ulid::Ulid;

/// The name of the channel an order was sold on (`shopify`, `csv`, …). A string rather
/// than an enum so a new marketplace is added by its own crate alone.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Channel(pub String);

impl Channel {
    /// Builds a channel name.
    pub fn new(name: impl Into<String>) -> Self {
        Self(name.into())
    }

    /// The channel name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where an order came from: enough to find it again on the remote side and to push
/// tracking back to the right place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRef {
    /// The channel it was sold on.
    pub channel: Channel,
    /// The configured connector that pulled it (one shop = one connector).
    pub connector_id: String,
    /// The remote's own id (Shopify's `gid://shopify/Order/…`).
    pub external_id: String,
    /// The number people see (`#1001`), used to match supplier files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_number: Option<String>,
}

/// Where the order stands on our side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Waiting to be shipped.
    Open,
    /// Some lines shipped.
    PartiallyFulfilled,
    /// Every line shipped.
    Fulfilled,
    /// Cancelled by the seller or the buyer.
    Cancelled,
}

impl OrderStatus {
    /// The snake_case name stored in the orders table's status column.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::PartiallyFulfilled => "partially_fulfilled",
            Self::Fulfilled => "fulfilled",
            Self::Cancelled => "cancelled",
        }
    }
}

/// How the buyer pays: carriers need to know whether to collect cash at the door.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Payment {
    /// Paid before shipping.
    Prepaid,
    /// The carrier collects this amount on delivery.
    CashOnDelivery {
        /// What the carrier must collect.
        amount: Money,
    },
}

/// What the merchant asked of the delivery.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryConditions {
    /// The recipient must sign.
    #[serde(default)]
    pub signature_required: bool,
    /// The recipient may keep some items and refuse the rest (common with COD in CIS).
    #[serde(default)]
    pub partial_buyout_allowed: bool,
    /// The shipping method the buyer chose at checkout, as the channel named it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_service: Option<String>,
}

/// Parcel dimensions in millimetres.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dimensions {
    /// Length in mm.
    pub length_mm: u32,
    /// Width in mm.
    pub width_mm: u32,
    /// Height in mm.
    pub height_mm: u32,
}

/// One line of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    /// The remote's line id, needed to fulfil that line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// Stock keeping unit; some channels allow lines without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    /// Product title as sold.
    pub title: String,
    /// Units ordered; at least one.
    pub quantity: u32,
    /// Price of one unit.
    pub unit_price: Money,
    /// Weight of one unit in grams, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight_grams: Option<u32>,
    /// Size of one unit, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimensions: Option<Dimensions>,
    /// False for gift cards, services and other lines nobody ships.
    pub requires_shipping: bool,
}

/// The canonical order every source maps into and every later step reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    /// Our id. The store keeps the first id it saw for a given source order.
    pub id: Ulid,
    /// The 3PL or marketplace operator running this shipgate.
    pub tenant: String,
    /// The merchant whose shop this is.
    pub merchant: String,
    /// Where it came from.
    pub source: SourceRef,
    /// When the buyer placed it (UTC).
    pub created_at: DateTime<Utc>,
    /// When the source last changed it (UTC); drives incremental pulls.
    pub updated_at: DateTime<Utc>,
    /// Our view of its progress.
    pub status: OrderStatus,
    /// What the buyer paid in all.
    pub total: Money,
    /// What was bought; never empty.
    pub lines: Vec<OrderLine>,
    /// Where to ship; `None` for orders with nothing to ship.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ship_to: Option<Address>,
    /// How it is paid.
    pub payment: Payment,
    /// What the delivery must respect.
    #[serde(default)]
    pub delivery: DeliveryConditions,
    /// SHA-256 of the raw payload this order was normalized from.
    pub raw_hash: String,
}

impl Order {
    /// Checks the rules a mapping cannot express in types: at least one line, positive
    /// quantities, no negative prices, one currency throughout, an address for anything
    /// that must be shipped. The first broken rule is returned with its field path.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let currency = self.total.currency;
        if self.total.amount < Decimal::ZERO {
            return Err(ValidationError::new(
                "total.amount",
                self.total.amount,
                "is negative",
            ));
        }
        if self.source.external_id.trim().is_empty() {
            return Err(ValidationError::new("source.external_id", "", "is empty"));
        }
        if self.lines.is_empty() {
            return Err(ValidationError::new(
                "lines",
                "[]",
                "an order needs at least one line",
            ));
        }
        for (i, line) in self.lines.iter().enumerate() {
            if line.quantity == 0 {
                return Err(ValidationError::new(
                    format!("lines[{i}].quantity"),
                    0,
                    "must be at least 1",
                ));
            }
            if line.unit_price.amount < Decimal::ZERO {
                return Err(ValidationError::new(
                    format!("lines[{i}].unit_price.amount"),
                    line.unit_price.amount,
                    "is negative",
                ));
            }
            if line.unit_price.currency != currency {
                return Err(ValidationError::new(
                    format!("lines[{i}].unit_price.currency"),
                    line.unit_price.currency,
                    format!("differs from the order currency {currency}"),
                ));
            }
        }
        if let Payment::CashOnDelivery { amount } = &self.payment {
            if amount.amount <= Decimal::ZERO {
                return Err(ValidationError::new(
                    "payment.amount.amount",
                    amount.amount,
                    "must be positive",
                ));
            }
        }
        let ships = self.lines.iter().any(|l| l.requires_shipping);
        if ships && self.status != OrderStatus::Cancelled {
            match &self.ship_to {
                None => {
                    return Err(ValidationError::new(
                        "ship_to",
                        "null",
                        "a shippable order needs an address",
                    ))
                }
                Some(a) if a.country.is_none() => {
                    return Err(ValidationError::new(
                        "ship_to.country",
                        "null",
                        "a shippable order needs a country",
                    ))
                }
                Some(_) => {}
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CountryCode, Currency};
    use std::str::FromStr;

    fn eur(s: &str) -> Money {
        Money::new(
            Decimal::from_str(s).unwrap(),
            Currency::parse("EUR").unwrap(),
        )
    }

    fn order() -> Order {
        Order {
            id: Ulid::new(),
            tenant: "t".into(),
            merchant: "m".into(),
            source: SourceRef {
                channel: Channel::new("shopify"),
                connector_id: "shop-1".into(),
                external_id: "gid://shopify/Order/1".into(),
                external_number: Some("#1001".into()),
            },
            created_at: Utc::now(),
            updated_at: Utc::now(),
            status: OrderStatus::Open,
            total: eur("20.00"),
            lines: vec![OrderLine {
                external_id: None,
                sku: Some("SKU".into()),
                title: "Thing".into(),
                quantity: 2,
                unit_price: eur("10.00"),
                weight_grams: Some(200),
                dimensions: None,
                requires_shipping: true,
            }],
            ship_to: Some(Address {
                country: Some(CountryCode::parse("FR").unwrap()),
                ..Address::default()
            }),
            payment: Payment::Prepaid,
            delivery: DeliveryConditions::default(),
            raw_hash: "00".into(),
        }
    }

    #[test]
    fn a_well_formed_order_is_valid_and_round_trips_through_json() {
        let o = order();
        o.validate().unwrap();
        let json = serde_json::to_string(&o).unwrap();
        assert!(
            json.contains("\"amount\":\"10.00\""),
            "money must serialize as a string: {json}"
        );
        let back: Order = serde_json::from_str(&json).unwrap();
        assert_eq!(back, o);
    }

    #[test]
    fn validation_names_the_field_path_and_value() {
        let mut o = order();
        o.lines[0].quantity = 0;
        let err = o.validate().unwrap_err();
        assert_eq!(err.path, "lines[0].quantity");
        assert_eq!(err.value, "0");

        let mut o = order();
        o.lines[0].unit_price = Money::new(Decimal::ONE, Currency::parse("USD").unwrap());
        assert_eq!(
            o.validate().unwrap_err().path,
            "lines[0].unit_price.currency"
        );

        let mut o = order();
        o.ship_to = None;
        assert_eq!(o.validate().unwrap_err().path, "ship_to");

        let mut o = order();
        o.lines.clear();
        assert_eq!(o.validate().unwrap_err().path, "lines");
    }
}
