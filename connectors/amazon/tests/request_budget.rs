//! The seller's request budgets, seen from the sandbox's usage plans: a connector that
//! waits on its budget is never refused with 429 `QuotaExceeded`, two that share one are
//! not either, two with budgets of their own are (the control), and a turn further away
//! than `max_wait_secs` comes back as `Throttled` without a request.
//!
//! The client's burst is kept under the sandbox's bucket, as a careful operator sets it:
//! requests spaced by the budget can still reach the server closer together (a slow
//! first connection, a loaded machine), and the spare room absorbs that jitter.

mod common;

use common::{connector, origin};
use shipgate_amazon::sandbox::{AmazonSandbox, SandboxConfig};
use shipgate_amazon::usage_plan::UsagePlan;
use shipgate_amazon::{AmazonConnector, Operation};
use shipgate_sdk::{ConnectorError, LocalBudget};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The sandbox's bucket per operation in the rate tests, with room for this many late
/// requests over [`CLIENT_BURST`].
const SELLER_BUCKET: u32 = 6;
/// The burst the connectors in the rate tests are configured with.
const CLIENT_BURST: u32 = 2;

async fn limited_sandbox(per_second: f64, burst: u32) -> AmazonSandbox {
    let plan = UsagePlan {
        requests_per_second: per_second,
        burst,
    };
    AmazonSandbox::start(SandboxConfig {
        orders: 3,
        seed: 7,
        plans: Operation::ALL.iter().map(|op| (*op, plan)).collect(),
    })
    .await
    .expect("sandbox starts")
}

/// A connector whose `getOrder` plan is `per_second` with `burst`, as configured.
fn paced(sb: &AmazonSandbox, per_second: f64, burst: u32) -> AmazonConnector {
    connector(sb, |c| {
        c.usage_plans.insert(
            Operation::GetOrder.name().into(),
            UsagePlan {
                requests_per_second: per_second,
                burst,
            },
        );
    })
}

async fn get_orders(
    seller: Arc<AmazonConnector>,
    ids: &[String],
    n: usize,
) -> Vec<Result<(), ConnectorError>> {
    let calls = (0..n).map(|i| {
        let seller = seller.clone();
        let id = ids[i % ids.len()].clone();
        tokio::spawn(async move { seller.get_order(&id).await.map(|_| ()) })
    });
    let mut out = Vec::new();
    for call in calls.collect::<Vec<_>>() {
        out.push(call.await.expect("task"));
    }
    out
}

#[tokio::test]
async fn a_connector_on_the_budget_is_never_refused_and_keeps_the_rate() {
    let sb = limited_sandbox(10.0, SELLER_BUCKET).await;
    let ids = sb.order_ids();
    let seller = Arc::new(paced(&sb, 10.0, CLIENT_BURST));
    let started = Instant::now();
    let results = get_orders(seller.clone(), &ids, 12).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(sb.rate_limited(), 0);
    assert_eq!(sb.requests(), 12);
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(900) && elapsed < Duration::from_secs(4),
        "12 requests at 10/s after a burst of 2 took {elapsed:?}"
    );
    assert_eq!(
        seller.request_rate(Operation::GetOrder).per_second(),
        10.0,
        "x-amzn-RateLimit-Limit agreed with the configured plan"
    );
}

#[tokio::test]
async fn two_connectors_sharing_a_budget_share_the_plan_and_separate_ones_do_not() {
    let sb = limited_sandbox(10.0, SELLER_BUCKET).await;
    let ids = sb.order_ids();
    let shared = Arc::new(LocalBudget::new());
    let a = Arc::new(paced(&sb, 10.0, CLIENT_BURST).with_budget(shared.clone()));
    let b = Arc::new(paced(&sb, 10.0, CLIENT_BURST).with_budget(shared));
    let (ra, rb) = tokio::join!(get_orders(a, &ids, 8), get_orders(b, &ids, 8));
    assert!(ra.iter().chain(&rb).all(Result::is_ok), "{ra:?} {rb:?}");
    assert_eq!(sb.rate_limited(), 0, "one budget for one seller");

    let sb = limited_sandbox(10.0, SELLER_BUCKET).await;
    let ids = sb.order_ids();
    let a = Arc::new(paced(&sb, 10.0, CLIENT_BURST));
    let b = Arc::new(paced(&sb, 10.0, CLIENT_BURST));
    let _ = tokio::join!(get_orders(a, &ids, 8), get_orders(b, &ids, 8));
    assert!(
        sb.rate_limited() > 0,
        "two budgets for one seller go over its usage plan"
    );
}

#[tokio::test]
async fn a_turn_further_than_max_wait_is_throttled_without_a_request() {
    let sb = limited_sandbox(1.0, 1).await;
    let ids = sb.order_ids();
    let mut config = sb.amazon_config();
    config.max_wait_secs = 0;
    config.usage_plans.insert(
        Operation::GetOrder.name().into(),
        UsagePlan {
            requests_per_second: 1.0,
            burst: 1,
        },
    );
    let seller = AmazonConnector::new(config, origin()).unwrap();
    seller.get_order(&ids[0]).await.unwrap();
    let err = seller.get_order(&ids[0]).await.unwrap_err();
    assert!(
        matches!(err, ConnectorError::Throttled { retry_after: Some(wait), .. } if wait > Duration::from_millis(500)),
        "{err:?}"
    );
    assert_eq!((sb.requests(), sb.rate_limited()), (1, 0));
}
