//! The sandbox's orders, generated deterministically from a seed.
//!
//! Constructed from the public samples in
//! `/work/shared/fixtures/marketplaces/shopify/rest/order.json` and `orders.json`
//! (Shopify's shopify_python_api test fixtures): order #1001 is that sample itself (ids,
//! the three "IPod Nano - 8gb" lines with their SKUs, 199.00 prices and 200 g weights,
//! Bob Norman's Louisville address, the `authorize_net` / `bogus` gateways, "Free
//! Shipping", the 6 % "State Tax", USD). The later orders reuse those shapes; the few
//! extra products (other weight units, a gift card), the non-US addresses, the "Cash on
//! Delivery (COD)" gateway and the "Standard Shipping" line are added by us because the
//! samples have a single US, prepaid, grams-only order. Every amount is in the shop
//! currency (USD), as `shopMoney` is on a real shop.

use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;
use std::str::FromStr;

/// Shopify's manual cash-on-delivery payment method, as it appears in
/// `paymentGatewayNames`.
pub const COD_GATEWAY: &str = "Cash on Delivery (COD)";

/// The shop currency of the sandbox shop.
pub const SHOP_CURRENCY: &str = "USD";

/// One generated order, in plain Rust, as the sandbox serves it and tests check it.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneratedOrder {
    /// Numeric id; the gid is `gid://shopify/Order/{id}`.
    pub id: u64,
    /// `#1001`, `#1002`, …
    pub name: String,
    /// Buyer e-mail.
    pub email: Option<String>,
    /// Buyer phone.
    pub phone: Option<String>,
    /// When it was placed.
    pub created_at: DateTime<Utc>,
    /// Last change (moves when a fulfillment is created).
    pub updated_at: DateTime<Utc>,
    /// Set on cancelled orders.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// `OrderDisplayFinancialStatus` value (`PAID`, `PENDING`, `AUTHORIZED`).
    pub financial_status: &'static str,
    /// `paymentGatewayNames`.
    pub gateway_names: Vec<String>,
    /// The lines.
    pub lines: Vec<GeneratedLine>,
    /// Where it ships.
    pub shipping_address: Option<GeneratedAddress>,
    /// `shippingLine.title`.
    pub shipping_title: Option<String>,
    /// Shipping price.
    pub shipping_price: Decimal,
    /// Tax.
    pub tax: Decimal,
    /// `totalPriceSet.shopMoney.amount`.
    pub total: Decimal,
    /// `totalOutstandingSet.shopMoney.amount`.
    pub outstanding: Decimal,
}

/// One generated line.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneratedLine {
    /// Numeric line id (`gid://shopify/LineItem/{id}`).
    pub id: u64,
    /// SKU.
    pub sku: Option<String>,
    /// Product title.
    pub title: String,
    /// Variant title, appended to `name`.
    pub variant_title: Option<String>,
    /// Units.
    pub quantity: u32,
    /// Unit price in the shop currency.
    pub unit_price: Decimal,
    /// False for gift cards.
    pub requires_shipping: bool,
    /// `WeightUnit` value and amount, when the variant has a weight.
    pub weight: Option<(&'static str, f64)>,
}

impl GeneratedLine {
    /// Shopify's `LineItem.name`: title and variant title.
    pub fn name(&self) -> String {
        match &self.variant_title {
            Some(v) => format!("{} - {v}", self.title),
            None => self.title.clone(),
        }
    }
}

/// One generated shipping address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedAddress {
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Company.
    pub company: Option<String>,
    /// Street.
    pub address1: String,
    /// Flat, suite…
    pub address2: String,
    /// City.
    pub city: String,
    /// Province name.
    pub province: Option<String>,
    /// Province code.
    pub province_code: Option<String>,
    /// Postal code.
    pub zip: String,
    /// Country name.
    pub country: String,
    /// ISO 3166-1 alpha-2.
    pub country_code: String,
    /// Phone.
    pub phone: Option<String>,
}

