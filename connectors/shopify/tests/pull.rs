//! Pulling over loopback HTTP from the sandbox: pagination, cursor resume, the look-back
//! window, the 1,000-order dataset and malformed nodes.

mod common;

use chrono::{DateTime, Duration, Utc};
use common::{connector, pull_all, sandbox};
use rust_decimal::Decimal;
use serde_json::json;
use shipgate_sdk::model::{OrderStatus, Payment, Shipment};
use shipgate_sdk::{Cursor, MappingError, Source, Storefront};
use std::collections::{HashMap, HashSet};

fn grams(unit: &str, value: f64) -> u32 {
    let factor = match unit {
        "GRAMS" => 1.0,
        "KILOGRAMS" => 1000.0,
        "OUNCES" => 28.349523125,
        "POUNDS" => 453.59237,
        other => panic!("unexpected unit {other}"),
    };
    (value * factor).round() as u32
}

#[tokio::test]
async fn pages_resume_from_a_stored_cursor_and_the_lookback_overlaps() {
    let sb = sandbox(230).await;
    let first = connector(&sb, |c| c.page_size = 10);
    let p1 = first.pull(&Cursor::default()).await.unwrap();
    let p2 = first.pull(&p1.next).await.unwrap();
    assert!(p1.has_more && p2.has_more);
    assert_eq!(p1.orders.len() + p2.orders.len(), 20);
    // The store persists the cursor as JSON; a restarted worker resumes from it.
    let stored = serde_json::to_string(&p2.next).unwrap();
    drop(first);
    let resumed = connector(&sb, |c| c.page_size = 10);
    let (rest, pages, done) = pull_all(&resumed, serde_json::from_str(&stored).unwrap()).await;
    assert_eq!(pages.len(), 21, "210 remaining orders in pages of 10");

    let all: Vec<_> = p1.orders.iter().chain(&p2.orders).chain(&rest).collect();
    let ids: HashSet<_> = all.iter().map(|o| o.external_id.clone().unwrap()).collect();
    assert_eq!(all.len(), 230, "no order twice inside one window");
    assert_eq!(ids.len(), 230);

    let max_updated = sb.orders().iter().map(|o| o.updated_at).max().unwrap();
    assert_eq!(done.updated_since, Some(max_updated));
    assert_eq!(done.page_token, None);

    // The next pull re-reads only the look-back window (300 s before the max).
    let (again, _, after) = pull_all(&resumed, done.clone()).await;
    let window: Vec<_> = sb
        .orders()
        .into_iter()
        .filter(|o| o.updated_at >= max_updated - Duration::seconds(300))
        .collect();
    assert_eq!(again.len(), window.len());
    assert!(!again.is_empty());
    assert_eq!(after, done);
}

#[tokio::test]
async fn a_fulfilled_order_comes_back_in_the_next_pull_as_fulfilled() {
    let sb = sandbox(30).await;
    let c = connector(&sb, |c| c.page_size = 250);
    let (raws, _, cursor) = pull_all(&c, Cursor::default()).await;
    let target = raws
        .iter()
        .map(|r| c.normalize(r).unwrap())
        .find(|o| o.status == OrderStatus::Open)
        .unwrap();
    let shipment = Shipment {
        tracking_number: shipgate_sdk::model::TrackingNumber::parse("1Z999AA10123456784").unwrap(),
        carrier: shipgate_sdk::model::CarrierRef::new(Some("ups".into()), "UPS"),
        tracking_url: None,
        shipped_at: None,
        notify_customer: false,
    };
    c.push_fulfillment(&target, &shipment).await.unwrap();
    let (changed, _, _) = pull_all(&c, cursor).await;
    let again = changed
        .iter()
        .find(|r| r.external_id.as_deref() == Some(target.source.external_id.as_str()))
        .expect("the fulfilled order is pulled again");
    let order = c.normalize(again).unwrap();
    assert_eq!(order.status, OrderStatus::Fulfilled);
    assert!(order.updated_at > target.updated_at);
}

