//! Running jobs: apalis workers over the queue's store, each attempt settled by our own
//! retry policy, and a supervisor that restarts a failed worker under a new name.

use std::convert::Infallible;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use apalis::prelude::{
    AbortError, BackendExt, Codec, Data, PollSnapshot, PollStrategy, WorkerBuilder,
    WorkerBuilderExt, WorkerError,
};
use apalis_sqlite::SqliteStorage;
use futures::future::{BoxFuture, Shared};
use futures::FutureExt;
use tracing::Instrument;

use super::backend::{self, Store};
use super::error::QueueError;
use super::handle::Queue;
use super::handler::{DeadLetters, JobError, JobHandler};
use super::job::Envelope;
use super::names::worker_name;
use super::retry::RetryPolicy;
use crate::observe::Outcome;

/// What a run of the workers did, counted per attempt outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunStats {
    /// Attempts that succeeded (each job succeeds at most once).
    pub succeeded: u64,
    /// Transient failures rescheduled for another attempt.
    pub retried: u64,
    /// Jobs given up: permanent failures and exhausted retries.
    pub dead: u64,
}

/// The live counters behind [`RunStats`], shared by all workers of one run.
#[derive(Debug, Default)]
struct Counters {
    succeeded: AtomicU64,
    retried: AtomicU64,
    dead: AtomicU64,
}

impl Counters {
    fn snapshot(&self) -> RunStats {
        RunStats {
            succeeded: self.succeeded.load(Ordering::Relaxed),
            retried: self.retried.load(Ordering::Relaxed),
            dead: self.dead.load(Ordering::Relaxed),
        }
    }
}

/// Hands the stored bytes to our code untouched. With apalis' JSON codec a payload that
/// fails to decode is a *backend* error that stops the worker, and the task would stop
/// every worker that claims it again; decoding in [`execute`] fails only that task.
#[derive(Debug, Clone, Copy)]
struct RawCodec;

impl Codec<Vec<u8>> for RawCodec {
    type Error = Infallible;
    type Compact = Vec<u8>;

    fn encode(&self, val: &Vec<u8>) -> Result<Vec<u8>, Infallible> {
        Ok(val.clone())
    }

    fn decode(&self, val: &Vec<u8>) -> Result<Vec<u8>, Infallible> {
        Ok(val.clone())
    }
}

/// Wakes an idle worker every [`backend::POLL_INTERVAL`] so it looks for new and newly
/// due jobs.
///
/// Not apalis' own `poll_with_interval`: when its timer fires it arms the next one
/// without polling it, so if the fetch that follows completes within the same poll
/// (seen on a current-thread runtime) nothing is left to wake the worker, and it sleeps
/// until its next heartbeat. This strategy drains every elapsed tick, which leaves the
/// next one registered with the waker.
struct Ticker(tokio::time::Interval);

impl Ticker {
    fn new() -> Self {
        let mut interval = tokio::time::interval(backend::POLL_INTERVAL);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        Self(interval)
    }
}

impl PollStrategy for Ticker {
    fn poll_drive(&mut self, cx: &mut Context<'_>, _: &PollSnapshot) -> Poll<Option<()>> {
        let mut fired = false;
        while self.0.poll_tick(cx).is_ready() {
            fired = true;
        }
        if fired {
            Poll::Ready(Some(()))
        } else {
            Poll::Pending
        }
    }
}

/// Why an apalis task is killed rather than done. The task then stays in the queue's
/// store, payload and reason kept, instead of vanishing; killed, not failed, because
/// apalis-redis reschedules a failed task up to 25 times whatever its `max_attempts`
/// (sharp edge: retry caps), and neither reason goes away by retrying.
#[derive(Debug, thiserror::Error)]
enum TaskFailure {
    /// The payload is not an envelope this build understands.
    #[error("undecodable job payload: {0}")]
    Undecodable(String),
    /// The job was given up but the dead list refused it.
    #[error("job {id} could not be buried ({reason}); last error: {last_error}")]
    NotBuried {
        id: String,
        reason: String,
        last_error: String,
    },
}

/// Everything a worker needs to settle one attempt.
pub(super) struct Settler {
    queue: Queue,
    policy: RetryPolicy,
    handler: Arc<dyn JobHandler>,
    dead: Arc<dyn DeadLetters>,
    counters: Counters,
}

