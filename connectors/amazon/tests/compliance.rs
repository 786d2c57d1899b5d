//! The connector contract (`docs/specs/connector.md`) proven against the Amazon sandbox:
//! every check of `shipgate_sdk::testkit`.

mod common;

use common::{connector, sandbox};
use shipgate_amazon::sandbox::data::sample_orders;
use shipgate_sdk::model::{CarrierRef, OrderStatus, Shipment, TrackingNumber};
use shipgate_sdk::testkit;
use shipgate_sdk::{RawOrder, Source};

/// More orders than the 10 a test page holds.
const ORDERS: usize = 35;

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
        sb.corrupt_order(id, serde_json::json!({ "proceeds": { "grandTotal": { "amount": 12.5, "currencyCode": "JPY" } } }))
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn an_element_that_is_not_an_order_is_rejected_and_the_rest_goes_on() {
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
async fn bad_credentials_are_permanent_and_secrets_stay_out() {
    let sb = sandbox(5).await;
    let c = connector(&sb, |_| {});
    let refresh = sb.refresh_token();
    let secret = c.config().client_secret.clone();
    testkit::secret_stays_out_of_debug(&c, &refresh).unwrap();
    testkit::secret_stays_out_of_debug(&c, &secret).unwrap();
    testkit::bad_credentials_are_permanent(&c, || sb.revoke(), &refresh)
        .await
        .unwrap();
}

#[tokio::test]
async fn push_is_idempotent() {
    let sb = sandbox(12).await;
    let c = connector(&sb, |_| {});
    let (raws, _, _) = common::pull_all(&c, Default::default()).await;
    let order = raws
        .iter()
        .map(|r| c.normalize(r).unwrap())
        .find(|o| o.status == OrderStatus::Open)
        .expect("the sandbox has an unshipped order");
    let shipment = Shipment {
        tracking_number: TrackingNumber::parse("1Z999AA10123456784").unwrap(),
        carrier: CarrierRef::new(Some("ups".into()), "UPS"),
        tracking_url: None,
        shipped_at: None,
        notify_customer: false,
    };
    testkit::push_is_idempotent(&c, &order, &shipment, |id| {
        sb.confirmed().iter().filter(|s| s.order_id == id).count()
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn normalize_never_panics_on_damaged_samples() {
    let sb = sandbox(1).await;
    let c = connector(&sb, |_| {});
    for order in sample_orders() {
        let sample = RawOrder {
            external_id: order["orderId"].as_str().map(str::to_string),
            content_type: "application/json".into(),
            body: serde_json::to_vec(&order).unwrap(),
        };
        testkit::normalize_never_panics(&c, &sample).unwrap();
    }
}
