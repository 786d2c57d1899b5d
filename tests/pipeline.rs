//! The host pipeline end to end: real SQLite store and queue files in a temporary folder,
//! the loopback Shopify sandbox as the shop, and the real connectors in between.
//!
//! Pull and normalize with corrupt nodes, credential and server failures and their
//! retry classes, a messy supplier tracking file, and pushes that must reach the shop
//! exactly once however often they are replayed or whoever crashed half-way.

use chrono::{DateTime, Utc};
use shipgate::config::Config;
use shipgate::connectors::Connectors;
use shipgate::host::Host;
use shipgate::pipeline::fulfillment_key;
use shipgate::pipeline::tracking_import::{import_file, ImportReport, ImportRequest};
use shipgate::queue::{Job, RunStats};
use shipgate::store::{Effect, QuarantineItem};
use shipgate_csv::Template;
use shipgate_sdk::model::{CarrierRef, Order, Shipment, TrackingNumber};
use shipgate_sdk::{Origin, Storefront};
use shipgate_shopify::sandbox::data::GeneratedOrder;
use shipgate_shopify::sandbox::{RecordedFulfillment, SandboxConfig, ShopifySandbox};
use shipgate_shopify::ShopifyConnector;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tempfile::TempDir;

const SHOP: &str = "test-shop";
const TENANT: &str = "acme";
const DROP: &str = "supplier-drop";
const WORKERS: usize = 4;

/// A host wired to a sandbox shop, over files in its own temporary folder.
struct Env {
    dir: TempDir,
    sandbox: ShopifySandbox,
    shop: Arc<ShopifyConnector>,
    host: Host,
}

impl Env {
    async fn start(orders: usize, page_size: u32) -> Env {
        let sandbox = ShopifySandbox::start(SandboxConfig {
            orders,
            ..SandboxConfig::default()
        })
        .await
        .expect("sandbox starts");
        let mut shop_config = sandbox.shopify_config();
        shop_config.page_size = page_size;
        let origin = Origin {
            tenant: TENANT.into(),
            merchant: "acme-merchant".into(),
            connector_id: SHOP.into(),
        };
        let shop = Arc::new(ShopifyConnector::new(shop_config, origin).expect("valid config"));
        let mut connectors = Connectors::default();
        connectors.add_shopify(shop.clone(), Duration::from_secs(300));
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config =
            Config::from_toml(Path::new("pipeline-test"), "", std::iter::empty()).expect("config");
        config.store.url = format!("sqlite://{}", dir.path().join("shipgate.db").display());
        config.queue.url = format!("sqlite://{}", dir.path().join("queue.db").display());
        config.queue.base_delay_ms = 50;
        config.queue.max_delay_secs = 1;
        let host = Host::open(&config, connectors).await.expect("host opens");
        Env {
            dir,
            sandbox,
            shop,
            host,
        }
    }

    async fn push(&self, job: Job) {
        self.host.queue.push(job).await.expect("job queued");
    }

    async fn pull(&self) {
        self.push(Job::PullOrders {
            connector_id: SHOP.into(),
        })
        .await;
    }

    async fn run(&self) -> RunStats {
        tokio::time::timeout(
            Duration::from_secs(20),
            self.host.queue.run_until_idle(
                self.host.pipeline.clone(),
                self.host.dead.clone(),
                WORKERS,
            ),
        )
        .await
        .expect("the queue goes idle")
        .expect("the queue runs")
    }

    async fn quarantine(&self) -> Vec<QuarantineItem> {
        self.host
            .store
            .list_quarantine(None, 1000)
            .await
            .expect("quarantine lists")
    }

    async fn stored(&self, gid: &str) -> Option<Order> {
        self.host
            .store
            .find_order(TENANT, Some(SHOP), gid)
            .await
            .expect("lookup works")
    }

    /// Fulfillments the shop recorded for one order.
    fn fulfillments_of(&self, gid: &str) -> Vec<RecordedFulfillment> {
        self.sandbox
            .fulfillments()
            .into_iter()
            .filter(|f| f.order_id == gid)
            .collect()
    }
}

