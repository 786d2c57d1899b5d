//! Douyin (抖店) push messages through the host's HTTP listener: a signed batch fetches
//! the orders it names through the loopback open-platform sandbox, a redelivered message
//! changes nothing, and a forged signature is refused.

use shipgate::config::Config;
use shipgate::connectors::Connectors;
use shipgate::host::Host;
use shipgate::http::{router, HttpState};
use shipgate::queue::Job;
use shipgate::queue::RunStats;
use shipgate_douyin::sandbox::{DouyinSandbox, SandboxConfig};
use shipgate_douyin::sign::event_sign;
use shipgate_douyin::DouyinConnector;
use shipgate_sdk::model::{CarrierRef, OrderStatus, Shipment, TrackingNumber};
use shipgate_sdk::Origin;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

const SHOP: &str = "douyin-shop";

#[tokio::test]
async fn signed_push_messages_fetch_their_orders_once() {
    let sandbox = DouyinSandbox::start(SandboxConfig {
        orders: 3,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox");
    let config = sandbox.douyin_config();
    let (app_key, secret) = (config.app_key.clone(), config.app_secret.clone());
    let origin = Origin {
        tenant: "acme".into(),
        merchant: "m".into(),
        connector_id: SHOP.into(),
    };
    let shop = Arc::new(DouyinConnector::new(config, origin).expect("config"));
    let mut connectors = Connectors::default();
    connectors.add_douyin(shop, Duration::from_secs(300));
    let dir = tempfile::tempdir().expect("dir");
    let mut cfg = Config::from_toml(Path::new("t"), "", std::iter::empty()).expect("config");
    cfg.store.url = format!("sqlite://{}", dir.path().join("s.db").display());
    cfg.queue.url = format!("sqlite://{}", dir.path().join("q.db").display());
    let host = Host::open(&cfg, connectors.clone()).await.expect("host");
    let app = router(HttpState {
        store: host.store.clone(),
        queue: host.queue.clone(),
        connectors: Arc::new(connectors),
        pipeline: host.pipeline.clone(),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!(
        "http://{}/webhooks/douyin/{SHOP}",
        listener.local_addr().unwrap()
    );
    tokio::spawn(async move { axum::serve(listener, app).await });

    let order_id = sandbox.order_ids()[0].clone();
    let data = serde_json::json!({"p_id": order_id.parse::<u64>().unwrap_or(0), "s_ids": [], "shop_id": 1, "order_status": 2}).to_string();
    let body = serde_json::to_vec(&serde_json::json!([
        {"tag": "101", "msg_id": "m-1", "data": data},
    ]))
    .unwrap();
    let http = reqwest::Client::new();
    let send = |sign: String, body: Vec<u8>| {
        let http = http.clone();
        let url = url.clone();
        async move {
            http.post(url)
                .header("event-sign", sign)
                .header("app-id", "x")
                .body(body)
                .send()
                .await
                .expect("answered")
                .status()
                .as_u16()
        }
    };
    let good = event_sign(&app_key, &body, &secret);
    assert_eq!(send(good.clone(), body.clone()).await, 200);
    assert_eq!(
        send(good, body.clone()).await,
        200,
        "redelivery acknowledged"
    );
    assert_eq!(send("0".repeat(64), body.clone()).await, 401, "forged");

    let stats = tokio::time::timeout(
        Duration::from_secs(20),
        host.queue
            .run_until_idle(host.pipeline.clone(), host.dead.clone(), 2),
    )
    .await
    .expect("idle")
    .expect("runs");
    // One FetchOrder and one Normalize: the redelivery queued nothing.
    assert_eq!(
        stats,
        RunStats {
            succeeded: 2,
            retried: 0,
            dead: 0
        }
    );
    let stored = host
        .store
        .find_order("acme", Some(SHOP), &order_id)
        .await
        .expect("lookup")
        .expect("the named order is stored");
    assert_ne!(stored.status, OrderStatus::Cancelled);
    assert_eq!(host.store.count_orders("acme").await.unwrap(), 1);
}

#[tokio::test]
async fn a_carrier_douyin_cannot_name_is_quarantined_not_pushed_and_replays() {
    let sandbox = DouyinSandbox::start(SandboxConfig {
        orders: 1,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox");
    let origin = Origin {
        tenant: "acme".into(),
        merchant: "m".into(),
        connector_id: SHOP.into(),
    };
    let shop = Arc::new(DouyinConnector::new(sandbox.douyin_config(), origin).expect("config"));
    let mut connectors = Connectors::default();
    connectors.add_douyin(shop, Duration::from_secs(300));
    let dir = tempfile::tempdir().expect("dir");
    let mut cfg = Config::from_toml(Path::new("t"), "", std::iter::empty()).expect("config");
    cfg.store.url = format!("sqlite://{}", dir.path().join("s.db").display());
    cfg.queue.url = format!("sqlite://{}", dir.path().join("q.db").display());
    let host = Host::open(&cfg, connectors).await.expect("host");
    let run = || async {
        tokio::time::timeout(
            Duration::from_secs(20),
            host.queue
                .run_until_idle(host.pipeline.clone(), host.dead.clone(), 2),
        )
        .await
        .expect("idle")
        .expect("runs")
    };
    host.queue
        .push(Job::PullOrders {
            connector_id: SHOP.into(),
        })
        .await
        .unwrap();
    run().await;
    let order_id = sandbox.order_ids()[0].clone();
    let order = host
        .store
        .find_order("acme", Some(SHOP), &order_id)
        .await
        .unwrap()
        .expect("pulled");
    // UPS has no confirmed Douyin company code in mappings/carriers/ups.toml.
    let shipment = Shipment {
        tracking_number: TrackingNumber::parse("1Z999AA10123456784").unwrap(),
        carrier: CarrierRef::new(Some("ups".into()), "UPS"),
        tracking_url: None,
        shipped_at: None,
        notify_customer: false,
    };
    let (shipment_id, _) = host.store.add_shipment(order.id, &shipment).await.unwrap();
    host.queue
        .push(Job::PushBack { shipment_id })
        .await
        .unwrap();
    let stats = run().await;
    assert_eq!(
        stats.dead, 0,
        "a refused push is quarantined, not dead: {stats:?}"
    );
    assert!(
        sandbox.logistics_calls().is_empty(),
        "nothing reached Douyin"
    );
    let items = host.store.list_quarantine(None, 10).await.unwrap();
    let item = items
        .iter()
        .find(|i| i.kind == "push")
        .expect("quarantined");
    assert!(
        item.reason.contains("mappings/carriers/ups.toml"),
        "{}",
        item.reason
    );
    assert!(String::from_utf8_lossy(&item.input).contains("1Z999AA10123456784"));
    let replayed = shipgate::pipeline::replay::replay_quarantined(&host, item.id, "acme")
        .await
        .expect("replays");
    assert_eq!(replayed, shipgate::pipeline::replay::Replayed::Push);
}
