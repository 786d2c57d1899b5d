//! Quarantine: input that could not be parsed or mapped, kept byte for byte with the
//! place it went wrong and why, until someone replays it after a fix or discards it.

use super::codec::{enum_text, now_text, parse_enum, parse_time, unsigned};
use super::error::db;
use super::{Store, StoreError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where a quarantined item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuarantineState {
    /// Waiting for a fix.
    Open,
    /// Fed through the pipeline again after a fix.
    Replayed,
    /// Judged worthless by a person.
    Discarded,
}

/// An item to quarantine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewQuarantine {
    /// The connector that received the input.
    pub connector_id: String,
    /// What the input was meant to be: `order`, `csv_row`, `page`, `tracking`.
    pub kind: String,
    /// The bytes exactly as received (need not be UTF-8).
    pub input: Vec<u8>,
    /// Where it went wrong: `line 12, column 4` or a field path.
    pub location: String,
    /// Why it was refused.
    pub reason: String,
    /// The raw payload it was cut from, when it is stored.
    pub raw_hash: Option<String>,
}

/// A quarantined item as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarantineItem {
    /// The store's id for it.
    pub id: i64,
    /// The connector that received the input.
    pub connector_id: String,
    /// What the input was meant to be.
    pub kind: String,
    /// The bytes exactly as received.
    pub input: Vec<u8>,
    /// Where it went wrong.
    pub location: String,
    /// Why it was refused.
    pub reason: String,
    /// The raw payload it was cut from.
    pub raw_hash: Option<String>,
    /// Where it stands.
    pub state: QuarantineState,
    /// When it was quarantined.
    pub created_at: DateTime<Utc>,
    /// When its state last changed (equal to `created_at` while it was never touched).
    pub state_changed_at: DateTime<Utc>,
}

type ItemRow = (
    i64,
    String,
    String,
    Vec<u8>,
    String,
    String,
    Option<String>,
    String,
    String,
    String,
);

const LIST_IN_STATE: &str =
    "SELECT id, connector_id, kind, input, location, reason, raw_hash, state,
        created_at, state_changed_at FROM quarantine WHERE state = $1 ORDER BY id LIMIT $2";

const GET_ONE: &str = "SELECT id, connector_id, kind, input, location, reason, raw_hash, state,
        created_at, state_changed_at FROM quarantine WHERE id = $1";

const LIST_ALL: &str = "SELECT id, connector_id, kind, input, location, reason, raw_hash, state,
        created_at, state_changed_at FROM quarantine ORDER BY id LIMIT $1";

impl Store {
    /// Quarantines an item as open and returns its id. The same input refused at the same
    /// place for the same connector while still open is kept once: a pull's look-back
    /// window re-reads recent orders, and a bad one must not pile up a copy per pull.
    ///
    /// The unique index `quarantine_open_once` is what guarantees it, concurrent callers
    /// included (`ON CONFLICT DO NOTHING`, then the existing item's id is read). The
    /// `WHERE NOT EXISTS` only spares the common repeat a conflict, which on PostgreSQL
    /// would use up an id.
    pub async fn quarantine(&self, q: &NewQuarantine) -> Result<i64, StoreError> {
        let now = now_text();
        let open = enum_text(&QuarantineState::Open)?;
        let inserted: Option<(i64,)> = sqlx::query_as(
            "INSERT INTO quarantine
                (connector_id, kind, input, location, reason, raw_hash, state, created_at, state_changed_at)
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9
             WHERE NOT EXISTS (SELECT 1 FROM quarantine WHERE state = $7 AND connector_id = $1
                               AND kind = $2 AND location = $4 AND input = $3)
             ON CONFLICT DO NOTHING
             RETURNING id",
        )
        .bind(&q.connector_id)
        .bind(&q.kind)
        .bind(&q.input)
        .bind(&q.location)
        .bind(&q.reason)
        .bind(q.raw_hash.as_deref())
        .bind(&open)
        .bind(&now)
        .bind(&now)
        .fetch_optional(&self.pool)
        .await
        .map_err(db("quarantine"))?;
        if let Some((id,)) = inserted {
            return Ok(id);
        }
        let (id,): (i64,) = sqlx::query_as(
            "SELECT id FROM quarantine WHERE state = $1 AND connector_id = $2 AND kind = $3
                AND location = $4 AND input = $5 ORDER BY id LIMIT 1",
        )
        .bind(&open)
        .bind(&q.connector_id)
        .bind(&q.kind)
        .bind(&q.location)
        .bind(&q.input)
        .fetch_one(&self.pool)
        .await
        .map_err(db("quarantine"))?;
        Ok(id)
    }

    /// One quarantined item, to show or replay it.
    pub async fn quarantine_item(&self, id: i64) -> Result<Option<QuarantineItem>, StoreError> {
        let row: Option<ItemRow> = sqlx::query_as(GET_ONE)
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(db("quarantine_item"))?;
        row.map(decode_item).transpose()
    }

    /// Up to `limit` items, oldest first, in one state or all.
    pub async fn list_quarantine(
        &self,
        state: Option<QuarantineState>,
        limit: u32,
    ) -> Result<Vec<QuarantineItem>, StoreError> {
        let rows: Vec<ItemRow> = match state {
            Some(state) => {
                sqlx::query_as(LIST_IN_STATE)
                    .bind(enum_text(&state)?)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
            }
            None => {
                sqlx::query_as(LIST_ALL)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
            }
        }
        .map_err(db("list_quarantine"))?;
        rows.into_iter().map(decode_item).collect()
    }

    /// Moves an item to another state (replayed after a fix, or discarded). Opening an
    /// item again while the same input is open at the same place is refused by the
    /// database: an input is open once.
    pub async fn set_quarantine_state(
        &self,
        id: i64,
        state: QuarantineState,
    ) -> Result<(), StoreError> {
        let done =
            sqlx::query("UPDATE quarantine SET state = $1, state_changed_at = $2 WHERE id = $3")
                .bind(enum_text(&state)?)
                .bind(now_text())
                .bind(id)
                .execute(&self.pool)
                .await
                .map_err(db("set_quarantine_state"))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: "quarantine item",
                key: id.to_string(),
            });
        }
        Ok(())
    }

    /// Open items counted per reason, most frequent first: what the demo summary and
    /// the admin page show to say which mapping fix would release the most input.
    pub async fn quarantine_counts(&self) -> Result<Vec<(String, u64)>, StoreError> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT reason, COUNT(*) AS n FROM quarantine WHERE state = $1
             GROUP BY reason ORDER BY n DESC, reason",
        )
        .bind(enum_text(&QuarantineState::Open)?)
        .fetch_all(&self.pool)
        .await
        .map_err(db("quarantine_counts"))?;
        rows.into_iter()
            .map(|(reason, n)| {
                let n = unsigned("quarantine", &reason, n)?;
                Ok((reason, n))
            })
            .collect()
    }
}

fn decode_item(row: ItemRow) -> Result<QuarantineItem, StoreError> {
    let (
        id,
        connector_id,
        kind,
        input,
        location,
        reason,
        raw_hash,
        state,
        created_at,
        state_changed_at,
    ) = row;
    let key = id.to_string();
    Ok(QuarantineItem {
        id,
        connector_id,
        kind,
        input,
        location,
        reason,
        raw_hash,
        state: parse_enum("quarantine", &key, &state)?,
        created_at: parse_time("quarantine", &key, &created_at)?,
        state_changed_at: parse_time("quarantine", &key, &state_changed_at)?,
    })
}
