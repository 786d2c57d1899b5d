//! Rate limits that hold across workers: four `shipgate worker` processes fetch orders
//! from one Shopify sandbox shop limited to 2 requests/s. Sharing the shop's budget
//! through Redis, they are never refused and still use at least 90% of it; each with a
//! budget of its own (`rate_limit.url = "local"`), they are refused.

use shipgate::queue::{Job, Queue, RetryPolicy};
use shipgate::store::Store;
use shipgate_shopify::sandbox::{SandboxConfig, ShopifySandbox};
use std::process::Child;
use std::time::{Duration, Instant};

mod support {
    pub mod workers;
}
use support::workers::{forget_queue, redis_url, spawn_worker, stop, ShopWorkers};

/// The shop's limit: requests per second, and the bucket (requests at once).
const SHOP_RATE: f64 = 2.0;
const SHOP_BUCKET: u32 = 2;
const WORKERS: usize = 4;
const CONCURRENCY: usize = 2;
const JOBS: usize = 240;

/// The two tests each run four worker processes against their own sandbox: one at a
/// time, so neither's timing suffers from the other's load on a small machine.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// What one run saw.
struct Run {
    /// Requests served between the first one and the moment the workers were stopped.
    served: usize,
    /// That window.
    window: Duration,
    /// Requests refused with 429 over the whole run, drain included.
    refused: usize,
}

/// Starts the sandbox and `WORKERS` worker processes on a fresh queue, feeds them
/// `FetchOrder` jobs (one request each), stops them with SIGTERM `run_for` after the
/// first request was served, and reads the sandbox's counts.
async fn run_workers(label: &str, rate_limit: &str, run_for: Duration) -> Run {
    let redis = redis_url();
    let sandbox = ShopifySandbox::start(SandboxConfig {
        orders: 40,
        requests_per_second: Some(SHOP_RATE),
        request_bucket: SHOP_BUCKET,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let name = format!("rate-limit-{}-{}", std::process::id(), ulid::Ulid::new());
    let store_url = format!("sqlite://{}", dir.path().join("store.db").display());
    Store::open(&store_url)
        .await
        .expect("store created once, before the workers");
    let (config, _) = ShopWorkers {
        store: &store_url,
        queue: &redis,
        name: &name,
        sandbox: &sandbox,
        requests_per_second: SHOP_RATE,
        burst: 1,
        queue_settings: "",
        tables: rate_limit,
    }
    .write(dir.path());
    let queue = Queue::open_named(&redis, &name, RetryPolicy::default())
        .await
        .unwrap();
    let orders = sandbox.orders();
    let jobs = (0..JOBS)
        .map(|i| Job::FetchOrder {
            connector_id: "shop".into(),
            external_id: orders[i % orders.len()].gid(),
        })
        .collect();
    queue.push_many(jobs).await.unwrap();

    let workers: Vec<Child> = (0..WORKERS)
        .map(|_| spawn_worker(&config, CONCURRENCY))
        .collect();
    let waiting = Instant::now();
    while sandbox.served_at().is_empty() {
        assert!(
            waiting.elapsed() < Duration::from_secs(30),
            "no worker reached the sandbox in 30 s:\n{}",
            stop(workers).await
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let first = sandbox.served_at()[0];
    tokio::time::sleep_until((first + run_for).into()).await;
    let stopped_at = Instant::now();
    let logs = stop(workers).await;
    let served = sandbox
        .served_at()
        .iter()
        .filter(|t| **t <= stopped_at)
        .count();
    let run = Run {
        served,
        window: stopped_at - first,
        refused: sandbox.rate_limited(),
    };
    println!(
        "{label}: {} requests served in {:.1} s ({:.2}/s against a limit of {SHOP_RATE}/s), {} refused with 429, {} requests in all",
        run.served,
        run.window.as_secs_f64(),
        run.served as f64 / run.window.as_secs_f64(),
        run.refused,
        sandbox.requests(),
    );
    forget_queue(&redis, &name).await;
    assert!(
        logs.matches("shutdown requested").count() == WORKERS,
        "every worker stops on SIGTERM:\n{logs}"
    );
    run
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_workers_sharing_the_shop_budget_are_never_refused_and_use_it_all() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let run = run_workers("shared budget", "", Duration::from_secs(60)).await;
    assert_eq!(
        run.refused, 0,
        "the shared budget kept every worker under the shop's limit"
    );
    let budget = SHOP_RATE * run.window.as_secs_f64();
    assert!(
        run.served as f64 >= 0.9 * budget,
        "{} requests served in {:?}: less than 90% of the {budget:.0} the shop allows",
        run.served,
        run.window
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_workers_each_with_its_own_budget_are_refused() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let run = run_workers(
        "a budget per process",
        "[rate_limit]\nurl = \"local\"",
        Duration::from_secs(10),
    )
    .await;
    assert!(
        run.refused > 0,
        "four processes each spending the whole budget must go over the shop's limit"
    );
}
