//! How one row of an orders file becomes the order-level part of an order ([`Head`],
//! from an order's first row) and one [`OrderLine`] (from every row).

use crate::cells::{RowCtx, RowResult};
use crate::dates::DateParser;
use crate::error::RowError;
use crate::header::{Column, Header};
use crate::Template;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use shipgate_sdk::model::{
    Address, CountryCode, Currency, DeliveryConditions, Money, OrderLine, OrderStatus, Payment,
};

/// Where each order field is in this file.
pub(crate) struct OrderColumns {
    pub(crate) key: Column,
    external_id: Column,
    email: Column,
    currency: Column,
    total: Column,
    created_at: Column,
    paid_at: Column,
    fulfilled_at: Column,
    cancelled_at: Column,
    fulfillment_status: Column,
    payment_method: Column,
    outstanding_balance: Column,
    shipping_method: Column,
    line_name: Column,
    line_sku: Column,
    line_quantity: Column,
    line_price: Column,
    line_requires_shipping: Column,
    ship_name: Column,
    ship_company: Column,
    ship_address1: Column,
    ship_address2: Column,
    ship_city: Column,
    ship_zip: Column,
    ship_province: Column,
    ship_country: Column,
    ship_phone: Column,
}

impl OrderColumns {
    /// Finds every field of `template` in `header`.
    pub(crate) fn resolve(header: &Header, template: &Template) -> Self {
        let c = |field| header.column(template, field);
        Self {
            key: c("order_key"),
            external_id: c("external_id"),
            email: c("email"),
            currency: c("currency"),
            total: c("total"),
            created_at: c("created_at"),
            paid_at: c("paid_at"),
            fulfilled_at: c("fulfilled_at"),
            cancelled_at: c("cancelled_at"),
            fulfillment_status: c("fulfillment_status"),
            payment_method: c("payment_method"),
            outstanding_balance: c("outstanding_balance"),
            shipping_method: c("shipping_method"),
            line_name: c("line_name"),
            line_sku: c("line_sku"),
            line_quantity: c("line_quantity"),
            line_price: c("line_price"),
            line_requires_shipping: c("line_requires_shipping"),
            ship_name: c("ship_name"),
            ship_company: c("ship_company"),
            ship_address1: c("ship_address1"),
            ship_address2: c("ship_address2"),
            ship_city: c("ship_city"),
            ship_zip: c("ship_zip"),
            ship_province: c("ship_province"),
            ship_country: c("ship_country"),
            ship_phone: c("ship_phone"),
        }
    }
}

/// The date parsers of the order's date columns.
pub(crate) struct OrderDates {
    created: DateParser,
    paid: DateParser,
    fulfilled: DateParser,
    cancelled: DateParser,
}

impl OrderDates {
    /// Each column's formats as the template says.
    pub(crate) fn new(template: &Template) -> Self {
        Self {
            created: template.date_parser("created_at"),
            paid: template.date_parser("paid_at"),
            fulfilled: template.date_parser("fulfilled_at"),
            cancelled: template.date_parser("cancelled_at"),
        }
    }
}

/// The order-level fields, read from an order's first row.
pub(crate) struct Head {
    pub(crate) external_id: Option<String>,
    pub(crate) total: Money,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
    pub(crate) status: OrderStatus,
    pub(crate) payment: Payment,
    pub(crate) delivery: DeliveryConditions,
    pub(crate) ship_to: Option<Address>,
}

fn missing(row: &RowCtx<'_>, col: &Column) -> Box<RowError> {
    row.error(
        Some(col),
        Some(""),
        "empty required value (order-level columns are read from an order's first row)",
    )
}

