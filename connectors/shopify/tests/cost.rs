//! Shopify's calculated query cost over real HTTP: the sandbox refuses a query over the
//! single-query ceiling as Shopify does, charges the requested cost and refunds to the
//! actual one, and every query the connector sends stays under the ceiling, including
//! the follow-ups that complete an order with more line items than one page holds.

mod common;

use common::{connector, origin, pull_all};
use serde_json::{json, Value};
use shipgate_sdk::model::{CarrierRef, Shipment, TrackingNumber};
use shipgate_sdk::{ConnectorError, Cursor, Source, Storefront};
use shipgate_shopify::config::{MAX_PAGE_SIZE, MAX_QUERY_COST};
use shipgate_shopify::pull::{
    self, LINE_ITEMS_FIRST, LINE_ITEMS_OPERATION, ORDERS_OPERATION, ORDERS_QUERY,
};
use shipgate_shopify::push::{CREATE_OPERATION, STATE_OPERATION};
use shipgate_shopify::sandbox::{SandboxConfig, ShopifySandbox};
use shipgate_shopify::{ShopifyConfig, ShopifyConnector};

async fn start(config: SandboxConfig) -> ShopifySandbox {
    ShopifySandbox::start(config).await.expect("sandbox starts")
}

fn requested(c: &ShopifyConnector, operation: &str) -> f64 {
    c.last_query_cost(operation)
        .and_then(|q| q.requested_query_cost)
        .unwrap_or_else(|| panic!("no cost recorded for {operation}"))
}

