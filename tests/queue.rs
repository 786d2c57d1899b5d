//! The job queue over both of its stores — real SQLite files and a real Redis — with one
//! suite: success, retries with their delays, the dead list, idle detection, cross-handle
//! pickup, exactly-once under concurrency, graceful shutdown, and payloads no build
//! understands. Each case runs once per store (`sqlite::…`, `redis::…`).
//!
//! Redis is the one `TEST_REDIS_URL` names (`./scripts/test` starts a private
//! `redis-server` and sets it); without it the Redis cases fail, they never skip. Each
//! case gets a queue name of its own, so cases run in parallel on one server.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use shipgate::queue::{
    DeadLetters, Envelope, Job, JobError, JobHandler, Queue, QueueError, RetryPolicy,
};
use tempfile::TempDir;

/// One call of the handler: which attempt, when it started.
#[derive(Debug, Clone)]
struct Call {
    envelope: Envelope,
    started: Instant,
}

/// A handler whose outcome per call is decided by a closure, recording every call.
struct Scripted<F> {
    outcome: F,
    calls: Mutex<Vec<Call>>,
}

impl<F> Scripted<F>
where
    F: Fn(&Envelope) -> Result<(), JobError> + Send + Sync + 'static,
{
    fn new(outcome: F) -> Arc<Self> {
        Arc::new(Self {
            outcome,
            calls: Mutex::new(Vec::new()),
        })
    }

    fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }
}

#[async_trait::async_trait]
impl<F> JobHandler for Scripted<F>
where
    F: Fn(&Envelope) -> Result<(), JobError> + Send + Sync + 'static,
{
    async fn handle(&self, envelope: &Envelope) -> Result<(), JobError> {
        self.calls.lock().unwrap().push(Call {
            envelope: envelope.clone(),
            started: Instant::now(),
        });
        (self.outcome)(envelope)
    }
}

/// The dead list, in memory.
#[derive(Default)]
struct Graveyard {
    buried: Mutex<Vec<(Envelope, u32, String)>>,
}

impl Graveyard {
    fn buried(&self) -> Vec<(Envelope, u32, String)> {
        self.buried.lock().unwrap().clone()
    }
}

#[async_trait::async_trait]
impl DeadLetters for Graveyard {
    async fn bury(
        &self,
        envelope: &Envelope,
        attempts: u32,
        last_error: &str,
    ) -> Result<(), String> {
        self.buried
            .lock()
            .unwrap()
            .push((envelope.clone(), attempts, last_error.to_owned()));
        Ok(())
    }
}

fn fast_policy(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
    }
}

/// Which store a case runs on.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Sqlite,
    Redis,
}

/// A queue opened for one case, with what a second handle needs to reach it.
struct Opened {
    queue: Queue,
    url: String,
    name: String,
    /// The SQLite file's folder, removed when the case ends.
    _dir: TempDir,
}

impl Opened {
    /// Another handle on the same queue, as another process would open it.
    async fn reopen(&self, policy: RetryPolicy) -> Queue {
        Queue::open_named(&self.url, &self.name, policy)
            .await
            .unwrap()
    }
}

/// The Redis the suite runs against.
fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| {
        panic!(
            "TEST_REDIS_URL is not set: run ./scripts/test (it starts a private \
             redis-server) or point it at a Redis you can write to"
        )
    })
}

impl Kind {
    async fn open(self, policy: RetryPolicy) -> Opened {
        let dir = tempfile::tempdir().unwrap();
        let (url, name) = match self {
            Kind::Sqlite => (
                format!("sqlite://{}", dir.path().join("queue.db").display()),
                "shipgate".to_owned(),
            ),
            Kind::Redis => (redis_url(), format!("test-{}", ulid::Ulid::new())),
        };
        let queue = Queue::open_named(&url, &name, policy).await.unwrap();
        Opened {
            queue,
            url,
            name,
            _dir: dir,
        }
    }
}

