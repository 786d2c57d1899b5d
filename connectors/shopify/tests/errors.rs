//! Error classes over real HTTP: throttling against the cost bucket, 429 and 5xx,
//! revoked tokens.

mod common;

use common::{connector, origin};
use shipgate_sdk::{ConnectorError, Cursor, Source};
use shipgate_shopify::sandbox::{SandboxConfig, ShopifySandbox, INVALID_TOKEN_BODY};
use shipgate_shopify::ShopifyConnector;
use std::time::{Duration, Instant};

async fn small_bucket(size: f64, rate: f64) -> ShopifySandbox {
    ShopifySandbox::start(SandboxConfig {
        orders: 60,
        bucket_size: size,
        restore_rate: rate,
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn a_small_bucket_makes_the_client_wait_and_never_go_negative() {
    // Shopify charges the requested cost (847 points for a page of 13) up front and
    // refunds down to the actual cost (a few hundred) after: every page after the first
    // needs more than the bucket holds at that moment.
    let sb = small_bucket(1000.0, 1000.0).await;
    let c = connector(&sb, |_| {});
    let started = Instant::now();
    let mut cursor = Cursor::default();
    let mut pulled = 0;
    loop {
        let page = c.pull(&cursor).await.unwrap();
        pulled += page.orders.len();
        cursor = page.next;
        if !page.has_more {
            break;
        }
    }
    assert_eq!(pulled, 60);
    let status = c.throttle_status().expect("the client tracks the bucket");
    assert_eq!(status.maximum_available, 1000.0);
    assert_eq!(status.restore_rate, 1000.0);
    assert!(sb.lowest_available() >= 0.0);
    let cost = c.last_query_cost("orders").unwrap();
    assert_eq!(cost.requested_query_cost, Some(847.0));
    assert!(cost.actual_query_cost.unwrap() < 847.0, "{cost:?}");
    // Five pages of 847 requested points through a 1,000-point bucket restoring
    // 1,000/s: the client had to wait for refills (about a second in all), not fail.
    assert!(
        started.elapsed() >= Duration::from_millis(400),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_long_refill_is_returned_as_throttled_with_the_computed_wait() {
    let sb = small_bucket(1000.0, 20.0).await;
    let a = connector(&sb, |c| {
        c.max_wait_secs = 1;
    });
    a.pull(&Cursor::default()).await.unwrap();
    let before = sb.requests();
    // The client knows the bucket is nearly empty: it does not even send.
    let err = a.pull(&Cursor::default()).await.unwrap_err();
    assert!(err.is_retryable());
    let wait = err.retry_after().unwrap();
    assert!(
        wait > Duration::from_secs(1) && wait < Duration::from_secs(12),
        "{wait:?}"
    );
    assert_eq!(sb.requests(), before);

    // A second worker that has not seen the bucket sends, gets THROTTLED from the shop,
    // and reports the wait Shopify's numbers imply.
    let b = connector(&sb, |c| {
        c.max_wait_secs = 0;
    });
    let err = b.pull(&Cursor::default()).await.unwrap_err();
    match &err {
        ConnectorError::Throttled {
            retry_after: Some(wait),
            message,
        } => {
            assert!(message.contains("THROTTLED"), "{message}");
            let s = b.throttle_status().unwrap();
            assert!(s.currently_available < 847.0, "{s:?}");
            assert!(*wait > Duration::from_secs(1), "{wait:?}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(sb.requests(), before + 1);
    assert!(sb.lowest_available() >= 0.0);
}

#[tokio::test]
async fn http_429_and_500_are_retryable_and_the_next_call_works() {
    let sb = ShopifySandbox::start(SandboxConfig {
        orders: 5,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let c = connector(&sb, |_| {});
    sb.fail_next(1, 429);
    let err = c.pull(&Cursor::default()).await.unwrap_err();
    assert!(matches!(err, ConnectorError::Throttled { .. }), "{err}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(1)));
    assert!(err.is_retryable());

    sb.fail_next(1, 500);
    let err = c.pull(&Cursor::default()).await.unwrap_err();
    assert!(
        matches!(err, ConnectorError::Remote { status: 500, .. }),
        "{err}"
    );
    assert!(err.is_retryable());

    assert_eq!(c.pull(&Cursor::default()).await.unwrap().orders.len(), 5);
}

#[tokio::test]
async fn a_revoked_token_is_unauthorized_and_not_retryable() {
    let sb = ShopifySandbox::start(SandboxConfig {
        orders: 5,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let c = connector(&sb, |_| {});
    c.check().await.unwrap();
    sb.set_token("shpat_rotated");
    for err in [
        c.pull(&Cursor::default()).await.unwrap_err(),
        c.check().await.unwrap_err(),
    ] {
        match &err {
            ConnectorError::Unauthorized {
                status: 401,
                message,
            } => assert!(message.contains("Invalid API key or access token")),
            other => panic!("{other:?}"),
        }
        assert!(!err.is_retryable());
    }
    assert!(INVALID_TOKEN_BODY.contains("[API]"));
}

#[tokio::test]
async fn nothing_listening_is_a_transport_error() {
    let mut config = shipgate_shopify::ShopifyConfig::new("http://127.0.0.1:9", "t");
    config.request_timeout_secs = 2;
    let c = ShopifyConnector::new(config, origin()).unwrap();
    let err = c.pull(&Cursor::default()).await.unwrap_err();
    assert!(matches!(err, ConnectorError::Transport(_)), "{err}");
    assert!(err.is_retryable());
}

#[test]
fn an_invalid_config_is_refused_at_construction() {
    let mut config = shipgate_shopify::ShopifyConfig::new("https://x.myshopify.com", "t");
    config.page_size = 0;
    let err = ShopifyConnector::new(config, origin()).unwrap_err();
    assert!(err.to_string().contains("page_size"), "{err}");
}