impl Settler {
    /// Runs one attempt and applies the policy to its outcome: done, retried later
    /// (a new task with `attempt + 1`), or buried.
    async fn settle(&self, envelope: Envelope) -> Result<(), TaskFailure> {
        let kind = envelope.job.kind();
        let started = Instant::now();
        let outcome = AssertUnwindSafe(self.handler.handle(&envelope))
            .catch_unwind()
            .await
            .unwrap_or_else(|panic| {
                Err(JobError::permanent(format!(
                    "handler panicked: {}",
                    panic_text(panic.as_ref())
                )))
            });
        self.queue.job_metrics().time(kind, started.elapsed());
        let error = match outcome {
            Ok(()) => {
                self.record(kind, Outcome::Succeeded);
                return Ok(());
            }
            Err(error) => error,
        };
        if let JobError::Transient {
            message,
            retry_after,
        } = &error
        {
            if envelope.attempt < self.policy.max_attempts {
                let delay = self.policy.delay(envelope.attempt, *retry_after);
                match self
                    .queue
                    .push_envelopes(&[(envelope.next_attempt(), delay)])
                    .await
                {
                    Ok(()) => {
                        tracing::info!(%message, ?delay, "job failed, retry scheduled");
                        self.record(kind, Outcome::Retried);
                        return Ok(());
                    }
                    Err(err) => {
                        let last_error =
                            format!("{message}; the retry could not be scheduled: {err}");
                        return self.bury(&envelope, &last_error).await;
                    }
                }
            }
        }
        self.bury(&envelope, error.message()).await
    }

    /// Counts one settled attempt, in this run's stats and in the process's metrics.
    fn record(&self, kind: &'static str, outcome: Outcome) {
        let counter = match outcome {
            Outcome::Succeeded => &self.counters.succeeded,
            Outcome::Retried => &self.counters.retried,
            Outcome::Dead => &self.counters.dead,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        self.queue.job_metrics().count(kind, outcome);
    }

    async fn bury(&self, envelope: &Envelope, last_error: &str) -> Result<(), TaskFailure> {
        self.record(envelope.job.kind(), Outcome::Dead);
        tracing::warn!(%last_error, "job given up");
        self.dead.bury(envelope, envelope.attempt, last_error).await.map_err(|reason| {
            tracing::error!(%reason, "dead list refused the job; it stays failed in the queue table");
            TaskFailure::NotBuried { id: envelope.id.to_string(), reason, last_error: last_error.to_owned() }
        })
    }
}

fn panic_text(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("non-text panic payload")
}

/// The apalis task function: decode, then settle inside a span naming the job.
async fn execute(raw: Vec<u8>, settler: Data<Arc<Settler>>) -> Result<(), AbortError> {
    let envelope: Envelope = serde_json::from_slice(&raw).map_err(|err| {
        tracing::error!(%err, "undecodable job payload killed and kept in the queue");
        AbortError::new(TaskFailure::Undecodable(err.to_string()))
    })?;
    // Every field is given when the span is made: fields recorded into it later were
    // sometimes missing from the JSON log lines.
    let ids = envelope.job.log_ids();
    let span = tracing::info_span!(
        "job",
        id = %envelope.id,
        kind = envelope.job.kind(),
        attempt = envelope.attempt,
        connector = ids.connector,
        order = ids.order.as_deref(),
        shipment = ids.shipment,
    );
    settler
        .settle(envelope)
        .instrument(span)
        .await
        .map_err(AbortError::new)
}

/// A shutdown signal every worker can wait on.
pub(super) type Signal = Shared<BoxFuture<'static, ()>>;

/// Runs `concurrency` workers, each one job at a time, until `shutdown` resolves and
/// every worker has finished its in-flight job and handed back what it had claimed.
pub(super) async fn run(
    queue: &Queue,
    policy: RetryPolicy,
    handler: Arc<dyn JobHandler>,
    dead: Arc<dyn DeadLetters>,
    concurrency: usize,
    shutdown: Signal,
) -> Result<RunStats, QueueError> {
    if concurrency == 0 {
        return Err(QueueError::NoWorkers);
    }
    let settler = Arc::new(Settler {
        queue: queue.clone(),
        policy,
        handler,
        dead,
        counters: Counters::default(),
    });
    promote(queue).await;
    let promoter = tokio::spawn(promote_until(queue.clone(), shutdown.clone()));
    let janitor = tokio::spawn(sweep_until(queue.clone(), shutdown.clone()));
    let slots: Vec<_> = (0..concurrency)
        .map(|_| tokio::spawn(supervise(queue.clone(), settler.clone(), shutdown.clone())))
        .collect();
    for slot in slots {
        slot.await
            .map_err(|e| QueueError::backend("run a worker", e))?;
    }
    promoter
        .await
        .map_err(|e| QueueError::backend("promote due jobs", e))?;
    janitor
        .await
        .map_err(|e| QueueError::backend("sweep finished jobs", e))?;
    sweep(queue).await;
    Ok(settler.counters.snapshot())
}

/// Promotes due delayed jobs every [`backend::POLL_INTERVAL`] until shutdown, so that
/// no fetch finds more due jobs than it can move (see `backend/redis/promote.lua`).
async fn promote_until(queue: Queue, shutdown: Signal) {
    let mut every = tokio::time::interval(backend::POLL_INTERVAL);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        futures::select! {
            _ = every.tick().fuse() => promote(&queue).await,
            () = shutdown.clone().fuse() => return,
        }
    }
}

