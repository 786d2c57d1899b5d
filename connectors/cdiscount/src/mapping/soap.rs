//! A SOAP `<Order>` (or a `GetOrderList` envelope holding exactly one) to the canonical
//! order, read with quick-xml's serde deserializer. Times are French wall clock
//! ([`super::paris`]); amounts are `xs:decimal` text in EUR (the `cdiscount.com` site,
//! `SiteID` 100, sells in euros only).

use super::{country, invalid, missing, money, paris, status, text, CHANNEL};
use crate::soap::model::{SoapAddress, SoapCustomer, SoapLine, SoapOrder};
use crate::soap::scan::scan;
use shipgate_sdk::model::phone::e164;
use shipgate_sdk::model::{
    content_hash, Address, Channel, Currency, DeliveryConditions, Money, Order, OrderLine, Payment,
    SourceRef,
};
use shipgate_sdk::{MappingError, Origin};
use ulid::Ulid;

/// Reads one `<Order>` element.
pub fn read_order(xml: &[u8]) -> Result<SoapOrder, MappingError> {
    let text = std::str::from_utf8(xml).map_err(|e| {
        let (line, column) = super::line_column(xml, e.valid_up_to());
        MappingError::Malformed {
            line,
            column,
            reason: format!("not UTF-8: {e}"),
        }
    })?;
    quick_xml::de::from_str::<SoapOrder>(text).map_err(|e| match scan(xml) {
        Err(s) => MappingError::Malformed {
            line: s.line,
            column: s.column,
            reason: s.reason,
        },
        Ok(_) => invalid("Order", "", format!("not a Cdiscount order: {e}")),
    })
}

/// Maps SOAP XML: one `<Order>`, or an envelope whose `OrderList` holds exactly one.
pub fn normalize_soap(origin: &Origin, bytes: &[u8]) -> Result<Order, MappingError> {
    let found = scan(bytes).map_err(|s| MappingError::Malformed {
        line: s.line,
        column: s.column,
        reason: s.reason,
    })?;
    if found.root == "Order" {
        return map_order(origin, read_order(bytes)?, bytes);
    }
    match found.orders.as_slice() {
        [one] => map_order(origin, read_order(&bytes[one.clone()])?, bytes),
        many => Err(invalid(
            "OrderList",
            format!("{} orders", many.len()),
            "a response must hold exactly one <Order> to be normalized; normalize each order",
        )),
    }
}

/// Maps one read order; `raw` is the payload hashed into `raw_hash`.
pub fn map_order(origin: &Origin, o: SoapOrder, raw: &[u8]) -> Result<Order, MappingError> {
    let number = text(o.order_number.as_deref()).ok_or_else(|| missing("Order.OrderNumber"))?;
    let state = text(o.order_state.as_deref()).ok_or_else(|| missing("Order.OrderState"))?;
    let order_status = status::soap_order_state("Order.OrderState", &state)?;
    let created_raw =
        text(o.creation_date.as_deref()).ok_or_else(|| missing("Order.CreationDate"))?;
    let created_at = paris::parse("Order.CreationDate", &created_raw)?;
    let updated_at = match (
        text(o.last_updated_date.as_deref()),
        text(o.modified_date.as_deref()),
    ) {
        (Some(t), _) => paris::parse("Order.LastUpdatedDate", &t)?,
        (None, Some(t)) => paris::parse("Order.ModifiedDate", &t)?,
        (None, None) => created_at,
    };
    let eur = Currency::parse("EUR").map_err(|e| invalid("currency", "EUR", e.to_string()))?;
    let total_raw = text(o.initial_total_amount.as_deref())
        .ok_or_else(|| missing("Order.InitialTotalAmount"))?;
    let total = Money::new(money::decimal("Order.InitialTotalAmount", &total_raw)?, eur);
    let lines_in = o.order_line_list.map(|l| l.lines).unwrap_or_default();
    if lines_in.is_empty() {
        return Err(missing("Order.OrderLineList.OrderLine"));
    }
    let mut lines = Vec::with_capacity(lines_in.len());
    for (i, line) in lines_in.iter().enumerate() {
        if let Some(l) = map_line(i, line, eur)? {
            lines.push(l);
        }
    }
    if lines.is_empty() {
        return Err(invalid(
            "Order.OrderLineList.OrderLine[*].Quantity",
            "0",
            "every line has quantity 0 (refunded or cancelled lines): nothing to ship",
        ));
    }
    let ship_to = o
        .shipping_address
        .as_ref()
        .map(|a| address(a, o.customer.as_ref()))
        .transpose()?;
    let order = Order {
        id: Ulid::new(),
        tenant: origin.tenant.clone(),
        merchant: origin.merchant.clone(),
        source: SourceRef {
            channel: Channel::new(CHANNEL),
            connector_id: origin.connector_id.clone(),
            external_id: number.clone(),
            external_number: Some(number),
        },
        created_at,
        updated_at,
        status: order_status,
        total,
        lines,
        ship_to,
        payment: Payment::Prepaid,
        delivery: DeliveryConditions {
            requested_service: text(o.shipping_code.as_deref()),
            ..DeliveryConditions::default()
        },
        raw_hash: content_hash(raw),
    };
    order.validate()?;
    Ok(order)
}

