//! What can go wrong in the store, one variant per cause.

use ulid::Ulid;

/// A store operation failed. Database failures name the operation, so a log line says
/// what was being done, not only what the database said.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database could not be opened (bad URL, unwritable directory, not a database,
    /// server unreachable).
    #[error("cannot open store {url}: {source}")]
    Open {
        /// The URL as given, password masked: a PostgreSQL URL may carry one.
        url: String,
        /// What sqlx reported.
        #[source]
        source: sqlx::Error,
    },
    /// The schema could not be brought up to date.
    #[error("store migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A query failed.
    #[error("store {op} failed: {source}")]
    Database {
        /// The store operation (`upsert_order`, `begin_effect`…).
        op: &'static str,
        /// What sqlx reported.
        #[source]
        source: sqlx::Error,
    },
    /// A stored value could not be read back (bad JSON, ULID or time). Points at a
    /// row written by something other than this code, or at a schema mismatch.
    #[error("corrupt row in {table} ({key}): {reason}")]
    Corrupt {
        /// The table.
        table: &'static str,
        /// The row's key.
        key: String,
        /// What could not be decoded.
        reason: String,
    },
    /// A value could not be turned into its stored form.
    #[error("cannot encode {what}: {source}")]
    Encode {
        /// What was being encoded.
        what: &'static str,
        /// What serde_json reported.
        #[source]
        source: serde_json::Error,
    },
    /// The row an operation acts on does not exist.
    #[error("{what} {key} not found")]
    NotFound {
        /// The kind of row (`order`, `quarantine item`, `effect`).
        what: &'static str,
        /// Its key.
        key: String,
    },
    /// An order reference matched more than one order: acting on a guess could ship
    /// the wrong parcel, so the caller must narrow it (by connector) or ask a person.
    #[error("reference {reference:?} matches {} orders", matches.len())]
    Ambiguous {
        /// The reference as given.
        reference: String,
        /// The orders it matched.
        matches: Vec<Ulid>,
    },
    /// An idempotency key is reused for a different effect, or completed twice with
    /// different remote references: two callers disagree about what happened.
    #[error("effect {key}: {reason}")]
    EffectConflict {
        /// The idempotency key.
        key: String,
        /// What disagrees.
        reason: String,
    },
    /// An argument cannot be stored as given.
    #[error("invalid {what}: {reason}")]
    Invalid {
        /// The argument.
        what: &'static str,
        /// Why it is refused.
        reason: String,
    },
}

/// Wraps a sqlx error with the operation it interrupted, for `map_err`.
pub(crate) fn db(op: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |source| StoreError::Database { op, source }
}

/// Like [`db`], for writes that reference another row: a foreign-key violation means
/// that row does not exist, and the caller hears which one.
pub(crate) fn db_ref(
    op: &'static str,
    what: &'static str,
    key: String,
) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |source| match &source {
        sqlx::Error::Database(e) if e.kind() == sqlx::error::ErrorKind::ForeignKeyViolation => {
            StoreError::NotFound { what, key }
        }
        _ => StoreError::Database { op, source },
    }
}
