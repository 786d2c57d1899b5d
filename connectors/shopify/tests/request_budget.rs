//! The shop's request budget, seen from the sandbox: a connector that waits on it is never
//! refused for going too fast, one that does not wait is, and a wait longer than
//! `max_wait_secs` comes back as `Throttled` without a request.
//!
//! The client's burst is kept under the shop's bucket, as a careful operator sets it:
//! requests spaced by the budget can still reach the server closer together (a slow
//! first connection, a loaded machine), and the spare room absorbs that jitter.

mod common;

use common::{connector, origin};
use shipgate_sdk::{ConnectorError, LocalBudget};
use shipgate_shopify::sandbox::{SandboxConfig, ShopifySandbox};
use shipgate_shopify::ShopifyConnector;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The shop's bucket in the rate tests, with room for this many late requests over
/// [`CLIENT_BURST`].
const SHOP_BUCKET: u32 = 6;
/// The burst the connectors in the rate tests are configured with.
const CLIENT_BURST: u32 = 2;

async fn limited_sandbox(per_second: f64, bucket: u32) -> ShopifySandbox {
    ShopifySandbox::start(SandboxConfig {
        orders: 3,
        requests_per_second: Some(per_second),
        request_bucket: bucket,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts")
}

async fn checks(shop: Arc<ShopifyConnector>, n: usize) -> Vec<Result<(), ConnectorError>> {
    let calls = (0..n).map(|_| {
        let shop = shop.clone();
        tokio::spawn(async move { shop.check().await.map(|_| ()) })
    });
    let mut out = Vec::new();
    for call in calls.collect::<Vec<_>>() {
        out.push(call.await.expect("task"));
    }
    out
}

#[tokio::test]
async fn a_connector_on_the_budget_is_never_refused_and_keeps_the_rate() {
    let sb = limited_sandbox(10.0, SHOP_BUCKET).await;
    let shop = Arc::new(connector(&sb, |c| c.burst = CLIENT_BURST));
    let started = Instant::now();
    let results = checks(shop, 12).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(sb.rate_limited(), 0);
    assert_eq!(sb.served_at().len(), 12);
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(900) && elapsed < Duration::from_secs(3),
        "12 requests at 10/s after a burst of 2 took {elapsed:?}"
    );
}

#[tokio::test]
async fn two_connectors_sharing_a_budget_share_the_rate_and_separate_ones_do_not() {
    let sb = limited_sandbox(10.0, SHOP_BUCKET).await;
    let shared = Arc::new(LocalBudget::new());
    let a = Arc::new(connector(&sb, |c| c.burst = CLIENT_BURST).with_budget(shared.clone()));
    let b = Arc::new(connector(&sb, |c| c.burst = CLIENT_BURST).with_budget(shared));
    let (ra, rb) = tokio::join!(checks(a, 8), checks(b, 8));
    assert!(ra.iter().chain(&rb).all(Result::is_ok));
    assert_eq!(sb.rate_limited(), 0, "one budget for one shop");

    let sb = limited_sandbox(10.0, SHOP_BUCKET).await;
    let a = Arc::new(connector(&sb, |c| c.burst = CLIENT_BURST));
    let b = Arc::new(connector(&sb, |c| c.burst = CLIENT_BURST));
    let _ = tokio::join!(checks(a, 8), checks(b, 8));
    assert!(
        sb.rate_limited() > 0,
        "two budgets for one shop go over its limit"
    );
}

#[tokio::test]
async fn a_turn_further_than_max_wait_is_throttled_without_a_request() {
    let sb = limited_sandbox(1.0, 1).await;
    let mut config = sb.shopify_config();
    config.max_wait_secs = 0;
    let shop = ShopifyConnector::new(config, origin()).unwrap();
    shop.check().await.unwrap();
    let err = shop.check().await.unwrap_err();
    assert!(
        matches!(err, ConnectorError::Throttled { retry_after: Some(wait), .. } if wait > Duration::from_millis(500)),
        "{err:?}"
    );
    assert_eq!((sb.requests(), sb.rate_limited()), (1, 0));
}
