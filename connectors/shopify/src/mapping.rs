//! How one Shopify GraphQL `Order` node becomes a canonical [`Order`].
//!
//! The node is read into borrowed, typed structs (no `serde_json::Value` tree) because
//! normalization runs for every pulled order and on every quarantine replay. All fields
//! are optional at the serde level so that a missing field is reported by us, with
//! Shopify's own path (`lineItems.nodes[2].quantity`), instead of as a bare serde error.
//! When serde itself refuses a value (wrong JSON type), the document is read a second
//! time with `serde_path_to_error` to name the field: the slow path only runs on bad input.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;
use shipgate_sdk::model::{
    content_hash, phone, Address, Channel, CountryCode, Currency, DeliveryConditions, Money, Order,
    OrderLine, OrderStatus, Payment, SourceRef,
};
use shipgate_sdk::{MappingError, Origin};
use std::borrow::Cow;
use std::str::FromStr;
use ulid::Ulid;

/// The channel name every Shopify order carries.
pub const CHANNEL: &str = "shopify";

type Text<'a> = Option<Cow<'a, str>>;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", expecting = "a Shopify Order object")]
struct Node<'a> {
    #[serde(borrow)]
    data: Option<Wrapped<'a>>,
    #[serde(borrow)]
    id: Text<'a>,
    #[serde(borrow)]
    name: Text<'a>,
    #[serde(borrow)]
    created_at: Text<'a>,
    #[serde(borrow)]
    updated_at: Text<'a>,
    #[serde(borrow)]
    cancelled_at: Text<'a>,
    #[serde(borrow)]
    display_fulfillment_status: Text<'a>,
    #[serde(borrow)]
    total_price_set: Option<MoneyBag<'a>>,
    #[serde(borrow)]
    total_outstanding_set: Option<MoneyBag<'a>>,
    #[serde(borrow)]
    email: Text<'a>,
    #[serde(borrow)]
    phone: Text<'a>,
    #[serde(borrow)]
    shipping_address: Option<MailingAddress<'a>>,
    #[serde(borrow)]
    shipping_line: Option<ShippingLine<'a>>,
    #[serde(borrow)]
    line_items: Option<LineItems<'a>>,
    #[serde(borrow)]
    payment_gateway_names: Option<Vec<Cow<'a, str>>>,
}

/// A saved single-order query response: `{"data":{"order":{…}}}`.
#[derive(Deserialize)]
#[serde(expecting = "an object with an order")]
struct Wrapped<'a> {
    #[serde(borrow)]
    order: Option<Box<Node<'a>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", expecting = "a MoneyBag object")]
struct MoneyBag<'a> {
    #[serde(borrow)]
    shop_money: Option<MoneyV2<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", expecting = "a MoneyV2 object")]
struct MoneyV2<'a> {
    #[serde(borrow)]
    amount: Text<'a>,
    #[serde(borrow)]
    currency_code: Text<'a>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", expecting = "a MailingAddress object")]
struct MailingAddress<'a> {
    #[serde(borrow)]
    name: Text<'a>,
    #[serde(borrow)]
    first_name: Text<'a>,
    #[serde(borrow)]
    last_name: Text<'a>,
    #[serde(borrow)]
    company: Text<'a>,
    #[serde(borrow)]
    address1: Text<'a>,
    #[serde(borrow)]
    address2: Text<'a>,
    #[serde(borrow)]
    city: Text<'a>,
    #[serde(borrow)]
    province: Text<'a>,
    #[serde(borrow)]
    province_code: Text<'a>,
    #[serde(borrow)]
    zip: Text<'a>,
    #[serde(borrow, rename = "countryCodeV2")]
    country_code_v2: Text<'a>,
    #[serde(borrow)]
    phone: Text<'a>,
}

#[derive(Deserialize)]
#[serde(expecting = "a ShippingLine object")]
struct ShippingLine<'a> {
    #[serde(borrow)]
    title: Text<'a>,
}

#[derive(Deserialize)]
#[serde(expecting = "a LineItemConnection object")]
struct LineItems<'a> {
    #[serde(borrow)]
    nodes: Option<Vec<LineItem<'a>>>,
    #[serde(rename = "pageInfo")]
    page_info: Option<LinePageInfo>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", expecting = "a PageInfo object")]