#[tokio::test]
async fn the_thousand_order_dataset_pulls_and_normalizes_exactly() {
    let sb = sandbox(1000).await;
    let c = connector(&sb, |c| c.page_size = 250);
    let (raws, pages, _) = pull_all(&c, Cursor::default()).await;
    // 250 is an upper bound, lowered to the largest page that fits the cost budget.
    assert_eq!(c.page_size(), 13);
    assert_eq!(pages.len(), 1000usize.div_ceil(13));
    assert_eq!(raws.len(), 1000);
    assert!(pages.iter().all(|p| p.rejected.is_empty()));

    let generated: HashMap<String, _> = sb.orders().into_iter().map(|o| (o.gid(), o)).collect();
    let mut cod = 0;
    let mut updated: Vec<DateTime<Utc>> = Vec::new();
    for raw in &raws {
        let order = c
            .normalize(raw)
            .unwrap_or_else(|e| panic!("{:?}: {e}", raw.external_id));
        let g = &generated[&order.source.external_id];
        updated.push(order.updated_at);
        assert_eq!(
            order.source.external_number.as_deref(),
            Some(g.name.as_str())
        );
        assert_eq!(order.source.channel.as_str(), "shopify");
        assert_eq!(
            (order.tenant.as_str(), order.merchant.as_str()),
            ("acme-3pl", "bob-shop")
        );
        assert_eq!(order.total.amount, g.total);
        assert_eq!(order.total.currency.as_str(), "USD");
        assert_eq!(order.created_at, g.created_at);
        let addr = order.ship_to.as_ref().unwrap();
        let ga = g.shipping_address.as_ref().unwrap();
        assert_eq!(addr.country.unwrap().as_str(), ga.country_code);
        assert_eq!(addr.postal_code.as_deref(), Some(ga.zip.as_str()));
        assert_eq!(
            addr.name.as_deref(),
            Some(format!("{} {}", ga.first_name, ga.last_name).as_str())
        );
        assert_eq!(order.lines.len(), g.lines.len());
        for (line, gl) in order.lines.iter().zip(&g.lines) {
            assert_eq!(line.quantity, gl.quantity);
            assert_eq!(line.unit_price.amount, gl.unit_price);
            assert_eq!(line.sku, gl.sku);
            assert_eq!(line.requires_shipping, gl.requires_shipping);
            assert_eq!(line.weight_grams, gl.weight.map(|(u, v)| grams(u, v)));
            assert_eq!(
                line.external_id,
                Some(format!("gid://shopify/LineItem/{}", gl.id))
            );
        }
        match (&order.payment, g.is_cod()) {
            (Payment::CashOnDelivery { amount }, true) => {
                cod += 1;
                assert_eq!(amount.amount, g.outstanding);
                assert!(amount.amount > Decimal::ZERO);
            }
            (Payment::Prepaid, false) => {}
            (p, cod) => panic!("{}: payment {p:?} but generated cod={cod}", g.name),
        }
        let expected = if g.cancelled_at.is_some() {
            OrderStatus::Cancelled
        } else {
            OrderStatus::Open
        };
        assert_eq!(order.status, expected);
    }
    assert!(cod > 50, "about 15 % of 1,000 orders are COD, got {cod}");
    assert!(
        updated.windows(2).all(|w| w[0] <= w[1]),
        "pulled in updatedAt order"
    );
}

#[tokio::test]
async fn malformed_nodes_are_located_and_the_rest_of_the_page_goes_on() {
    let sb = sandbox(12).await;
    let orders = sb.orders();
    sb.corrupt_order(&orders[2].gid(), json!({ "totalPriceSet": "oops" }));
    sb.corrupt_order(&orders[4].gid(), json!(42));
    sb.corrupt_order(
        &orders[6].gid(),
        json!({ "lineItems": { "nodes": [{ "id": "gid://shopify/LineItem/1", "title": "x", "quantity": -2,
            "originalUnitPriceSet": { "shopMoney": { "amount": "1.00", "currencyCode": "USD" } } }] } }),
    );
    let c = connector(&sb, |c| c.page_size = 250);
    let page = c.pull(&Cursor::default()).await.unwrap();
    assert_eq!(page.rejected.len(), 1);
    let rejected = &page.rejected[0];
    assert_eq!(rejected.raw, b"42");
    assert!(
        rejected.location.starts_with("data.orders.edges[")
            && rejected.location.ends_with("].node"),
        "{}",
        rejected.location
    );
    assert_eq!(page.orders.len(), 11);

    let mut failures = HashMap::new();
    for raw in &page.orders {
        if let Err(e) = c.normalize(raw) {
            failures.insert(raw.external_id.clone().unwrap(), e);
        }
    }
    assert_eq!(failures.len(), 2, "{failures:?}");
    match &failures[&orders[2].gid()] {
        MappingError::InvalidValue { path, value, .. } => {
            assert_eq!(path, "totalPriceSet");
            assert_eq!(value, "\"oops\"");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        failures[&orders[6].gid()].location(),
        "lineItems.nodes[0].quantity"
    );
}
