//! The fields a template may map, per kind. Kept in code (not in the templates) because
//! each one is read by a specific line of the mapping: a template that names a field
//! nobody reads is a typo, and is refused when it loads.

use crate::TemplateKind;

/// A field a template can map: its name in `[columns.<name>]` and whether every template
/// of that kind must configure it (the mapping cannot work without it).
pub(crate) struct Field {
    pub(crate) name: &'static str,
    pub(crate) needed: bool,
}

const fn f(name: &'static str, needed: bool) -> Field {
    Field { name, needed }
}

/// Fields of a supplier tracking file.
pub(crate) const TRACKING: &[Field] = &[
    f("order_ref", true),
    f("tracking_number", true),
    f("carrier", false),
    f("shipped_at", false),
    f("tracking_url", false),
];

/// Fields of an orders file with one row per line item.
pub(crate) const ORDERS: &[Field] = &[
    f("order_key", true),
    f("external_id", false),
    f("email", false),
    f("currency", true),
    f("total", true),
    f("created_at", true),
    f("paid_at", false),
    f("fulfilled_at", false),
    f("cancelled_at", false),
    f("fulfillment_status", false),
    f("payment_method", false),
    f("outstanding_balance", false),
    f("shipping_method", false),
    f("line_name", true),
    f("line_sku", false),
    f("line_quantity", true),
    f("line_price", true),
    f("line_requires_shipping", false),
    f("ship_name", false),
    f("ship_company", false),
    f("ship_address1", false),
    f("ship_address2", false),
    f("ship_city", false),
    f("ship_zip", false),
    f("ship_province", false),
    f("ship_country", false),
    f("ship_phone", false),
];

/// The fields of one kind.
pub(crate) fn of(kind: TemplateKind) -> &'static [Field] {
    match kind {
        TemplateKind::Tracking => TRACKING,
        TemplateKind::Orders => ORDERS,
    }
}
