//! Everything that knows the queue is apalis-sqlite: opening the pool, creating the
//! tables, storing tasks and counting unfinished ones.

use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use apalis::prelude::TaskBuilder;
use apalis_sqlite::{Config, SqliteConnectOptions, SqlitePool, SqlitePoolOptions, SqliteStorage};
use sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};

use super::error::QueueError;
use super::job::Envelope;

/// The apalis queue (its `job_type` column) all shipgate jobs share. Set explicitly:
/// the default is the Rust type name, which changes with a refactor (sharp edge 7).
pub(super) const QUEUE_NAME: &str = "shipgate";

/// How often an idle worker looks for new or newly due jobs. Without it an idle worker
/// only looks at its next heartbeat (sharp edge 1).
pub(super) const POLL_INTERVAL: Duration = Duration::from_millis(100);

/// Tasks one worker claims per fetch: fewer round trips, while a worker that dies holds
/// few jobs hostage until its lease ends.
const BATCH_SIZE: usize = 32;

/// Worker heartbeat; three missed heartbeats end a worker's lease and its jobs go back
/// to the queue (sharp edge 8: the default lease is 5 minutes).
const HEARTBEAT: Duration = Duration::from_secs(5);
const MISSED_HEARTBEATS: usize = 3;

/// How long a write waits for another process (or the store's pool on the same file)
/// to release the database before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The table recording which apalis migrations ran. Not sqlx's default, so the queue
/// can share a database file with the store without either migrator finding the
/// other's versions "missing".
const MIGRATIONS_TABLE: &str = "_shipgate_queue_migrations";

/// Opens the pool for `url` and creates or upgrades the apalis tables.
pub(super) async fn open(url: &str) -> Result<SqlitePool, QueueError> {
    let Some(rest) = url.strip_prefix("sqlite:") else {
        let scheme = url.split_once(':').map_or("", |(scheme, _)| scheme);
        return Err(QueueError::Unsupported {
            scheme: scheme.to_owned(),
        });
    };
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|e| QueueError::backend("parse the sqlite URL", e))?
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(BUSY_TIMEOUT);
    // One connection, shared by all workers and pushes of this handle. SQLite has one
    // writer at a time anyway, and with several connections our own workers fought over
    // the write lock through SQLite's sleeping busy handler, which is not fair: under
    // load one of them starved past the busy timeout, its worker died with "database is
    // locked", and the jobs it had run but not yet acknowledged ran again after their
    // lease. Waiting in the pool's queue instead is fair, and no faster: the writes
    // were serialized by SQLite all along.
    let single = SqlitePoolOptions::new().max_connections(1);
    let pool = if rest == ":memory:" {
        // Kept open for good: the in-memory database lives as long as a connection does.
        single
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await
    } else {
        single
            .connect_with(
                options
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal),
            )
            .await
    }
    .map_err(|e| QueueError::backend("open the database", e))?;
    let mut migrator = SqliteStorage::migrations();
    migrator.dangerous_set_table_name(MIGRATIONS_TABLE);
    migrator
        .run(&pool)
        .await
        .map_err(|e| QueueError::backend("create the queue tables", e))?;
    Ok(pool)
}

/// The apalis configuration every worker of this queue uses.
pub(super) fn config() -> Config {
    Config::default()
        .queue(QUEUE_NAME)
        .batch_size(BATCH_SIZE)
        .heartbeat_interval(HEARTBEAT)
        .missed_heartbeats(MISSED_HEARTBEATS)
}

/// Stores each envelope as an apalis task due after its delay, all in one transaction.
///
/// Every task gets `max_attempts = 1`: apalis-sqlite would retry a failed task at once,
/// with no delay, so retries are ours (see `worker`).
pub(super) async fn push(
    pool: &SqlitePool,
    items: &[(Envelope, Duration)],
) -> Result<(), QueueError> {
    let now = SystemTime::now();
    let mut tasks = Vec::with_capacity(items.len());
    for (envelope, delay) in items {
        let bytes = serde_json::to_vec(envelope)?;
        tasks.push(
            TaskBuilder::new(bytes)
                .max_attempts(1)
                .run_at_timestamp(due_at(now, *delay))
                .idempotency_key(envelope.idempotency_key())
                .build(),
        );
    }
    let mut tx = pool
        .begin()
        .await
        .map_err(|e| QueueError::backend("push jobs", e))?;
    apalis_sqlite::queries::push_tasks(&mut *tx, QUEUE_NAME, &tasks)
        .await
        .map_err(|e| QueueError::backend("push jobs", e))?;
    tx.commit()
        .await
        .map_err(|e| QueueError::backend("push jobs", e))?;
    Ok(())
}

/// The unix second from which a task pushed at `now` with `delay` may run.
///
/// apalis-sqlite schedules in whole seconds and runs a task once `run_at <= now`, so a
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

/// Tasks of our queue not finished yet: waiting (now or later), claimed or running. A
/// failed task whose attempts are spent is finished.
pub(super) async fn pending(pool: &SqlitePool) -> Result<u64, QueueError> {
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM Jobs WHERE job_type = ?1 AND (status IN ('Pending', 'Queued', 'Running') \
         OR (status = 'Failed' AND attempts < max_attempts))",
    )
    .bind(QUEUE_NAME)
    .fetch_one(pool)
    .await
    .map_err(|e| QueueError::backend("count pending jobs", e))?;
    Ok(u64::try_from(count).unwrap_or(0))
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
