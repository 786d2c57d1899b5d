//! Dead jobs: jobs whose retries ran out or whose error was permanent, kept with their
//! payload and last error so a person can inspect them and send them back to the queue.

use super::codec::{corrupt, now_text, parse_json, parse_time};
use super::error::db;
use super::{Store, StoreError};
use chrono::{DateTime, Utc};

/// A job to record as dead.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDeadJob {
    /// The queue's id for the job.
    pub job_id: String,
    /// Which job it was (`PushBack`, `Book`…).
    pub job_type: String,
    /// The job's arguments, enough to run it again.
    pub payload: serde_json::Value,
    /// How many times it ran.
    pub attempts: u32,
    /// The error of its last run.
    pub last_error: String,
}

/// A dead job as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct DeadJob {
    /// The store's id for the entry.
    pub id: i64,
    /// The queue's id for the job.
    pub job_id: String,
    /// Which job it was.
    pub job_type: String,
    /// The job's arguments.
    pub payload: serde_json::Value,
    /// How many times it ran.
    pub attempts: u32,
    /// The error of its last run.
    pub last_error: String,
    /// When it was recorded dead.
    pub failed_at: DateTime<Utc>,
}

type DeadRow = (i64, String, String, String, i64, String, String);

impl Store {
    /// Records a dead job and returns its entry id.
    pub async fn record_dead(&self, job: &NewDeadJob) -> Result<i64, StoreError> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO dead_jobs (job_id, job_type, payload, attempts, last_error, failed_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(&job.job_id)
        .bind(&job.job_type)
        .bind(job.payload.to_string())
        .bind(i64::from(job.attempts))
        .bind(&job.last_error)
        .bind(now_text())
        .fetch_one(&self.pool)
        .await
        .map_err(db("record_dead"))?;
        Ok(id)
    }

    /// Up to `limit` dead jobs, oldest first.
    pub async fn list_dead(&self, limit: u32) -> Result<Vec<DeadJob>, StoreError> {
        let rows: Vec<DeadRow> = sqlx::query_as(
            "SELECT id, job_id, job_type, payload, attempts, last_error, failed_at
             FROM dead_jobs ORDER BY id LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db("list_dead"))?;
        rows.into_iter().map(decode).collect()
    }

    /// Removes a dead job and returns it, for `jobs retry`: two admins retrying the same
    /// entry at once get it once between them.
    pub async fn take_dead(&self, id: i64) -> Result<Option<DeadJob>, StoreError> {
        let row: Option<DeadRow> = sqlx::query_as(
            "DELETE FROM dead_jobs WHERE id = $1
             RETURNING id, job_id, job_type, payload, attempts, last_error, failed_at",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db("take_dead"))?;
        row.map(decode).transpose()
    }

    /// Deletes every dead job and returns how many there were.
    pub async fn purge_dead(&self) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM dead_jobs")
            .execute(&self.pool)
            .await
            .map_err(db("purge_dead"))?;
        Ok(done.rows_affected())
    }
}

fn decode(row: DeadRow) -> Result<DeadJob, StoreError> {
    let (id, job_id, job_type, payload, attempts, last_error, failed_at) = row;
    let key = id.to_string();
    let attempts = u32::try_from(attempts).map_err(|_| {
        corrupt(
            "dead_jobs",
            &key,
            format!("attempts {attempts} out of range"),
        )
    })?;
    Ok(DeadJob {
        id,
        payload: parse_json("dead_jobs", &key, &payload)?,
        attempts,
        failed_at: parse_time("dead_jobs", &key, &failed_at)?,
        job_id,
        job_type,
        last_error,
    })
}
