//! The one store of truth: orders, raw payloads, cursors, quarantine, shipments, the
//! effects ledger, tracking events, the audit log and dead jobs, in SQLite through sqlx.
//!
//! Each table has its queries in one file, so a PostgreSQL port changes one place per
//! table. Times are stored as fixed-precision RFC 3339 UTC text (sortable as text), ids
//! as text (ULIDs) or integers, JSON as text, raw bytes as blobs.

mod audit;
mod codec;
mod cursors;
mod dead;
mod effects;
mod error;
mod orders;
mod parcels;
mod quarantine;
mod raw;
mod routes;
mod shipments;
mod tracking;
mod webhooks;

pub use audit::AuditEntry;
pub use dead::{DeadJob, NewDeadJob};
pub use effects::Effect;
pub use error::StoreError;
pub use orders::{Lookup, Upsert, UpsertOutcome};
pub use parcels::WatchedParcel;
pub use quarantine::{NewQuarantine, QuarantineItem, QuarantineState};
pub use raw::StoredRaw;
pub use routes::Route;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::str::FromStr;
use std::time::Duration;

/// The name of the table that records which store migrations ran. Not sqlx's default
/// `_sqlx_migrations`, because the embedded job queue (apalis-sqlite) keeps its own
/// migrations there in the same database file, and each migrator refuses versions it
/// does not know.
const MIGRATIONS_TABLE: &str = "_shipgate_store_migrations";

/// How long a statement waits for another connection's write lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Connections to a database file: SQLite writes one at a time, but in WAL mode readers
/// run beside the writer, so a few connections serve the workers and the API.
const FILE_POOL_SIZE: u32 = 8;

/// A handle on the store. Cheap to clone: clones share one connection pool.
///
/// The effects ledger is the part callers most easily get wrong; a push goes like this:
///
/// ```
/// use shipgate::store::{Effect, Store};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), shipgate::store::StoreError> {
/// let store = Store::open("sqlite::memory:").await?;
/// let key = "fulfillment:01J9ZQ:1Z999AA10123456784";
/// match store.begin_effect(key, "fulfillment").await? {
///     // First attempt: call the remote, then record what it answered.
///     Effect::Fresh => store.complete_effect(key, "gid://shopify/Fulfillment/1").await?,
///     // A crashed attempt: ask the remote whether it happened before calling again.
///     Effect::Pending => {}
///     // Already done: nothing to call.
///     Effect::Done(_) => {}
/// }
/// assert_eq!(
///     store.begin_effect(key, "fulfillment").await?,
///     Effect::Done("gid://shopify/Fulfillment/1".into())
/// );
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
}

impl Store {
    /// Opens (creating it if missing) the database at `url` — `sqlite://path/file.db` or
    /// `sqlite::memory:` — and brings its schema up to date.
    ///
    /// Files run in WAL mode (readers never wait for the writer) with full sync (a
    /// recorded side effect survives a power cut), a 5 s busy timeout and foreign keys
    /// on. An in-memory database lives in a single connection that is never recycled,
    /// because it vanishes with its last connection.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        let open_err = |source| StoreError::Open {
            url: url.to_owned(),
            source,
        };
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let mut options = SqliteConnectOptions::from_str(url)
            .map_err(open_err)?
            .create_if_missing(true)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        let pool_options = if in_memory {
            SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
        } else {
            options = options
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full);
            SqlitePoolOptions::new().max_connections(FILE_POOL_SIZE)
        };
        let pool = pool_options.connect_with(options).await.map_err(open_err)?;
        let mut migrator = sqlx::migrate!();
        migrator.dangerous_set_table_name(MIGRATIONS_TABLE);
        migrator.run(&pool).await?;
        Ok(Store { pool })
    }

    /// The connection pool, for parts of the host that keep their own tables in the
    /// same database.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}