impl GeneratedOrder {
    /// `gid://shopify/Order/{id}`.
    pub fn gid(&self) -> String {
        format!("gid://shopify/Order/{}", self.id)
    }

    /// Whether the buyer pays the carrier.
    pub fn is_cod(&self) -> bool {
        self.gateway_names.iter().any(|g| g == COD_GATEWAY)
    }
}

struct Product {
    sku: &'static str,
    title: &'static str,
    variant: Option<&'static str>,
    price: &'static str,
    weight: Option<(&'static str, f64)>,
}

/// The first three are the sample's; the rest are added (see the module doc).
const CATALOGUE: &[Product] = &[
    Product {
        sku: "IPOD2008GREEN",
        title: "IPod Nano - 8gb",
        variant: Some("green"),
        price: "199.00",
        weight: Some(("GRAMS", 200.0)),
    },
    Product {
        sku: "IPOD2008RED",
        title: "IPod Nano - 8gb",
        variant: Some("red"),
        price: "199.00",
        weight: Some(("GRAMS", 200.0)),
    },
    Product {
        sku: "IPOD2008BLACK",
        title: "IPod Nano - 8gb",
        variant: Some("black"),
        price: "199.00",
        weight: Some(("GRAMS", 200.0)),
    },
    Product {
        sku: "IPODCASE-BLK",
        title: "IPod Nano Case",
        variant: Some("black"),
        price: "24.50",
        weight: Some(("OUNCES", 3.5)),
    },
    Product {
        sku: "IPODDOCK-WHT",
        title: "IPod Dock",
        variant: Some("white"),
        price: "49.99",
        weight: Some(("POUNDS", 0.75)),
    },
    Product {
        sku: "SPKR-BT-01",
        title: "Bluetooth Speaker",
        variant: None,
        price: "89.00",
        weight: Some(("KILOGRAMS", 1.2)),
    },
];

const GIFT_CARD: Product = Product {
    sku: "GIFT-25",
    title: "Gift Card",
    variant: Some("$25"),
    price: "25.00",
    weight: None,
};

type AddressRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    &'static str,
    &'static str,
    &'static str,
);

/// First name, last name, street, city, province, province code, zip, country, code.
/// The first row is the sample's; the others are added.
const ADDRESSES: &[AddressRow] = &[
    (
        "Bob",
        "Norman",
        "Chestnut Street 92",
        "Louisville",
        Some("Kentucky"),
        Some("KY"),
        "40202",
        "United States",
        "US",
    ),
    (
        "Amélie",
        "Durand",
        "12 rue de Rivoli",
        "Paris",
        None,
        None,
        "75001",
        "France",
        "FR",
    ),
    (
        "Jonas",
        "Becker",
        "Torstraße 5",
        "Berlin",
        None,
        None,
        "10119",
        "Germany",
        "DE",
    ),
    (
        "Olivia",
        "Smith",
        "221B Baker Street",
        "London",
        Some("England"),
        None,
        "NW1 6XE",
        "United Kingdom",
        "GB",
    ),
    (
        "Liam",
        "Tremblay",
        "24 Sussex Drive",
        "Ottawa",
        Some("Ontario"),
        Some("ON"),
        "K1M 1M4",
        "Canada",
        "CA",
    ),
    (
        "Grace",
        "Lee",
        "350 Fifth Avenue",
        "New York",
        Some("New York"),
        Some("NY"),
        "10118",
        "United States",
        "US",
    ),
];

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap_or_default()
}

fn address(row: &AddressRow, phone: Option<&str>) -> GeneratedAddress {
    let (first, last, street, city, province, code, zip, country, cc) = *row;
    GeneratedAddress {
        first_name: first.into(),
        last_name: last.into(),
        company: None,
        address1: street.into(),
        address2: String::new(),
        city: city.into(),
        province: province.map(Into::into),
        province_code: code.map(Into::into),
        zip: zip.into(),
        country: country.into(),
        country_code: cc.into(),
        phone: phone.map(Into::into),
    }
}