fn pull(connector: &str) -> Job {
    Job::PullOrders {
        connector_id: connector.to_owned(),
    }
}

async fn a_job_succeeds_once(kind: Kind) {
    let Opened { queue, .. } = &kind.open(RetryPolicy::default()).await;
    let id = queue.push(pull("shop-1")).await.unwrap();
    assert_eq!(queue.pending().await.unwrap(), 1);

    let handler = Scripted::new(|_| Ok(()));
    let dead = Arc::new(Graveyard::default());
    let stats = queue
        .run_until_idle(handler.clone(), dead.clone(), 2)
        .await
        .unwrap();

    let calls = handler.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].envelope.id, id);
    assert_eq!(calls[0].envelope.attempt, 1);
    assert_eq!(calls[0].envelope.job, pull("shop-1"));
    assert_eq!((stats.succeeded, stats.retried, stats.dead), (1, 0, 0));
    assert!(dead.buried().is_empty());
    assert_eq!(queue.pending().await.unwrap(), 0);
}

async fn a_transient_failure_is_retried_no_earlier_than_retry_after(kind: Kind) {
    let Opened { queue, .. } = &kind.open(fast_policy(5)).await;
    let id = queue.push(pull("shop-throttled")).await.unwrap();

    let retry_after = Duration::from_millis(1200);
    let handler = Scripted::new(move |env| {
        if env.attempt == 1 {
            Err(JobError::Transient {
                message: "429 throttled".into(),
                retry_after: Some(retry_after),
            })
        } else {
            Ok(())
        }
    });
    let dead = Arc::new(Graveyard::default());
    let stats = queue
        .run_until_idle(handler.clone(), dead.clone(), 1)
        .await
        .unwrap();

    let calls = handler.calls();
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert_eq!(
        calls.iter().map(|c| c.envelope.attempt).collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert!(
        calls.iter().all(|c| c.envelope.id == id),
        "attempts keep the job id"
    );
    let waited = calls[1].started - calls[0].started;
    assert!(
        waited >= retry_after,
        "second attempt after {waited:?}, remote asked for {retry_after:?}"
    );
    assert_eq!((stats.succeeded, stats.retried, stats.dead), (1, 1, 0));
    assert!(dead.buried().is_empty());
}

async fn a_permanent_failure_goes_to_the_dead_list_at_once(kind: Kind) {
    let Opened { queue, .. } = &kind.open(fast_policy(5)).await;
    let id = queue.push(Job::PushBack { shipment_id: 42 }).await.unwrap();

    let handler = Scripted::new(|_| Err(JobError::permanent("422: tracking number rejected")));
    let dead = Arc::new(Graveyard::default());
    let stats = queue
        .run_until_idle(handler.clone(), dead.clone(), 1)
        .await
        .unwrap();

    assert_eq!(
        handler.calls().len(),
        1,
        "a permanent failure is not retried"
    );
    let buried = dead.buried();
    assert_eq!(buried.len(), 1);
    let (envelope, attempts, last_error) = &buried[0];
    assert_eq!(envelope.id, id);
    assert_eq!(envelope.job, Job::PushBack { shipment_id: 42 });
    assert_eq!(*attempts, 1);
    assert_eq!(last_error, "422: tracking number rejected");
    assert_eq!((stats.succeeded, stats.retried, stats.dead), (0, 0, 1));
}

async fn exhausted_retries_bury_the_last_error_and_attempt_count(kind: Kind) {
    let Opened { queue, .. } = &kind.open(fast_policy(3)).await;
    queue.push(pull("shop-down")).await.unwrap();

    let handler = Scripted::new(|env| {
        Err(JobError::transient(format!(
            "503 on attempt {}",
            env.attempt
        )))
    });
    let dead = Arc::new(Graveyard::default());
    let stats = queue
        .run_until_idle(handler.clone(), dead.clone(), 2)
        .await
        .unwrap();

    assert_eq!(
        handler
            .calls()
            .iter()
            .map(|c| c.envelope.attempt)
            .collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    let buried = dead.buried();
    assert_eq!(buried.len(), 1);
    assert_eq!(buried[0].1, 3);
    assert_eq!(buried[0].2, "503 on attempt 3");
    assert_eq!((stats.succeeded, stats.retried, stats.dead), (0, 2, 1));
    assert_eq!(queue.pending().await.unwrap(), 0);
}

async fn run_until_idle_waits_for_jobs_scheduled_later(kind: Kind) {
    let Opened { queue, .. } = &kind.open(RetryPolicy::default()).await;
    let later = queue
        .push_after(pull("later"), Duration::from_millis(800))
        .await
        .unwrap();
    let now = queue.push(pull("now")).await.unwrap();
    assert_eq!(
        queue.pending().await.unwrap(),
        2,
        "a scheduled job is pending"
    );

    let started = Instant::now();
    let handler = Scripted::new(|_| Ok(()));
    let stats = queue
        .run_until_idle(handler.clone(), Arc::new(Graveyard::default()), 2)
        .await
        .unwrap();

    let calls = handler.calls();
    let ids: Vec<_> = calls.iter().map(|c| c.envelope.id).collect();
    assert_eq!(
        ids,
        vec![now, later],
        "the due job first, the scheduled one after its delay"
    );
    assert!(calls[1].started - started >= Duration::from_millis(800));
    assert_eq!(stats.succeeded, 2);
}

async fn a_job_pushed_from_another_handle_is_picked_up_promptly(kind: Kind) {
    let opened = kind.open(RetryPolicy::default()).await;
    let worker_side = opened.queue.clone();
    let producer = opened.reopen(RetryPolicy::default()).await;

    let (seen_tx, seen_rx) = std::sync::mpsc::channel::<Instant>();
    let seen_tx = Mutex::new(seen_tx);
    let handler = Scripted::new(move |_| {
        let _ = seen_tx.lock().unwrap().send(Instant::now());
        Ok(())
    });
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let run = tokio::spawn({
        let handler = handler.clone();
        async move {
            let stop = async move {
                let _ = stop_rx.await;
            };
            worker_side
                .run(handler, Arc::new(Graveyard::default()), 1, stop)
                .await
        }
    });

    // Let the worker register, find nothing, and go idle.
    tokio::time::sleep(Duration::from_millis(700)).await;
    let pushed = Instant::now();
    producer.push(pull("from-elsewhere")).await.unwrap();
    let seen = tokio::task::spawn_blocking(move || seen_rx.recv_timeout(Duration::from_secs(3)))
        .await
        .unwrap()
        .expect("the job was never run");
    let latency = seen - pushed;

    stop_tx.send(()).unwrap();
    let stats = run.await.unwrap().unwrap();
    assert_eq!(stats.succeeded, 1);
    assert!(
        latency < Duration::from_secs(1),
        "an idle worker took {latency:?} to see a pushed job"
    );
}

async fn a_thousand_jobs_on_four_workers_each_run_exactly_once(kind: Kind) {
    let Opened { queue, .. } = &kind.open(RetryPolicy::default()).await;
    let jobs: Vec<Job> = (0..1000)
        .map(|i| Job::PushBack { shipment_id: i })
        .collect();
    assert_eq!(queue.push_many(jobs).await.unwrap(), 1000);
    assert_eq!(queue.pending().await.unwrap(), 1000);

    let runs: Arc<Mutex<HashMap<i64, u32>>> = Arc::default();
    let handler = Scripted::new({
        let runs = runs.clone();
        move |env| {
            if let Job::PushBack { shipment_id } = env.job {
                *runs.lock().unwrap().entry(shipment_id).or_default() += 1;
            }
            Ok(())
        }
    });
    let stats = queue
        .run_until_idle(handler, Arc::new(Graveyard::default()), 4)
        .await
        .unwrap();

    let runs = runs.lock().unwrap();
    assert_eq!(runs.len(), 1000, "every job ran");
    let twice: Vec<_> = runs.iter().filter(|(_, n)| **n != 1).collect();
    assert!(twice.is_empty(), "jobs run more than once: {twice:?}");
    assert_eq!(stats.succeeded, 1000);
}

/// How long a drain of ten thousand no-op jobs may take before the test calls the queue
/// stuck (it takes seconds; a jammed Redis fetch never ends).
const STUCK_AFTER: Duration = Duration::from_secs(90);

/// Runs workers until nothing is pending, failing the test if that never happens.
async fn drain_or_fail(queue: &Queue, workers: usize) -> u64 {
    let handler = Scripted::new(|_| Ok(()));
    let drained = tokio::time::timeout(
        STUCK_AFTER,
        queue.run_until_idle(handler, Arc::new(Graveyard::default()), workers),
    )
    .await;
    let pending = queue.pending().await.unwrap();
    let stats = drained
        .unwrap_or_else(|_| panic!("the queue is stuck: {pending} jobs still pending"))
        .unwrap();
    stats.succeeded
}

/// Sharp edge (apalis-redis): its fetch moves every due job with one Lua `unpack`, which
/// fails above ~8,000 values, so a push of 10,000 jobs used to stop every worker.
async fn ten_thousand_jobs_pushed_at_once_all_run(kind: Kind) {
    let Opened { queue, .. } = &kind.open(RetryPolicy::default()).await;
    let jobs: Vec<Job> = (0..10_000)
        .map(|i| Job::PushBack { shipment_id: i })
        .collect();
    assert_eq!(queue.push_many(jobs).await.unwrap(), 10_000);
    assert_eq!(drain_or_fail(queue, 4).await, 10_000);
    assert_eq!(queue.pending().await.unwrap(), 0);
}

/// The same edge for delayed jobs (retries, scheduled pulls): ten thousand become due in
/// the same second while the workers run.
#[tokio::test]
async fn ten_thousand_delayed_jobs_due_in_one_second_all_run_on_redis() {
    let Opened { queue, .. } = &Kind::Redis.open(RetryPolicy::default()).await;
    let now = std::time::SystemTime::now();
    let since_epoch = now.duration_since(std::time::UNIX_EPOCH).unwrap();
    let due = Duration::from_secs(since_epoch.as_secs() + 12);
    let pushing = Instant::now();
    let pushers: Vec<_> = (0..4)
        .map(|p| {
            let queue = queue.clone();
            tokio::spawn(async move {
                for i in (p..10_000).step_by(4) {
                    let left = due.saturating_sub(
                        std::time::SystemTime::now()
                            .duration_since(std::time::UNIX_EPOCH)
                            .unwrap(),
                    );
                    queue
                        .push_after(Job::PushBack { shipment_id: i }, left)
                        .await
                        .unwrap();
                }
            })
        })
        .collect();
    for pusher in pushers {
        pusher.await.unwrap();
    }
    assert!(
        pushing.elapsed() < Duration::from_secs(10),
        "pushing took {:?}: the jobs did not become due together, the case is not tested",
        pushing.elapsed()
    );
    assert_eq!(drain_or_fail(queue, 4).await, 10_000);
}

async fn shutdown_lets_the_running_job_finish(kind: Kind) {
    let Opened { queue, .. } = &kind.open(RetryPolicy::default()).await;
    queue.push(pull("slow")).await.unwrap();

    struct Slow;
    #[async_trait::async_trait]
    impl JobHandler for Slow {
        async fn handle(&self, _: &Envelope) -> Result<(), JobError> {
            tokio::time::sleep(Duration::from_millis(600)).await;
            Ok(())
        }
    }
    let stop = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    let stats = queue
        .run(Arc::new(Slow), Arc::new(Graveyard::default()), 1, stop)
        .await
        .unwrap();
    assert_eq!(
        stats.succeeded, 1,
        "the in-flight job completed before run returned"
    );
    assert_eq!(queue.pending().await.unwrap(), 0);
}

async fn a_panicking_handler_buries_the_job_and_the_worker_goes_on(kind: Kind) {
    let Opened { queue, .. } = &kind.open(fast_policy(3)).await;
    queue
        .push_many(vec![pull("bomb"), pull("fine")])
        .await
        .unwrap();

    let handler = Scripted::new(|env| match &env.job {
        Job::PullOrders { connector_id } if connector_id == "bomb" => panic!("mapping bug"),
        _ => Ok(()),
    });
    let dead = Arc::new(Graveyard::default());
    let stats = queue
        .run_until_idle(handler, dead.clone(), 1)
        .await
        .unwrap();

    assert_eq!((stats.succeeded, stats.dead), (1, 1));
    let buried = dead.buried();
    assert_eq!(buried[0].2, "handler panicked: mapping bug");
}

#[tokio::test]
async fn an_undecodable_payload_fails_alone_and_is_kept() {
    let opened = Kind::Sqlite.open(RetryPolicy::default()).await;
    let (dir, queue) = (&opened._dir, &opened.queue);
    // A row no shipgate build wrote: a future job kind, or a corrupted payload.
    let db = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}",
        dir.path().join("queue.db").display()
    ))
    .await
    .unwrap();
    let bad_id = ulid::Ulid::new().to_string();
    sqlx::query(
        "INSERT INTO Jobs (job, id, job_type, status, attempts, max_attempts, run_at, priority) \
         VALUES (?1, ?2, 'shipgate', 'Pending', 0, 1, strftime('%s', 'now'), 0)",
    )
    .bind(b"{\"kind\":\"teleport\"".to_vec())
    .bind(&bad_id)
    .execute(&db)
    .await
    .unwrap();
    queue.push(pull("fine")).await.unwrap();

    let handler = Scripted::new(|_| Ok(()));
    let stats = queue
        .run_until_idle(handler.clone(), Arc::new(Graveyard::default()), 1)
        .await
        .unwrap();

    assert_eq!(handler.calls().len(), 1, "the good job still ran");
    assert_eq!(stats.succeeded, 1);
    let (status, payload, reason): (String, Vec<u8>, String) =
        sqlx::query_as("SELECT status, job, last_result FROM Jobs WHERE id = ?1")
            .bind(&bad_id)
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(status, "Killed", "never retried");
    assert_eq!(
        payload,
        b"{\"kind\":\"teleport\"".to_vec(),
        "the raw payload is kept"
    );
    assert!(reason.contains("undecodable job payload"), "{reason}");
}

