//! Queue throughput: no-op jobs pushed in one batch, then drained by 1, 2 and 4 workers,
//! on SQLite and on the Redis `TEST_REDIS_URL` names (or `redis://127.0.0.1:6379/`).
//! Runs are interleaved (every store and worker count once per round) and the median of
//! `ROUNDS` rounds is printed as JSON lines, to set beside `redis-benchmark -t lpush,lpop`
//! and BullMQ on the same Redis (README, "Benchmarks").
//!
//! `cargo bench --bench queue` (`JOBS`, `ROUNDS` and `WORKERS=1,2,4` override the sizes).

use std::sync::Arc;
use std::time::{Duration, Instant};

use shipgate::queue::{DeadLetters, Envelope, Job, JobError, JobHandler, Queue, RetryPolicy};

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

/// Pushes `jobs` no-op jobs in batches of 1,000, then drains them with `workers`.
/// Returns (push, drain) jobs per second.
async fn one_run(url: &str, workers: usize, jobs: usize) -> (f64, f64) {
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
    (per_second(jobs, pushed), per_second(jobs, drained))
}

fn per_second(jobs: usize, took: Duration) -> f64 {
    jobs as f64 / took.as_secs_f64()
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn main() {
    let jobs: usize = env_or("JOBS", 20_000);
    let rounds: usize = env_or("ROUNDS", 5);
    let workers: Vec<usize> = std::env::var("WORKERS")
        .unwrap_or_else(|_| "1,2,4".into())
        .split(',')
        .filter_map(|w| w.trim().parse().ok())
        .collect();
    let redis =
        std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".into());
    let dir = tempfile::tempdir().expect("temp dir");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let wanted = std::env::var("STORES").unwrap_or_else(|_| "redis,sqlite".into());
    let stores: Vec<(&str, String)> = [("redis", redis), ("sqlite", String::new())]
        .into_iter()
        .filter(|(store, _)| wanted.split(',').any(|w| w.trim() == *store))
        .collect();
    let mut results: Vec<(String, usize, Vec<f64>, Vec<f64>)> = Vec::new();
    for round in 0..rounds {
        for (store, url) in &stores {
            for &w in &workers {
                let url = if *store == "sqlite" {
                    format!(
                        "sqlite://{}",
                        dir.path().join(format!("q-{round}-{w}.db")).display()
                    )
                } else {
                    url.clone()
                };
                let (push, drain) = runtime.block_on(one_run(&url, w, jobs));
                match results.iter_mut().find(|r| r.0 == *store && r.1 == w) {
                    Some(r) => {
                        r.2.push(push);
                        r.3.push(drain);
                    }
                    None => results.push((store.to_string(), w, vec![push], vec![drain])),
                }
            }
        }
    }
    for (store, w, push, drain) in results {
        println!(
            "{{\"store\":\"{store}\",\"workers\":{w},\"jobs\":{jobs},\"rounds\":{rounds},\"push_per_s\":{:.0},\"drain_per_s\":{:.0},\"drain_runs\":{:?}}}",
            median(push),
            median(drain.clone()),
            drain.iter().map(|d| d.round()).collect::<Vec<_>>()
        );
    }
}
