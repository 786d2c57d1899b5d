//! Shopify order webhooks through the host's HTTP listener: signed deliveries fetch the
//! order at once, duplicates and forgeries change nothing, and a cancellation stops the
//! order's queued push. Real SQLite files, the loopback Shopify sandbox, real HTTP.

use shipgate::config::Config;
use shipgate::connectors::Connectors;
use shipgate::host::Host;
use shipgate::http::{router, HttpState};
use shipgate::queue::{Job, RunStats};
use shipgate_sdk::model::{CarrierRef, OrderStatus, Shipment, TrackingNumber};
use shipgate_sdk::Origin;
use shipgate_shopify::sandbox::{SandboxConfig, ShopifySandbox};
use shipgate_shopify::webhook::sign;
use shipgate_shopify::ShopifyConnector;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tempfile::TempDir;

const SHOP: &str = "hooked-shop";
const TENANT: &str = "acme";
const SECRET: &str = "app-client-secret";

struct Env {
    _dir: TempDir,
    sandbox: ShopifySandbox,
    host: Host,
    url: String,
    http: reqwest::Client,
}

impl Env {
    async fn start() -> Env {
        let sandbox = ShopifySandbox::start(SandboxConfig {
            orders: 5,
            ..SandboxConfig::default()
        })
        .await
        .expect("sandbox starts");
        let mut shop_config = sandbox.shopify_config();
        shop_config.webhook_secret = Some(SECRET.into());
        let origin = Origin {
            tenant: TENANT.into(),
            merchant: "acme-merchant".into(),
            connector_id: SHOP.into(),
        };
        let shop = Arc::new(ShopifyConnector::new(shop_config, origin).expect("valid config"));
        let mut connectors = Connectors::default();
        connectors.add_shopify(shop, Duration::from_secs(300));
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config =
            Config::from_toml(Path::new("webhook-test"), "", std::iter::empty()).expect("config");
        config.store.url = format!("sqlite://{}", dir.path().join("shipgate.db").display());
        config.queue.url = format!("sqlite://{}", dir.path().join("queue.db").display());
        let host = Host::open(&config, connectors.clone())
            .await
            .expect("host opens");
        let app = router(HttpState {
            store: host.store.clone(),
            queue: host.queue.clone(),
            connectors: Arc::new(connectors),
            pipeline: host.pipeline.clone(),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        Env {
            _dir: dir,
            sandbox,
            host,
            url,
            http: reqwest::Client::new(),
        }
    }

    async fn deliver(&self, topic: &str, webhook_id: &str, body: &[u8], signature: &str) -> u16 {
        self.http
            .post(format!("{}/webhooks/shopify/{SHOP}", self.url))
            .header("X-Shopify-Topic", topic)
            .header("X-Shopify-Webhook-Id", webhook_id)
            .header("X-Shopify-Hmac-Sha256", signature)
            .header("Content-Type", "application/json")
            .body(body.to_vec())
            .send()
            .await
            .expect("delivery answered")
            .status()
            .as_u16()
    }

    async fn run(&self) -> RunStats {
        tokio::time::timeout(
            Duration::from_secs(20),
            self.host
                .queue
                .run_until_idle(self.host.pipeline.clone(), self.host.dead.clone(), 2),
        )
        .await
        .expect("the queue goes idle")
        .expect("the queue runs")
    }

    async fn stored_status(&self, gid: &str) -> Option<OrderStatus> {
        self.host
            .store
            .find_order(TENANT, Some(SHOP), gid)
            .await
            .expect("lookup")
            .map(|o| o.status)
    }
}

fn created_body(id: u64) -> Vec<u8> {
    format!(r##"{{"id":{id},"admin_graphql_api_id":"gid://shopify/Order/{id}","name":"#1001","cancelled_at":null}}"##)
        .into_bytes()
}

#[tokio::test]
async fn a_signed_delivery_fetches_its_order_once_and_duplicates_change_nothing() {
    let env = Env::start().await;
    let order = env.sandbox.orders()[1].clone();
    let body = created_body(order.id);
    let signature = sign(SECRET.as_bytes(), &body);

    assert_eq!(
        env.deliver("orders/create", "d-1", &body, &signature).await,
        200
    );
    // Shopify retries a delivery it thinks failed: same id, same body.
    assert_eq!(
        env.deliver("orders/create", "d-1", &body, &signature).await,
        200
    );
    let requests_before = env.sandbox.requests();
    let stats = env.run().await;
    // One FetchOrder and one Normalize: the duplicate queued nothing.
    assert_eq!(
        stats,
        RunStats {
            succeeded: 2,
            retried: 0,
            dead: 0
        }
    );
    assert_eq!(
        env.sandbox.requests() - requests_before,
        1,
        "one order query"
    );
    assert_eq!(
        env.stored_status(&order.gid()).await,
        Some(OrderStatus::Open),
        "only the named order is stored"
    );
    let others = env.sandbox.orders()[2].gid();
    assert_eq!(env.stored_status(&others).await, None);
}

#[tokio::test]
async fn forged_or_altered_deliveries_are_refused_and_queue_nothing() {
    let env = Env::start().await;
    let order = env.sandbox.orders()[0].clone();
    let body = created_body(order.id);
    let forged = sign(b"someone-else", &body);
    assert_eq!(
        env.deliver("orders/create", "d-2", &body, &forged).await,
        401
    );
    let good = sign(SECRET.as_bytes(), &body);
    let mut altered = body.clone();
    altered.extend_from_slice(b" ");
    assert_eq!(
        env.deliver("orders/create", "d-3", &altered, &good).await,
        401
    );
    // A topic nobody acts on is acknowledged so Shopify stops sending it.
    assert_eq!(
        env.deliver("products/update", "d-4", &body, &good).await,
        200
    );
    let stats = env.run().await;
    assert_eq!(stats, RunStats::default());
    assert_eq!(env.stored_status(&order.gid()).await, None);
    // A connector without a webhook secret takes no webhooks at all.
    let status = env
        .http
        .post(format!("{}/webhooks/shopify/other-shop", env.url))
        .body(body)
        .send()
        .await
        .expect("answered")
        .status();
    assert_eq!(status.as_u16(), 404);
}

#[tokio::test]
async fn a_cancellation_stops_the_queued_push() {
    let env = Env::start().await;
    let order = env
        .sandbox
        .orders()
        .into_iter()
        .find(|o| o.cancelled_at.is_none())
        .expect("an open order");
    let body = created_body(order.id);
    let signature = sign(SECRET.as_bytes(), &body);
    assert_eq!(
        env.deliver("orders/create", "c-1", &body, &signature).await,
        200
    );
    env.run().await;
    let stored = env
        .host
        .store
        .find_order(TENANT, Some(SHOP), &order.gid())
        .await
        .expect("lookup")
        .expect("stored");
    let shipment = Shipment {
        tracking_number: TrackingNumber::parse("1Z999AA10123456784").expect("valid"),
        carrier: CarrierRef::new(Some("ups".into()), "UPS"),
        tracking_url: None,
        shipped_at: None,
        notify_customer: false,
    };
    let (shipment_id, _) = env
        .host
        .store
        .add_shipment(stored.id, &shipment)
        .await
        .expect("shipment stored");
    env.host
        .queue
        .push(Job::PushBack { shipment_id })
        .await
        .expect("push queued");

    // The buyer cancels before a worker takes the push.
    let cancelled = env.sandbox.cancel_order(&order.gid()).expect("known order");
    let signature = sign(SECRET.as_bytes(), &cancelled);
    assert_eq!(
        env.deliver("orders/cancelled", "c-2", &cancelled, &signature)
            .await,
        200
    );
    assert_eq!(
        env.stored_status(&order.gid()).await,
        Some(OrderStatus::Cancelled),
        "cancelled as soon as the webhook is accepted"
    );
    let stats = env.run().await;
    assert_eq!(stats.dead, 0, "{stats:?}");
    assert!(
        env.sandbox.fulfillments().is_empty(),
        "no fulfillment for a cancelled order"
    );
    assert_eq!(env.host.pipeline.stats().snapshot().skipped_cancelled, 1);
    // The re-fetched order agrees with the shop: still cancelled.
    assert_eq!(
        env.stored_status(&order.gid()).await,
        Some(OrderStatus::Cancelled)
    );
}