#[tokio::test]
async fn the_in_memory_queue_runs_jobs() {
    let queue = Queue::open("sqlite::memory:", RetryPolicy::default())
        .await
        .unwrap();
    queue
        .push_many(vec![pull("a"), pull("b"), pull("c")])
        .await
        .unwrap();
    let handler = Scripted::new(|_| Ok(()));
    let stats = queue
        .run_until_idle(handler.clone(), Arc::new(Graveyard::default()), 2)
        .await
        .unwrap();
    assert_eq!(stats.succeeded, 3);
    assert_eq!(handler.calls().len(), 3);
}

#[tokio::test]
async fn other_schemes_are_refused_by_name() {
    let err = Queue::open("amqp://user:secret@localhost:5672", RetryPolicy::default())
        .await
        .unwrap_err();
    match &err {
        QueueError::Unsupported { scheme } => assert_eq!(scheme, "amqp"),
        other => panic!("expected Unsupported, got {other:?}"),
    }
    assert!(
        !err.to_string().contains("secret"),
        "the URL's password is not echoed: {err}"
    );
}

async fn zero_workers_is_an_error(kind: Kind) {
    let Opened { queue, .. } = &kind.open(RetryPolicy::default()).await;
    let handler = Scripted::new(|_| Ok(()));
    let err = queue
        .run_until_idle(handler, Arc::new(Graveyard::default()), 0)
        .await
        .unwrap_err();
    assert!(matches!(err, QueueError::NoWorkers));
}

