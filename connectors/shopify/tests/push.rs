//! Pushing fulfillments to the sandbox: one creation, idempotent repeats, refusals,
//! the health check, and a demo-sized run.

mod common;

use common::{connector, pull_all, sandbox};
use shipgate_sdk::model::{CarrierRef, Order, OrderStatus, Shipment, TrackingNumber};
use shipgate_sdk::{ConnectorError, Cursor, Source, Storefront};
use shipgate_shopify::ShopifyConnector;

fn shipment(number: &str, notify: bool) -> Shipment {
    Shipment {
        tracking_number: TrackingNumber::parse(number).unwrap(),
        carrier: CarrierRef::new(Some("ups".into()), "UPS"),
        tracking_url: Some(format!("https://www.ups.com/track?tracknum={number}")),
        shipped_at: None,
        notify_customer: notify,
    }
}

async fn orders(c: &ShopifyConnector) -> Vec<Order> {
    let (raws, _, _) = pull_all(c, Cursor::default()).await;
    raws.iter().map(|r| c.normalize(r).unwrap()).collect()
}

#[tokio::test]
async fn push_creates_one_fulfillment_and_a_repeat_finds_it() {
    let sb = sandbox(10).await;
    let c = connector(&sb, |_| {});
    let all = orders(&c).await;
    let order = all.iter().find(|o| o.status == OrderStatus::Open).unwrap();

    let first = c
        .push_fulfillment(order, &shipment("1Z999AA10123456784", false))
        .await
        .unwrap();
    assert!(!first.already_existed);
    assert!(
        first.id.starts_with("gid://shopify/Fulfillment/"),
        "{}",
        first.id
    );
    let recorded = sb.fulfillments();
    assert_eq!(recorded.len(), 1);
    let r = &recorded[0];
    assert_eq!(r.order_id, order.source.external_id);
    assert_eq!(r.fulfillment_id, first.id);
    assert!(r
        .fulfillment_order_id
        .starts_with("gid://shopify/FulfillmentOrder/"));
    assert_eq!(r.tracking_number.as_deref(), Some("1Z999AA10123456784"));
    assert_eq!(r.company.as_deref(), Some("UPS"));
    assert_eq!(
        r.url.as_deref(),
        Some("https://www.ups.com/track?tracknum=1Z999AA10123456784")
    );
    assert!(!r.notify_customer);

    // A worker crashed after the call and the job is retried, with the number typed
    // differently by the supplier: same fulfillment, nothing new on Shopify.
    let again = c
        .push_fulfillment(order, &shipment("1z999aa1 0123456784", false))
        .await
        .unwrap();
    assert!(again.already_existed);
    assert_eq!(again.id, first.id);
    assert_eq!(sb.fulfillments().len(), 1);

    // Another parcel for an order already fully fulfilled is refused, not created.
    let err = c
        .push_fulfillment(order, &shipment("1Z999AA10999999999", false))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ConnectorError::Rejected { .. })
            && err.to_string().contains("nothing left to fulfil"),
        "{err}"
    );
    assert!(!err.is_retryable());
    assert_eq!(sb.fulfillments().len(), 1);
}

#[tokio::test]
async fn notify_customer_follows_the_shipment_or_the_shop_setting() {
    let sb = sandbox(10).await;
    let quiet = connector(&sb, |_| {});
    let loud = connector(&sb, |c| c.notify_customer = true);
    let open: Vec<Order> = orders(&quiet)
        .await
        .into_iter()
        .filter(|o| o.status == OrderStatus::Open)
        .collect();
    quiet
        .push_fulfillment(&open[0], &shipment("TRACK0001", true))
        .await
        .unwrap();
    loud.push_fulfillment(&open[1], &shipment("TRACK0002", false))
        .await
        .unwrap();
    quiet
        .push_fulfillment(&open[2], &shipment("TRACK0003", false))
        .await
        .unwrap();
    let notify: Vec<bool> = sb
        .fulfillments()
        .iter()
        .map(|f| f.notify_customer)
        .collect();
    assert_eq!(notify, vec![true, true, false]);
}

#[tokio::test]
async fn unknown_orders_and_other_channels_are_refused() {
    let sb = sandbox(3).await;
    let c = connector(&sb, |_| {});
    let mut order = orders(&c).await.remove(0);
    order.source.external_id = "gid://shopify/Order/1".into();
    let err = c
        .push_fulfillment(&order, &shipment("TRACK0001", false))
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::NotFound(_)), "{err}");
    order.source.channel = shipgate_sdk::model::Channel::new("amazon");
    let err = c
        .push_fulfillment(&order, &shipment("TRACK0001", false))
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Rejected { .. }), "{err}");
    assert!(sb.fulfillments().is_empty());
}

#[tokio::test]
async fn health_check_reads_the_shop() {
    let sb = sandbox(1).await;
    let info = connector(&sb, |_| {}).check().await.unwrap();
    assert_eq!(info.myshopify_domain, "shipgate-sandbox.myshopify.com");
    assert_eq!(info.currency_code, "USD");
}

#[tokio::test]
async fn demo_sized_run_pulls_and_pushes_a_thousand_orders_in_seconds() {
    let started = std::time::Instant::now();
    let sb = sandbox(1000).await;
    let c = std::sync::Arc::new(connector(&sb, |c| c.page_size = 250));
    let all = orders(&c).await;
    let open: Vec<Order> = all
        .into_iter()
        .filter(|o| o.status != OrderStatus::Cancelled)
        .collect();
    let mut tasks = tokio::task::JoinSet::new();
    for (i, chunk) in open.chunks(open.len().div_ceil(8)).enumerate() {
        let c = c.clone();
        let chunk = chunk.to_vec();
        tasks.spawn(async move {
            for (j, order) in chunk.iter().enumerate() {
                c.push_fulfillment(order, &shipment(&format!("DEMO{i:02}{j:05}"), false))
                    .await
                    .unwrap();
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
    assert_eq!(sb.fulfillments().len(), open.len());
    assert!(sb.lowest_available() >= 0.0);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
}