/// One promotion; a failure (Redis restarting) is logged and the next tick tries again.
async fn promote(queue: &Queue) {
    if let Err(err) = queue.backend().promote_due().await {
        tracing::warn!(%err, "promoting due jobs failed; trying again shortly");
    }
}

/// Sweeps finished jobs out of the store at start and every [`backend::SWEEP_EVERY`]
/// until shutdown. Every worker process sweeps; a sweep is idempotent, so several
/// at once only repeat each other's work.
async fn sweep_until(queue: Queue, shutdown: Signal) {
    let mut every = tokio::time::interval(backend::SWEEP_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        futures::select! {
            _ = every.tick().fuse() => sweep(&queue).await,
            () = shutdown.clone().fuse() => return,
        }
    }
}

/// One sweep with the queue's retention; a failure is logged, the jobs stay for the
/// next sweep.
async fn sweep(queue: &Queue) {
    match queue.sweep_finished(queue.backend().keep_finished).await {
        Ok(0) => {}
        Ok(removed) => tracing::debug!(removed, "finished jobs swept"),
        Err(err) => tracing::warn!(%err, "sweeping finished jobs failed; trying again later"),
    }
}

/// The pause before restarting a worker that failed; it doubles with each failure in a
/// row, up to 5 s.
const FIRST_RESTART_PAUSE: Duration = Duration::from_millis(200);

/// A worker that ran this long before failing was healthy: its restart pause starts
/// again from [`FIRST_RESTART_PAUSE`], so one Redis restart a day does not cost every
/// later failure the full 5 s.
const HEALTHY_RUN: Duration = Duration::from_secs(30);

/// Keeps one worker slot running until shutdown: a worker that stops on a backend error
/// (database locked for too long, disk full) is restarted under a new name after a
/// short, growing pause.
async fn supervise(queue: Queue, settler: Arc<Settler>, shutdown: Signal) {
    let mut pause = FIRST_RESTART_PAUSE;
    loop {
        let name = worker_name("worker");
        let started = tokio::time::Instant::now();
        let stop = shutdown.clone().map(Ok::<(), WorkerError>);
        // One builder per store type: the storages differ in type, not in how a worker
        // is put together over them.
        macro_rules! worker_over {
            ($storage:expr) => {
                WorkerBuilder::new(name.as_str())
                    .backend(
                        $storage
                            .with_codec(RawCodec)
                            .poll_with_strategy(Ticker::new()),
                    )
                    .data(settler.clone())
                    .concurrency(1)
                    .build(execute)
                    .run_until(stop)
                    .await
            };
        }
        let outcome = match &queue.backend().store {
            Store::Sqlite(pool) => worker_over!(SqliteStorage::<Vec<u8>>::new(pool)
                .with_config(backend::sqlite_config(&queue.backend().name))),
            Store::Redis(redis) => worker_over!(redis.storage()),
        };
        match outcome {
            Ok(()) => return,
            Err(err) => {
                if shutdown.peek().is_some() {
                    return;
                }
                if started.elapsed() >= HEALTHY_RUN {
                    pause = FIRST_RESTART_PAUSE;
                }
                tracing::warn!(worker = %name, %err, ?pause, "queue worker failed; restarting under a new name");
                futures::select! {
                    () = tokio::time::sleep(pause).fuse() => {}
                    () = shutdown.clone().fuse() => return,
                }
                pause = (pause * 2).min(Duration::from_secs(5));
            }
        }
    }
}
