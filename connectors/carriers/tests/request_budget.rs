//! A carrier account's request budget, seen from the UPS sandbox's request limit (UPS's
//! own 429 with `Retry-After`): an adapter that waits on its budget is never refused, two
//! that share one are not either, two with budgets of their own are (the control), and a
//! turn further away than `max_wait_secs` comes back as `Throttled` without a request.
//!
//! The adapter's burst is kept under the sandbox's bucket: requests spaced by the budget
//! can still reach the server closer together (a slow first connection, a loaded
//! machine), and the spare room absorbs that jitter.

use shipgate_carriers::adapters::budget::BudgetConfig;
use shipgate_carriers::adapters::ups::sandbox::UpsSandbox;
use shipgate_carriers::adapters::ups::Ups;
use shipgate_sdk::model::{Address, CountryCode};
use shipgate_sdk::{Carrier, ConnectorError, LocalBudget, Parcel, RateRequest};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The account's bucket in the rate tests, with room for this many late requests over
/// [`CLIENT_BURST`].
const ACCOUNT_BUCKET: u32 = 6;
/// The burst the adapters in the rate tests are configured with.
const CLIENT_BURST: u32 = 2;

fn address(city: &str, region: &str, zip: &str) -> Address {
    Address {
        name: Some("Pat Doe".into()),
        line1: Some("1 Main St".into()),
        city: Some(city.into()),
        region: Some(region.into()),
        postal_code: Some(zip.into()),
        country: Some(CountryCode::parse("US").unwrap()),
        ..Address::default()
    }
}

fn rate_request() -> RateRequest {
    RateRequest {
        merchant: "m1".into(),
        ship_from: address("Timonium", "MD", "21093"),
        ship_to: address("Alpharetta", "GA", "30005"),
        parcels: vec![Parcel {
            weight_grams: 2000,
            length_mm: 300,
            width_mm: 200,
            height_mm: 100,
        }],
        declared_value: None,
        service: None,
    }
}

async fn limited_sandbox(per_second: f64, bucket: u32) -> UpsSandbox {
    let sb = UpsSandbox::start().await.expect("sandbox starts");
    sb.limit().set(per_second, bucket);
    sb
}

fn paced(sb: &UpsSandbox, per_second: f64, burst: u32, max_wait_secs: u64) -> Ups {
    let mut config = sb.config();
    config.request_budget = BudgetConfig {
        requests_per_second: per_second,
        burst,
        max_wait_secs,
    };
    Ups::new(config, reqwest::Client::new()).expect("valid config")
}

async fn quotes(ups: Arc<Ups>, n: usize) -> Vec<Result<(), ConnectorError>> {
    let calls = (0..n).map(|_| {
        let ups = ups.clone();
        tokio::spawn(async move { ups.quote(&rate_request()).await.map(|_| ()) })
    });
    let mut out = Vec::new();
    for call in calls.collect::<Vec<_>>() {
        out.push(call.await.expect("task"));
    }
    out
}

#[tokio::test]
async fn an_adapter_on_the_budget_is_never_refused_and_keeps_the_rate() {
    let sb = limited_sandbox(10.0, ACCOUNT_BUCKET).await;
    let ups = Arc::new(paced(&sb, 10.0, CLIENT_BURST, 10));
    let started = Instant::now();
    let results = quotes(ups, 12).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!((sb.limit().seen(), sb.limit().refused()), (12, 0));
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(900) && elapsed < Duration::from_secs(4),
        "12 requests at 10/s after a burst of 2 took {elapsed:?}"
    );
}

#[tokio::test]
async fn two_adapters_sharing_a_budget_share_the_rate_and_separate_ones_do_not() {
    let sb = limited_sandbox(10.0, ACCOUNT_BUCKET).await;
    let shared = Arc::new(LocalBudget::new());
    let a = Arc::new(paced(&sb, 10.0, CLIENT_BURST, 10).with_budget(shared.clone()));
    let b = Arc::new(paced(&sb, 10.0, CLIENT_BURST, 10).with_budget(shared));
    let (ra, rb) = tokio::join!(quotes(a, 8), quotes(b, 8));
    assert!(ra.iter().chain(&rb).all(Result::is_ok), "{ra:?} {rb:?}");
    assert_eq!(sb.limit().refused(), 0, "one budget for one account");

    let sb = limited_sandbox(10.0, ACCOUNT_BUCKET).await;
    let a = Arc::new(paced(&sb, 10.0, CLIENT_BURST, 10));
    let b = Arc::new(paced(&sb, 10.0, CLIENT_BURST, 10));
    let _ = tokio::join!(quotes(a, 8), quotes(b, 8));
    assert!(
        sb.limit().refused() > 0,
        "two budgets for one account go over its limit"
    );
}

#[tokio::test]
async fn a_turn_further_than_max_wait_is_throttled_without_a_request() {
    let sb = limited_sandbox(1.0, 1).await;
    let ups = paced(&sb, 1.0, 1, 0);
    ups.quote(&rate_request()).await.unwrap();
    let err = ups.quote(&rate_request()).await.unwrap_err();
    assert!(
        matches!(err, ConnectorError::Throttled { retry_after: Some(wait), .. } if wait > Duration::from_millis(500)),
        "{err:?}"
    );
    assert_eq!((sb.limit().seen(), sb.limit().refused()), (1, 0));
}
