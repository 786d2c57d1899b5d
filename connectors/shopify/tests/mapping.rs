//! `normalize_order` on the public sample #1001 and on corrupted inputs.

mod common;

use common::{connector, origin, pull_all, sandbox};
use rust_decimal::Decimal;
use shipgate_sdk::model::{OrderStatus, Payment};
use shipgate_sdk::{Cursor, MappingError, Source};
use shipgate_shopify::mapping::normalize_order;
use std::str::FromStr;

const SAMPLE: &[u8] = include_bytes!("data/order_1001.json");

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

#[test]
fn sample_1001_values_survive() {
    let o = normalize_order(SAMPLE, &origin()).unwrap();
    assert_eq!(o.source.external_id, "gid://shopify/Order/450789469");
    assert_eq!(o.source.external_number.as_deref(), Some("#1001"));
    assert_eq!(o.source.connector_id, "shopify-1");
    assert_eq!(o.created_at.to_rfc3339(), "2008-01-10T16:00:00+00:00");
    assert_eq!(o.status, OrderStatus::Open);
    assert_eq!(o.total.amount, dec("409.94"));
    assert_eq!(o.total.currency.as_str(), "USD");
    assert_eq!(
        o.payment,
        Payment::Prepaid,
        "authorize_net is not cash on delivery"
    );
    assert_eq!(
        o.delivery.requested_service.as_deref(),
        Some("Free Shipping")
    );
    let skus: Vec<_> = o.lines.iter().map(|l| l.sku.clone().unwrap()).collect();
    assert_eq!(skus, ["IPOD2008GREEN", "IPOD2008RED", "IPOD2008BLACK"]);
    for l in &o.lines {
        assert_eq!(l.quantity, 1);
        assert_eq!(l.unit_price.amount, dec("199.00"));
        assert_eq!(l.weight_grams, Some(200));
        assert!(l.requires_shipping);
    }
    assert_eq!(o.lines[0].title, "IPod Nano - 8gb - green");
    assert_eq!(
        o.lines[0].external_id.as_deref(),
        Some("gid://shopify/LineItem/466157049")
    );
    let a = o.ship_to.unwrap();
    assert_eq!(a.name.as_deref(), Some("Bob Norman"));
    assert_eq!(a.line1.as_deref(), Some("Chestnut Street 92"));
    assert_eq!(a.line2, None, "blank address2 is absent");
    assert_eq!(
        (
            a.city.as_deref(),
            a.region.as_deref(),
            a.postal_code.as_deref()
        ),
        (Some("Louisville"), Some("KY"), Some("40202"))
    );
    assert_eq!(a.country.unwrap().as_str(), "US");
    // "555-625-1199" in a US address, in E.164.
    assert_eq!(a.phone.as_deref(), Some("+15556251199"));
    assert_eq!(a.email.as_deref(), Some("bob.norman@hostmail.com"));
    assert_eq!(o.raw_hash, shipgate_sdk::model::content_hash(SAMPLE));
}

#[test]
fn a_saved_single_order_response_is_accepted() {
    let node: serde_json::Value = serde_json::from_slice(SAMPLE).unwrap();
    let wrapped = serde_json::to_vec(&serde_json::json!({ "data": { "order": node } })).unwrap();
    let o = normalize_order(&wrapped, &origin()).unwrap();
    assert_eq!(o.source.external_number.as_deref(), Some("#1001"));
    let err = normalize_order(br#"{"data":{"order":null}}"#, &origin()).unwrap_err();
    assert_eq!(err.location(), "data.order");
}

#[tokio::test]
async fn the_sandbox_serves_sample_1001_as_the_fixture_has_it() {
    let sb = sandbox(3).await;
    let c = connector(&sb, |_| {});
    let (raws, _, _) = pull_all(&c, Cursor::default()).await;
    let served = raws
        .iter()
        .find(|r| r.external_id.as_deref() == Some("gid://shopify/Order/450789469"))
        .unwrap();
    let mut from_sandbox = c.normalize(served).unwrap();
    let mut from_fixture = normalize_order(SAMPLE, &origin()).unwrap();
    for o in [&mut from_sandbox, &mut from_fixture] {
        o.id = ulid::Ulid::nil();
        o.raw_hash.clear();
    }
    assert_eq!(from_sandbox, from_fixture);
}

fn with(path: &[&str], value: serde_json::Value) -> Vec<u8> {
    let mut node: serde_json::Value = serde_json::from_slice(SAMPLE).unwrap();
    let mut cur = &mut node;
    for key in &path[..path.len() - 1] {
        cur = match key.parse::<usize>() {
            Ok(i) => &mut cur[i],
            Err(_) => &mut cur[*key],
        };
    }
    cur[path[path.len() - 1]] = value;
    serde_json::to_vec(&node).unwrap()
}

#[test]
fn errors_name_shopify_paths() {
    use serde_json::json;
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (
            with(&["lineItems", "nodes", "2", "quantity"], json!(0)),
            "lineItems.nodes[2].quantity",
        ),
        (
            with(&["lineItems", "nodes", "2", "quantity"], json!("three")),
            "lineItems.nodes[2].quantity",
        ),
        (
            with(
                &[
                    "lineItems",
                    "nodes",
                    "1",
                    "originalUnitPriceSet",
                    "shopMoney",
                    "amount",
                ],
                json!("12,50"),
            ),
            "lineItems.nodes[1].originalUnitPriceSet.shopMoney.amount",
        ),
        (
            with(
                &["totalPriceSet", "shopMoney", "currencyCode"],
                json!("XXX"),
            ),
            "totalPriceSet.shopMoney.currencyCode",
        ),
        (
            with(&["shippingAddress", "countryCodeV2"], json!("UK")),
            "shippingAddress.countryCodeV2",
        ),
        (with(&["createdAt"], json!("yesterday")), "createdAt"),
        (with(&["updatedAt"], serde_json::Value::Null), "updatedAt"),
        (
            with(
                &[
                    "lineItems",
                    "nodes",
                    "0",
                    "variant",
                    "inventoryItem",
                    "measurement",
                    "weight",
                    "unit",
                ],
                json!("STONES"),
            ),
            "lineItems.nodes[0].variant.inventoryItem.measurement.weight",
        ),
        (
            with(&["lineItems", "pageInfo", "hasNextPage"], json!(true)),
            "lineItems.pageInfo.hasNextPage",
        ),
        (with(&["lineItems", "nodes"], json!([])), "lines"),
        (
            with(&["shippingAddress"], serde_json::Value::Null),
            "ship_to",
        ),
        (
            with(&["totalPriceSet", "shopMoney", "amount"], json!("-1.00")),
            "total.amount",
        ),
    ];
    for (json, path) in cases {
        let err = normalize_order(&json, &origin()).unwrap_err();
        assert_eq!(err.location(), path, "{err}");
    }
}

