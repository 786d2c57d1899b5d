//! The connector contract (`docs/specs/connector.md`) proven against the Shopify
//! sandbox: every check of `shipgate_sdk::testkit`, driven through the sandbox's fault
//! injection, token rotation, corruption and fulfillment record.

mod common;

use common::{connector, sandbox};
use shipgate_sdk::model::{CarrierRef, OrderStatus, Shipment, TrackingNumber};
use shipgate_sdk::testkit;
use shipgate_sdk::{Cursor, RawOrder, Source};
use shipgate_shopify::sandbox::ShopifySandbox;

/// More orders than the 13 a page holds, so every pull check walks several pages.
const ORDERS: usize = 40;

const SAMPLE: &[u8] = include_bytes!("data/order_1001.json");

fn gids(sb: &ShopifySandbox) -> Vec<String> {
    sb.orders()
        .iter()
        .map(|o| format!("gid://shopify/Order/{}", o.id))
        .collect()
}

#[tokio::test]
async fn pulls_everything_once() {
    let sb = sandbox(ORDERS).await;
    let c = connector(&sb, |_| {});
    testkit::pulls_everything_once(&c, &gids(&sb))
        .await
        .unwrap();
}

#[tokio::test]
async fn resumes_from_a_saved_cursor() {
    let sb = sandbox(ORDERS).await;
    testkit::resumes_from_a_saved_cursor(|| connector(&sb, |_| {}), &gids(&sb))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_node_with_a_broken_field_is_quarantined_and_the_rest_goes_on() {
    let sb = sandbox(ORDERS).await;
    let c = connector(&sb, |_| {});
    testkit::bad_records_are_quarantined_and_the_rest_goes_on(&c, &gids(&sb), |gid| {
        sb.corrupt_order(gid, serde_json::json!({ "totalPriceSet": "oops" }))
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn a_node_that_is_not_an_order_is_rejected_and_the_rest_goes_on() {
    let sb = sandbox(ORDERS).await;
    let c = connector(&sb, |_| {});
    testkit::bad_records_are_quarantined_and_the_rest_goes_on(&c, &gids(&sb), |gid| {
        sb.corrupt_order(gid, serde_json::json!(42))
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn throttling_is_retryable_on_a_fresh_connector() {
    let sb = sandbox(5).await;
    let c = connector(&sb, |_| {});
    testkit::throttling_is_retryable(&c, |n, s| sb.fail_next(n, s), || sb.requests())
        .await
        .unwrap();
}

/// Once the client knows an operation's cost it re-sends a throttled query itself; a
/// plain HTTP 429 carries no cost data, so the re-send must wait the `Retry-After` it was
/// given (it once went out again at once: 3 requests in 1.6 ms).
#[tokio::test]
async fn throttling_is_retryable_once_the_connector_knows_its_query_cost() {
    let sb = sandbox(5).await;
    let c = connector(&sb, |_| {});
    c.pull(&Cursor::default()).await.unwrap();
    testkit::throttling_is_retryable(&c, |n, s| sb.fail_next(n, s), || sb.requests())
        .await
        .unwrap();
}

#[tokio::test]
async fn server_errors_are_retryable() {
    let sb = sandbox(5).await;
    let c = connector(&sb, |_| {});
    testkit::server_errors_are_retryable(&c, |n, s| sb.fail_next(n, s))
        .await
        .unwrap();
}

#[tokio::test]
async fn client_errors_are_permanent() {
    let sb = sandbox(5).await;
    let c = connector(&sb, |_| {});
    testkit::client_errors_are_permanent(&c, |n, s| sb.fail_next(n, s))
        .await
        .unwrap();
}

#[tokio::test]
async fn bad_credentials_are_permanent_and_the_token_stays_secret() {
    let sb = sandbox(5).await;
    let c = connector(&sb, |_| {});
    let token = sb.token();
    testkit::secret_stays_out_of_debug(&c, &token).unwrap();
    testkit::secret_stays_out_of_debug(c.config(), &token).unwrap();
    testkit::bad_credentials_are_permanent(&c, || sb.set_token("shpat_rotated"), &token)
        .await
        .unwrap();
}

#[tokio::test]
async fn push_is_idempotent() {
    let sb = sandbox(10).await;
    let c = connector(&sb, |_| {});
    let (raws, _, _) = common::pull_all(&c, Cursor::default()).await;
    let order = raws
        .iter()
        .map(|r| c.normalize(r).unwrap())
        .find(|o| o.status == OrderStatus::Open)
        .expect("the sandbox has an open order");
    let shipment = Shipment {
        tracking_number: TrackingNumber::parse("1Z999AA10123456784").unwrap(),
        carrier: CarrierRef::new(Some("ups".into()), "UPS"),
        tracking_url: None,
        shipped_at: None,
        notify_customer: false,
    };
    testkit::push_is_idempotent(&c, &order, &shipment, |gid| {
        sb.fulfillments()
            .iter()
            .filter(|f| f.order_id == gid)
            .count()
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn normalize_never_panics_on_damaged_samples() {
    let sb = sandbox(1).await;
    let c = connector(&sb, |_| {});
    let sample = RawOrder {
        external_id: Some("gid://shopify/Order/450789469".into()),
        content_type: "application/json".into(),
        body: SAMPLE.to_vec(),
    };
    testkit::normalize_never_panics(&c, &sample).unwrap();
    let pulled = c.pull(&Cursor::default()).await.unwrap();
    testkit::normalize_never_panics(&c, &pulled.orders[0]).unwrap();
}