struct LinePageInfo {
    has_next_page: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", expecting = "a LineItem object")]
struct LineItem<'a> {
    #[serde(borrow)]
    id: Text<'a>,
    #[serde(borrow)]
    sku: Text<'a>,
    #[serde(borrow)]
    title: Text<'a>,
    #[serde(borrow)]
    name: Text<'a>,
    quantity: Option<i64>,
    requires_shipping: Option<bool>,
    #[serde(borrow)]
    original_unit_price_set: Option<MoneyBag<'a>>,
    #[serde(borrow)]
    variant: Option<Variant<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", expecting = "a ProductVariant object")]
struct Variant<'a> {
    #[serde(borrow)]
    inventory_item: Option<InventoryItem<'a>>,
}

#[derive(Deserialize)]
#[serde(expecting = "an InventoryItem object")]
struct InventoryItem<'a> {
    #[serde(borrow)]
    measurement: Option<Measurement<'a>>,
}

#[derive(Deserialize)]
#[serde(expecting = "an InventoryItemMeasurement object")]
struct Measurement<'a> {
    #[serde(borrow)]
    weight: Option<Weight<'a>>,
}

#[derive(Deserialize)]
#[serde(expecting = "a Weight object")]
struct Weight<'a> {
    #[serde(borrow)]
    unit: Text<'a>,
    value: Option<f64>,
}

/// Maps one GraphQL `Order` node (or a saved `{"data":{"order":…}}` response) to a
/// validated canonical order stamped with `origin`. Pure and panic-free on any bytes:
/// every refusal says where, in Shopify's field names, and why.
pub fn normalize_order(json: &[u8], origin: &Origin) -> Result<Order, MappingError> {
    let doc: Node<'_> = serde_json::from_slice(json).map_err(|e| locate(json, &e))?;
    let node = match doc.data {
        Some(Wrapped { order: Some(order) }) => *order,
        Some(Wrapped { order: None }) => {
            return Err(MappingError::MissingField {
                path: "data.order".into(),
            })
        }
        None => doc,
    };
    build(node, json, origin)
}

fn build(node: Node<'_>, json: &[u8], origin: &Origin) -> Result<Order, MappingError> {
    let id = required(&node.id, "id")?;
    let created_at = time(required(&node.created_at, "createdAt")?, "createdAt")?;
    let updated_at = time(required(&node.updated_at, "updatedAt")?, "updatedAt")?;
    let cancelled = match node.cancelled_at.as_deref() {
        Some(t) => Some(time(t, "cancelledAt")?),
        None => None,
    };
    let (total_amount, currency_text) = money(node.total_price_set.as_ref(), || {
        "totalPriceSet".to_string()
    })?;
    let currency = Currency::parse(currency_text)
        .map_err(|e| invalid("totalPriceSet.shopMoney.currencyCode", currency_text, e))?;
    let total = Money::new(total_amount, currency);

    let status = match (cancelled, node.display_fulfillment_status.as_deref()) {
        (Some(_), _) => OrderStatus::Cancelled,
        (None, Some("FULFILLED")) => OrderStatus::Fulfilled,
        (None, Some("PARTIALLY_FULFILLED")) => OrderStatus::PartiallyFulfilled,
        (None, _) => OrderStatus::Open,
    };

    let items = node
        .line_items
        .as_ref()
        .ok_or_else(|| missing("lineItems"))?;
    let nodes = items
        .nodes
        .as_ref()
        .ok_or_else(|| missing("lineItems.nodes"))?;
    if items.page_info.as_ref().and_then(|p| p.has_next_page) == Some(true) {
        // Shipping part of an order because the rest was on a page we never read would
        // be worse than quarantining it.
        return Err(invalid(
            "lineItems.pageInfo.hasNextPage",
            true,
            "more line items than one page holds; the rest were not read",
        ));
    }
    let mut lines = Vec::with_capacity(nodes.len());
    for (i, item) in nodes.iter().enumerate() {
        lines.push(line(i, item, currency_text, currency)?);
    }

    let payment = payment(&node, total)?;
    let ship_to = match &node.shipping_address {
        Some(a) => Some(address(a, node.email.as_deref(), node.phone.as_deref())?),
        None => None,
    };
    let delivery = DeliveryConditions {
        requested_service: node.shipping_line.as_ref().and_then(|s| text(&s.title)),
        ..DeliveryConditions::default()
    };

    let order = Order {
        id: Ulid::new(),
        tenant: origin.tenant.clone(),
        merchant: origin.merchant.clone(),
        source: SourceRef {
            channel: Channel::new(CHANNEL),
            connector_id: origin.connector_id.clone(),
            external_id: id.to_string(),
            external_number: text(&node.name),
        },
        created_at,
        updated_at,
        status,
        total,
        lines,
        ship_to,
        payment,
        delivery,
        raw_hash: content_hash(json),
    };
    order.validate()?;
    Ok(order)
}