#[test]
fn retry_delays_stay_within_bounds_and_are_jittered() {
    let policy = RetryPolicy {
        max_attempts: 10,
        base_delay: Duration::from_millis(100),
        max_delay: Duration::from_secs(2),
    };
    for attempt in 1..=10u32 {
        let ceiling =
            (Duration::from_millis(100) * 2u32.pow(attempt - 1)).min(Duration::from_secs(2));
        let samples: Vec<Duration> = (0..200).map(|_| policy.delay(attempt, None)).collect();
        assert!(
            samples.iter().all(|d| *d <= ceiling),
            "attempt {attempt}: above {ceiling:?}"
        );
        let mut distinct = samples.clone();
        distinct.sort();
        distinct.dedup();
        assert!(
            distinct.len() > 100,
            "attempt {attempt}: delays are not jittered"
        );
        let mean = samples.iter().sum::<Duration>() / 200;
        assert!(
            mean > ceiling / 4 && mean < ceiling * 3 / 4,
            "attempt {attempt}: mean {mean:?} is not uniform over [0, {ceiling:?}]"
        );
    }
    // Huge attempt numbers do not overflow: the cap holds.
    assert!(policy.delay(u32::MAX, None) <= Duration::from_secs(2));
    // The remote's wait is a floor, even above the cap.
    let asked = Duration::from_secs(30);
    assert!((0..50).all(|_| policy.delay(1, Some(asked)) >= asked));
    let small = Duration::from_millis(20);
    assert!((0..50).all(|_| policy.delay(3, Some(small)) >= small));
}

