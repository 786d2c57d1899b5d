//! The audit log: who did what to which subject, and when. Callers pass field names in
//! `detail`, never personal values, so the log can be kept and shown without exposing
//! buyers' data.

use super::codec::{now_text, parse_json, parse_time};
use super::error::db;
use super::{Store, StoreError};
use chrono::{DateTime, Utc};
use sqlx::AnyConnection;

/// One audit entry.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    /// The store's id for it; also its order of writing.
    pub id: i64,
    /// When it was recorded.
    pub at: DateTime<Utc>,
    /// Who acted: a user, `system`, or a worker name.
    pub actor: String,
    /// What was done (`order.status_set`, `quarantine.replayed`…).
    pub action: String,
    /// What it was done to (`order:01J…`).
    pub subject: String,
    /// Particulars, naming fields rather than holding their values.
    pub detail: serde_json::Value,
}

type EntryRow = (i64, String, String, String, String, String);

impl Store {
    /// Appends an entry.
    pub async fn audit(
        &self,
        actor: &str,
        action: &str,
        subject: &str,
        detail: &serde_json::Value,
    ) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await.map_err(db("audit"))?;
        append(&mut conn, actor, action, subject, detail).await
    }

    /// A subject's entries, oldest first.
    pub async fn audit_entries(&self, subject: &str) -> Result<Vec<AuditEntry>, StoreError> {
        let rows: Vec<EntryRow> = sqlx::query_as(
            "SELECT id, occurred_at, actor, action, subject, detail FROM audit_log WHERE subject = $1 ORDER BY id",
        )
        .bind(subject)
        .fetch_all(&self.pool)
        .await
        .map_err(db("audit_entries"))?;
        rows.into_iter()
            .map(|(id, at, actor, action, subject, detail)| {
                let key = id.to_string();
                Ok(AuditEntry {
                    id,
                    at: parse_time("audit_log", &key, &at)?,
                    actor,
                    action,
                    subject,
                    detail: parse_json("audit_log", &key, &detail)?,
                })
            })
            .collect()
    }
}

/// Appends an entry on `conn`, so a change and its entry can share one transaction.
pub(super) async fn append(
    conn: &mut AnyConnection,
    actor: &str,
    action: &str,
    subject: &str,
    detail: &serde_json::Value,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_log (occurred_at, actor, action, subject, detail) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(now_text())
    .bind(actor)
    .bind(action)
    .bind(subject)
    .bind(detail.to_string())
    .execute(conn)
    .await
    .map_err(db("audit"))?;
    Ok(())
}
