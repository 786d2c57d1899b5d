//! The queue handle the rest of shipgate uses.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::FutureExt;
use ulid::Ulid;

use super::backend::{Backend, DEFAULT_QUEUE_NAME};
use super::error::QueueError;
use super::handler::{DeadLetters, JobHandler};
use super::job::{Envelope, Job};
use super::retry::RetryPolicy;
use super::worker::{self, RunStats};
use crate::observe::JobMetrics;

/// How often `run_until_idle` asks whether anything is left to do.
const IDLE_CHECK: Duration = Duration::from_millis(50);

/// A handle on the job queue; cheap to clone, and handles on the same database (in this
/// process or another) see each other's jobs.
#[derive(Debug, Clone)]
pub struct Queue {
    backend: Backend,
    policy: RetryPolicy,
    metrics: JobMetrics,
}

impl Queue {
    /// The queue `shipgate` at `url`: `sqlite://path.db` (may be the same file as the
    /// store — it gets its own pool), `sqlite::memory:`, or `redis://[user:password@]host[:port][/db]`
    /// (`rediss://` for TLS); sets up apalis' tables on SQLite. Other schemes →
    /// QueueError::Unsupported naming the scheme.
    pub async fn open(url: &str, policy: RetryPolicy) -> Result<Queue, QueueError> {
        Self::open_named(url, DEFAULT_QUEUE_NAME, policy).await
    }

    /// The queue `name` at `url`: deployments (or tests) sharing one Redis or one file
    /// keep their jobs apart by name.
    pub async fn open_named(
        url: &str,
        name: &str,
        policy: RetryPolicy,
    ) -> Result<Queue, QueueError> {
        let backend = Backend::open(url, name).await?;
        Ok(Queue {
            backend,
            policy: RetryPolicy {
                max_attempts: policy.max_attempts.max(1),
                ..policy
            },
            metrics: JobMetrics::default(),
        })
    }

    /// Queues a job to run now; returns its id.
    pub async fn push(&self, job: Job) -> Result<Ulid, QueueError> {
        self.push_after(job, Duration::ZERO).await
    }

    /// Queues many jobs in one transaction: all are stored or none. Returns how many.
    pub async fn push_many(&self, jobs: Vec<Job>) -> Result<usize, QueueError> {
        let items: Vec<_> = jobs
            .into_iter()
            .map(|job| (Envelope::first(job), Duration::ZERO))
            .collect();
        self.push_envelopes(&items).await?;
        Ok(items.len())
    }

    /// Queues a job to run once `delay` has passed (rounded up to the next whole
    /// second, the backend's resolution); returns its id.
    pub async fn push_after(&self, job: Job, delay: Duration) -> Result<Ulid, QueueError> {
        let envelope = Envelope::first(job);
        let id = envelope.id;
        self.push_envelopes(&[(envelope, delay)]).await?;
        Ok(id)
    }

    /// Jobs not yet finished (queued, scheduled for later, or running).
    pub async fn pending(&self) -> Result<u64, QueueError> {
        self.backend.pending().await
    }

    /// Finished jobs the queue's store still keeps (done ones until a sweep removes
    /// them, killed ones for good), for the operator's view of the queue.
    pub async fn finished(&self) -> Result<u64, QueueError> {
        self.backend.finished().await
    }

    /// Removes the jobs that finished successfully at least `older_than` ago and says
    /// how many went. Running workers call it every minute with the queue's retention
    /// ([`Queue::keep_finished`]); an operator may call it at any time.
    pub async fn sweep_finished(&self, older_than: Duration) -> Result<u64, QueueError> {
        self.backend.sweep(older_than).await
    }

    /// This handle with its finished jobs kept for `retention` instead of the store's
    /// default (an hour on SQLite, a minute on Redis).
    pub fn keep_finished(mut self, retention: Duration) -> Queue {
        self.backend.keep_finished = retention;
        self
    }

    /// What this handle's workers (and those of its clones) recorded about the attempts
    /// they settled, for `/metrics`.
    pub fn job_metrics(&self) -> &JobMetrics {
        &self.metrics
    }

    /// Runs `concurrency` workers until `shutdown` resolves, then drains in-flight jobs.
    ///
    /// Jobs a worker claimed but had not started go back to the queue. A worker that
    /// fails is restarted under a new name; only a failure to run a worker at all ends
    /// the call with an error.
    pub async fn run(
        &self,
        handler: Arc<dyn JobHandler>,
        dead: Arc<dyn DeadLetters>,
        concurrency: usize,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<RunStats, QueueError> {
        worker::run(
            self,
            self.policy,
            handler,
            dead,
            concurrency,
            shutdown.boxed().shared(),
        )
        .await
    }

    /// Runs workers until no job is pending any more (including ones scheduled for later
    /// and retries) — for `shipgate demo` and `shipgate import`. Returns counts.
    pub async fn run_until_idle(
        &self,
        handler: Arc<dyn JobHandler>,
        dead: Arc<dyn DeadLetters>,
        concurrency: usize,
    ) -> Result<RunStats, QueueError> {
        let failure: Arc<Mutex<Option<QueueError>>> = Arc::default();
        let idle = {
            let queue = self.clone();
            let failure = failure.clone();
            async move {
                loop {
                    tokio::time::sleep(IDLE_CHECK).await;
                    match queue.pending().await {
                        Ok(0) => return,
                        Ok(_) => {}
                        Err(err) => {
                            if let Ok(mut slot) = failure.lock() {
                                *slot = Some(err);
                            }
                            return;
                        }
                    }
                }
            }
        };
        let stats = self.run(handler, dead, concurrency, idle).await?;
        let failed = failure.lock().ok().and_then(|mut slot| slot.take());
        match failed {
            Some(err) => Err(err),
            None => Ok(stats),
        }
    }

    /// Stores envelopes as tasks, each due after its delay, in one transaction.
    pub(super) async fn push_envelopes(
        &self,
        items: &[(Envelope, Duration)],
    ) -> Result<(), QueueError> {
        self.backend.push(items).await
    }

    /// The store workers poll.
    pub(super) fn backend(&self) -> &Backend {
        &self.backend
    }
}
