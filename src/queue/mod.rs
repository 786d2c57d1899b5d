//! The job queue: every step of the pipeline is a [`Job`] pushed here and run by workers
//! with our own retry policy, ending in the dead list when retries run out.
//!
//! The backend is chosen by URL (`sqlite://…` or `redis://…`) and lives behind
//! [`Queue`]; apalis types never leave this module, so the pipeline sees only [`Job`],
//! [`Envelope`], [`JobError`] and the two traits it implements, [`JobHandler`] and
//! [`DeadLetters`].
//!
//! How the apalis 1.0 sharp edges listed in DESIGN.md are handled here:
//! - workers poll every 100 ms, so jobs pushed by another handle or process are seen
//!   at once rather than at the next heartbeat (with our own timer: apalis' interval
//!   strategy can lose its wake-up, see `worker::Ticker`);
//! - worker names are `worker-<host>-<pid>-<n>` with `n` fresh for every worker and
//!   every restart, and a worker that stops on a backend error is restarted under a new
//!   name;
//! - retries are ours: every apalis task is stored with `max_attempts = 1`; a transient
//!   failure pushes a new task carrying `attempt + 1` and a `run_at` that honours both our
//!   backoff and the remote's `Retry-After`, then the current task completes;
//! - the queue name is set explicitly, and the lease (orphan timeout) is 5 s × 3;
//! - finished jobs are swept by every worker process (apalis keeps them for good);
//! - on Redis, jobs are stored by our own script that puts due jobs straight on the
//!   active list, and delayed jobs are promoted in slices of 1,000 every 100 ms: apalis'
//!   fetch promotes all due jobs with one Lua `unpack`, which fails for good above
//!   ~8,000 (10,000 jobs pushed at once stopped every worker);
//! - on Redis, replies may take 5 s before the connection gives up (redis-rs' default
//!   500 ms failed pushes and stopped workers whenever Redis was busy for a moment), and
//!   a worker stopped by a Redis restart is restarted by our supervisor;
//! - on Redis, apalis' per-task lock is off: its `LREM` scans the whole active list for
//!   every task started, and the worker's in-flight set is the lease anyway.
#![deny(missing_docs)]

mod backend;
mod error;
mod handle;
mod handler;
mod job;
mod names;
mod retry;
mod worker;

pub use backend::DEFAULT_QUEUE_NAME;
pub use error::QueueError;
pub use handle::Queue;
pub use handler::{DeadLetters, JobError, JobHandler};
pub use job::{Envelope, Job};
pub use retry::RetryPolicy;
pub use worker::RunStats;