fn line(id: u64, p: &Product, quantity: u32) -> GeneratedLine {
    GeneratedLine {
        id,
        sku: Some(p.sku.into()),
        title: p.title.into(),
        variant_title: p.variant.map(Into::into),
        quantity,
        unit_price: dec(p.price),
        requires_shipping: p.weight.is_some(),
        weight: p.weight,
    }
}

/// Sample order #1001 as `order.json` has it.
fn sample_1001() -> GeneratedOrder {
    let at = DateTime::parse_from_rfc3339("2008-01-10T11:00:00-05:00")
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default();
    let lines = vec![
        line(466157049, &CATALOGUE[0], 1),
        line(518995019, &CATALOGUE[1], 1),
        line(703073504, &CATALOGUE[2], 1),
    ];
    GeneratedOrder {
        id: 450789469,
        name: "#1001".into(),
        email: Some("bob.norman@hostmail.com".into()),
        phone: None,
        created_at: at,
        updated_at: at,
        cancelled_at: None,
        financial_status: "AUTHORIZED",
        gateway_names: vec!["authorize_net".into()],
        lines,
        shipping_address: Some(address(&ADDRESSES[0], Some("555-625-1199"))),
        shipping_title: Some("Free Shipping".into()),
        shipping_price: Decimal::ZERO,
        tax: dec("11.94"),
        total: dec("409.94"),
        outstanding: dec("409.94"),
    }
}

/// `count` orders named `#1001`… with ids from the sample's `450789469` up, their
/// `updatedAt` spread over months (minute precision, so some tie and the id tie-break
/// matters), about 15 % cash on delivery, a third multi-line, half shipped abroad, 2 %
/// cancelled. The same seed always gives the same orders.
pub fn generate_orders(count: usize, seed: u64) -> Vec<GeneratedOrder> {
    let mut rng = StdRng::seed_from_u64(seed);
    let base = DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z")
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default();
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        if i == 0 {
            out.push(sample_1001());
            continue;
        }
        let n = i as u64;
        let created = base + Duration::seconds((n * 600 + rng.gen_range(0..600)) as i64);
        let updated_secs =
            (created + Duration::seconds(rng.gen_range(0..72 * 3600))).timestamp() / 60 * 60;
        let updated = DateTime::from_timestamp(updated_secs, 0)
            .unwrap_or(created)
            .max(created);
        let line_count = if rng.gen_bool(0.34) {
            rng.gen_range(2..=3)
        } else {
            1
        };
        let mut lines: Vec<GeneratedLine> = (0..line_count)
            .map(|j| {
                let p = &CATALOGUE[rng.gen_range(0..CATALOGUE.len())];
                line(466157049 + n * 10 + j, p, rng.gen_range(1..=3))
            })
            .collect();
        if rng.gen_bool(0.05) {
            lines.push(line(466157049 + n * 10 + 9, &GIFT_CARD, 1));
        }
        let row = if rng.gen_bool(0.5) {
            &ADDRESSES[rng.gen_range(1..ADDRESSES.len())]
        } else {
            &ADDRESSES[0]
        };
        let phone = rng.gen_bool(0.5).then_some("+557734881234");
        let ship_to = address(row, phone);
        let subtotal: Decimal = lines
            .iter()
            .map(|l| l.unit_price * Decimal::from(l.quantity))
            .sum();
        let (shipping_title, shipping_price) = if rng.gen_bool(0.5) {
            ("Free Shipping", Decimal::ZERO)
        } else {
            ("Standard Shipping", dec("7.50"))
        };
        let tax = if ship_to.country_code == "US" {
            (subtotal * dec("0.06")).round_dp(2)
        } else {
            Decimal::ZERO
        };
        let total = subtotal + shipping_price + tax;
        let cod = rng.gen_bool(0.15);
        let (gateway, financial, outstanding) = if cod {
            (COD_GATEWAY, "PENDING", total)
        } else if rng.gen_bool(0.2) {
            ("authorize_net", "AUTHORIZED", total)
        } else {
            ("bogus", "PAID", Decimal::ZERO)
        };
        let cancelled_at = rng.gen_bool(0.02).then_some(updated);
        out.push(GeneratedOrder {
            id: 450789469 + n,
            name: format!("#{}", 1001 + n),
            email: Some(format!(
                "{}.{}{}@example.com",
                row.0.to_lowercase(),
                row.1.to_lowercase(),
                n
            )),
            phone: phone.map(Into::into),
            created_at: created,
            updated_at: updated,
            cancelled_at,
            financial_status: financial,
            gateway_names: vec![gateway.into()],
            lines,
            shipping_address: Some(ship_to),
            shipping_title: Some(shipping_title.into()),
            shipping_price,
            tax,
            total,
            outstanding,
        });
    }
    out
}

