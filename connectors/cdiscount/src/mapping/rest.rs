//! An Octopia REST order (or a one-order `{"items": [...]}` page) to the canonical
//! order. Fast path: one borrowed serde pass; on a type error the payload is read again
//! with `serde_path_to_error` to name the field.

use super::{country, invalid, missing, money, status, text, CHANNEL};
use crate::rest::model::{RestAddress, RestLine, RestOrder};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::value::RawValue;
use shipgate_sdk::model::phone::e164;
use shipgate_sdk::model::{
    content_hash, Address, Channel, Currency, DeliveryConditions, Money, Order, OrderLine,
    OrderStatus, Payment, SourceRef,
};
use shipgate_sdk::{MappingError, Origin};
use ulid::Ulid;

#[derive(Deserialize)]
struct Probe<'a> {
    #[serde(borrow, default)]
    items: Option<Vec<&'a RawValue>>,
}

/// Maps REST JSON: one order object, or a page holding exactly one order.
pub fn normalize_rest(origin: &Origin, bytes: &[u8]) -> Result<Order, MappingError> {
    let probe: Probe<'_> = serde_json::from_slice(bytes).map_err(|e| type_error(bytes, &e))?;
    match probe.items {
        None => map_order(origin, bytes, bytes),
        Some(items) if items.len() == 1 => map_order(origin, items[0].get().as_bytes(), bytes),
        Some(items) => Err(invalid(
            "items",
            format!("{} orders", items.len()),
            "a page must hold exactly one order to be normalized; normalize each item",
        )),
    }
}

fn type_error(bytes: &[u8], err: &serde_json::Error) -> MappingError {
    if err.is_syntax() || err.is_eof() {
        return MappingError::from_json(err);
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, RestOrder<'_>>(&mut de) {
        Err(e) => invalid(e.path().to_string(), "", e.inner().to_string()),
        Ok(_) => MappingError::from_json(err),
    }
}

fn time(path: &str, raw: Option<&str>) -> Result<DateTime<Utc>, MappingError> {
    let raw = raw.ok_or_else(|| missing(path))?;
    DateTime::parse_from_rfc3339(raw.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| invalid(path, raw, format!("not an RFC 3339 date-time: {e}")))
}

fn map_order(origin: &Origin, json: &[u8], whole: &[u8]) -> Result<Order, MappingError> {
    let o: RestOrder<'_> = serde_json::from_slice(json).map_err(|e| type_error(json, &e))?;
    let order_id = text(o.order_id.as_deref()).ok_or_else(|| missing("orderId"))?;
    let state = o.status.as_deref().ok_or_else(|| missing("status"))?;
    let mut order_status = status::rest_order_status("status", state)?;
    let currency_raw = o
        .currency_code
        .as_deref()
        .ok_or_else(|| missing("currencyCode"))?;
    let currency = Currency::parse(currency_raw)
        .map_err(|e| invalid("currencyCode", currency_raw, e.to_string()))?;
    let created_at = time(
        "createdAt",
        o.created_at.as_deref().or(o.purchased_at.as_deref()),
    )?;
    let updated_at = match o.updated_at.as_deref() {
        Some(_) => time("updatedAt", o.updated_at.as_deref())?,
        None => created_at,
    };
    let total_raw = o
        .total_price
        .as_ref()
        .and_then(|t| t.selling_price)
        .ok_or_else(|| missing("totalPrice.sellingPrice"))?;
    let total = Money::new(
        money::decimal("totalPrice.sellingPrice", total_raw.get())?,
        currency,
    );
    let lines_in = o.lines.as_deref().ok_or_else(|| missing("lines"))?;
    let mut lines = Vec::with_capacity(lines_in.len());
    let mut shipped = 0usize;
    for (i, line) in lines_in.iter().enumerate() {
        if line
            .status
            .as_deref()
            .is_some_and(status::rest_line_shipped)
        {
            shipped += 1;
        }
        lines.push(map_line(i, line, currency)?);
    }
    if order_status == OrderStatus::Open && shipped > 0 {
        order_status = OrderStatus::PartiallyFulfilled;
    }
    let (ship_path, ship_from) = match lines_in.iter().position(|l| l.shipping_address.is_some()) {
        Some(i) => (
            format!("lines[{i}].shippingAddress"),
            lines_in[i].shipping_address.as_ref(),
        ),
        None => ("shippingAddress".to_string(), o.shipping_address.as_ref()),
    };
    let ship_to = ship_from.map(|a| address(&ship_path, a)).transpose()?;
    let requested_service = lines_in
        .iter()
        .find_map(|l| l.delivery.as_ref().and_then(|d| text(d.mode.as_deref())));
    let order = Order {
        id: Ulid::new(),
        tenant: origin.tenant.clone(),
        merchant: origin.merchant.clone(),
        source: SourceRef {
            channel: Channel::new(CHANNEL),
            connector_id: origin.connector_id.clone(),
            external_id: order_id,
            external_number: text(o.reference.as_deref()),
        },
        created_at,
        updated_at,
        status: order_status,
        total,
        lines,
        ship_to,
        payment: Payment::Prepaid,
        delivery: DeliveryConditions {
            requested_service,
            ..DeliveryConditions::default()
        },
        raw_hash: content_hash(whole),
    };
    order.validate()?;
    Ok(order)
}

