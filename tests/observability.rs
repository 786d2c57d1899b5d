//! `/healthz`, `/readyz` and `/metrics` over the host's real router on a loopback port:
//! jobs run through a real SQLite queue and are counted per kind and outcome in the
//! scraped exposition; readiness turns 503 when a real PostgreSQL database is dropped
//! or a real `redis-server` is killed, while liveness stays 200.

mod support {
    pub mod postgres;
    pub mod redis_server;
}

use shipgate::config::Config;
use shipgate::connectors::Connectors;
use shipgate::host::Host;
use shipgate::http::{router, HttpState};
use shipgate::queue::{Envelope, Job, JobError, JobHandler, RunStats};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use support::postgres::FreshDatabase;
use support::redis_server::RedisServer;
use ulid::Ulid;

/// A host on the given store and queue, its router served on a loopback port.
struct Served {
    host: Host,
    url: String,
    http: reqwest::Client,
}

impl Served {
    async fn start(store_url: &str, queue_url: &str) -> Served {
        let connectors = Connectors::default();
        let mut config = Config::from_toml(Path::new("observability-test"), "", std::iter::empty())
            .expect("config");
        config.store.url = store_url.into();
        config.queue.url = queue_url.into();
        config.queue.name = format!("obs-{}", Ulid::new());
        config.queue.max_attempts = 2;
        config.queue.base_delay_ms = 10;
        config.queue.max_delay_secs = 1;
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
        Served {
            host,
            url,
            http: reqwest::Client::new(),
        }
    }

    /// GETs `path`: status, content type, body.
    async fn get(&self, path: &str) -> (u16, String, String) {
        let response = self
            .http
            .get(format!("{}{path}", self.url))
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .expect("answered");
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        (status, content_type, response.text().await.expect("body"))
    }

    /// Scrapes `/metrics` and parses it.
    async fn scrape(&self) -> Samples {
        let (status, content_type, body) = self.get("/metrics").await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            content_type,
            "application/openmetrics-text; version=1.0.0; charset=utf-8"
        );
        assert!(body.ends_with("# EOF\n"), "{body}");
        Samples::parse(&body)
    }
}

/// The samples of an exposition, keyed by name and labels.
struct Samples(BTreeMap<(String, BTreeMap<String, String>), f64>);

impl Samples {
    /// Reads `name{k="v",…} value` lines; comments skipped. Label values here never hold
    /// quotes or commas, so a plain split is enough.
    fn parse(text: &str) -> Samples {
        let mut samples = BTreeMap::new();
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let (series, value) = line.rsplit_once(' ').expect("name and value");
            let (name, labels) = match series.split_once('{') {
                Some((name, rest)) => {
                    let inner = rest.strip_suffix('}').expect("closing brace");
                    let labels = inner
                        .split(',')
                        .map(|pair| {
                            let (k, v) = pair.split_once('=').expect("label pair");
                            (k.to_owned(), v.trim_matches('"').to_owned())
                        })
                        .collect();
                    (name.to_owned(), labels)
                }
                None => (series.to_owned(), BTreeMap::new()),
            };
            samples.insert((name, labels), value.parse().expect("numeric value"));
        }
        Samples(samples)
    }

    fn get(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        let labels = labels
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        self.0.get(&(name.to_owned(), labels)).copied()
    }

    /// Every series of `name`, by its labels.
    fn series(&self, name: &str) -> BTreeMap<BTreeMap<String, String>, f64> {
        self.0
            .iter()
            .filter(|((n, _), _)| n == name)
            .map(|((_, labels), v)| (labels.clone(), *v))
            .collect()
    }

    fn labels(&self) -> impl Iterator<Item = (&String, &String)> {
        self.0.keys().flat_map(|(_, labels)| labels.iter())
    }
}

/// A handler whose outcome depends on the job kind and attempt: `route` succeeds,
/// `push_back` fails once then succeeds, `book` is rejected for good, `track` always
/// fails transiently (dead after the policy's two attempts).
struct Scripted;

#[async_trait::async_trait]
impl JobHandler for Scripted {
    async fn handle(&self, envelope: &Envelope) -> Result<(), JobError> {
        match (&envelope.job, envelope.attempt) {
            (Job::Route { .. }, _) | (Job::PushBack { .. }, 2..) => Ok(()),
            (Job::PushBack { .. }, _) => Err(JobError::transient("storefront 503")),
            (Job::Book { .. }, _) => Err(JobError::permanent("carrier said 400")),
            _ => Err(JobError::transient("carrier timed out")),
        }
    }
}