/// `cargo test --release -p shipgate --test queue -- --ignored --nocapture`
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "throughput figure, run on demand"]
async fn throughput_of_ten_thousand_noop_jobs() {
    let Opened { queue, .. } = &Kind::Sqlite.open(RetryPolicy::default()).await;
    let jobs: Vec<Job> = (0..10_000)
        .map(|i| Job::PushBack { shipment_id: i })
        .collect();
    let started = Instant::now();
    queue.push_many(jobs).await.unwrap();
    let pushed = started.elapsed();
    let handler = Scripted::new(|_| Ok(()));
    let stats = queue
        .run_until_idle(handler, Arc::new(Graveyard::default()), 4)
        .await
        .unwrap();
    let total = started.elapsed();
    assert_eq!(stats.succeeded, 10_000);
    println!(
        "push_many: {pushed:?}; push + run: {total:?}; {:.0} jobs/s end to end",
        10_000.0 / total.as_secs_f64()
    );
}

/// Runs each named case on both stores, as `sqlite::<case>` and `redis::<case>`.
async fn a_sweep_removes_finished_jobs_and_nothing_else(kind: Kind) {
    let Opened { queue, .. } = &kind.open(RetryPolicy::default()).await;
    // Kept for longer than the case lasts: the workers' own sweeps remove nothing.
    let queue = queue.clone().keep_finished(Duration::from_secs(3600));
    let jobs = (0..20).map(|i| pull(&format!("shop-{i}"))).collect();
    queue.push_many(jobs).await.unwrap();
    queue
        .run_until_idle(Scripted::new(|_| Ok(())), Arc::new(Graveyard::default()), 2)
        .await
        .unwrap();
    assert_eq!(queue.finished().await.unwrap(), 20);
    queue
        .push_after(pull("later"), Duration::from_secs(3600))
        .await
        .unwrap();

    assert_eq!(
        queue
            .sweep_finished(Duration::from_secs(3600))
            .await
            .unwrap(),
        0,
        "jobs younger than the retention stay"
    );
    assert_eq!(queue.sweep_finished(Duration::ZERO).await.unwrap(), 20);
    assert_eq!(queue.finished().await.unwrap(), 0);
    assert_eq!(
        queue.pending().await.unwrap(),
        1,
        "unfinished jobs are untouched"
    );
}