/// Reads the order-level columns of an order's first row.
pub(crate) fn map_head(row: &RowCtx<'_>, c: &OrderColumns, d: &mut OrderDates) -> RowResult<Head> {
    let code = row
        .text(&c.currency)?
        .ok_or_else(|| missing(row, &c.currency))?;
    let currency = Currency::parse(code)
        .map_err(|e| row.error(Some(&c.currency), Some(code), e.to_string()))?;
    let total = row
        .decimal(&c.total)?
        .ok_or_else(|| missing(row, &c.total))?;
    let created_at = row
        .date(&c.created_at, &mut d.created)?
        .ok_or_else(|| missing(row, &c.created_at))?;
    let paid_at = row.date(&c.paid_at, &mut d.paid)?;
    let fulfilled_at = row.date(&c.fulfilled_at, &mut d.fulfilled)?;
    let cancelled_at = row.date(&c.cancelled_at, &mut d.cancelled)?;
    let updated_at = [paid_at, fulfilled_at, cancelled_at]
        .into_iter()
        .flatten()
        .fold(created_at, DateTime::max);

    let fulfillment = row
        .text(&c.fulfillment_status)?
        .map(str::to_ascii_lowercase);
    let status = match (cancelled_at, fulfillment.as_deref()) {
        (Some(_), _) => OrderStatus::Cancelled,
        (None, Some("fulfilled")) => OrderStatus::Fulfilled,
        (None, Some("partial")) => OrderStatus::PartiallyFulfilled,
        _ => OrderStatus::Open,
    };

    let method = row
        .text(&c.payment_method)?
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let is_cod = method == "cod" || method.contains("cash on delivery") || method.contains("(cod)");
    let due = row
        .decimal(&c.outstanding_balance)?
        .filter(|d| *d > Decimal::ZERO)
        .unwrap_or(total);
    let payment = if is_cod && due > Decimal::ZERO {
        Payment::CashOnDelivery {
            amount: Money::new(due, currency),
        }
    } else {
        Payment::Prepaid
    };

    Ok(Head {
        external_id: row.text(&c.external_id)?.map(str::to_string),
        total: Money::new(total, currency),
        created_at,
        updated_at,
        status,
        payment,
        delivery: DeliveryConditions {
            requested_service: row.text(&c.shipping_method)?.map(str::to_string),
            ..DeliveryConditions::default()
        },
        ship_to: map_address(row, c)?,
    })
}

/// The ship-to address; `None` when the row has no shipping column filled in.
fn map_address(row: &RowCtx<'_>, c: &OrderColumns) -> RowResult<Option<Address>> {
    let text = |col: &Column| row.text(col).map(|v| v.map(str::to_string));
    let country = match row.text(&c.ship_country)? {
        Some(code) => Some(
            CountryCode::parse(code)
                .map_err(|e| row.error(Some(&c.ship_country), Some(code), e.to_string()))?,
        ),
        None => None,
    };
    let address = Address {
        name: text(&c.ship_name)?,
        company: text(&c.ship_company)?,
        line1: text(&c.ship_address1)?,
        line2: text(&c.ship_address2)?,
        city: text(&c.ship_city)?,
        region: text(&c.ship_province)?,
        postal_code: text(&c.ship_zip)?,
        country,
        phone: text(&c.ship_phone)?,
        email: None,
    };
    if address == Address::default() {
        return Ok(None);
    }
    Ok(Some(Address {
        email: text(&c.email)?,
        ..address
    }))
}

/// Reads one line item.
pub(crate) fn map_line(
    row: &RowCtx<'_>,
    c: &OrderColumns,
    currency: Currency,
) -> RowResult<OrderLine> {
    let title = row.required(&c.line_name)?;
    let qty = row.required(&c.line_quantity)?;
    let quantity: u32 = qty.parse().map_err(|_| {
        row.error(
            Some(&c.line_quantity),
            Some(qty),
            "not a whole number of units",
        )
    })?;
    let price = row
        .decimal(&c.line_price)?
        .ok_or_else(|| row.error(Some(&c.line_price), Some(""), "empty required value"))?;
    let requires_shipping = match row
        .text(&c.line_requires_shipping)?
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("true" | "yes" | "1") => true,
        Some("false" | "no" | "0") => false,
        Some(other) => {
            return Err(row.error(
                Some(&c.line_requires_shipping),
                Some(other),
                "not a yes/no value (true, false, yes, no, 1, 0)",
            ))
        }
    };
    Ok(OrderLine {
        external_id: None,
        sku: row.text(&c.line_sku)?.map(str::to_string),
        title: title.to_string(),
        quantity,
        unit_price: Money::new(price, currency),
        weight_grams: None,
        dimensions: None,
        requires_shipping,
    })
}