/// A line; `None` for a line with quantity 0 (Cdiscount keeps refused and refunded
/// lines in the list with no units left).
fn map_line(i: usize, l: &SoapLine, eur: Currency) -> Result<Option<OrderLine>, MappingError> {
    let p = |f: &str| format!("Order.OrderLineList.OrderLine[{i}].{f}");
    let qty_raw = text(l.quantity.as_deref()).ok_or_else(|| missing(p("Quantity")))?;
    let quantity: u32 = qty_raw
        .parse()
        .map_err(|_| invalid(p("Quantity"), &qty_raw, "not a whole number of units"))?;
    if quantity == 0 {
        return Ok(None);
    }
    let price_raw = text(l.purchase_price.as_deref()).ok_or_else(|| missing(p("PurchasePrice")))?;
    let sku = text(l.seller_product_id.as_deref()).or_else(|| text(l.sku.as_deref()));
    let title = text(l.name.as_deref())
        .or_else(|| sku.clone())
        .ok_or_else(|| missing(p("Name")))?;
    Ok(Some(OrderLine {
        external_id: text(l.seller_product_id.as_deref()),
        sku,
        title,
        quantity,
        unit_price: Money::new(money::decimal(&p("PurchasePrice"), &price_raw)?, eur),
        weight_grams: None,
        dimensions: None,
        requires_shipping: true,
    }))
}

fn join(parts: &[Option<&str>], sep: &str) -> Option<String> {
    let s = parts
        .iter()
        .filter_map(|p| text(*p))
        .collect::<Vec<_>>()
        .join(sep);
    Some(s).filter(|s| !s.is_empty())
}

fn address(a: &SoapAddress, customer: Option<&SoapCustomer>) -> Result<Address, MappingError> {
    let country = text(a.country.as_deref())
        .map(|c| country::parse("Order.ShippingAddress.Country", &c))
        .transpose()?;
    let name = join(&[a.first_name.as_deref(), a.last_name.as_deref()], " ").or_else(|| {
        customer.and_then(|c| {
            join(
                &[
                    c.shipping_first_name.as_deref(),
                    c.shipping_last_name.as_deref(),
                ],
                " ",
            )
        })
    });
    let phone =
        customer.and_then(|c| text(c.mobile_phone.as_deref()).or_else(|| text(c.phone.as_deref())));
    let county = text(a.county.as_deref()).filter(|c| c != "N/A");
    Ok(Address {
        name,
        company: text(a.company_name.as_deref()),
        line1: text(a.street.as_deref()).or_else(|| text(a.address1.as_deref())),
        line2: join(
            &[
                a.address2.as_deref(),
                a.building.as_deref(),
                a.apartment_number.as_deref(),
                a.place_name.as_deref(),
            ],
            ", ",
        ),
        city: text(a.city.as_deref()),
        region: county,
        postal_code: text(a.zip_code.as_deref()),
        country,
        phone: phone.map(|raw| e164(&raw, country).unwrap_or(raw)),
        email: customer.and_then(|c| text(c.encrypted_email.as_deref())),
    })
}
