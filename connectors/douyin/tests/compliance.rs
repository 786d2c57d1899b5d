//! The connector contract proven against the Douyin sandbox: every check of
//! `shipgate_sdk::testkit`, driven through the sandbox's fault injection, authorization
//! revocation, corruption and logisticsAdd record.

mod common;

use common::{connector, sandbox};
use shipgate_sdk::model::{CarrierRef, OrderStatus, Shipment, TrackingNumber};
use shipgate_sdk::testkit;
use shipgate_sdk::{Cursor, Source};

/// More orders than the 10 a sandbox-configured page holds.
const ORDERS: usize = 25;

#[tokio::test]
async fn pulls_everything_once() {
    let sb = sandbox(ORDERS).await;
    let c = connector(&sb, |_| {});
    testkit::pulls_everything_once(&c, &sb.order_ids())
        .await
        .unwrap();
}

#[tokio::test]
async fn resumes_from_a_saved_cursor() {
    let sb = sandbox(ORDERS).await;
    testkit::resumes_from_a_saved_cursor(|| connector(&sb, |_| {}), &sb.order_ids())
        .await
        .unwrap();
}

#[tokio::test]
async fn an_order_with_a_broken_field_is_quarantined_and_the_rest_goes_on() {
    let sb = sandbox(ORDERS).await;
    let c = connector(&sb, |_| {});
    testkit::bad_records_are_quarantined_and_the_rest_goes_on(&c, &sb.order_ids(), |id| {
        sb.corrupt_order(id, serde_json::json!({ "pay_amount": "oops" }))
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn a_record_that_is_not_an_order_is_rejected_and_the_rest_goes_on() {
    let sb = sandbox(ORDERS).await;
    let c = connector(&sb, |_| {});
    testkit::bad_records_are_quarantined_and_the_rest_goes_on(&c, &sb.order_ids(), |id| {
        sb.corrupt_order(id, serde_json::json!(42))
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn throttling_is_retryable() {
    let sb = sandbox(5).await;
    let c = connector(&sb, |_| {});
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
async fn bad_credentials_are_permanent_and_secrets_stay_secret() {
    let sb = sandbox(5).await;
    let c = connector(&sb, |_| {});
    c.pull(&Cursor::default()).await.unwrap();
    let token = sb.current_token().expect("a token was issued");
    testkit::secret_stays_out_of_debug(&c, &token).unwrap();
    testkit::secret_stays_out_of_debug(&c, &c.config().app_secret).unwrap();
    testkit::secret_stays_out_of_debug(c.config(), &c.config().app_secret).unwrap();
    testkit::bad_credentials_are_permanent(&c, || sb.revoke(), &token)
        .await
        .unwrap();
}

#[tokio::test]
async fn push_is_idempotent() {
    let sb = sandbox(5).await;
    let c = connector(&sb, |_| {});
    let (raws, _) = common::pull_all(&c, Cursor::default()).await;
    let order = raws
        .iter()
        .map(|r| c.normalize(r).unwrap())
        .find(|o| o.status == OrderStatus::Open)
        .expect("the sandbox has an open order");
    let mut carrier = CarrierRef::new(Some("zto".into()), "ZTO Express");
    carrier.storefront_code = Some("zhongtong".into());
    let shipment = Shipment {
        tracking_number: TrackingNumber::parse("78000000000001").unwrap(),
        carrier,
        tracking_url: None,
        shipped_at: None,
        notify_customer: false,
    };
    testkit::push_is_idempotent(&c, &order, &shipment, |id| {
        sb.logistics_calls()
            .iter()
            .filter(|l| l.order_id == id)
            .count()
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn normalize_never_panics_on_damaged_orders() {
    let sb = sandbox(10).await;
    let c = connector(&sb, |_| {});
    let page = c.pull(&Cursor::default()).await.unwrap();
    for raw in page.orders.iter().take(4) {
        testkit::normalize_never_panics(&c, raw).unwrap();
    }
}