#[tokio::test]
async fn metrics_count_jobs_by_kind_and_outcome_and_read_the_queue_depth() {
    let dir = tempfile::tempdir().expect("temp dir");
    let served = Served::start(
        &format!("sqlite://{}", dir.path().join("store.db").display()),
        &format!("sqlite://{}", dir.path().join("queue.db").display()),
    )
    .await;
    let orders = [Ulid::new(), Ulid::new(), Ulid::new()];
    served
        .host
        .queue
        .push_many(vec![
            Job::Route {
                order_id: orders[0],
            },
            Job::Route {
                order_id: orders[1],
            },
            Job::PushBack { shipment_id: 41 },
            Job::Book {
                order_id: orders[2],
            },
            Job::Track {
                shipment_ids: vec![7, 8],
            },
        ])
        .await
        .expect("pushed");

    let before = served.scrape().await;
    assert_eq!(before.get("shipgate_queue_depth", &[]), Some(5.0));
    assert!(before.series("shipgate_jobs_total").is_empty());
    assert_eq!(before.get("shipgate_orders_pulled_total", &[]), Some(0.0));

    let stats = tokio::time::timeout(
        Duration::from_secs(30),
        served
            .host
            .queue
            .run_until_idle(Arc::new(Scripted), served.host.dead.clone(), 2),
    )
    .await
    .expect("the queue goes idle")
    .expect("the queue runs");
    assert_eq!(
        stats,
        RunStats {
            succeeded: 3,
            retried: 2,
            dead: 2
        }
    );

    let after = served.scrape().await;
    assert_eq!(after.get("shipgate_queue_depth", &[]), Some(0.0));
    let expected: BTreeMap<BTreeMap<String, String>, f64> = [
        ("route", "succeeded", 2.0),
        ("push_back", "retried", 1.0),
        ("push_back", "succeeded", 1.0),
        ("book", "dead", 1.0),
        ("track", "retried", 1.0),
        ("track", "dead", 1.0),
    ]
    .into_iter()
    .map(|(kind, outcome, n)| {
        let labels = [("kind", kind), ("outcome", outcome)]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        (labels, n)
    })
    .collect();
    assert_eq!(after.series("shipgate_jobs_total"), expected);
    for (kind, attempts) in [
        ("route", 2.0),
        ("push_back", 2.0),
        ("book", 1.0),
        ("track", 2.0),
    ] {
        assert_eq!(
            after.get("shipgate_job_duration_seconds_count", &[("kind", kind)]),
            Some(attempts),
            "{kind}"
        );
        assert_eq!(
            after.get(
                "shipgate_job_duration_seconds_bucket",
                &[("kind", kind), ("le", "+Inf")]
            ),
            Some(attempts),
            "{kind}"
        );
    }
    for counter in [
        "shipgate_orders_pulled_total",
        "shipgate_orders_normalized_total",
        "shipgate_inputs_quarantined_total",
        "shipgate_fulfillments_pushed_total",
        "shipgate_duplicates_prevented_ledger_total",
        "shipgate_duplicates_prevented_remote_total",
        "shipgate_pushes_skipped_cancelled_total",
    ] {
        assert_eq!(after.get(counter, &[]), Some(0.0), "{counter}");
    }

    // Labels say what kind of work it was, never whose: only these keys, and no value
    // holds an order id, a shipment id or an error text.
    let keys: BTreeSet<&str> = after.labels().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, BTreeSet::from(["kind", "le", "outcome"]));
    for (key, value) in after.labels() {
        for order in orders {
            assert!(!value.contains(&order.to_string()), "{key}={value}");
        }
        if key != "le" {
            assert!(
                value.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{key}={value}"
            );
        }
    }
}

#[tokio::test]
async fn readiness_fails_when_the_postgres_database_is_gone() {
    let database = FreshDatabase::create().await;
    let store_url = database.url.clone();
    let dir = tempfile::tempdir().expect("temp dir");
    let served = Served::start(
        &store_url,
        &format!("sqlite://{}", dir.path().join("queue.db").display()),
    )
    .await;
    let (status, _, body) = served.get("/readyz").await;
    assert_eq!(
        (status, body.as_str()),
        (200, r#"{"store":"ok","queue":"ok"}"#)
    );

    drop(database);

    let (status, _, body) = served.get("/readyz").await;
    assert_eq!(status, 503, "{body}");
    let checks: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(checks["queue"], "ok");
    let store = checks["store"].as_str().expect("store check");
    assert_ne!(store, "ok");
    assert!(!store.contains(&store_url), "{store}");
    let (status, _, body) = served.get("/healthz").await;
    assert_eq!((status, body.as_str()), (200, "ok"));
}

const REDIS_PASSWORD: &str = "s3cret-obs";

#[tokio::test]
async fn readiness_fails_when_redis_is_down_and_liveness_and_metrics_stay_up() {
    let mut redis = RedisServer::start(Some(REDIS_PASSWORD), &["--save", ""]);
    let dir = tempfile::tempdir().expect("temp dir");
    let served = Served::start(
        &format!("sqlite://{}", dir.path().join("store.db").display()),
        &redis.url(),
    )
    .await;
    let (status, _, body) = served.get("/readyz").await;
    assert_eq!(
        (status, body.as_str()),
        (200, r#"{"store":"ok","queue":"ok"}"#)
    );
    assert_eq!(
        served.scrape().await.get("shipgate_queue_depth", &[]),
        Some(0.0)
    );

    redis.kill();

    let (status, _, body) = served.get("/readyz").await;
    assert_eq!(status, 503, "{body}");
    assert!(!body.contains(REDIS_PASSWORD), "{body}");
    let checks: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(checks["store"], "ok");
    assert_ne!(checks["queue"], "ok");
    let (status, _, body) = served.get("/healthz").await;
    assert_eq!((status, body.as_str()), (200, "ok"));
    // The scrape still answers, without a depth it could not read.
    let samples = served.scrape().await;
    assert_eq!(samples.get("shipgate_queue_depth", &[]), None);
    assert_eq!(samples.get("shipgate_orders_pulled_total", &[]), Some(0.0));
}
