//! The Octopia REST path over loopback: token reuse, SellerId, paging by update date,
//! typed error bodies, throttling, timeouts, and the shipment push.

mod common;

use common::{rest, shipment};
use shipgate_cdiscount::sandbox::RestSandbox;
use shipgate_sdk::{ConnectorError, Cursor, Source, Storefront};
use std::time::Duration;

#[tokio::test]
async fn one_token_serves_every_page_and_pages_follow_update_order() {
    let sb = RestSandbox::start(25).await.unwrap();
    let c = rest(&sb, |_| {});
    let mut cursor = Cursor::default();
    let mut seen = Vec::new();
    loop {
        let page = c.pull(&cursor).await.unwrap();
        seen.extend(page.orders.iter().map(|o| o.external_id.clone().unwrap()));
        cursor = page.next;
        if !page.has_more {
            break;
        }
    }
    assert_eq!(seen, sb.order_ids());
    assert_eq!(
        sb.tokens_issued(),
        1,
        "the token must be cached across pages"
    );
    assert_eq!(sb.faults().requests(), 3);
    let since = cursor
        .updated_since
        .expect("the final cursor carries a window start");
    let last = sb.orders().last().unwrap()["updatedAt"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        since + chrono::Duration::seconds(60),
        chrono::DateTime::parse_from_rfc3339(&last).unwrap()
    );
}

#[tokio::test]
async fn a_wrong_seller_id_is_unauthorized_with_the_problem_detail() {
    let sb = RestSandbox::start(2).await.unwrap();
    let c = rest(&sb, |c| c.seller_id = "12345".into());
    match c.pull(&Cursor::default()).await.unwrap_err() {
        ConnectorError::Unauthorized { status, message } => {
            assert_eq!(status, 403);
            assert!(message.contains("SellerId header missing"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_revoked_token_is_replaced_once_without_failing_the_pull() {
    let sb = RestSandbox::start(2).await.unwrap();
    let c = rest(&sb, |_| {});
    c.pull(&Cursor::default()).await.unwrap();
    let secret = sb.client_secret();
    sb.rotate_secret(&secret);
    c.pull(&Cursor::default()).await.unwrap();
    assert_eq!(sb.tokens_issued(), 2);
}

#[tokio::test]
async fn throttled_answers_carry_retry_after_and_the_problem_title() {
    let sb = RestSandbox::start(2).await.unwrap();
    let c = rest(&sb, |_| {});
    sb.faults().fail_next(1, 429);
    let err = c.pull(&Cursor::default()).await.unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(1)));
    assert!(err.to_string().contains("Too Many Requests"), "{err}");
    assert!(c.pull(&Cursor::default()).await.is_ok());
}

#[tokio::test]
async fn a_timeout_is_a_retryable_transport_error() {
    let sb = RestSandbox::start(2).await.unwrap();
    let c = rest(&sb, |c| c.request_timeout_secs = 1);
    c.pull(&Cursor::default()).await.unwrap();
    sb.faults().delay_next(1, Duration::from_millis(1500));
    let err = c.pull(&Cursor::default()).await.unwrap_err();
    assert!(
        matches!(err, ConnectorError::Transport(_)) && err.is_retryable(),
        "{err:?}"
    );
}

#[tokio::test]
async fn shipment_sends_parcel_carrier_and_lines_in_preparation() {
    let sb = RestSandbox::start(2).await.unwrap();
    let c = rest(&sb, |_| {});
    let page = c.pull(&Cursor::default()).await.unwrap();
    let order = c.normalize(&page.orders[1]).unwrap();
    let r = c
        .push_fulfillment(&order, &shipment(Some("Colissimo")))
        .await
        .unwrap();
    assert!(!r.already_existed);
    let rec = &sb.shipments()[0];
    assert_eq!(rec.order_id, order.source.external_id);
    assert_eq!(rec.parcel_number, "6A12345678901");
    assert_eq!(rec.carrier_name, "Colissimo");
    assert_eq!(rec.order_line_ids, ["1", "2"]);
    assert!(rec
        .tracking_url
        .as_deref()
        .unwrap()
        .contains("6A12345678901"));
    let after = sb.orders();
    let o = after
        .iter()
        .find(|o| o["orderId"] == order.source.external_id.as_str())
        .unwrap();
    assert_eq!(o["status"], "Shipped");
}

#[tokio::test]
async fn a_carrier_without_cdiscount_name_is_refused_naming_the_mapping_file() {
    let sb = RestSandbox::start(1).await.unwrap();
    let c = rest(&sb, |_| {});
    let page = c.pull(&Cursor::default()).await.unwrap();
    let order = c.normalize(&page.orders[0]).unwrap();
    match c
        .push_fulfillment(&order, &shipment(None))
        .await
        .unwrap_err()
    {
        ConnectorError::Rejected { message, .. } => {
            assert!(message.contains("Colissimo"), "{message}");
            assert!(
                message.contains("mappings/carriers/colissimo.toml"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(sb.shipments().is_empty());
}

#[tokio::test]
async fn pushing_an_order_that_no_longer_exists_is_not_found() {
    let sb = RestSandbox::start(1).await.unwrap();
    let c = rest(&sb, |_| {});
    let page = c.pull(&Cursor::default()).await.unwrap();
    let mut order = c.normalize(&page.orders[0]).unwrap();
    order.source.external_id = "NOPE".into();
    let err = c
        .push_fulfillment(&order, &shipment(Some("Colissimo")))
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::NotFound(_)), "{err:?}");
}