fn map_line(i: usize, line: &RestLine<'_>, currency: Currency) -> Result<OrderLine, MappingError> {
    let p = |field: &str| format!("lines[{i}].{field}");
    let qty_raw = line.quantity.ok_or_else(|| missing(p("quantity")))?;
    let quantity: u32 = qty_raw
        .get()
        .trim()
        .parse()
        .map_err(|_| invalid(p("quantity"), qty_raw.get(), "not a whole number of units"))?;
    let price_raw = line
        .selling_price
        .as_ref()
        .and_then(|s| s.unit_sales_price)
        .ok_or_else(|| missing(p("sellingPrice.unitSalesPrice")))?;
    let offer = line.offer.as_ref().ok_or_else(|| missing(p("offer")))?;
    let sku = text(offer.seller_product_id.as_deref());
    let title = text(offer.product_title.as_deref())
        .or_else(|| sku.clone())
        .ok_or_else(|| missing(p("offer.productTitle")))?;
    Ok(OrderLine {
        external_id: text(line.order_line_id.as_deref()),
        sku,
        title,
        quantity,
        unit_price: Money::new(
            money::decimal(&p("sellingPrice.unitSalesPrice"), price_raw.get())?,
            currency,
        ),
        weight_grams: None,
        dimensions: None,
        requires_shipping: true,
    })
}

fn address(path: &str, a: &RestAddress) -> Result<Address, MappingError> {
    let country = a
        .country_code
        .as_deref()
        .and_then(|c| text(Some(c)))
        .map(|c| country::parse(&format!("{path}.countryCode"), &c))
        .transpose()?;
    let name = [a.first_name.as_deref(), a.last_name.as_deref()]
        .into_iter()
        .filter_map(text)
        .collect::<Vec<_>>()
        .join(" ");
    let line2 = [a.address_line2.as_deref(), a.address_line3.as_deref()]
        .into_iter()
        .filter_map(text)
        .collect::<Vec<_>>()
        .join(", ");
    let phone = text(a.mobile_phone.as_deref()).or_else(|| text(a.phone.as_deref()));
    Ok(Address {
        name: Some(name).filter(|n| !n.is_empty()),
        company: text(a.company_name.as_deref()),
        line1: text(a.address_line1.as_deref()),
        line2: Some(line2).filter(|l| !l.is_empty()),
        city: text(a.city.as_deref()),
        region: text(a.state_or_region.as_deref()),
        postal_code: text(a.postal_code.as_deref()),
        country,
        phone: phone.map(|raw| e164(&raw, country).unwrap_or(raw)),
        email: text(a.email.as_deref()),
    })
}
