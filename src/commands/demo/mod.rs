//! `shipgate demo`: a dropshipper's whole loop on one machine, against a loopback
//! Shopify sandbox, through the real store, queue and connectors.
//!
//! 1. a sandbox shop with `orders` orders (built from Shopify's public samples), plus one
//!    order node whose total has the wrong type;
//! 2. `PullOrders` → `Normalize` through the queue: the bad node goes to quarantine;
//! 3. a few fulfillments made "by a worker that crashed" before recording them;
//! 4. a supplier tracking CSV dropped in a drop folder and imported (bad rows
//!    quarantined, repeated rows ignored), `PushBack` jobs run;
//! 5. every push replayed, and the same file dropped again, as retries and duplicate
//!    deliveries would;
//! 6. the sandbox's record checked: every order to ship got exactly one fulfillment.

mod summary;
mod supplier_file;

use anyhow::{ensure, Context};
use shipgate::config::Config;
use shipgate::connectors::Connectors;
use shipgate::host::Host;
use shipgate::pipeline::drop_import::import_ready_files;
use shipgate::pipeline::tracking_import::{ImportReport, ImportRequest};
use shipgate::pipeline::{fulfillment_key, supplier_shipment};
use shipgate::queue::Job;
use shipgate_csv::{DropFolder, Template};
use shipgate_sdk::{Origin, Storefront};
use shipgate_shopify::sandbox::{SandboxConfig, ShopifySandbox};
use shipgate_shopify::ShopifyConnector;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};
use summary::Summary;

/// The supplier template, embedded so the demo runs from any directory.
const SUPPLIER_TEMPLATE: &str = include_str!("../../../mappings/csv/supplier-tracking.toml");
const CONNECTOR_ID: &str = "demo-shop";
const TENANT: &str = "demo";
/// Orders whose fulfillment a "crashed worker" already created before the demo's pushes.
const CRASHED_PUSHES: usize = 10;

