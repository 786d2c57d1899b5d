//! How an Orders API 2026-01-01 `Order` becomes the canonical order.
//!
//! Pure and total: any bytes give an order or a [`MappingError`] naming the field path in
//! Amazon's vocabulary (`orderItems[1].product.price.unitPrice.amount`) and the value.
//! The fast path deserializes borrowed fields straight from the bytes; only a failing
//! payload is read a second time with `serde_path_to_error` to name the field.
//!
//! Choices a user should know about:
//! - `fulfillment.fulfillmentStatus`: `UNSHIPPED` → open, `PARTIALLY_SHIPPED` →
//!   partially fulfilled, `SHIPPED` → fulfilled, `CANCELLED` and `UNFULFILLABLE` →
//!   cancelled (neither may be shipped). `PENDING` and `PENDING_AVAILABILITY` (payment
//!   not authorized, pre-orders) are refused: Amazon says they are not ready for
//!   shipment, and the canonical order has no "on hold"; the pull never asks for them,
//!   and they come back on their own once Amazon moves them to `UNSHIPPED`. A value
//!   Amazon adds later is refused too, naming the path and value: guessing could ship an
//!   order that must not ship, while a quarantined order is replayed after the mapping
//!   learns the new value.
//! - Orders fulfilled by Amazon (`fulfilledBy: AMAZON`) keep their lines with
//!   `requires_shipping = false`: Amazon ships them, we must not.
//! - The total is `proceeds.grandTotal`; when Amazon gives none (cancelled orders), it
//!   is the sum of unit price × quantity.
//! - Phones become E.164 when the number can be placed; otherwise the raw text is kept.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::value::RawValue;
use shipgate_sdk::model::{
    content_hash, phone, Address, Channel, CountryCode, Currency, DeliveryConditions, Money, Order,
    OrderLine, OrderStatus, Payment, SourceRef,
};
use shipgate_sdk::{MappingError, Origin};
use std::borrow::Cow;
use std::str::FromStr;
use ulid::Ulid;

/// The channel name every Amazon order carries.
pub const CHANNEL: &str = "amazon";

/// The `fulfillmentStatus` values of the 2026-01-01 model, for error messages.
const KNOWN_STATUSES: &str = "PENDING_AVAILABILITY, PENDING, UNSHIPPED, PARTIALLY_SHIPPED, \
                              SHIPPED, CANCELLED, UNFULFILLABLE";