fn line(
    i: usize,
    item: &LineItem<'_>,
    order_currency: &str,
    currency: Currency,
) -> Result<OrderLine, MappingError> {
    let path = |field: &str| format!("lineItems.nodes[{i}].{field}");
    let quantity = item.quantity.ok_or_else(|| MappingError::MissingField {
        path: path("quantity"),
    })?;
    let quantity = u32::try_from(quantity)
        .ok()
        .filter(|q| *q > 0)
        .ok_or_else(|| {
            invalid(
                path("quantity"),
                quantity,
                "must be a positive whole number",
            )
        })?;
    let (amount, line_currency) = money(item.original_unit_price_set.as_ref(), || {
        path("originalUnitPriceSet")
    })?;
    let unit_currency = if line_currency == order_currency {
        currency
    } else {
        Currency::parse(line_currency).map_err(|e| {
            invalid(
                path("originalUnitPriceSet.shopMoney.currencyCode"),
                line_currency,
                e,
            )
        })?
    };
    let title = text(&item.name)
        .or_else(|| text(&item.title))
        .ok_or_else(|| MappingError::MissingField {
            path: path("title"),
        })?;
    let weight = item
        .variant
        .as_ref()
        .and_then(|v| v.inventory_item.as_ref())
        .and_then(|inv| inv.measurement.as_ref())
        .and_then(|m| m.weight.as_ref());
    let weight_grams = match weight {
        Some(w) => grams(w).map_err(|(value, reason)| {
            invalid(
                path("variant.inventoryItem.measurement.weight"),
                value,
                reason,
            )
        })?,
        None => None,
    };
    Ok(OrderLine {
        external_id: text(&item.id),
        sku: text(&item.sku),
        title,
        quantity,
        unit_price: Money::new(amount, unit_currency),
        weight_grams,
        dimensions: None,
        requires_shipping: item.requires_shipping.unwrap_or(true),
    })
}

/// Grams from Shopify's `Weight { unit value }`; `None` when Shopify has no value.
fn grams(w: &Weight<'_>) -> Result<Option<u32>, (String, &'static str)> {
    let Some(value) = w.value else {
        return Ok(None);
    };
    let factor = match w.unit.as_deref() {
        Some("GRAMS") => 1.0,
        Some("KILOGRAMS") => 1000.0,
        Some("OUNCES") => 28.349_523_125,
        Some("POUNDS") => 453.592_37,
        other => {
            return Err((
                format!("{other:?}"),
                "unit must be GRAMS, KILOGRAMS, OUNCES or POUNDS",
            ))
        }
    };
    let g = (value * factor).round();
    if g.is_finite() && (0.0..=f64::from(u32::MAX)).contains(&g) {
        // In range and integral after round(): the cast is exact.
        Ok(Some(g as u32))
    } else {
        Err((value.to_string(), "weight out of range"))
    }
}

fn payment(node: &Node<'_>, total: Money) -> Result<Payment, MappingError> {
    let cod = node
        .payment_gateway_names
        .as_deref()
        .unwrap_or_default()
        .iter()
        .any(|g| is_cash_on_delivery(g));
    if !cod {
        return Ok(Payment::Prepaid);
    }
    // Saved payloads may lack the outstanding amount: then the whole total is due.
    let amount = match &node.total_outstanding_set {
        Some(bag) => money(Some(bag), || "totalOutstandingSet".to_string())?.0,
        None => total.amount,
    };
    Ok(if amount > Decimal::ZERO {
        Payment::CashOnDelivery {
            amount: Money::new(amount, total.currency),
        }
    } else {
        Payment::Prepaid
    })
}

/// Shopify's manual payment method is named "Cash on Delivery (COD)"; apps and older
/// shops also use "COD" or "cash_on_delivery".
fn is_cash_on_delivery(gateway: &str) -> bool {
    let g = gateway.trim();
    g.eq_ignore_ascii_case("cod")
        || g.eq_ignore_ascii_case("cash_on_delivery")
        || g.to_ascii_lowercase().contains("cash on delivery")
        || g.to_ascii_lowercase().contains("(cod)")
}

