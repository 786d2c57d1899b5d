//! Where the jobs are kept, chosen by the queue URL's scheme: `sqlite://…` (the embedded
//! default, apalis-sqlite) or `redis://…` (scale-out over many machines, apalis-redis).
//! Each backend module knows its own store; the rest of the queue sees [`Backend`].

mod redis;
mod sqlite;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::error::QueueError;
use super::job::Envelope;

pub(super) use self::redis::RedisQueue;
pub(super) use self::sqlite::config as sqlite_config;
pub(super) use apalis_sqlite::SqlitePool;

/// The queue name shipgate's jobs share unless the configuration names another. Always
/// set explicitly: apalis' default is the Rust type name, which changes with a refactor
/// (sharp edge 7).
pub const DEFAULT_QUEUE_NAME: &str = "shipgate";

/// How often an idle worker looks for new or newly due jobs. Without it an idle worker
/// only looks at its next heartbeat (sharp edge 1).
pub(super) const POLL_INTERVAL: Duration = Duration::from_millis(100);

/// Tasks one worker claims per fetch: fewer round trips, while a worker that dies holds
/// few jobs hostage until its lease ends.
pub(super) const BATCH_SIZE: usize = 32;

/// Worker heartbeat; three missed heartbeats end a worker's lease and its jobs go back
/// to the queue (sharp edge 8: the default lease is 5 minutes on SQLite, 1 on Redis).
pub(super) const HEARTBEAT: Duration = Duration::from_secs(5);
pub(super) const MISSED_HEARTBEATS: usize = 3;

/// How often running workers sweep finished jobs out of the queue's store. apalis keeps
/// every finished task (payload, metadata, result) for good, so without a sweep the
/// store grows with every job ever run (sharp edge: clean-up of finished jobs).
pub(super) const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// The store behind one queue.
#[derive(Debug, Clone)]
pub(super) enum Store {
    /// apalis-sqlite over one pooled connection.
    Sqlite(SqlitePool),
    /// apalis-redis over a reconnecting connection.
    Redis(RedisQueue),
}

impl Store {
    /// How long a finished job stays readable before a sweep removes it. On SQLite an
    /// hour, to look at what just ran; on Redis a minute, because Redis holds every
    /// task in memory and a busy queue finishes thousands a second.
    fn default_keep_finished(&self) -> Duration {
        match self {
            Store::Sqlite(_) => Duration::from_secs(3600),
            Store::Redis(_) => Duration::from_secs(60),
        }
    }
}

/// A queue's store, name, and how long its finished jobs are kept.
#[derive(Debug, Clone)]
pub(super) struct Backend {
    pub(super) store: Store,
    pub(super) name: String,
    pub(super) keep_finished: Duration,
}

impl Backend {
    /// Opens the store `url` names and prepares it for queue `name`. Only the scheme of
    /// an unsupported URL is kept for the error: a queue URL may carry a password.
    pub(super) async fn open(url: &str, name: &str) -> Result<Self, QueueError> {
        let scheme = url.split_once(':').map_or("", |(scheme, _)| scheme);
        let store = match scheme {
            "sqlite" => Store::Sqlite(sqlite::open(url).await?),
            "redis" | "rediss" => Store::Redis(RedisQueue::open(url, name).await?),
            other => {
                return Err(QueueError::Unsupported {
                    scheme: other.to_owned(),
                })
            }
        };
        Ok(Self {
            keep_finished: store.default_keep_finished(),
            store,
            name: name.to_owned(),
        })
    }

    /// Stores each envelope as a task due after its delay, all or none.
    pub(super) async fn push(&self, items: &[(Envelope, Duration)]) -> Result<(), QueueError> {
        let now = SystemTime::now();
        let mut tasks = Vec::with_capacity(items.len());
        for (envelope, delay) in items {
            tasks.push(NewTask {
                payload: serde_json::to_vec(envelope)?,
                run_at: due_at(now, *delay),
                idempotency_key: envelope.idempotency_key(),
            });
        }
        match &self.store {
            Store::Sqlite(pool) => sqlite::push(pool, &self.name, tasks).await,
            Store::Redis(redis) => redis.push(&tasks, unix_seconds(now)).await,
        }
    }

    /// Moves the delayed jobs that are due onto the queue workers fetch from, and says
    /// how many moved. Only Redis needs it (see `redis/promote.lua`); SQLite's fetch
    /// selects due jobs itself.
    pub(super) async fn promote_due(&self) -> Result<u64, QueueError> {
        match &self.store {
            Store::Sqlite(_) => Ok(0),
            Store::Redis(redis) => redis.promote_due(unix_seconds(SystemTime::now())).await,
        }
    }

    /// Tasks not finished yet: waiting (now or later), claimed or running.
    pub(super) async fn pending(&self) -> Result<u64, QueueError> {
        match &self.store {
            Store::Sqlite(pool) => sqlite::pending(pool, &self.name).await,
            Store::Redis(redis) => redis.pending().await,
        }
    }

    /// Finished jobs still kept in the store: done, or killed (an undecodable payload,
    /// kept as evidence and never swept).
    pub(super) async fn finished(&self) -> Result<u64, QueueError> {
        match &self.store {
            Store::Sqlite(pool) => sqlite::finished(pool, &self.name).await,
            Store::Redis(redis) => redis.finished().await,
        }
    }

    /// Removes the jobs that finished successfully at least `older_than` ago, with
    /// their payloads and results, and says how many went. Killed jobs stay.
    pub(super) async fn sweep(&self, older_than: Duration) -> Result<u64, QueueError> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or(Duration::ZERO);
        let cutoff = now.saturating_sub(older_than).as_secs();
        match &self.store {
            Store::Sqlite(pool) => sqlite::sweep(pool, &self.name, cutoff).await,
            Store::Redis(redis) => redis.sweep(cutoff).await,
        }
    }
}

/// One job as either store keeps it: the encoded envelope, the unix second it is due,
/// and the key under which a second push of the same attempt is ignored.
#[derive(Debug)]
pub(super) struct NewTask {
    pub(super) payload: Vec<u8>,
    pub(super) run_at: u64,
    pub(super) idempotency_key: String,
}

/// Whole seconds since the unix epoch, the unit both stores schedule in.
fn unix_seconds(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs()
}

/// The unix second from which a task pushed at `now` with `delay` may run.
///
/// Both backends schedule in whole seconds and run a task once `run_at <= now`, so a
/// delay is rounded *up*: a retry never starts before the wait the remote asked for, at
/// the price of up to one second more. No delay means "now", rounded down.
fn due_at(now: SystemTime, delay: Duration) -> u64 {
    let since_epoch = now.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
    if delay.is_zero() {
        return since_epoch.as_secs();
    }
    let due = since_epoch.saturating_add(delay);
    due.as_secs() + u64::from(due.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_round_up_to_the_next_second_and_zero_means_now() {
        let now = UNIX_EPOCH + Duration::from_millis(10_900);
        assert_eq!(due_at(now, Duration::ZERO), 10);
        assert_eq!(due_at(now, Duration::from_millis(300)), 12);
        assert_eq!(due_at(now, Duration::from_millis(100)), 11);
        let whole = UNIX_EPOCH + Duration::from_secs(10);
        assert_eq!(due_at(whole, Duration::from_secs(2)), 12);
    }
}