/// A getOrder answer (`{"order":{…}}`) or a bare order (a `searchOrders` element).
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    order: Option<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AmzOrder<'a> {
    #[serde(borrow)]
    order_id: Cow<'a, str>,
    #[serde(default, borrow)]
    order_aliases: Option<Vec<Alias<'a>>>,
    #[serde(borrow)]
    created_time: Cow<'a, str>,
    #[serde(borrow)]
    last_updated_time: Cow<'a, str>,
    #[serde(default, borrow)]
    buyer: Option<Buyer<'a>>,
    #[serde(default, borrow)]
    recipient: Option<Recipient<'a>>,
    #[serde(default, borrow)]
    proceeds: Option<Proceeds<'a>>,
    #[serde(default, borrow)]
    fulfillment: Option<Fulfillment<'a>>,
    #[serde(default, borrow)]
    payment: Option<OrderPayment<'a>>,
    #[serde(borrow)]
    order_items: Vec<Item<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Alias<'a> {
    #[serde(borrow)]
    alias_id: Cow<'a, str>,
    #[serde(borrow)]
    alias_type: Cow<'a, str>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Buyer<'a> {
    #[serde(default, borrow)]
    buyer_email: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Recipient<'a> {
    #[serde(default, borrow)]
    delivery_address: Option<DeliveryAddress<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DeliveryAddress<'a> {
    #[serde(default, borrow)]
    name: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    company_name: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    address_line1: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    address_line2: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    address_line3: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    city: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    municipality: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    state_or_region: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    postal_code: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    country_code: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    phone: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Proceeds<'a> {
    #[serde(default, borrow)]
    grand_total: Option<AmzMoney<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AmzMoney<'a> {
    #[serde(borrow)]
    amount: Cow<'a, str>,
    #[serde(borrow)]
    currency_code: Cow<'a, str>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Fulfillment<'a> {
    #[serde(borrow)]
    fulfillment_status: Cow<'a, str>,
    #[serde(default, borrow)]
    fulfilled_by: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    fulfillment_service_level: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OrderPayment<'a> {
    #[serde(default, borrow)]
    payment_executions: Option<Vec<PaymentExecution<'a>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PaymentExecution<'a> {
    #[serde(default, borrow)]
    payment_method: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    payment_amount: Option<AmzMoney<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Item<'a> {
    #[serde(borrow)]
    order_item_id: Cow<'a, str>,
    quantity_ordered: i64,
    #[serde(borrow)]
    product: Product<'a>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Product<'a> {
    #[serde(default, borrow)]
    asin: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    title: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    seller_sku: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    price: Option<ItemPrice<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ItemPrice<'a> {
    #[serde(default, borrow)]
    unit_price: Option<AmzMoney<'a>>,
}

/// Maps one Amazon order to the canonical order, stamped with `origin`, validated.
///
/// Accepts a `getOrder` answer (`{"order":{…}}`) and a single order object (an element
/// of `searchOrders`' `orders`); field paths in errors are relative to what was given
/// (`order.orderItems[0]…` for the former). `raw_hash` is the hash of `bytes` as given.
pub fn normalize(origin: &Origin, bytes: &[u8]) -> Result<Order, MappingError> {
    let envelope: Envelope<'_> =
        serde_json::from_slice(bytes).map_err(|e| locate(bytes, "", &e))?;
    let (inner, prefix) = match envelope.order {
        Some(order) => (order.get().as_bytes(), "order."),
        None => (bytes, ""),
    };
    let order: AmzOrder<'_> =
        serde_json::from_slice(inner).map_err(|e| locate(inner, prefix, &e))?;
    map(origin, &order, prefix, bytes)
}

fn map(origin: &Origin, o: &AmzOrder<'_>, p: &str, raw: &[u8]) -> Result<Order, MappingError> {
    let fulfillment = o
        .fulfillment
        .as_ref()
        .ok_or_else(|| MappingError::MissingField {
            path: format!("{p}fulfillment.fulfillmentStatus"),
        })?;
    let status = status(&fulfillment.fulfillment_status, p)?;
    let by_amazon = fulfillment.fulfilled_by.as_deref() == Some("AMAZON");
    let mut lines = Vec::with_capacity(o.order_items.len());
    for (i, item) in o.order_items.iter().enumerate() {
        lines.push(line(item, &format!("{p}orderItems[{i}]"), !by_amazon)?);
    }
    let total = match o.proceeds.as_ref().and_then(|pr| pr.grand_total.as_ref()) {
        Some(m) => money(m, &format!("{p}proceeds.grandTotal"))?,
        None => priced_total(&lines, p)?,
    };
    let ship_to = match o
        .recipient
        .as_ref()
        .and_then(|r| r.delivery_address.as_ref())
    {
        Some(a) => Some(address(a, o.buyer.as_ref(), p)?),
        None => None,
    };
    let order = Order {
        id: Ulid::new(),
        tenant: origin.tenant.clone(),
        merchant: origin.merchant.clone(),
        source: SourceRef {
            channel: Channel::new(CHANNEL),
            connector_id: origin.connector_id.clone(),
            external_id: o.order_id.to_string(),
            external_number: o
                .order_aliases
                .iter()
                .flatten()
                .find(|a| a.alias_type == "SELLER_ORDER_ID")
                .map(|a| a.alias_id.to_string()),
        },
        created_at: time(&o.created_time, &format!("{p}createdTime"))?,
        updated_at: time(&o.last_updated_time, &format!("{p}lastUpdatedTime"))?,
        status,
        total,
        lines,
        ship_to,
        payment: payment(o.payment.as_ref(), total, p)?,
        delivery: DeliveryConditions {
            requested_service: fulfillment
                .fulfillment_service_level
                .as_deref()
                .map(str::to_string),
            ..DeliveryConditions::default()
        },
        raw_hash: content_hash(raw),
    };
    order.validate()?;
    Ok(order)
}

fn status(raw: &str, p: &str) -> Result<OrderStatus, MappingError> {
    let refuse = |reason: &str| MappingError::InvalidValue {
        path: format!("{p}fulfillment.fulfillmentStatus"),
        value: raw.to_string(),
        reason: reason.to_string(),
    };
    match raw {
        "UNSHIPPED" => Ok(OrderStatus::Open),
        "PARTIALLY_SHIPPED" => Ok(OrderStatus::PartiallyFulfilled),
        "SHIPPED" => Ok(OrderStatus::Fulfilled),
        "CANCELLED" | "UNFULFILLABLE" => Ok(OrderStatus::Cancelled),
        "PENDING" | "PENDING_AVAILABILITY" => Err(refuse(
            "payment not authorized yet: Amazon says the order is not ready for shipment; \
             it is pulled again once it becomes UNSHIPPED",
        )),
        _ => Err(refuse(&format!(
            "unknown fulfillment status (known: {KNOWN_STATUSES}); the mapping must learn it \
             before the order can be shipped"
        ))),
    }
}

fn line(item: &Item<'_>, at: &str, requires_shipping: bool) -> Result<OrderLine, MappingError> {
    let quantity =
        u32::try_from(item.quantity_ordered).map_err(|_| MappingError::InvalidValue {
            path: format!("{at}.quantityOrdered"),
            value: item.quantity_ordered.to_string(),
            reason: "must be a whole number from 0 to 4294967295".into(),
        })?;
    let unit = item
        .product
        .price
        .as_ref()
        .and_then(|p| p.unit_price.as_ref())
        .ok_or_else(|| MappingError::MissingField {
            path: format!("{at}.product.price.unitPrice"),
        })?;
    let product = &item.product;
    let title = product
        .title
        .as_deref()
        .or(product.seller_sku.as_deref())
        .or(product.asin.as_deref())
        .unwrap_or_default()
        .to_string();
    Ok(OrderLine {
        external_id: Some(item.order_item_id.to_string()),
        sku: product.seller_sku.as_deref().map(str::to_string),
        title,
        quantity,
        unit_price: money(unit, &format!("{at}.product.price.unitPrice"))?,
        weight_grams: None,
        dimensions: None,
        requires_shipping,
    })
}

fn priced_total(lines: &[OrderLine], p: &str) -> Result<Money, MappingError> {
    let first = lines.first().ok_or_else(|| MappingError::MissingField {
        path: format!("{p}proceeds.grandTotal"),
    })?;
    let mut amount = Decimal::ZERO;
    for l in lines {
        let line_total = l
            .unit_price
            .amount
            .checked_mul(Decimal::from(l.quantity))
            .and_then(|t| amount.checked_add(t));
        amount = line_total.ok_or_else(|| MappingError::InvalidValue {
            path: format!("{p}orderItems"),
            value: l.unit_price.amount.to_string(),
            reason: "the lines' total overflows".into(),
        })?;
    }
    Ok(Money::new(amount, first.unit_price.currency))
}

fn money(m: &AmzMoney<'_>, at: &str) -> Result<Money, MappingError> {
    let amount = Decimal::from_str(m.amount.trim()).map_err(|e| MappingError::InvalidValue {
        path: format!("{at}.amount"),
        value: m.amount.to_string(),
        reason: format!("not a decimal amount: {e}"),
    })?;
    let currency = Currency::parse(&m.currency_code).map_err(|e| MappingError::InvalidValue {
        path: format!("{at}.currencyCode"),
        value: m.currency_code.to_string(),
        reason: e.to_string(),
    })?;
    Ok(Money::new(amount, currency))
}

fn time(raw: &str, at: &str) -> Result<DateTime<Utc>, MappingError> {
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| MappingError::InvalidValue {
            path: at.to_string(),
            value: raw.to_string(),
            reason: format!("not an ISO 8601 date-time: {e}"),
        })
}

fn text(v: &Option<Cow<'_, str>>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn address(
    a: &DeliveryAddress<'_>,
    buyer: Option<&Buyer<'_>>,
    p: &str,
) -> Result<Address, MappingError> {
    let country = match text(&a.country_code) {
        Some(code) => Some(
            CountryCode::parse(&code).map_err(|e| MappingError::InvalidValue {
                path: format!("{p}recipient.deliveryAddress.countryCode"),
                value: code.clone(),
                reason: e.to_string(),
            })?,
        ),
        None => None,
    };
    let line2 = match (text(&a.address_line2), text(&a.address_line3)) {
        (Some(two), Some(three)) => Some(format!("{two}, {three}")),
        (two, three) => two.or(three),
    };
    let phone = text(&a.phone).map(|raw| phone::e164(&raw, country).unwrap_or(raw));
    Ok(Address {
        name: text(&a.name),
        company: text(&a.company_name),
        line1: text(&a.address_line1),
        line2,
        city: text(&a.city).or_else(|| text(&a.municipality)),
        region: text(&a.state_or_region),
        postal_code: text(&a.postal_code),
        country,
        phone,
        email: buyer.and_then(|b| text(&b.buyer_email)),
    })
}

fn payment(p: Option<&OrderPayment<'_>>, total: Money, at: &str) -> Result<Payment, MappingError> {
    let executions = p.and_then(|p| p.payment_executions.as_ref());
    for (i, e) in executions.into_iter().flatten().enumerate() {
        if matches!(e.payment_method.as_deref(), Some("CashOnDelivery" | "COD")) {
            let amount = match &e.payment_amount {
                Some(m) => money(
                    m,
                    &format!("{at}payment.paymentExecutions[{i}].paymentAmount"),
                )?,
                None => total,
            };
            return Ok(Payment::CashOnDelivery { amount });
        }
    }
    Ok(Payment::Prepaid)
}

/// Re-reads a payload that failed the fast path to say where: JSON syntax errors keep
/// their line and column; a missing field becomes `MissingField` with its path; a value
/// of the wrong type becomes `InvalidValue` with its path and the value found.
fn locate(json: &[u8], prefix: &str, err: &serde_json::Error) -> MappingError {
    if err.is_syntax() || err.is_eof() || err.is_io() {
        return MappingError::from_json(err);
    }
    let mut de = serde_json::Deserializer::from_slice(json);
    let target = if prefix.is_empty() && looks_wrapped(json) {
        serde_path_to_error::deserialize::<_, Envelope<'_>>(&mut de).map(|_| ())
    } else {
        serde_path_to_error::deserialize::<_, AmzOrder<'_>>(&mut de).map(|_| ())
    };
    match target {
        Err(e) => {
            let inner = e.inner().to_string();
            let at = e.path().to_string();
            let at = if at == "." { String::new() } else { at };
            let joined = |field: &str| match (prefix.trim_end_matches('.'), at.as_str()) {
                ("", "") => field.to_string(),
                (pre, "") => format!("{pre}.{field}"),
                ("", path) => format!("{path}.{field}"),
                (pre, path) => format!("{pre}.{path}.{field}"),
            };
            if let Some(field) = missing_field(&inner) {
                return MappingError::MissingField {
                    path: joined(field),
                };
            }
            let path = match (prefix.trim_end_matches('.'), at.as_str()) {
                ("", "") => "(document)".to_string(),
                (pre, "") => pre.to_string(),
                ("", path) => path.to_string(),
                (pre, path) => format!("{pre}.{path}"),
            };
            MappingError::InvalidValue {
                value: value_at(json, e.path()).unwrap_or_default(),
                path,
                reason: inner,
            }
        }
        Ok(()) => MappingError::InvalidValue {
            path: if prefix.is_empty() {
                "(document)".into()
            } else {
                prefix.trim_end_matches('.').into()
            },
            value: String::new(),
            reason: err.to_string(),
        },
    }
}

fn looks_wrapped(json: &[u8]) -> bool {
    serde_json::from_slice::<Envelope<'_>>(json).is_err()
}

fn missing_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("missing field `")?;
    rest.split('`').next()
}

fn value_at(json: &[u8], path: &serde_path_to_error::Path) -> Option<String> {
    let doc: serde_json::Value = serde_json::from_slice(json).ok()?;
    let mut cur = &doc;
    for seg in path.iter() {
        cur = match seg {
            serde_path_to_error::Segment::Seq { index } => cur.get(*index)?,
            serde_path_to_error::Segment::Map { key } => cur.get(key.as_str())?,
            _ => return None,
        };
    }
    let text = cur.to_string();
    Some(text.chars().take(200).collect())
}
