//! A Shopify "Orders → Export" file built on the real 79-column header: multi-line
//! orders grouped by `Name`, continuation rows with blank order-level columns, a
//! `'`-prefixed zip, and one order spoiled by a bad price while the others import.

use rust_decimal::Decimal;
use shipgate_csv::{CsvOrder, OrdersReader, RowError, Template, CSV_CHANNEL};
use shipgate_sdk::model::{content_hash, OrderStatus, Payment};
use shipgate_sdk::Origin;
use std::collections::HashMap;
use std::path::PathBuf;
use std::str::FromStr;

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn template() -> Template {
    Template::load(manifest().join("../../mappings/csv/shopify-orders-export.toml"))
        .expect("template loads")
}

fn header() -> Vec<String> {
    let path = manifest()
        .join("../../../shared/fixtures/marketplaces/shopify/csv/orders_export_header.csv");
    let text = std::fs::read_to_string(path).expect("header fixture");
    text.trim_end().split(',').map(str::to_string).collect()
}

fn origin() -> Origin {
    Origin {
        tenant: "acme-3pl".into(),
        merchant: "shop-a".into(),
        connector_id: "csv-shop-a".into(),
    }
}

/// One export row: every header, blank unless given, quoted when needed.
fn row(header: &[String], cells: &[(&str, &str)]) -> String {
    let values: HashMap<&str, &str> = cells.iter().copied().collect();
    for (name, _) in cells {
        assert!(header.iter().any(|h| h == name), "no column {name}");
    }
    let fields: Vec<String> = header
        .iter()
        .map(|h| {
            let v = values.get(h.as_str()).copied().unwrap_or("");
            if v.contains([',', '"', '\n']) {
                format!("\"{}\"", v.replace('"', "\"\""))
            } else {
                v.to_string()
            }
        })
        .collect();
    fields.join(",")
}

fn first_row<'a>(
    name: &'a str,
    total: &'a str,
    line: (&'a str, &'a str, &'a str),
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("Name", name),
        ("Email", "buyer@example.com"),
        ("Financial Status", "paid"),
        ("Paid at", "2024-05-01 10:05:00 +0000"),
        ("Fulfillment Status", "unfulfilled"),
        ("Currency", "EUR"),
        ("Subtotal", total),
        ("Total", total),
        ("Shipping Method", "Colissimo"),
        ("Created at", "2024-05-01 10:00:00 +0200"),
        ("Lineitem quantity", line.0),
        ("Lineitem name", line.1),
        ("Lineitem price", line.2),
        ("Lineitem sku", "SKU-1"),
        ("Lineitem requires shipping", "true"),
        ("Shipping Name", "Jeanne Martin"),
        ("Shipping Address1", "1, rue de la Paix"),
        ("Shipping City", "Paris"),
        ("Shipping Zip", "'07001"),
        ("Shipping Country", "FR"),
        ("Payment Method", "Shopify Payments"),
        ("Id", "5501"),
    ]
}

fn continuation<'a>(name: &'a str, line: (&'a str, &'a str, &'a str)) -> Vec<(&'a str, &'a str)> {
    vec![
        ("Name", name),
        ("Lineitem quantity", line.0),
        ("Lineitem name", line.1),
        ("Lineitem price", line.2),
        ("Lineitem requires shipping", "true"),
    ]
}

fn export() -> String {
    let h = header();
    let mut cod = first_row("#1003", "15.00", ("1", "Socks", "15.00"));
    cod.retain(|(k, _)| *k != "Payment Method" && *k != "Id" && *k != "Paid at");
    cod.push(("Payment Method", "Cash on Delivery (COD)"));
    let rows = [
        h.join(","),
        row(
            &h,
            &first_row("#1001", "50.00", ("2", "Mug, \"large\"", "10.00")),
        ),
        row(&h, &continuation("#1001", ("1", "Teapot", "30.00"))),
        row(&h, &first_row("#1002", "20.00", ("1", "Plate", "20.00"))),
        row(&h, &continuation("#1002", ("1", "Bowl", "12,50"))),
        row(&h, &continuation("#1002", ("1", "Cup", "oops"))),
        row(&h, &cod),
    ];
    rows.join("\n") + "\n"
}

fn read(file: &str) -> Vec<Result<CsvOrder, RowError>> {
    OrdersReader::new(file.as_bytes(), &template(), &origin(), "orders_export.csv")
        .expect("header ok")
        .collect()
}

#[test]
fn the_fixture_header_has_79_columns_and_is_accepted() {
    assert_eq!(header().len(), 79);
    let file = export();
    let reader = OrdersReader::new(file.as_bytes(), &template(), &origin(), "e.csv").expect("ok");
    assert_eq!(reader.headers().len(), 79);
}

