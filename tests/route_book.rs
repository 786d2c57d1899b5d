//! Routing and booking end to end: Shopify's sample order #1001 is placed by the example
//! plan in mappings/routing (Louisville, UPS ground), booked once with the UPS sandbox
//! over loopback, its label kept, its tracking pushed to the Shopify sandbox, then
//! polled from UPS on its schedule with each new status sent back as a fulfillment event;
//! an order
//! no plan covers lands in the exceptions list with the reason.

use shipgate::config::Config;
use shipgate::connectors::Connectors;
use shipgate::host::Host;
use shipgate::queue::{Job, RunStats};
use shipgate_carriers::adapters::ups::sandbox::UpsSandbox;
use shipgate_carriers::adapters::ups::Ups;
use shipgate_sdk::model::Order;
use shipgate_sdk::Origin;
use shipgate_shopify::sandbox::{SandboxConfig, ShopifySandbox};
use shipgate_shopify::ShopifyConnector;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

const SHOP: &str = "routed-shop";

async fn host_with(ups: &UpsSandbox, shopify: &ShopifySandbox, dir: &Path) -> Host {
    let origin = Origin {
        tenant: "acme".into(),
        merchant: "example-merchant".into(),
        connector_id: SHOP.into(),
    };
    let shop = ShopifyConnector::new(shopify.shopify_config(), origin).expect("config");
    let mut connectors = Connectors::default();
    connectors.add_shopify(Arc::new(shop), Duration::from_secs(300));
    let adapter = Ups::new(ups.config(), reqwest::Client::new()).expect("ups");
    connectors.add_carrier(Arc::new(adapter), None);
    let mut config = Config::from_toml(Path::new("t"), "", std::iter::empty()).expect("config");
    config.store.url = format!("sqlite://{}", dir.join("s.db").display());
    config.queue.url = format!("sqlite://{}", dir.join("q.db").display());
    Host::open(&config, connectors).await.expect("host")
}

fn order_1001(merchant: &str) -> Order {
    let bytes = std::fs::read("connectors/shopify/tests/data/order_1001.json").expect("fixture");
    let origin = Origin {
        tenant: "acme".into(),
        merchant: merchant.into(),
        connector_id: SHOP.into(),
    };
    shipgate_shopify::mapping::normalize_order(&bytes, &origin).expect("normalizes")
}

async fn run(host: &Host) -> RunStats {
    tokio::time::timeout(
        Duration::from_secs(30),
        host.queue
            .run_until_idle(host.pipeline.clone(), host.dead.clone(), 2),
    )
    .await
    .expect("idle")
    .expect("runs")
}

#[tokio::test]
async fn a_routed_order_is_booked_once_labelled_and_pushed() {
    let ups = UpsSandbox::start().await.expect("ups sandbox");
    let shopify = ShopifySandbox::start(SandboxConfig {
        orders: 1,
        ..SandboxConfig::default()
    })
    .await
    .expect("shopify sandbox");
    let dir = tempfile::tempdir().expect("dir");
    let host = host_with(&ups, &shopify, dir.path()).await;
    let order = order_1001("example-merchant");
    let order_id = host.store.upsert_order(&order).await.expect("stored").id;

    host.queue
        .push(Job::Route { order_id })
        .await
        .expect("queued");
    let stats = run(&host).await;
    assert_eq!(stats.dead, 0, "{stats:?}");

    let route = host.store.route(order_id).await.unwrap().expect("routed");
    assert_eq!(route.location_id, "louisville-1");
    assert_eq!(
        (route.carrier.as_str(), route.service.as_str()),
        ("ups", "03")
    );
    let shipments = host.store.order_shipments(order_id).await.expect("listed");
    assert_eq!(shipments.len(), 1, "{shipments:?}");
    let (shipment_id, shipment) = &shipments[0];
    assert!(shipment.tracking_number.as_str().starts_with("1Z"));
    let detected = host
        .pipeline
        .registry()
        .detect(shipment.tracking_number.as_str());
    assert_eq!(
        detected.first().map(|d| d.code),
        Some("ups"),
        "a valid UPS number"
    );
    let label = host
        .store
        .label(*shipment_id)
        .await
        .unwrap()
        .expect("label kept");
    assert!(
        label.content.starts_with(b"^XA"),
        "a ZPL label for the thermal printer"
    );
    assert_eq!(ups.shipments().len(), 1);
    let pushed = shopify.fulfillments();
    assert_eq!(pushed.len(), 1, "{pushed:#?}");

    // Its parcel is now watched: a tracking round asks UPS and records what it says.
    host.queue.push(Job::TrackDue).await.expect("queued");
    let stats = run(&host).await;
    assert_eq!(stats.dead, 0, "{stats:?}");
    let parcel = host
        .store
        .parcels(&[*shipment_id])
        .await
        .unwrap()
        .pop()
        .expect("watched");
    assert_eq!(parcel.checks, 1);
    assert!(parcel.status.is_some(), "UPS answered with a status");
    let events = host
        .store
        .tracking_events(&shipment.tracking_number)
        .await
        .unwrap();
    assert!(!events.is_empty(), "events stored");
    // The new status went back to the shop as one event on the order's fulfillment,
    // and a redelivered PushStatus adds none.
    let status = parcel.status.expect("status");
    let sent = shopify.fulfillment_events();
    assert_eq!(sent.len(), 1, "{sent:#?}");
    assert_eq!(sent[0].fulfillment_id, pushed[0].fulfillment_id);
    assert_eq!(
        Some(sent[0].status.as_str()),
        shipgate_shopify::status::event_status(status)
    );
    host.queue
        .push(Job::PushStatus {
            shipment_id: *shipment_id,
        })
        .await
        .expect("queued");
    run(&host).await;
    assert_eq!(shopify.fulfillment_events().len(), 1, "pushed once");
    // Not due again yet: another round asks nothing.
    host.queue.push(Job::TrackDue).await.expect("queued");
    run(&host).await;
    let again = host
        .store
        .parcels(&[*shipment_id])
        .await
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(
        again.checks, 1,
        "a parcel is polled on its schedule, not every round"
    );

    // A retried Book (a redelivered job) buys nothing more.
    host.queue
        .push(Job::Book { order_id })
        .await
        .expect("queued");
    run(&host).await;
    assert_eq!(ups.shipments().len(), 1, "booked once");
    assert_eq!(host.store.order_shipments(order_id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn an_order_no_plan_covers_goes_to_the_exceptions_list_with_the_reason() {
    let ups = UpsSandbox::start().await.expect("ups sandbox");
    let shopify = ShopifySandbox::start(SandboxConfig {
        orders: 1,
        ..SandboxConfig::default()
    })
    .await
    .expect("shopify sandbox");
    let dir = tempfile::tempdir().expect("dir");
    let host = host_with(&ups, &shopify, dir.path()).await;
    let order_id = host
        .store
        .upsert_order(&order_1001("unplanned-merchant"))
        .await
        .expect("stored")
        .id;
    host.queue
        .push(Job::Route { order_id })
        .await
        .expect("queued");
    let stats = run(&host).await;
    assert_eq!(stats.dead, 0, "an exception is not a dead job");
    let items = host.store.list_quarantine(None, 10).await.expect("listed");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].kind, "route");
    assert!(
        items[0].reason.contains("unplanned-merchant"),
        "{}",
        items[0].reason
    );
    assert!(ups.shipments().is_empty());
}