/// Orders a supplier can ship: not cancelled, with a line that needs shipping.
fn shippable(orders: &[GeneratedOrder]) -> Vec<GeneratedOrder> {
    orders
        .iter()
        .filter(|o| o.cancelled_at.is_none() && o.lines.iter().any(|l| l.requires_shipping))
        .cloned()
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_normalizes_every_page_and_quarantines_bad_nodes_with_their_bytes() {
    const ORDERS: usize = 60;
    let env = Env::start(ORDERS, 8).await;
    let orders = env.sandbox.orders();
    // The newest order (last by updatedAt, as the pull sorts) gets a total of the wrong
    // type: it stays inside the look-back window of every later pull. The oldest is
    // replaced by a non-object, far outside it.
    let newest = orders
        .iter()
        .max_by_key(|o| (o.updated_at, o.id))
        .expect("orders")
        .clone();
    let oldest = orders
        .iter()
        .min_by_key(|o| (o.updated_at, o.id))
        .expect("orders")
        .clone();
    env.sandbox.corrupt_order(
        &newest.gid(),
        serde_json::json!({ "totalPriceSet": "12.50" }),
    );
    env.sandbox
        .corrupt_order(&oldest.gid(), serde_json::json!(42));

    env.pull().await;
    let stats = env.run().await;
    assert_eq!(stats.dead, 0, "{stats:?}");
    assert_eq!(stats.retried, 0, "{stats:?}");
    // 8 pages of 8 (the last one of 4), and one Normalize per object node.
    assert_eq!(stats.succeeded, 8 + (ORDERS as u64 - 1), "{stats:?}");

    for order in &orders {
        let stored = env.stored(&order.gid()).await;
        if order.gid() == newest.gid() || order.gid() == oldest.gid() {
            assert!(stored.is_none(), "{} must not be stored", order.name);
        } else {
            let stored = stored.unwrap_or_else(|| panic!("{} is not in the store", order.name));
            assert_eq!(stored.source.external_id, order.gid());
        }
    }
    assert_eq!(
        env.host.store.count_orders(TENANT).await.unwrap(),
        ORDERS as u64 - 2
    );

    let quarantined = env.quarantine().await;
    assert_eq!(quarantined.len(), 2, "{quarantined:#?}");
    let bad_order = quarantined
        .iter()
        .find(|q| q.kind == "order")
        .expect("the corrupted order is quarantined");
    assert_eq!(bad_order.connector_id, SHOP);
    assert!(
        bad_order.location.contains("totalPriceSet"),
        "location {:?}",
        bad_order.location
    );
    let input = String::from_utf8(bad_order.input.clone()).expect("utf-8 node");
    assert!(
        input.starts_with('{') && input.contains(&newest.gid()),
        "{input}"
    );
    assert!(input.contains(r#""totalPriceSet":"12.50""#), "{input}");
    let raw_hash = bad_order.raw_hash.clone().expect("raw hash kept");
    let raw = env
        .host
        .store
        .get_raw(&raw_hash)
        .await
        .unwrap()
        .expect("raw");
    assert_eq!(raw.body.as_deref(), Some(bad_order.input.as_slice()));

    let bad_page = quarantined
        .iter()
        .find(|q| q.kind == "page")
        .expect("the non-object node is quarantined");
    assert_eq!(bad_page.input, b"42");
    assert!(
        bad_page.location.starts_with("data.orders.edges[")
            && bad_page.location.ends_with("].node"),
        "{}",
        bad_page.location
    );
    assert_eq!(bad_page.raw_hash, None);

    let snap = env.host.pipeline.stats().snapshot();
    assert_eq!(snap.pulled, ORDERS as u64 - 1);
    assert_eq!(snap.normalized, ORDERS as u64 - 2);
    assert_eq!(snap.quarantined, 2);

    // The cursor ends at the newest updatedAt seen (the corrupted node still carries it),
    // without a page token.
    let cursor = env
        .host
        .store
        .load_cursor(SHOP)
        .await
        .unwrap()
        .expect("cursor saved");
    assert_eq!(cursor.page_token, None);
    assert_eq!(cursor.updated_since, Some(newest.updated_at));

    // A second pull re-reads exactly the orders inside the 300 s look-back of the cursor.
    let since: DateTime<Utc> = newest.updated_at - chrono::Duration::seconds(300);
    let window: Vec<&GeneratedOrder> = orders.iter().filter(|o| o.updated_at >= since).collect();
    assert!(window.iter().any(|o| o.gid() == newest.gid()));
    assert!(!window.iter().any(|o| o.gid() == oldest.gid()));
    let reread = window.len() as u64;
    assert!(reread <= 8, "the window fits one page: {reread}");

    env.pull().await;
    let again = env.run().await;
    assert_eq!(again.dead, 0);
    assert_eq!(again.succeeded, 1 + reread, "{again:?}");
    let snap2 = env.host.pipeline.stats().snapshot();
    assert_eq!(snap2.pulled - snap.pulled, reread);
    assert_eq!(snap2.normalized - snap.normalized, reread - 1);
    assert_eq!(
        env.host.store.count_orders(TENANT).await.unwrap(),
        ORDERS as u64 - 2,
        "re-read orders are upserted, not duplicated"
    );
    assert_eq!(
        env.host.store.load_cursor(SHOP).await.unwrap(),
        Some(cursor),
        "nothing newer: the cursor stays"
    );
    // The corrupted node, re-read by the look-back, is refused again but kept once: the
    // quarantine holds one open entry per input and place, however often it is pulled.
    let after = env.quarantine().await;
    assert_eq!(after.len(), 2, "{after:#?}");
    assert_eq!(after.iter().filter(|q| q.kind == "page").count(), 1);
    let order_entries: Vec<_> = after.iter().filter(|q| q.kind == "order").collect();
    assert_eq!(order_entries.len(), 1);
    assert!(order_entries
        .iter()
        .all(|q| q.raw_hash.as_deref() == Some(raw_hash.as_str()) && q.input == bad_order.input));
    env.pull().await;
    env.run().await;
    assert_eq!(env.quarantine().await.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_token_kills_the_pull_at_once_and_a_retry_after_the_fix_works() {
    const ORDERS: usize = 10;
    let env = Env::start(ORDERS, 100).await;
    let token = env.sandbox.token();
    env.sandbox.set_token("other");

    env.pull().await;
    let stats = env.run().await;
    assert_eq!(
        stats,
        RunStats {
            succeeded: 0,
            retried: 0,
            dead: 1
        }
    );
    assert_eq!(env.sandbox.requests(), 1, "a 401 is never retried");
    let dead = env.host.store.list_dead(10).await.unwrap();
    assert_eq!(dead.len(), 1, "{dead:#?}");
    assert_eq!(dead[0].job_type, "pull_orders");
    assert_eq!(dead[0].attempts, 1);
    let error = dead[0].last_error.to_lowercase();
    assert!(
        error.contains("unauthorized") && error.contains("401"),
        "{}",
        dead[0].last_error
    );
    assert_eq!(env.host.store.count_orders(TENANT).await.unwrap(), 0);
    assert_eq!(env.host.store.load_cursor(SHOP).await.unwrap(), None);

    // The token is fixed, and the dead job goes back on the queue as `jobs retry` does.
    env.sandbox.set_token(token);
    let entry = env
        .host
        .store
        .take_dead(dead[0].id)
        .await
        .unwrap()
        .expect("dead entry");
    let job: Job = serde_json::from_value(entry.payload).expect("payload is a job");
    assert_eq!(
        job,
        Job::PullOrders {
            connector_id: SHOP.into()
        }
    );
    env.push(job).await;
    let stats = env.run().await;
    assert_eq!(stats.dead, 0, "{stats:?}");
    assert_eq!(stats.succeeded, 1 + ORDERS as u64);
    assert!(env.host.store.list_dead(10).await.unwrap().is_empty());
    assert_eq!(
        env.host.store.count_orders(TENANT).await.unwrap(),
        ORDERS as u64
    );
    for order in env.sandbox.orders() {
        assert!(env.stored(&order.gid()).await.is_some(), "{}", order.name);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_are_retried_until_the_pull_succeeds() {
    const ORDERS: usize = 12;
    let env = Env::start(ORDERS, 100).await;
    env.sandbox.fail_next(2, 500);

    env.pull().await;
    let stats = env.run().await;
    assert_eq!(stats.retried, 2, "{stats:?}");
    assert_eq!(stats.dead, 0, "{stats:?}");
    assert_eq!(stats.succeeded, 1 + ORDERS as u64, "{stats:?}");
    assert_eq!(env.sandbox.requests(), 3);
    assert!(env.host.store.list_dead(10).await.unwrap().is_empty());
    assert_eq!(
        env.host.store.count_orders(TENANT).await.unwrap(),
        ORDERS as u64
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throttled_pull_waits_for_retry_after_before_the_next_attempt() {
    const ORDERS: usize = 5;
    let env = Env::start(ORDERS, 100).await;
    env.sandbox.fail_next(1, 429);

    env.pull().await;
    let started = Instant::now();
    let stats = env.run().await;
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(900),
        "the retry ran {elapsed:?} after the 429 that asked for 1 s"
    );
    // Its first query of the kind: the client knows no cost yet, so it hands the wait to
    // the queue instead of sleeping in-process.
    assert_eq!(stats.retried, 1, "{stats:?}");
    assert_eq!(stats.dead, 0, "{stats:?}");
    assert_eq!(stats.succeeded, 1 + ORDERS as u64, "{stats:?}");
    assert_eq!(env.sandbox.requests(), 2);
    assert_eq!(
        env.host.store.count_orders(TENANT).await.unwrap(),
        ORDERS as u64
    );
}

/// What the supplier file of [`import_supplier_file`] holds, for the tests to check.
struct Imported {
    report: ImportReport,
    /// (order, tracking number as written, carrier) of every row that must be pushed.
    good: Vec<(GeneratedOrder, String, String)>,
    /// Orders named only by bad rows: they must receive nothing.
    spoiled: Vec<GeneratedOrder>,
    /// A shippable order the file does not mention.
    spare: GeneratedOrder,
}

/// Pulls 30 orders, then imports a supplier file mixing good rows (with and without
/// '#'), a repeated row, an unknown order and every kind of broken row.
async fn import_supplier_file(env: &Env) -> Imported {
    env.pull().await;
    let stats = env.run().await;
    assert_eq!(stats.dead, 0, "{stats:?}");
    let ship = shippable(&env.sandbox.orders());
    assert!(
        ship.len() >= 10,
        "not enough shippable orders: {}",
        ship.len()
    );
    let bare = |o: &GeneratedOrder| o.name.trim_start_matches('#').to_string();
    assert!(ship[0].name.starts_with('#'), "{}", ship[0].name);

    let good = vec![
        (
            ship[0].clone(),
            "1Z999AA10123456784".to_string(),
            "UPS".to_string(),
        ),
        (
            ship[1].clone(),
            "3000123456".to_string(),
            "DHL Express".to_string(),
        ),
        (
            ship[2].clone(),
            "6A20000012345".to_string(),
            "Colissimo".to_string(),
        ),
        (
            ship[6].clone(),
            "XY100007919FR".to_string(),
            "Chronopost".to_string(),
        ),
        (
            ship[7].clone(),
            "9400 1112 0000 0000 0001".to_string(),
            "USPS".to_string(),
        ),
    ];
    let lines = [
        "order_number,tracking_number,carrier,shipped_at".to_string(),
        // 2–4: good rows, references with and without '#'.
        format!(
            "{},{},{},2026-11-20 10:00:00 +0100",
            ship[0].name, good[0].1, good[0].2
        ),
        format!("{},{},{},2026-11-20", bare(&ship[1]), good[1].1, good[1].2),
        format!(
            "{},{},{},20/11/2026 09:30",
            ship[2].name, good[2].1, good[2].2
        ),
        // 5: line 2 again.
        format!(
            "{},{},{},2026-11-20 10:00:00 +0100",
            ship[0].name, good[0].1, good[0].2
        ),
        // 6: no such order.
        "#99999,1Z999AA10999999999,UPS,2026-11-20 10:00:00 +0100".to_string(),
        // 7: impossible date.
        format!(
            "{},1Z999AA10888888888,UPS,2026-13-45 10:00:00 +0100",
            ship[3].name
        ),
        // 8: not a tracking number.
        format!("{},N/A,DHL Express,2026-11-20", bare(&ship[4])),
        // 9: missing columns.
        format!("{},1Z999AA10777777777", ship[5].name),
        // 10: a quote opened and never closed.
        format!("{},\"1Z999AA10555555555,UPS,2026-11-20", ship[8].name),
        // 11–12: good rows after it, one with a properly quoted field.
        format!(
            "{},{},\"{}\",2026-11-21",
            ship[6].name, good[3].1, good[3].2
        ),
        format!("{},{},{},2026-11-21", bare(&ship[7]), good[4].1, good[4].2),
    ];
    let path = env.dir.path().join("supplier-2026-11-23.csv");
    std::fs::write(&path, lines.join("\n") + "\n").expect("file written");
    let template = Template::load(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/mappings/csv/supplier-tracking.toml"
    ))
    .expect("template loads");
    let request = ImportRequest {
        connector_id: DROP.into(),
        tenant: TENANT.into(),
        merchant: "acme-merchant".into(),
        path: path.clone(),
    };
    let report = import_file(&env.host, &template, &request, |_| {})
        .await
        .expect("the file imports");
    Imported {
        report,
        good,
        spoiled: vec![
            ship[3].clone(),
            ship[4].clone(),
            ship[5].clone(),
            ship[8].clone(),
        ],
        spare: ship[9].clone(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_messy_supplier_file_imports_its_good_rows_and_pushes_each_once() {
    let env = Env::start(30, 100).await;
    let imported = import_supplier_file(&env).await;
    let report = &imported.report;
    assert_eq!(report.rows, 11, "{report:?}");
    assert_eq!(report.bad_rows, 4, "{report:?}");
    assert_eq!(report.unmatched, 1, "{report:?}");
    assert_eq!(report.shipments_created, 5, "{report:?}");
    assert_eq!(report.duplicate_rows, 1, "{report:?}");
    assert_eq!(report.orders_upserted, 0, "{report:?}");
    assert_eq!(report.quarantined(), 5);
    assert_eq!(report.raw_hash.len(), 64);

    let file = "supplier-2026-11-23.csv";
    let quarantined = env.quarantine().await;
    assert_eq!(quarantined.len(), 5, "{quarantined:#?}");
    assert!(quarantined.iter().all(|q| q.connector_id == DROP));
    let at = |needle: &str| {
        quarantined
            .iter()
            .find(|q| q.location.contains(needle))
            .unwrap_or_else(|| panic!("nothing quarantined at {needle:?}: {quarantined:#?}"))
    };
    let unknown = at(", line 6");
    assert_eq!(unknown.kind, "tracking");
    assert_eq!(unknown.location, format!("{file}, line 6"));
    assert!(unknown.reason.contains("#99999"), "{}", unknown.reason);
    assert!(String::from_utf8_lossy(&unknown.input).contains("1Z999AA10999999999"));

    let date = at(&format!("{file}, line 7"));
    assert_eq!(date.kind, "csv_row");
    assert_eq!(
        date.location,
        format!("{file}, line 7, column \"shipped_at\"")
    );
    assert!(date.reason.contains("2026-13-45"), "{}", date.reason);
    assert!(String::from_utf8_lossy(&date.input).ends_with(",2026-13-45 10:00:00 +0100"));

    let number = at(&format!("{file}, line 8"));
    assert_eq!(
        number.location,
        format!("{file}, line 8, column \"tracking_number\"")
    );
    assert!(
        number.reason.contains("tracking number"),
        "{}",
        number.reason
    );

    let width = at(&format!("{file}, line 9"));
    assert_eq!(width.location, format!("{file}, line 9"));
    assert!(width.reason.contains("column count"), "{}", width.reason);
    assert_eq!(
        width.input,
        format!("{},1Z999AA10777777777", imported.spoiled[2].name).into_bytes()
    );

    let quote = at(&format!("{file}, line 10"));
    assert_eq!(quote.location, format!("{file}, line 10"));
    assert!(
        quote.reason.contains("unbalanced quote"),
        "{}",
        quote.reason
    );
    assert_eq!(
        quote.input,
        format!(
            "{},\"1Z999AA10555555555,UPS,2026-11-20",
            imported.spoiled[3].name
        )
        .into_bytes()
    );

    // Every good row became one shipment, the two after the broken quote included.
    for (order, number, carrier) in &imported.good {
        let stored = env.stored(&order.gid()).await.expect("stored");
        let shipments = env.host.store.order_shipments(stored.id).await.unwrap();
        assert_eq!(shipments.len(), 1, "{}: {shipments:?}", order.name);
        let (_, shipment) = &shipments[0];
        assert_eq!(
            shipment.tracking_number,
            TrackingNumber::parse(number).unwrap()
        );
        assert_eq!(&shipment.carrier.name, carrier);
    }

    let stats = env.run().await;
    assert_eq!(
        stats,
        RunStats {
            succeeded: 5,
            retried: 0,
            dead: 0
        }
    );
    let recorded = env.sandbox.fulfillments();
    assert_eq!(recorded.len(), 5, "{recorded:#?}");
    for (order, number, carrier) in &imported.good {
        let got = env.fulfillments_of(&order.gid());
        assert_eq!(got.len(), 1, "{}: {got:#?}", order.name);
        assert_eq!(
            got[0].tracking_number.as_deref(),
            Some(TrackingNumber::parse(number).unwrap().as_str())
        );
        assert_eq!(got[0].company.as_deref(), Some(carrier.as_str()));
    }
    for order in &imported.spoiled {
        assert!(
            env.fulfillments_of(&order.gid()).is_empty(),
            "{}",
            order.name
        );
    }
    assert_eq!(env.host.pipeline.stats().snapshot().pushed, 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replayed_pushes_and_a_crashed_push_never_make_a_second_fulfillment() {
    let env = Env::start(30, 100).await;
    let imported = import_supplier_file(&env).await;
    let first = env.run().await;
    assert_eq!(first.succeeded, 5, "{first:?}");
    let before = env.sandbox.fulfillments();
    assert_eq!(before.len(), 5);

    // Every push replayed, as a retry or a duplicate delivery would.
    let mut replays = 0;
    for (order, _, _) in &imported.good {
        let stored = env.stored(&order.gid()).await.expect("stored");
        for (shipment_id, _) in env.host.store.order_shipments(stored.id).await.unwrap() {
            env.push(Job::PushBack { shipment_id }).await;
            replays += 1;
        }
    }
    assert_eq!(replays, 5);
    let stats = env.run().await;
    assert_eq!(stats.succeeded, replays, "{stats:?}");
    assert_eq!(env.sandbox.fulfillments(), before);
    let snap = env.host.pipeline.stats().snapshot();
    assert_eq!(snap.duplicates_prevented_ledger, replays);
    assert_eq!(snap.duplicates_prevented_remote, 0);
    assert_eq!(snap.pushed, 5);

    // A worker that created the fulfillment and died before completing the ledger.
    let order = env
        .stored(&imported.spare.gid())
        .await
        .expect("spare order stored");
    let shipment = Shipment {
        tracking_number: TrackingNumber::parse("1Z999AA10246813579").unwrap(),
        carrier: CarrierRef::new(None, "UPS"),
        tracking_url: None,
        shipped_at: None,
        notify_customer: false,
    };
    let (shipment_id, created) = env
        .host
        .store
        .add_shipment(order.id, &shipment)
        .await
        .unwrap();
    assert!(created);
    let key = fulfillment_key(&order, &shipment);
    assert_eq!(
        env.host
            .store
            .begin_effect(&key, "fulfillment")
            .await
            .unwrap(),
        Effect::Fresh
    );
    let remote = env
        .shop
        .push_fulfillment(&order, &shipment)
        .await
        .expect("direct push");
    assert!(!remote.already_existed);
    assert_eq!(env.fulfillments_of(&order.source.external_id).len(), 1);

    env.push(Job::PushBack { shipment_id }).await;
    let stats = env.run().await;
    assert_eq!(
        stats,
        RunStats {
            succeeded: 1,
            retried: 0,
            dead: 0
        }
    );
    let got = env.fulfillments_of(&order.source.external_id);
    assert_eq!(got.len(), 1, "{got:#?}");
    assert_eq!(got[0].fulfillment_id, remote.id);
    assert_eq!(env.sandbox.fulfillments().len(), 6);
    let snap = env.host.pipeline.stats().snapshot();
    assert_eq!(snap.duplicates_prevented_remote, 1);
    assert_eq!(snap.pushed, 5);
    assert_eq!(
        env.host
            .store
            .begin_effect(&key, "fulfillment")
            .await
            .unwrap(),
        Effect::Done(remote.id.clone())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_for_a_missing_shipment_is_dead_naming_it() {
    let env = Env::start(3, 100).await;
    env.push(Job::PushBack {
        shipment_id: 987_654,
    })
    .await;
    let stats = env.run().await;
    assert_eq!(
        stats,
        RunStats {
            succeeded: 0,
            retried: 0,
            dead: 1
        }
    );
    let dead = env.host.store.list_dead(10).await.unwrap();
    assert_eq!(dead.len(), 1, "{dead:#?}");
    assert_eq!(dead[0].job_type, "push_back");
    assert_eq!(dead[0].attempts, 1);
    assert!(
        dead[0].last_error.contains("shipment 987654"),
        "{}",
        dead[0].last_error
    );
    assert_eq!(
        dead[0].payload,
        serde_json::json!({ "kind": "push_back", "shipment_id": 987_654 })
    );
    assert_eq!(env.sandbox.requests(), 0);
    assert!(env.sandbox.fulfillments().is_empty());
}

/// Supplier carriers are resolved against the registry: a name to its code, a missing name
/// from the number's format, and the storefront gets the carrier in its own spelling.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn supplier_carriers_are_resolved_by_name_or_number_and_pushed_in_shopify_words() {
    let env = Env::start(12, 50).await;
    env.pull().await;
    assert_eq!(env.run().await.dead, 0);
    let orders = shippable(&env.sandbox.orders());
    let (a, b, c) = (&orders[0], &orders[1], &orders[2]);
    let path = env.dir.path().join("carriers.csv");
    std::fs::write(
        &path,
        format!(
            "order,tracking,carrier\n{},1Z 999AA1 0123456784,\n{},ra123456785fr,colissimo\n{},LOCAL-4711,Velo Express Lyon\n",
            a.name, b.name, c.name
        ),
    )
    .unwrap();
    let template = Template::load(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/mappings/csv/supplier-tracking.toml"
    ))
    .unwrap();
    let request = ImportRequest {
        connector_id: DROP.into(),
        tenant: TENANT.into(),
        merchant: "acme-merchant".into(),
        path,
    };
    let report = import_file(&env.host, &template, &request, |_| {})
        .await
        .unwrap();
    assert_eq!(report.shipments_created, 3, "{report:?}");

    let shipment_of = |gid: String| {
        let store = env.host.store.clone();
        async move {
            let order = store
                .find_order(TENANT, Some(SHOP), &gid)
                .await
                .unwrap()
                .unwrap();
            store.order_shipments(order.id).await.unwrap().remove(0).1
        }
    };
    let detected = shipment_of(a.gid()).await;
    assert_eq!(
        detected.carrier.code.as_deref(),
        Some("ups"),
        "found from the 1Z format and its check digit"
    );
    assert_eq!(detected.carrier.name, "UPS");
    let url = detected.tracking_url.expect("the registry's tracking page");
    assert!(
        url.contains("ups.com") && url.ends_with("1Z999AA10123456784"),
        "{url}"
    );
    let named = shipment_of(b.gid()).await;
    assert_eq!(named.carrier.code.as_deref(), Some("colissimo"));
    assert_eq!(
        named.carrier.name, "colissimo",
        "the supplier's spelling is kept in the store"
    );
    let unknown = shipment_of(c.gid()).await;
    assert_eq!(unknown.carrier.code, None);
    assert_eq!(unknown.tracking_url, None);

    assert_eq!(env.run().await.dead, 0);
    let company = |gid: String| env.fulfillments_of(&gid)[0].company.clone();
    assert_eq!(company(a.gid()).as_deref(), Some("UPS"));
    assert_eq!(
        company(b.gid()).as_deref(),
        Some("Colissimo"),
        "Shopify's own name for the carrier"
    );
    assert_eq!(company(c.gid()).as_deref(), Some("Velo Express Lyon"));
}