/// The buyer's order-level e-mail and phone fill in what the address lacks: carriers
/// need a contact for the recipient. Phones become E.164 when they can be placed.
fn address(
    a: &MailingAddress<'_>,
    email: Option<&str>,
    phone: Option<&str>,
) -> Result<Address, MappingError> {
    let country = match a.country_code_v2.as_deref() {
        Some(c) => Some(
            CountryCode::parse(c).map_err(|e| invalid("shippingAddress.countryCodeV2", c, e))?,
        ),
        None => None,
    };
    let name = text(&a.name).or_else(|| {
        let joined = [a.first_name.as_deref(), a.last_name.as_deref()]
            .into_iter()
            .flatten()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        (!joined.is_empty()).then_some(joined)
    });
    Ok(Address {
        name,
        company: text(&a.company),
        line1: text(&a.address1),
        line2: text(&a.address2),
        city: text(&a.city),
        region: text(&a.province_code).or_else(|| text(&a.province)),
        postal_code: text(&a.zip),
        country,
        // E.164 when the number can be placed, as every channel gives it; else as written.
        phone: text(&a.phone)
            .or_else(|| {
                phone
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
            })
            .map(|raw| phone::e164(&raw, country).unwrap_or(raw)),
        email: email
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string),
    })
}

fn money<'b>(
    bag: Option<&'b MoneyBag<'_>>,
    path: impl Fn() -> String,
) -> Result<(Decimal, &'b str), MappingError> {
    let m = bag
        .ok_or_else(|| MappingError::MissingField { path: path() })?
        .shop_money
        .as_ref()
        .ok_or_else(|| MappingError::MissingField {
            path: format!("{}.shopMoney", path()),
        })?;
    let amount = m
        .amount
        .as_deref()
        .ok_or_else(|| MappingError::MissingField {
            path: format!("{}.shopMoney.amount", path()),
        })?;
    let currency = m
        .currency_code
        .as_deref()
        .ok_or_else(|| MappingError::MissingField {
            path: format!("{}.shopMoney.currencyCode", path()),
        })?;
    let value = Decimal::from_str(amount.trim()).map_err(|e| {
        invalid(
            format!("{}.shopMoney.amount", path()),
            amount,
            format!("not a decimal amount: {e}"),
        )
    })?;
    Ok((value, currency))
}

fn required<'b>(v: &'b Text<'_>, path: &str) -> Result<&'b str, MappingError> {
    v.as_deref().ok_or_else(|| missing(path))
}

fn time(raw: &str, path: &str) -> Result<DateTime<Utc>, MappingError> {
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| invalid(path, raw, format!("not an ISO 8601 date-time: {e}")))
}

/// Shopify sends `""` for blank optional strings (`address2`): treat it as absent.
fn text(v: &Text<'_>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn missing(path: &str) -> MappingError {
    MappingError::MissingField {
        path: path.to_string(),
    }
}

fn invalid(path: impl Into<String>, value: impl ToString, reason: impl ToString) -> MappingError {
    MappingError::InvalidValue {
        path: path.into(),
        value: value.to_string(),
        reason: reason.to_string(),
    }
}

/// Turns a serde failure into a located error: syntax errors keep their line and column;
/// a value of the wrong type is re-read with path tracking to name the field.
fn locate(json: &[u8], err: &serde_json::Error) -> MappingError {
    if !err.is_data() {
        return MappingError::from_json(err);
    }
    let mut de = serde_json::Deserializer::from_slice(json);
    match serde_path_to_error::deserialize::<_, Node<'_>>(&mut de) {
        Err(e) => {
            let path = e.path().to_string();
            let value = value_at(json, e.path()).unwrap_or_default();
            invalid(path, value, e.into_inner())
        }
        Ok(_) => MappingError::from_json(err),
    }
}

/// The offending value as text (cut to 200 characters) for the quarantine record.
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
    Some(cur.to_string().chars().take(200).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cash_on_delivery_gateway_names() {
        assert!(is_cash_on_delivery("Cash on Delivery (COD)"));
        assert!(is_cash_on_delivery("cod"));
        assert!(!is_cash_on_delivery("bogus"));
        assert!(!is_cash_on_delivery("shopify_payments"));
    }

    #[test]
    fn weights_convert_to_grams() {
        let w = |unit: &'static str, value: f64| Weight {
            unit: Some(Cow::Borrowed(unit)),
            value: Some(value),
        };
        assert_eq!(grams(&w("GRAMS", 200.0)), Ok(Some(200)));
        assert_eq!(grams(&w("KILOGRAMS", 1.25)), Ok(Some(1250)));
        assert_eq!(grams(&w("POUNDS", 1.0)), Ok(Some(454)));
        assert_eq!(grams(&w("OUNCES", 16.0)), Ok(Some(454)));
        assert!(grams(&w("STONES", 1.0)).is_err());
        assert!(grams(&w("GRAMS", -1.0)).is_err());
        assert!(grams(&w("KILOGRAMS", 1e300)).is_err());
    }
}
