//! Real `Normalize` jobs for the queue benchmark: Shopify orders pulled once from the
//! loopback sandbox, stored as raw payloads in a fresh store per run, then normalized
//! through the pipeline (parse, map, upsert the canonical order, audit row) by workers
//! on the queue under test.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use shipgate::config::Config;
use shipgate::connectors::Connectors;
use shipgate::host::Host;
use shipgate::queue::Job;
use shipgate_sdk::{Cursor, Origin, RawOrder, Source};
use shipgate_shopify::sandbox::{SandboxConfig, ShopifySandbox};
use shipgate_shopify::ShopifyConnector;

/// The connector id the raw payloads are stored and normalized under.
const CONNECTOR: &str = "bench-shop";

/// The sandbox shop's orders as its Admin API returns them, with the connector that
/// reads them. The sandbox stays up for the connector's configuration.
pub struct Orders {
    _sandbox: ShopifySandbox,
    shop: Arc<ShopifyConnector>,
    raw: Vec<RawOrder>,
}

impl Orders {
    /// Starts a sandbox shop with `count` generated orders and pulls them all.
    pub async fn pull(count: usize) -> Orders {
        let sandbox = ShopifySandbox::start(SandboxConfig {
            orders: count,
            ..SandboxConfig::default()
        })
        .await
        .expect("sandbox starts");
        let origin = Origin {
            tenant: "bench".into(),
            merchant: "bench-merchant".into(),
            connector_id: CONNECTOR.into(),
        };
        let shop = Arc::new(
            ShopifyConnector::new(sandbox.shopify_config(), origin).expect("valid config"),
        );
        let mut raw = Vec::with_capacity(count);
        let mut cursor = Cursor::default();
        loop {
            let page = shop.pull(&cursor).await.expect("sandbox page");
            raw.extend(page.orders);
            cursor = page.next;
            if !page.has_more {
                break;
            }
        }
        assert_eq!(raw.len(), count, "every generated order pulled");
        Orders {
            _sandbox: sandbox,
            shop,
            raw,
        }
    }

    /// One run: a host on a fresh SQLite store in `dir` and the queue `queue_url` /
    /// `queue_name`, the raw payloads stored (not timed), then `Normalize` jobs pushed
    /// in batches of 1,000 and drained by `workers`. Returns the push and drain times.
    pub async fn run(
        &self,
        dir: &Path,
        queue_url: &str,
        queue_name: &str,
        workers: usize,
    ) -> (Duration, Duration) {
        let mut config = Config::from_toml(Path::new("bench"), "", std::iter::empty())
            .expect("default configuration");
        config.store.url = format!("sqlite://{}", dir.join("store.db").display());
        config.queue.url = queue_url.to_owned();
        config.queue.name = queue_name.to_owned();
        let mut connectors = Connectors::default();
        connectors.add_shopify(self.shop.clone(), Duration::from_secs(3600));
        let host = Host::open(&config, connectors).await.expect("host opens");
        let mut hashes = Vec::with_capacity(self.raw.len());
        for raw in &self.raw {
            hashes.push(
                host.store
                    .put_raw(CONNECTOR, &raw.content_type, &raw.body)
                    .await
                    .expect("raw payload stored"),
            );
        }

        let started = Instant::now();
        for chunk in hashes.chunks(1000) {
            let jobs = chunk
                .iter()
                .map(|hash| Job::Normalize {
                    connector_id: CONNECTOR.into(),
                    raw_hash: hash.clone(),
                })
                .collect();
            host.queue.push_many(jobs).await.expect("pushed");
        }
        let pushed = started.elapsed();
        let started = Instant::now();
        let stats = host
            .queue
            .run_until_idle(host.pipeline.clone(), host.dead.clone(), workers)
            .await
            .expect("drained");
        let drained = started.elapsed();
        assert_eq!(stats.dead, 0, "no Normalize job may die in the benchmark");
        assert_eq!(
            host.pipeline.stats().snapshot().normalized,
            self.raw.len() as u64,
            "every order normalized once"
        );
        (pushed, drained)
    }
}
