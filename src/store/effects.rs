//! The effects ledger: every side effect on a remote system is recorded under an
//! idempotency key before the call (`pending`) and after it (`done`, with the remote's
//! reference), so neither a retry nor a crashed worker's successor does it twice.

use super::codec::{corrupt, now_text, unsigned};
use super::error::db;
use super::{Store, StoreError};

/// What [`Store::begin_effect`] found for a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// First attempt: this caller alone may perform the effect.
    Fresh,
    /// An earlier attempt began and never recorded completion (a crash, or a call still
    /// running elsewhere): ask the remote whether the effect exists before acting.
    Pending,
    /// Already done; the remote's reference for it.
    Done(String),
}

const PENDING: &str = "pending";
const DONE: &str = "done";

impl Store {
    /// Records the intent to perform effect `kind` under `key`. Exactly one of any
    /// number of concurrent callers gets [`Effect::Fresh`]: the insert either happens
    /// or finds the key, in one statement. Reusing a key for another kind of effect is
    /// an [`StoreError::EffectConflict`].
    pub async fn begin_effect(&self, key: &str, kind: &str) -> Result<Effect, StoreError> {
        let inserted = sqlx::query(
            "INSERT INTO effects (idempotency_key, kind, state, started_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (idempotency_key) DO NOTHING",
        )
        .bind(key)
        .bind(kind)
        .bind(PENDING)
        .bind(now_text())
        .execute(&self.pool)
        .await
        .map_err(db("begin_effect"))?;
        if inserted.rows_affected() == 1 {
            return Ok(Effect::Fresh);
        }
        let (stored_kind, state, remote_ref) = self.effect_row(key, "begin_effect").await?;
        if stored_kind != kind {
            return Err(StoreError::EffectConflict {
                key: key.to_owned(),
                reason: format!("key already used for a {stored_kind:?} effect, not {kind:?}"),
            });
        }
        match (state.as_str(), remote_ref) {
            (DONE, Some(remote_ref)) => Ok(Effect::Done(remote_ref)),
            (PENDING, _) => Ok(Effect::Pending),
            (other, _) => Err(corrupt(
                "effects",
                key,
                format!("state {other:?} is neither pending nor done"),
            )),
        }
    }

    /// Records that the effect under `key` happened, with the remote's reference for it.
    /// Completing again with the same reference is a no-op (a retried completion);
    /// with another reference it is an [`StoreError::EffectConflict`].
    pub async fn complete_effect(&self, key: &str, remote_ref: &str) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE effects SET state = $1, remote_ref = $2, completed_at = $3
             WHERE idempotency_key = $4 AND state = $5",
        )
        .bind(DONE)
        .bind(remote_ref)
        .bind(now_text())
        .bind(key)
        .bind(PENDING)
        .execute(&self.pool)
        .await
        .map_err(db("complete_effect"))?;
        if done.rows_affected() == 1 {
            return Ok(());
        }
        match self.effect_row(key, "complete_effect").await? {
            (_, _, Some(stored)) if stored == remote_ref => Ok(()),
            (_, _, stored) => Err(StoreError::EffectConflict {
                key: key.to_owned(),
                reason: format!("already completed as {stored:?}, not {remote_ref:?}"),
            }),
        }
    }

    /// The remote's reference of a completed effect (the fulfillment a status update
    /// belongs to); `None` while it is missing or still pending.
    pub async fn effect_ref(&self, key: &str) -> Result<Option<String>, StoreError> {
        let row: Option<(Option<String>,)> = sqlx::query_as(
            "SELECT remote_ref FROM effects WHERE idempotency_key = $1 AND state = $2",
        )
        .bind(key)
        .bind(DONE)
        .fetch_optional(&self.pool)
        .await
        .map_err(db("effect_ref"))?;
        Ok(row.and_then(|(r,)| r))
    }

    /// How many effects of a kind completed: the demo proves "never twice" with it.
    pub async fn count_effects(&self, kind: &str) -> Result<u64, StoreError> {
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM effects WHERE kind = $1 AND state = $2")
                .bind(kind)
                .bind(DONE)
                .fetch_one(&self.pool)
                .await
                .map_err(db("count_effects"))?;
        unsigned("effects", kind, n)
    }

    /// Kind, state and remote reference of a key that must exist.
    async fn effect_row(
        &self,
        key: &str,
        op: &'static str,
    ) -> Result<(String, String, Option<String>), StoreError> {
        sqlx::query_as("SELECT kind, state, remote_ref FROM effects WHERE idempotency_key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(db(op))?
            .ok_or_else(|| StoreError::NotFound {
                what: "effect",
                key: key.to_owned(),
            })
    }
}