async fn running_workers_sweep_with_the_queue_retention(kind: Kind) {
    let Opened { queue, .. } = &kind.open(RetryPolicy::default()).await;
    let queue = queue.clone().keep_finished(Duration::ZERO);
    let jobs = (0..10).map(|i| pull(&format!("shop-{i}"))).collect();
    queue.push_many(jobs).await.unwrap();
    let handler = Scripted::new(|_| Ok(()));
    queue
        .run_until_idle(handler.clone(), Arc::new(Graveyard::default()), 2)
        .await
        .unwrap();
    assert_eq!(handler.calls().len(), 10);
    assert_eq!(
        queue.finished().await.unwrap(),
        0,
        "the workers swept as they stopped"
    );
}

macro_rules! on_both_stores {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $case() {
                super::$case(super::Kind::Sqlite).await
            })*
        }
        mod redis {
            $(#[tokio::test]
            async fn $case() {
                super::$case(super::Kind::Redis).await
            })*
        }
    };
}

on_both_stores!(
    a_job_succeeds_once,
    a_transient_failure_is_retried_no_earlier_than_retry_after,
    a_permanent_failure_goes_to_the_dead_list_at_once,
    exhausted_retries_bury_the_last_error_and_attempt_count,
    run_until_idle_waits_for_jobs_scheduled_later,
    a_job_pushed_from_another_handle_is_picked_up_promptly,
    a_thousand_jobs_on_four_workers_each_run_exactly_once,
    ten_thousand_jobs_pushed_at_once_all_run,
    shutdown_lets_the_running_job_finish,
    a_panicking_handler_buries_the_job_and_the_worker_goes_on,
    zero_workers_is_an_error,
    a_sweep_removes_finished_jobs_and_nothing_else,
    running_workers_sweep_with_the_queue_retention
);

