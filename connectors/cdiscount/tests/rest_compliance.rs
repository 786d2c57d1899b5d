//! The connector contract proven against the Octopia REST sandbox with the sdk testkit.

mod common;

use common::{rest, shipment};
use serde_json::json;
use shipgate_cdiscount::sandbox::RestSandbox;
use shipgate_sdk::testkit;
use shipgate_sdk::{Cursor, RawOrder, Source};

const ORDERS: usize = 35;

#[tokio::test]
async fn pulls_everything_once() {
    let sb = RestSandbox::start(ORDERS).await.unwrap();
    testkit::pulls_everything_once(&rest(&sb, |_| {}), &sb.order_ids())
        .await
        .unwrap();
}

#[tokio::test]
async fn resumes_from_a_saved_cursor() {
    let sb = RestSandbox::start(ORDERS).await.unwrap();
    testkit::resumes_from_a_saved_cursor(|| rest(&sb, |_| {}), &sb.order_ids())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_broken_field_is_quarantined_and_the_rest_goes_on() {
    let sb = RestSandbox::start(ORDERS).await.unwrap();
    let c = rest(&sb, |_| {});
    testkit::bad_records_are_quarantined_and_the_rest_goes_on(&c, &sb.order_ids(), |id| {
        sb.corrupt_order(id, json!({ "totalPrice": "oops" }))
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn an_item_that_is_not_an_order_is_rejected_and_the_rest_goes_on() {
    let sb = RestSandbox::start(ORDERS).await.unwrap();
    let c = rest(&sb, |_| {});
    testkit::bad_records_are_quarantined_and_the_rest_goes_on(&c, &sb.order_ids(), |id| {
        sb.corrupt_order(id, json!(42))
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn throttling_is_retryable() {
    let sb = RestSandbox::start(5).await.unwrap();
    let c = rest(&sb, |_| {});
    testkit::throttling_is_retryable(
        &c,
        |n, s| sb.faults().fail_next(n, s),
        || sb.faults().requests(),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn server_errors_are_retryable_and_client_errors_permanent() {
    let sb = RestSandbox::start(5).await.unwrap();
    let c = rest(&sb, |_| {});
    testkit::server_errors_are_retryable(&c, |n, s| sb.faults().fail_next(n, s))
        .await
        .unwrap();
    testkit::client_errors_are_permanent(&c, |n, s| sb.faults().fail_next(n, s))
        .await
        .unwrap();
}

#[tokio::test]
async fn bad_credentials_are_permanent_and_the_secret_stays_secret() {
    let sb = RestSandbox::start(5).await.unwrap();
    let c = rest(&sb, |_| {});
    let secret = sb.client_secret();
    c.pull(&Cursor::default()).await.unwrap();
    testkit::secret_stays_out_of_debug(&c, &secret).unwrap();
    testkit::secret_stays_out_of_debug(c.config(), &secret).unwrap();
    testkit::bad_credentials_are_permanent(&c, || sb.rotate_secret("rotated"), &secret)
        .await
        .unwrap();
}

#[tokio::test]
async fn push_is_idempotent() {
    let sb = RestSandbox::start(3).await.unwrap();
    let c = rest(&sb, |_| {});
    let page = c.pull(&Cursor::default()).await.unwrap();
    let order = c.normalize(&page.orders[0]).unwrap();
    testkit::push_is_idempotent(&c, &order, &shipment(Some("Colissimo")), |id| {
        sb.shipments().iter().filter(|s| s.order_id == id).count()
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn normalize_never_panics_on_damaged_samples() {
    let sb = RestSandbox::start(1).await.unwrap();
    let c = rest(&sb, |_| {});
    let sample = RawOrder {
        external_id: Some("2311231015ABCDE".into()),
        content_type: "application/json".into(),
        body: include_bytes!("data/rest_order.json").to_vec(),
    };
    testkit::normalize_never_panics(&c, &sample).unwrap();
}