#[test]
fn multi_line_orders_carry_order_level_fields_forward() {
    let results = read(&export());
    assert_eq!(results.len(), 3, "three orders, one result each");

    let first = results[0].as_ref().expect("#1001 imports");
    assert_eq!(first.line, 2);
    let o = &first.order;
    assert_eq!(
        (o.tenant.as_str(), o.merchant.as_str()),
        ("acme-3pl", "shop-a")
    );
    assert_eq!(o.source.channel.as_str(), CSV_CHANNEL);
    assert_eq!(o.source.connector_id, "csv-shop-a");
    assert_eq!(o.source.external_id, "5501");
    assert_eq!(o.source.external_number.as_deref(), Some("#1001"));
    assert_eq!(o.total.amount, Decimal::from_str("50.00").expect("decimal"));
    assert_eq!(o.total.currency.as_str(), "EUR");
    assert_eq!(o.created_at.to_rfc3339(), "2024-05-01T08:00:00+00:00");
    assert_eq!(
        o.updated_at.to_rfc3339(),
        "2024-05-01T10:05:00+00:00",
        "paid at is the last change"
    );
    assert_eq!(o.status, OrderStatus::Open);
    assert_eq!(o.payment, Payment::Prepaid);
    assert_eq!(o.delivery.requested_service.as_deref(), Some("Colissimo"));
    assert_eq!(o.lines.len(), 2);
    assert_eq!(o.lines[0].title, "Mug, \"large\"");
    assert_eq!(
        (o.lines[0].quantity, o.lines[0].unit_price.amount),
        (2, Decimal::from(10))
    );
    assert_eq!(o.lines[1].title, "Teapot");
    assert_eq!(
        o.lines[1].unit_price.currency.as_str(),
        "EUR",
        "currency carried to continuation rows"
    );
    let ship_to = o.ship_to.as_ref().expect("address");
    assert_eq!(
        ship_to.postal_code.as_deref(),
        Some("07001"),
        "the ' prefix is stripped, zeros kept"
    );
    assert_eq!(ship_to.country.map(|c| c.as_str()), Some("FR"));
    assert_eq!(ship_to.line1.as_deref(), Some("1, rue de la Paix"));
    assert_eq!(ship_to.email.as_deref(), Some("buyer@example.com"));
    o.validate().expect("valid");

    let raw = String::from_utf8(first.raw.clone()).expect("utf8");
    assert_eq!(raw.lines().count(), 3, "header + two rows: {raw}");
    assert!(raw.starts_with("Name,Email,"));
    assert_eq!(o.raw_hash, content_hash(&first.raw));

    let cod = results[2].as_ref().expect("#1003 imports");
    assert_eq!(cod.line, 7);
    assert_eq!(
        cod.order.source.external_id, "#1003",
        "no Id column value: the name is the id"
    );
    match &cod.order.payment {
        Payment::CashOnDelivery { amount } => assert_eq!(amount.amount, Decimal::from(15)),
        other => panic!("expected COD, got {other:?}"),
    }
}

#[test]
fn a_bad_price_spoils_only_its_order_once_with_line_and_column() {
    let results = read(&export());
    let err = results[1].as_ref().expect_err("#1002 has a bad price");
    assert_eq!(err.line, 5, "the first bad row");
    assert_eq!(err.column.as_deref(), Some("Lineitem price"));
    assert_eq!(err.value.as_deref(), Some("12,50"));
    assert!(
        err.raw.starts_with("#1002,,,,"),
        "the row as written: {}",
        err.raw
    );
    let order_raw = err
        .order_raw
        .as_deref()
        .expect("whole order kept for replay");
    assert_eq!(
        order_raw.lines().count(),
        4,
        "header + all three rows of #1002"
    );
    assert!(order_raw.contains("oops"));
    assert_eq!(results.iter().filter(|r| r.is_err()).count(), 1);
}

#[test]
fn a_stored_raw_payload_replays_to_the_same_order() {
    let results = read(&export());
    let first = results[0].as_ref().expect("#1001 imports");
    let again: Vec<_> = OrdersReader::new(first.raw.as_slice(), &template(), &origin(), "replay")
        .expect("ok")
        .collect();
    assert_eq!(again.len(), 1);
    let replayed = again[0].as_ref().expect("replays");
    assert_eq!(replayed.raw, first.raw);
    assert_eq!(replayed.order.raw_hash, first.order.raw_hash);
    assert_eq!(replayed.order.lines, first.order.lines);
}

#[test]
fn rows_whose_first_row_was_lost_and_cancelled_orders() {
    let h = header();
    let mut cancelled = first_row("#2001", "9.00", ("1", "Pen", "9.00"));
    cancelled.push(("Cancelled at", "2024-05-02 09:00:00 +0000"));
    let file = [
        h.join(","),
        row(&h, &continuation("#2000", ("1", "Orphan", "5.00"))),
        row(&h, &cancelled),
        row(&h, &first_row("#2002", "3.00", ("1", "Clip", "3.00")))[..40].to_string(),
    ]
    .join("\n");
    let results = read(&file);
    assert_eq!(results.len(), 3);
    let orphan = results[0].as_ref().expect_err("no order-level columns");
    assert_eq!(
        (orphan.line, orphan.column.as_deref()),
        (2, Some("Currency"))
    );
    let c = results[1].as_ref().expect("cancelled order imports");
    assert_eq!(c.order.status, OrderStatus::Cancelled);
    let short = results[2].as_ref().expect_err("truncated row");
    assert!(
        short.reason.contains("wrong column count"),
        "{}",
        short.reason
    );
    assert_eq!(short.line, 4);
}