#[tokio::test]
async fn an_undecodable_payload_on_redis_is_killed_alone_and_kept() {
    let opened = Kind::Redis.open(RetryPolicy::default()).await;
    // A task no shipgate build wrote, pushed the way apalis-redis stores any task.
    let client = ::redis::Client::open(opened.url.as_str()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let config = apalis_redis::Config::default().queue(&opened.name);
    let raw = apalis::prelude::TaskBuilder::new(b"{\"kind\":\"teleport\"".to_vec()).build();
    apalis_redis::queries::push_tasks(&mut conn, &config, &[raw])
        .await
        .unwrap();
    opened.queue.push(pull("fine")).await.unwrap();

    let handler = Scripted::new(|_| Ok(()));
    let stats = opened
        .queue
        .run_until_idle(handler.clone(), Arc::new(Graveyard::default()), 1)
        .await
        .unwrap();

    assert_eq!(handler.calls().len(), 1, "the good job still ran");
    assert_eq!(stats.succeeded, 1);
    let dead: Vec<String> = ::redis::cmd("SMEMBERS")
        .arg(format!("{}:dead", opened.name))
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(dead.len(), 1, "killed, not rescheduled: {dead:?}");
    let payload: Vec<u8> = ::redis::cmd("HGET")
        .arg(format!("{}:data", opened.name))
        .arg(&dead[0])
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        payload,
        b"{\"kind\":\"teleport\"".to_vec(),
        "the raw payload is kept"
    );
    let (status, result): (String, String) = ::redis::cmd("HMGET")
        .arg(format!("{}:meta:{}", opened.name, dead[0]))
        .arg("status")
        .arg("result")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(status, "Killed");
    assert!(result.contains("undecodable job payload"), "{result}");
}

