//! The app's request budget, seen from the sandbox gateway's per-second limit (code
//! 60000): a connector that waits on its budget is never refused, two that share one are
//! not either, two with budgets of their own are (the control), and a turn further away
//! than `max_wait_secs` comes back as `Throttled` without a request.
//!
//! The sandbox counts calls in one-second windows, so a client paced at `r`/s with a
//! burst of `b` puts at most `b + r` calls in a window; the sandbox's limit is kept a few
//! calls above that, so arrival jitter on a loaded machine is not a spurious 60000.

mod common;

use common::connector;
use shipgate_douyin::sandbox::{DouyinSandbox, SandboxConfig};
use shipgate_douyin::DouyinConnector;
use shipgate_sdk::{ConnectorError, LocalBudget, Source};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The rate the connectors in the rate tests are configured with.
const CLIENT_RATE: f64 = 10.0;
/// The burst the connectors in the rate tests are configured with.
const CLIENT_BURST: u32 = 2;
/// The sandbox's calls per second: room for 4 late calls over what one paced budget
/// puts in a window (`CLIENT_BURST + CLIENT_RATE`), and well under what two budgets do.
const APP_QPS: u32 = 16;

async fn limited_sandbox(qps: u32) -> DouyinSandbox {
    DouyinSandbox::start(SandboxConfig {
        orders: 3,
        qps: Some(qps),
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts")
}

fn paced(sb: &DouyinSandbox) -> DouyinConnector {
    connector(sb, |c| {
        c.requests_per_second = CLIENT_RATE;
        c.burst = CLIENT_BURST;
    })
}

/// `n` order reads at once (each an `order.orderDetail` and an `order.batchDecrypt`).
async fn fetches(
    shop: Arc<DouyinConnector>,
    ids: &[String],
    n: usize,
) -> Vec<Result<(), ConnectorError>> {
    let calls = (0..n).map(|i| {
        let shop = shop.clone();
        let id = ids[i % ids.len()].clone();
        tokio::spawn(async move { shop.fetch(&id).await.map(|_| ()) })
    });
    let mut out = Vec::new();
    for call in calls.collect::<Vec<_>>() {
        out.push(call.await.expect("task"));
    }
    out
}

#[tokio::test]
async fn a_connector_on_the_budget_is_never_refused_and_keeps_the_rate() {
    let sb = limited_sandbox(APP_QPS).await;
    let ids = sb.order_ids();
    let shop = Arc::new(paced(&sb));
    let started = Instant::now();
    let results = fetches(shop, &ids, 6).await;
    let elapsed = started.elapsed();
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(sb.rate_limited(), 0);
    // Every call the sandbox saw (the token call included) took a turn.
    let calls = sb.requests();
    assert!(calls >= 12, "{calls} calls");
    let paced_for = Duration::from_secs_f64((calls - CLIENT_BURST as usize) as f64 / CLIENT_RATE);
    assert!(
        elapsed >= paced_for.mul_f64(0.9) && elapsed < paced_for * 2 + Duration::from_secs(1),
        "{calls} calls at {CLIENT_RATE}/s after a burst of {CLIENT_BURST} took {elapsed:?}"
    );
}

#[tokio::test]
async fn two_connectors_sharing_a_budget_share_the_rate_and_separate_ones_do_not() {
    let sb = limited_sandbox(APP_QPS).await;
    let ids = sb.order_ids();
    let shared = Arc::new(LocalBudget::new());
    let a = Arc::new(paced(&sb).with_budget(shared.clone()));
    let b = Arc::new(paced(&sb).with_budget(shared));
    let (ra, rb) = tokio::join!(fetches(a, &ids, 6), fetches(b, &ids, 6));
    assert!(ra.iter().chain(&rb).all(Result::is_ok), "{ra:?} {rb:?}");
    assert_eq!(sb.rate_limited(), 0, "one budget for one app");

    let sb = limited_sandbox(APP_QPS).await;
    let ids = sb.order_ids();
    let a = Arc::new(paced(&sb));
    let b = Arc::new(paced(&sb));
    let _ = tokio::join!(fetches(a, &ids, 6), fetches(b, &ids, 6));
    assert!(
        sb.rate_limited() > 0,
        "two budgets for one app go over its limit"
    );
}

#[tokio::test]
async fn a_turn_further_than_max_wait_is_throttled_without_a_request() {
    let sb = limited_sandbox(APP_QPS).await;
    let ids = sb.order_ids();
    let shop = connector(&sb, |c| {
        c.requests_per_second = 1.0;
        c.burst = 1;
        c.max_wait_secs = 0;
    });
    let err = shop.fetch(&ids[0]).await.unwrap_err();
    assert!(
        matches!(err, ConnectorError::Throttled { retry_after: Some(wait), .. } if wait > Duration::from_millis(500)),
        "{err:?}"
    );
    assert_eq!(
        (sb.token_calls(), sb.requests(), sb.rate_limited()),
        (1, 1, 0),
        "the token call took the only turn; the order call was never sent"
    );
}