pub(crate) async fn run(orders: usize, data_dir: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    ensure!(orders >= 20, "the demo needs at least 20 orders");
    let started = Instant::now();
    let (dir, temporary) = match data_dir {
        Some(dir) => (dir, false),
        None => (
            std::env::temp_dir().join(format!("shipgate-demo-{}", ulid::Ulid::new())),
            true,
        ),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let result = run_in(orders, &dir, started).await;
    if temporary && result.is_ok() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    result
}

async fn run_in(orders: usize, dir: &Path, started: Instant) -> anyhow::Result<ExitCode> {
    // One more order than asked: its node is corrupted and must end in quarantine.
    let sandbox = ShopifySandbox::start(SandboxConfig {
        orders: orders + 1,
        ..SandboxConfig::default()
    })
    .await?;
    let corrupted = sandbox.orders()[orders / 2].gid();
    sandbox.corrupt_order(&corrupted, serde_json::json!({ "totalPriceSet": "12.50" }));

    let origin = Origin {
        tenant: TENANT.into(),
        merchant: "demo-merchant".into(),
        connector_id: CONNECTOR_ID.into(),
    };
    let shop = Arc::new(ShopifyConnector::new(sandbox.shopify_config(), origin)?);
    let mut connectors = Connectors::default();
    connectors.add_shopify(shop.clone(), Duration::from_secs(300));
    let mut config = Config::from_toml(Path::new("demo"), "", std::env::vars())?;
    if !config.mappings.dir.is_dir() {
        // Run from outside a checkout: the mappings this binary was built with.
        config.mappings.dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("mappings");
    }
    config.store.url = format!("sqlite://{}", dir.join("shipgate.db").display());
    config.queue.url = format!("sqlite://{}", dir.join("queue.db").display());
    config.queue.base_delay_ms = 50;
    config.queue.max_delay_secs = 2;
    let host = Host::open(&config, connectors).await?;
    let workers = config.queue.concurrency;
    let run_queue = || {
        host.queue
            .run_until_idle(host.pipeline.clone(), host.dead.clone(), workers)
    };

    // 1–2: pull and normalize.
    host.queue
        .push(Job::PullOrders {
            connector_id: CONNECTOR_ID.into(),
        })
        .await?;
    let mut jobs = summary::JobTotals::default();
    jobs += run_queue().await?;

    // The orders a supplier ships: normalized and not cancelled.
    let mut to_ship = Vec::new();
    for order in sandbox.orders() {
        if order.cancelled_at.is_some() || order.gid() == corrupted {
            continue;
        }
        let stored = host
            .store
            .find_order(TENANT, Some(CONNECTOR_ID), &order.gid())
            .await?
            .with_context(|| format!("order {} was pulled but is not in the store", order.name))?;
        to_ship.push((order.name.clone(), stored));
    }

    // 3: a worker that pushed and died before recording it.
    let file = supplier_file::build(
        &to_ship
            .iter()
            .enumerate()
            .map(|(index, (name, _))| supplier_file::Shipped { name, index })
            .collect::<Vec<_>>(),
    );
    let template = Template::from_toml_str("supplier-tracking", SUPPLIER_TEMPLATE)?;
    simulate_crashed_pushes(&host, &shop, &template, &file.text, &to_ship).await?;

    // 4: the supplier file through the drop folder.
    let drop = DropFolder::new(dir.join("drop"))?.with_settle_time(Duration::ZERO);
    let import = drop_and_import(
        &host,
        &drop,
        &template,
        &file.text,
        "supplier-2026-11-23.csv",
    )
    .await?;
    jobs += run_queue().await?;

    // 5: retries and duplicate deliveries.
    let mut replayed = 0;
    for (_, order) in &to_ship {
        for (shipment_id, _) in host.store.order_shipments(order.id).await? {
            host.queue.push(Job::PushBack { shipment_id }).await?;
            replayed += 1;
        }
    }
    let again = drop_and_import(
        &host,
        &drop,
        &template,
        &file.text,
        "supplier-2026-11-23-resent.csv",
    )
    .await?;
    jobs += run_queue().await?;

    // 6: what the shop received.
    let summary = Summary::collect(
        &host, &sandbox, &to_ship, &corrupted, &file, &import, &again, replayed, jobs,
    )
    .await?;
    summary.print(orders, started.elapsed());
    Ok(if summary.verified() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Creates the fulfillments of the first orders straight on the shop with a begun but
/// never completed ledger entry: what a worker killed between the remote call and the
/// ledger write leaves behind. The pipeline must find them instead of creating more.
async fn simulate_crashed_pushes(
    host: &Host,
    shop: &ShopifyConnector,
    template: &Template,
    csv: &str,
    to_ship: &[(String, shipgate_sdk::model::Order)],
) -> anyhow::Result<()> {
    let rows = shipgate_csv::TrackingReader::new(csv.as_bytes(), template, "supplier.csv")?;
    let mut seen = std::collections::HashSet::new();
    // A repeated supplier row is the same parcel: count distinct orders.
    let distinct = rows.flatten().filter(|r| seen.insert(r.order_ref.clone()));
    for record in distinct.take(CRASHED_PUSHES) {
        let Some((_, order)) = to_ship.iter().find(|(name, _)| {
            name.trim_start_matches('#') == record.order_ref.trim_start_matches('#')
        }) else {
            continue;
        };
        let shipment = supplier_shipment(
            host.pipeline.registry(),
            record.tracking_number,
            record.carrier_name,
            record.tracking_url,
            record.shipped_at,
        );
        host.store
            .begin_effect(&fulfillment_key(order, &shipment), "fulfillment")
            .await?;
        shop.push_fulfillment(order, &shipment).await?;
    }
    Ok(())
}

async fn drop_and_import(
    host: &Host,
    drop: &DropFolder,
    template: &Template,
    text: &str,
    name: &str,
) -> anyhow::Result<ImportReport> {
    std::fs::write(drop.root().join(name), text)?;
    let owner = ImportRequest {
        connector_id: "demo-supplier-drop".into(),
        tenant: TENANT.into(),
        merchant: "demo-merchant".into(),
        path: drop.root().to_path_buf(),
    };
    let mut total = ImportReport::default();
    for file in import_ready_files(host, drop, template, &owner).await? {
        file.moved_to?;
        total = file.outcome?;
    }
    Ok(total)
}
