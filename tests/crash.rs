//! Crash safety on the scale-out pair (Redis queue, PostgreSQL store), checked the way
//! Kafka Connect's system tests check it: every job carries a sequence number (here the
//! shipment id), and after the crash no number is missing and no remote effect is
//! duplicated.
//!
//! A worker process is killed with SIGKILL while the shop is answering its
//! `fulfillmentCreate`: the fulfillment exists on the shop, the ledger says "pending",
//! and the jobs the dead worker had claimed come back to the others only after its
//! lease runs out. The shop must end with exactly one fulfillment per order.

use shipgate::config::Config;
use shipgate::connectors::Connectors;
use shipgate::host::Host;
use shipgate::pipeline::supplier_shipment;
use shipgate::queue::Job;
use shipgate_sdk::model::TrackingNumber;
use shipgate_shopify::sandbox::{SandboxConfig, ShopifySandbox};
use std::collections::HashMap;
use std::time::{Duration, Instant};

mod support {
    pub mod postgres;
    pub mod workers;
}
use support::postgres::FreshDatabase;
use support::workers::{forget_queue, redis_url, spawn_worker, stop, ShopWorkers};

const ORDERS: usize = 24;
/// How long the shop takes to answer a mutation it has already carried out.
const SLOW_ANSWER: Duration = Duration::from_millis(1500);

/// The tracking number of sequence `n`.
fn tracking_number(n: usize) -> TrackingNumber {
    TrackingNumber::parse(&format!("SG{n:010}")).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_killed_mid_push_leaves_exactly_one_fulfillment_per_order() {
    let redis = redis_url();
    let database = FreshDatabase::create().await;
    let sandbox = ShopifySandbox::start(SandboxConfig {
        orders: ORDERS,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let name = format!("crash-{}", ulid::Ulid::new());
    let (config_path, text) = ShopWorkers {
        store: &database.url,
        queue: &redis,
        name: &name,
        sandbox: &sandbox,
        requests_per_second: 1000.0,
        burst: 1000,
        queue_settings: "base_delay_ms = 100\nmax_delay_secs = 1",
        tables: "",
    }
    .write(dir.path());
    let config = Config::from_toml(&config_path, &text, std::iter::empty()).unwrap();
    let host = Host::open(&config, Connectors::open(&config).await.unwrap())
        .await
        .unwrap();

    // The orders, pulled and normalized by this process.
    host.queue
        .push(Job::PullOrders {
            connector_id: "shop".into(),
        })
        .await
        .unwrap();
    host.queue
        .run_until_idle(host.pipeline.clone(), host.dead.clone(), 2)
        .await
        .unwrap();
    let mut shipments = Vec::new();
    for (n, order) in sandbox.orders().iter().enumerate() {
        if order.cancelled_at.is_some() {
            continue;
        }
        let stored = host
            .store
            .find_order("t", Some("shop"), &order.gid())
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("order {} was not pulled", order.name));
        let shipment = supplier_shipment(
            host.pipeline.registry(),
            tracking_number(n),
            None,
            None,
            None,
        );
        shipments.push((stored.id, shipment));
    }
    let added = host.store.add_shipments(&shipments).await.unwrap();
    let sequence: Vec<i64> = added.iter().map(|(id, _)| *id).collect();
    let gids: HashMap<i64, String> = sequence
        .iter()
        .zip(sandbox.orders().iter().filter(|o| o.cancelled_at.is_none()))
        .map(|(id, order)| (*id, order.gid()))
        .collect();
    assert!(sequence.len() >= ORDERS / 2, "enough orders to ship");
    host.queue
        .push_many(
            sequence
                .iter()
                .map(|&shipment_id| Job::PushBack { shipment_id })
                .collect(),
        )
        .await
        .unwrap();

    // One worker alone claims the jobs; it dies while the shop answers its first push.
    sandbox.delay_mutation_answers(SLOW_ANSWER);
    let mut doomed = spawn_worker(&config_path, 2);
    let waiting = Instant::now();
    while sandbox.fulfillments().is_empty() {
        assert!(
            waiting.elapsed() < Duration::from_secs(30),
            "the first worker never pushed"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    doomed.kill().unwrap();
    doomed.wait().unwrap();
    let made_before_the_kill = sandbox.fulfillments().len();
    assert!(
        made_before_the_kill < sequence.len(),
        "the kill came while pushes were left"
    );
    let killed_at = Instant::now();

    // Two other workers finish the run, the dead one's claimed jobs included.
    let survivors = vec![spawn_worker(&config_path, 2), spawn_worker(&config_path, 2)];
    let mut left = u64::MAX;
    while left > 0 {
        assert!(
            killed_at.elapsed() < Duration::from_secs(120),
            "{left} jobs never finished after the kill:\n{}",
            stop(survivors).await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
        left = host.queue.pending().await.unwrap();
    }
    let logs = stop(survivors).await;
    forget_queue(&redis, &name).await;

    let mut per_order: HashMap<String, Vec<Option<String>>> = HashMap::new();
    for made in sandbox.fulfillments() {
        per_order
            .entry(made.order_id)
            .or_default()
            .push(made.tracking_number);
    }
    for shipment_id in &sequence {
        let gid = &gids[shipment_id];
        let made = per_order.get(gid).map_or(0, Vec::len);
        assert_eq!(
            made, 1,
            "shipment {shipment_id} ({gid}): {made} fulfillments\n{logs}"
        );
    }
    assert_eq!(
        per_order.len(),
        sequence.len(),
        "no fulfillment for another order"
    );
    assert_eq!(
        host.store.count_effects("fulfillment").await.unwrap(),
        sequence.len() as u64,
        "every push recorded as done"
    );
    assert!(host.store.list_dead(10).await.unwrap().is_empty());
}