#[tokio::test]
async fn an_unreachable_redis_is_an_error_without_the_password() {
    let err = Queue::open(
        "redis://user:s3cret-pw@127.0.0.1:1/0",
        RetryPolicy::default(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, QueueError::Backend { .. }), "{err:?}");
    assert!(!err.to_string().contains("s3cret-pw"), "{err}");
    assert!(!format!("{err:?}").contains("s3cret-pw"), "{err:?}");
}

#[tokio::test]
async fn a_redis_sweep_leaves_no_key_of_a_finished_job_and_keeps_killed_ones() {
    let opened = Kind::Redis.open(RetryPolicy::default()).await;
    let client = ::redis::Client::open(opened.url.as_str()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let config = apalis_redis::Config::default().queue(&opened.name);
    let raw = apalis::prelude::TaskBuilder::new(b"not json".to_vec()).build();
    apalis_redis::queries::push_tasks(&mut conn, &config, &[raw])
        .await
        .unwrap();
    // More than one sweep slice, so the scan has to go on past its first call.
    let jobs = (0..1200).map(|i| pull(&format!("shop-{i}"))).collect();
    opened.queue.push_many(jobs).await.unwrap();
    opened
        .queue
        .run_until_idle(Scripted::new(|_| Ok(())), Arc::new(Graveyard::default()), 4)
        .await
        .unwrap();

    assert_eq!(
        opened.queue.sweep_finished(Duration::ZERO).await.unwrap(),
        1200
    );
    let payloads: u64 = ::redis::cmd("HLEN")
        .arg(config.job_data_hash())
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(payloads, 1, "only the killed task's payload is left");
    let metas: Vec<String> = ::redis::cmd("KEYS")
        .arg(format!("{}:*", config.job_meta_hash()))
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(metas.len(), 1, "{metas:?}");
    let done: u64 = ::redis::cmd("SCARD")
        .arg(config.done_jobs_set())
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(done, 0);
    assert_eq!(
        opened.queue.finished().await.unwrap(),
        1,
        "the killed task stays"
    );
}

/// Sharp edge 7: apalis names a queue after the Rust type unless told, so a refactor
/// would strand every stored job. The default queue lives under the fixed name
/// `shipgate`, and queues of other names never run each other's jobs.
#[tokio::test]
async fn queues_keep_their_names_and_never_run_each_others_jobs() {
    let url = redis_url();
    let default = Queue::open(&url, RetryPolicy::default()).await.unwrap();
    let mine = default.push(pull("default-queue")).await.unwrap();
    let client = ::redis::Client::open(url.as_str()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let payloads: Vec<String> = ::redis::cmd("HVALS")
        .arg("shipgate:data")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(
        payloads.iter().any(|p| p.contains(&mine.to_string())),
        "stored under the queue name shipgate, whatever the Rust types are called"
    );
    let by_name = Queue::open_named(&url, "shipgate", RetryPolicy::default())
        .await
        .unwrap();

    let a = Kind::Redis.open(RetryPolicy::default()).await;
    let b = Kind::Redis.open(RetryPolicy::default()).await;
    a.queue.push(pull("a")).await.unwrap();
    b.queue.push(pull("b")).await.unwrap();
    let handler = Scripted::new(|_| Ok(()));
    a.queue
        .run_until_idle(handler.clone(), Arc::new(Graveyard::default()), 2)
        .await
        .unwrap();
    let ran: Vec<Job> = handler
        .calls()
        .into_iter()
        .map(|c| c.envelope.job)
        .collect();
    assert_eq!(ran, vec![pull("a")]);
    assert_eq!(
        b.queue.pending().await.unwrap(),
        1,
        "b's job waits for b's workers"
    );

    let drained = Scripted::new(|_| Ok(()));
    by_name
        .run_until_idle(drained.clone(), Arc::new(Graveyard::default()), 1)
        .await
        .unwrap();
    assert!(
        drained.calls().iter().any(|c| c.envelope.id == mine),
        "the default queue's job runs under the name shipgate"
    );
}
