//! The SQLite backend (apalis-sqlite): opening the pool, creating the tables, storing
//! tasks, counting unfinished ones, and the configuration its workers run with.

use std::str::FromStr;
use std::time::Duration;

use apalis::prelude::TaskBuilder;
use apalis_sqlite::{Config, SqliteConnectOptions, SqlitePool, SqlitePoolOptions, SqliteStorage};
use sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};

use super::{NewTask, BATCH_SIZE, HEARTBEAT, MISSED_HEARTBEATS};
use crate::queue::error::QueueError;

/// How long a write waits for another process (or the store's pool on the same file)
/// to release the database before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The table recording which apalis migrations ran. Not sqlx's default, so the queue
/// can share a database file with the store without either migrator finding the
/// other's versions "missing".
const MIGRATIONS_TABLE: &str = "_shipgate_queue_migrations";

/// Opens the pool for `url` and creates or upgrades the apalis tables.
pub(super) async fn open(url: &str) -> Result<SqlitePool, QueueError> {
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
    let pool = if url.ends_with(":memory:") {
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

/// The apalis configuration every worker of queue `name` uses.
pub(in crate::queue) fn config(name: &str) -> Config {
    Config::default()
        .queue(name)
        .batch_size(BATCH_SIZE)
        .heartbeat_interval(HEARTBEAT)
        .missed_heartbeats(MISSED_HEARTBEATS)
}

/// Stores the tasks in one transaction.
///
/// Every task has `max_attempts = 1`: apalis-sqlite would retry a failed task at once,
/// with no delay, so retries are ours (see `worker`).
pub(super) async fn push(
    pool: &SqlitePool,
    name: &str,
    tasks: Vec<NewTask>,
) -> Result<(), QueueError> {
    let tasks: Vec<_> = tasks
        .into_iter()
        .map(|task| {
            TaskBuilder::new(task.payload)
                .max_attempts(1)
                .run_at_timestamp(task.run_at)
                .idempotency_key(task.idempotency_key)
                .build()
        })
        .collect();
    let mut tx = pool
        .begin()
        .await
        .map_err(|e| QueueError::backend("push jobs", e))?;
    apalis_sqlite::queries::push_tasks(&mut *tx, name, &tasks)
        .await
        .map_err(|e| QueueError::backend("push jobs", e))?;
    tx.commit()
        .await
        .map_err(|e| QueueError::backend("push jobs", e))?;
    Ok(())
}

/// Tasks of queue `name` not finished yet: waiting (now or later), claimed or running.
/// A failed task whose attempts are spent is finished.
pub(super) async fn pending(pool: &SqlitePool, name: &str) -> Result<u64, QueueError> {
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM Jobs WHERE job_type = ?1 AND (status IN ('Pending', 'Queued', 'Running') \
         OR (status = 'Failed' AND attempts < max_attempts))",
    )
    .bind(name)
    .fetch_one(pool)
    .await
    .map_err(|e| QueueError::backend("count pending jobs", e))?;
    Ok(u64::try_from(count).unwrap_or(0))
}

/// Finished tasks of queue `name` still in the table: done, killed, or failed for good.
pub(super) async fn finished(pool: &SqlitePool, name: &str) -> Result<u64, QueueError> {
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM Jobs WHERE job_type = ?1 AND (status IN ('Done', 'Killed') \
         OR (status = 'Failed' AND attempts >= max_attempts))",
    )
    .bind(name)
    .fetch_one(pool)
    .await
    .map_err(|e| QueueError::backend("count finished jobs", e))?;
    Ok(u64::try_from(count).unwrap_or(0))
}

/// Deletes the done tasks of queue `name` that finished at or before unix second
/// `cutoff` (apalis records `done_at` in seconds).
pub(super) async fn sweep(pool: &SqlitePool, name: &str, cutoff: u64) -> Result<u64, QueueError> {
    let done =
        sqlx::query("DELETE FROM Jobs WHERE job_type = ?1 AND status = 'Done' AND done_at <= ?2")
            .bind(name)
            .bind(i64::try_from(cutoff).unwrap_or(i64::MAX))
            .execute(pool)
            .await
            .map_err(|e| QueueError::backend("sweep finished jobs", e))?;
    Ok(done.rows_affected())
}