/// Line ids of enlarged orders start here, far above the generator's own
/// (`466157049 + 10 × n`), so they never collide.
const LARGE_LINE_IDS: u64 = 800_000_000;

/// Gives `order` `lines` lines in all (appending catalogue products in turn) and
/// recomputes its totals: a B2B-sized order, for tests of line-item pagination.
pub fn enlarge_order(order: &mut GeneratedOrder, lines: usize) {
    let mut j = 0;
    while order.lines.len() < lines {
        let p = &CATALOGUE[j % CATALOGUE.len()];
        order.lines.push(line(
            LARGE_LINE_IDS + order.id % 1_000 * 1_000 + j as u64,
            p,
            1,
        ));
        j += 1;
    }
    let subtotal: Decimal = order
        .lines
        .iter()
        .map(|l| l.unit_price * Decimal::from(l.quantity))
        .sum();
    let us = order
        .shipping_address
        .as_ref()
        .is_some_and(|a| a.country_code == "US");
    order.tax = if us {
        (subtotal * dec("0.06")).round_dp(2)
    } else {
        Decimal::ZERO
    };
    order.total = subtotal + order.shipping_price + order.tax;
    if order.outstanding > Decimal::ZERO {
        order.outstanding = order.total;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_orders_and_the_sample_comes_first() {
        let a = generate_orders(300, 7);
        assert_eq!(a, generate_orders(300, 7));
        assert_ne!(a[1..], generate_orders(300, 8)[1..]);
        assert_eq!(a[0].name, "#1001");
        assert_eq!(a[0].total, dec("409.94"));
        assert_eq!(a[299].name, "#1300");
        assert!(a.iter().any(GeneratedOrder::is_cod));
        assert!(a.iter().any(|o| o.lines.len() > 1));
        assert!(a.iter().any(|o| o
            .shipping_address
            .as_ref()
            .is_some_and(|s| s.country_code != "US")));
        for o in &a[1..] {
            let sub: Decimal = o
                .lines
                .iter()
                .map(|l| l.unit_price * Decimal::from(l.quantity))
                .sum();
            assert_eq!(o.total, sub + o.shipping_price + o.tax, "{}", o.name);
        }
    }

    #[test]
    fn an_enlarged_order_keeps_consistent_totals_and_unique_line_ids() {
        let mut orders = generate_orders(5, 3);
        let o = &mut orders[4];
        enlarge_order(o, 120);
        assert_eq!(o.lines.len(), 120);
        let sub: Decimal = o
            .lines
            .iter()
            .map(|l| l.unit_price * Decimal::from(l.quantity))
            .sum();
        assert_eq!(o.total, sub + o.shipping_price + o.tax);
        let ids: std::collections::HashSet<u64> = orders
            .iter()
            .flat_map(|o| o.lines.iter().map(|l| l.id))
            .collect();
        assert_eq!(
            ids.len(),
            orders.iter().map(|o| o.lines.len()).sum::<usize>()
        );
    }
}
