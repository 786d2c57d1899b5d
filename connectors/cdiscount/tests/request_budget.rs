//! The seller account's request budget, seen from the Octopia sandbox's request limit
//! (429 problem with `Retry-After`): a connector that waits on its budget is never
//! refused, two that share one are not either, two with budgets of their own are (the
//! control), and a turn further away than `max_wait_secs` comes back as `Throttled`
//! without a request, on either API.
//!
//! The client's burst is kept under the sandbox's bucket: requests spaced by the budget
//! can still reach the server closer together (a slow first connection, a loaded
//! machine), and the spare room absorbs that jitter.

mod common;

use shipgate_cdiscount::sandbox::{RestSandbox, SoapSandbox};
use shipgate_cdiscount::CdiscountConnector;
use shipgate_sdk::{ConnectorError, Cursor, LocalBudget, Source};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The sandbox's bucket in the rate tests, with room for this many late requests over
/// [`CLIENT_BURST`].
const SELLER_BUCKET: u32 = 6;
/// The burst the connectors in the rate tests are configured with.
const CLIENT_BURST: u32 = 2;

async fn limited_sandbox(per_second: f64, bucket: u32) -> RestSandbox {
    let sb = RestSandbox::start(3).await.expect("sandbox starts");
    sb.limit().set(per_second, bucket);
    sb
}

fn paced(sb: &RestSandbox, per_second: f64, burst: u32) -> CdiscountConnector {
    common::rest(sb, |c| {
        c.budget.requests_per_second = per_second;
        c.budget.burst = burst;
    })
}

async fn pulls(seller: Arc<CdiscountConnector>, n: usize) -> Vec<Result<(), ConnectorError>> {
    let calls = (0..n).map(|_| {
        let seller = seller.clone();
        tokio::spawn(async move { seller.pull(&Cursor::default()).await.map(|_| ()) })
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
    let seller = Arc::new(paced(&sb, 10.0, CLIENT_BURST));
    let started = Instant::now();
    let results = pulls(seller, 12).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(sb.limit().refused(), 0);
    assert_eq!(sb.faults().requests(), 12);
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(900) && elapsed < Duration::from_secs(4),
        "12 requests at 10/s after a burst of 2 took {elapsed:?}"
    );
}

#[tokio::test]
async fn two_connectors_sharing_a_budget_share_the_rate_and_separate_ones_do_not() {
    let sb = limited_sandbox(10.0, SELLER_BUCKET).await;
    let shared = Arc::new(LocalBudget::new());
    let a = Arc::new(paced(&sb, 10.0, CLIENT_BURST).with_budget(shared.clone()));
    let b = Arc::new(paced(&sb, 10.0, CLIENT_BURST).with_budget(shared));
    let (ra, rb) = tokio::join!(pulls(a, 8), pulls(b, 8));
    assert!(ra.iter().chain(&rb).all(Result::is_ok), "{ra:?} {rb:?}");
    assert_eq!(sb.limit().refused(), 0, "one budget for one seller");

    let sb = limited_sandbox(10.0, SELLER_BUCKET).await;
    let a = Arc::new(paced(&sb, 10.0, CLIENT_BURST));
    let b = Arc::new(paced(&sb, 10.0, CLIENT_BURST));
    let _ = tokio::join!(pulls(a, 8), pulls(b, 8));
    assert!(
        sb.limit().refused() > 0,
        "two budgets for one seller go over its limit"
    );
}

#[tokio::test]
async fn a_turn_further_than_max_wait_is_throttled_without_a_request() {
    let sb = limited_sandbox(1.0, 1).await;
    let seller = common::rest(&sb, |c| {
        c.budget.requests_per_second = 1.0;
        c.budget.burst = 1;
        c.budget.max_wait_secs = 0;
    });
    seller.pull(&Cursor::default()).await.unwrap();
    let err = seller.pull(&Cursor::default()).await.unwrap_err();
    assert!(
        matches!(err, ConnectorError::Throttled { retry_after: Some(wait), .. } if wait > Duration::from_millis(500)),
        "{err:?}"
    );
    assert_eq!((sb.faults().requests(), sb.limit().refused()), (1, 0));

    let sb = SoapSandbox::start(3).await.expect("sandbox starts");
    let seller = common::soap(&sb, |c| {
        c.budget.requests_per_second = 1.0;
        c.budget.burst = 1;
        c.budget.max_wait_secs = 0;
    });
    seller.pull(&Cursor::default()).await.unwrap();
    let before = sb.faults().requests();
    let err = seller.pull(&Cursor::default()).await.unwrap_err();
    assert!(
        matches!(err, ConnectorError::Throttled { retry_after: Some(wait), .. } if wait > Duration::from_millis(500)),
        "{err:?}"
    );
    assert_eq!(
        sb.faults().requests(),
        before,
        "the SOAP call was never sent"
    );
}