#[tokio::test]
async fn an_over_cost_query_is_refused_before_it_runs_as_shopify_shapes_it() {
    let sb = start(SandboxConfig {
        orders: 5,
        bucket_size: 1000.0,
        restore_rate: 0.0,
        ..SandboxConfig::default()
    })
    .await;
    // The orders query as the connector used to send it: 100 orders, 100 lines each.
    let resp = reqwest::Client::new()
        .post(sb.shopify_config().endpoint())
        .header("X-Shopify-Access-Token", sb.token())
        .json(&json!({ "query": ORDERS_QUERY, "variables": { "first": 100, "lines": 100 } }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    let error = &body["errors"][0];
    assert_eq!(error["extensions"]["code"], "MAX_COST_EXCEEDED");
    assert_eq!(error["extensions"]["cost"], 70_902);
    assert_eq!(error["extensions"]["maxCost"], 1000);
    let message = error["message"].as_str().unwrap();
    assert!(
        message.starts_with(
            "Query cost is 70902, which exceeds the single query max cost limit (1000)."
        ),
        "{message}"
    );
    assert!(
        body.get("data").is_none() && body.get("extensions").is_none(),
        "{body}"
    );
    assert_eq!(
        sb.bucket().currently_available,
        1000.0,
        "nothing is charged"
    );

    // A query that fits is charged its requested cost, then refunded to the actual.
    let c = connector(&sb, |_| {});
    c.pull(&Cursor::default()).await.unwrap();
    let cost = c.last_query_cost(ORDERS_OPERATION).unwrap();
    let req = cost.requested_query_cost.unwrap();
    let actual = cost.actual_query_cost.unwrap();
    assert_eq!(
        req,
        2.0 + 13.0 * 65.0,
        "13 orders asked for, 65 points each"
    );
    assert!(actual < req, "{cost:?}");
    assert_eq!(sb.bucket().currently_available, 1000.0 - actual);
    assert_eq!(cost.throttle_status.currently_available, 1000.0 - actual);
}

#[tokio::test]
async fn the_connector_maps_max_cost_exceeded_to_a_rejection() {
    // A shop whose ceiling is lower than our budget stands in for a query that grew.
    let sb = start(SandboxConfig {
        orders: 20,
        max_query_cost: 500,
        ..SandboxConfig::default()
    })
    .await;
    let c = connector(&sb, |_| {});
    let err = c.pull(&Cursor::default()).await.unwrap_err();
    match &err {
        ConnectorError::Rejected { message, .. } => {
            assert!(
                message.starts_with("orders query refused: Query cost is 847"),
                "{message}"
            );
            assert!(message.contains("[MAX_COST_EXCEEDED]"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(!err.is_retryable());
    assert_eq!(sb.requests(), 1, "never retried");
}

#[tokio::test]
async fn pull_and_push_queries_stay_under_the_ceiling_at_every_configured_size() {
    let sb = start(SandboxConfig {
        orders: 40,
        ..SandboxConfig::default()
    })
    .await;
    let default_size = ShopifyConfig::new("https://x.myshopify.com", "t").page_size;
    for size in [1, default_size, 100, MAX_PAGE_SIZE] {
        let c = connector(&sb, |c| c.page_size = size);
        let page = c.pull(&Cursor::default()).await.unwrap();
        assert_eq!(page.orders.len() as u32, c.page_size());
        let cost = requested(&c, ORDERS_OPERATION);
        assert_eq!(
            cost,
            f64::from(pull::orders_query_cost(c.page_size(), LINE_ITEMS_FIRST)),
            "the sandbox and the connector price the query alike"
        );
        assert!(
            cost <= f64::from(MAX_QUERY_COST),
            "page_size {size}: {cost}"
        );
    }

    let c = connector(&sb, |c| c.page_size = MAX_PAGE_SIZE);
    let (raws, _, _) = pull_all(&c, Cursor::default()).await;
    let order = raws
        .iter()
        .map(|r| c.normalize(r).unwrap())
        .find(|o| o.status == shipgate_sdk::model::OrderStatus::Open)
        .unwrap();
    let shipment = Shipment {
        tracking_number: TrackingNumber::parse("1Z999AA10123456784").unwrap(),
        carrier: CarrierRef::new(Some("ups".into()), "UPS"),
        tracking_url: None,
        shipped_at: None,
        notify_customer: false,
    };
    c.push_fulfillment(&order, &shipment).await.unwrap();
    assert!(requested(&c, STATE_OPERATION) <= f64::from(MAX_QUERY_COST));
    assert_eq!(requested(&c, CREATE_OPERATION), 10.0);
}

#[tokio::test]
async fn an_order_with_120_lines_is_pulled_whole_through_follow_up_pages() {
    let sb = start(SandboxConfig {
        orders: 6,
        large_order_lines: 120,
        ..SandboxConfig::default()
    })
    .await;
    let big = sb.orders().pop().unwrap();
    assert_eq!(big.lines.len(), 120);
    let c = ShopifyConnector::new(sb.shopify_config(), origin()).unwrap();
    let page = c.pull(&Cursor::default()).await.unwrap();
    assert!(page.rejected.is_empty());
    assert_eq!(page.orders.len(), 6);
    // One orders page, then 100 and 12 lines after the first 8.
    assert_eq!(sb.requests(), 3);
    assert!(requested(&c, LINE_ITEMS_OPERATION) <= f64::from(MAX_QUERY_COST));

    let raw = page
        .orders
        .iter()
        .find(|r| r.external_id.as_deref() == Some(big.gid().as_str()))
        .unwrap();
    assert_eq!(raw.content_type, pull::merged_content_type(3));
    let node: Value = serde_json::from_slice(&raw.body).unwrap();
    assert_eq!(node["lineItems"]["pageInfo"]["hasNextPage"], false);
    assert_eq!(node["name"], big.name.as_str());
    let order = c.normalize(raw).unwrap();
    assert_eq!(order.lines.len(), 120);
    for (line, generated) in order.lines.iter().zip(&big.lines) {
        assert_eq!(
            line.external_id,
            Some(format!("gid://shopify/LineItem/{}", generated.id))
        );
        assert_eq!(line.sku, generated.sku);
    }
    assert_eq!(order.total.amount, big.total);
    for other in page.orders.iter().filter(|r| r != &raw) {
        assert_eq!(other.content_type, "application/json", "untouched bytes");
        c.normalize(other).unwrap();
    }
}
