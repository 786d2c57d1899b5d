//! Queue throughput: jobs pushed in batches of 1,000, then drained by 1, 2 and 4 workers,
//! on SQLite and on the Redis `TEST_REDIS_URL` names (or `redis://127.0.0.1:6379/`).
//! Jobs are no-ops (the queue's own cost) or real `Normalize` jobs (a Shopify order
//! parsed, mapped and stored in a fresh SQLite store per run). Runs are interleaved
//! (every kind, store and worker count once per round) and the median of `ROUNDS` rounds
//! is printed as JSON lines; `scripts/bench-queue` sets them beside
//! `redis-benchmark -t lpush,lpop` and BullMQ on the same Redis (README, "Benchmarks").
//!
//! `cargo bench --bench queue`; `JOBS`, `ROUNDS`, `WORKERS=1,2,4`, `STORES=redis,sqlite`
//! and `KIND=noop,normalize` choose the runs.

use std::sync::Arc;
use std::time::{Duration, Instant};

use shipgate::queue::{DeadLetters, Envelope, Job, JobError, JobHandler, Queue, RetryPolicy};

mod normalize;

struct Noop;

#[async_trait::async_trait]
impl JobHandler for Noop {
    async fn handle(&self, _: &Envelope) -> Result<(), JobError> {
        Ok(())
    }
}

struct NoGraves;

#[async_trait::async_trait]
impl DeadLetters for NoGraves {
    async fn bury(&self, envelope: &Envelope, _: u32, error: &str) -> Result<(), String> {
        Err(format!(
            "no job may die in the benchmark: {} {error}",
            envelope.id
        ))
    }
}

fn env_or<T: std::str::FromStr>(key: &str, default: T) -> T {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// What the benchmarked jobs do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Nothing: the queue's own cost per job.
    Noop,
    /// A real pipeline step: parse, map and store one Shopify order.
    Normalize,
}

impl Kind {
    fn parse(name: &str) -> Option<Kind> {
        match name.trim() {
            "noop" => Some(Kind::Noop),
            "normalize" => Some(Kind::Normalize),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Noop => "noop",
            Kind::Normalize => "normalize",
        }
    }
}

/// Pushes `jobs` no-op jobs in batches of 1,000, then drains them with `workers`.
/// Returns the push and drain times.
async fn noop_run(url: &str, workers: usize, jobs: usize) -> (Duration, Duration) {
    let name = format!("bench-{}", ulid::Ulid::new());
    let queue = Queue::open_named(url, &name, RetryPolicy::default())
        .await
        .expect("queue opens");
    let started = Instant::now();
    for chunk in (0..jobs as i64).collect::<Vec<_>>().chunks(1000) {
        let batch = chunk
            .iter()
            .map(|&i| Job::PushBack { shipment_id: i })
            .collect();
        queue.push_many(batch).await.expect("pushed");
    }
    let pushed = started.elapsed();
    let started = Instant::now();
    let stats = queue
        .run_until_idle(Arc::new(Noop), Arc::new(NoGraves), workers)
        .await
        .expect("drained");
    let drained = started.elapsed();
    assert_eq!(stats.succeeded, jobs as u64, "every job ran once");
    (pushed, drained)
}

fn per_second(jobs: usize, took: Duration) -> f64 {
    jobs as f64 / took.as_secs_f64()
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// One benchmark configuration and the figures of each of its runs.
struct Series {
    kind: Kind,
    store: &'static str,
    workers: usize,
    push: Vec<f64>,
    drain: Vec<f64>,
}

fn main() {
    let jobs: usize = env_or("JOBS", 20_000);
    let rounds: usize = env_or("ROUNDS", 5);
    let workers: Vec<usize> = std::env::var("WORKERS")
        .unwrap_or_else(|_| "1,2,4".into())
        .split(',')
        .filter_map(|w| w.trim().parse().ok())
        .collect();
    let kinds: Vec<Kind> = std::env::var("KIND")
        .unwrap_or_else(|_| "noop".into())
        .split(',')
        .map(|k| Kind::parse(k).unwrap_or_else(|| panic!("KIND: unknown kind {k:?}")))
        .collect();
    let wanted = std::env::var("STORES").unwrap_or_else(|_| "redis,sqlite".into());
    let redis =
        std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".into());
    let stores: Vec<&'static str> = ["redis", "sqlite"]
        .into_iter()
        .filter(|store| wanted.split(',').any(|w| w.trim() == *store))
        .collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let orders = kinds
        .contains(&Kind::Normalize)
        .then(|| runtime.block_on(normalize::Orders::pull(jobs)));
    let mut series: Vec<Series> = Vec::new();
    let mut run = 0;
    for _ in 0..rounds {
        for &kind in &kinds {
            for &store in &stores {
                for &w in &workers {
                    run += 1;
                    let run_dir = dir.path().join(format!("run-{run}"));
                    std::fs::create_dir(&run_dir).expect("run dir");
                    let url = match store {
                        "sqlite" => format!("sqlite://{}", run_dir.join("queue.db").display()),
                        _ => redis.clone(),
                    };
                    let (pushed, drained) = runtime.block_on(async {
                        match (kind, &orders) {
                            (Kind::Normalize, Some(orders)) => {
                                let name = format!("bench-{}", ulid::Ulid::new());
                                orders.run(&run_dir, &url, &name, w).await
                            }
                            _ => noop_run(&url, w, jobs).await,
                        }
                    });
                    let at = series
                        .iter()
                        .position(|s| s.kind == kind && s.store == store && s.workers == w)
                        .unwrap_or_else(|| {
                            series.push(Series {
                                kind,
                                store,
                                workers: w,
                                push: Vec::new(),
                                drain: Vec::new(),
                            });
                            series.len() - 1
                        });
                    series[at].push.push(per_second(jobs, pushed));
                    series[at].drain.push(per_second(jobs, drained));
                }
            }
        }
    }
    for s in series {
        println!(
            "{{\"kind\":\"{}\",\"store\":\"{}\",\"workers\":{},\"jobs\":{jobs},\"rounds\":{rounds},\"push_per_s\":{:.0},\"drain_per_s\":{:.0},\"drain_runs\":{:?}}}",
            s.kind.name(),
            s.store,
            s.workers,
            median(s.push.clone()),
            median(s.drain.clone()),
            s.drain.iter().map(|d| d.round()).collect::<Vec<_>>()
        );
    }
}