#[test]
fn cash_on_delivery_collects_the_outstanding_amount() {
    use serde_json::json;
    let cod = with(&["paymentGatewayNames"], json!(["Cash on Delivery (COD)"]));
    let mut node: serde_json::Value = serde_json::from_slice(&cod).unwrap();
    node["totalOutstandingSet"]["shopMoney"]["amount"] = json!("100.00");
    let o = normalize_order(&serde_json::to_vec(&node).unwrap(), &origin()).unwrap();
    match o.payment {
        Payment::CashOnDelivery { amount } => assert_eq!(amount.amount, dec("100.00")),
        other => panic!("{other:?}"),
    }
    node["totalOutstandingSet"]["shopMoney"]["amount"] = json!("0.00");
    let o = normalize_order(&serde_json::to_vec(&node).unwrap(), &origin()).unwrap();
    assert_eq!(
        o.payment,
        Payment::Prepaid,
        "a COD order already paid has nothing to collect"
    );
}

#[test]
fn corrupted_inputs_never_panic_and_always_say_where() {
    use serde_json::json;
    let mut inputs: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"null".to_vec(),
        b"[]".to_vec(),
        b"42".to_vec(),
        b"\"order\"".to_vec(),
        b"{}".to_vec(),
        vec![0xff, 0xfe, 0x00, 0x7b],
        b"{\"id\":\"gid\xff\"}".to_vec(),
        "[".repeat(10_000).into_bytes(),
        br#"{"data":42}"#.to_vec(),
        br#"{"data":{"order":[]}}"#.to_vec(),
    ];
    for cut in (0..SAMPLE.len()).step_by(29) {
        inputs.push(SAMPLE[..cut].to_vec());
    }
    let wrong = [
        json!(null),
        json!(1e308),
        json!(-1),
        json!("x"),
        json!([]),
        json!({}),
        json!(true),
        json!(18446744073709551615u64),
    ];
    for field in [
        "id",
        "createdAt",
        "totalPriceSet",
        "lineItems",
        "shippingAddress",
        "paymentGatewayNames",
        "shippingLine",
        "totalOutstandingSet",
    ] {
        for w in &wrong {
            inputs.push(with(&[field], w.clone()));
        }
    }
    for field in [
        "quantity",
        "variant",
        "originalUnitPriceSet",
        "requiresShipping",
        "sku",
    ] {
        for w in &wrong {
            inputs.push(with(&["lineItems", "nodes", "1", field], w.clone()));
        }
    }
    for w in &wrong {
        inputs.push(with(
            &[
                "lineItems",
                "nodes",
                "0",
                "variant",
                "inventoryItem",
                "measurement",
                "weight",
                "value",
            ],
            w.clone(),
        ));
    }
    let mut refused = 0;
    for input in &inputs {
        match normalize_order(input, &origin()) {
            Ok(o) => o.validate().unwrap(),
            Err(e) => {
                refused += 1;
                assert!(!e.location().is_empty(), "{e}");
                if let MappingError::Malformed { line, column, .. } = e {
                    assert!(line >= 1 && column <= input.len() + 1);
                }
            }
        }
    }
    assert!(refused > inputs.len() / 2, "{refused} of {}", inputs.len());
}
