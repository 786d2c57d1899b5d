//! The one store of truth: orders, raw payloads, cursors, quarantine, shipments, the
//! effects ledger, tracking events, the audit log and dead jobs, in SQLite or PostgreSQL
//! through sqlx's generic (`Any`) driver.
//!
//! Each table has its queries in one file, written once for both databases: `$1, $2, …`
//! placeholders (SQLite reads them as positions too), only integers, text and bytes
//! bound and read (the types `Any` carries on both), booleans as 0/1 integers. Times are
//! stored as fixed-precision RFC 3339 UTC text (sortable as text), ids as text (ULIDs) or
//! integers, JSON as text, raw bytes as blobs.

mod audit;
mod codec;
mod cursors;
mod dead;
mod effects;
mod error;
mod health;
mod orders;
mod parcels;
mod quarantine;
mod raw;
mod routes;
mod shipments;
mod sql;
mod statistics;
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

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor};
use statistics::Statistics;
use std::str::FromStr;
use std::sync::Arc;

/// The name of the table that records which store migrations ran. Not sqlx's default
/// `_sqlx_migrations`, because the embedded job queue (apalis-sqlite) keeps its own
/// migrations there in the same database file, and each migrator refuses versions it
/// does not know.
const MIGRATIONS_TABLE: &str = "_shipgate_store_migrations";

/// Connections per pool: SQLite writes one at a time, but in WAL mode readers run beside
/// the writer, and PostgreSQL serves the workers and the API in parallel; a few
/// connections serve both without crowding a shared PostgreSQL.
const POOL_SIZE: u32 = 8;

/// The database behind a store URL, named by its scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    /// A file, or a memory database when the URL says so.
    Sqlite { in_memory: bool },
    /// A server, shared by the workers of several machines.
    Postgres,
}

impl Backend {
    fn of(url: &str) -> Result<Backend, sqlx::Error> {
        let scheme = url.split(':').next().unwrap_or_default();
        match scheme {
            "sqlite" => Ok(Backend::Sqlite {
                in_memory: url.contains(":memory:") || url.contains("mode=memory"),
            }),
            "postgres" | "postgresql" => Ok(Backend::Postgres),
            _ => Err(sqlx::Error::Configuration(
                format!("unknown store scheme {scheme:?}: expected sqlite:// or postgres://")
                    .into(),
            )),
        }
    }

    /// The settings sqlx's generic (`Any`) options cannot carry, run on each new SQLite
    /// connection: foreign keys, which SQLite leaves off unless asked; a 5 s wait for
    /// another connection's write lock instead of failing at once; for files, WAL so
    /// readers never wait for the writer and full sync so a recorded side effect survives
    /// a power cut.
    fn pragmas(self) -> &'static [&'static str] {
        const FOREIGN_KEYS: &str = "PRAGMA foreign_keys = ON";
        const BUSY_TIMEOUT: &str = "PRAGMA busy_timeout = 5000";
        match self {
            Backend::Sqlite { in_memory: true } => &[FOREIGN_KEYS, BUSY_TIMEOUT],
            Backend::Sqlite { in_memory: false } => &[
                FOREIGN_KEYS,
                BUSY_TIMEOUT,
                "PRAGMA journal_mode = WAL",
                "PRAGMA synchronous = FULL",
            ],
            Backend::Postgres => &[],
        }
    }

    /// SQLite and PostgreSQL spell column types differently, so each has its own
    /// migration files, with the same versions and the same meaning.
    fn migrator(self) -> Migrator {
        let mut migrator = match self {
            Backend::Sqlite { .. } => sqlx::migrate!("migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("migrations/postgres"),
        };
        migrator.dangerous_set_table_name(MIGRATIONS_TABLE);
        migrator
    }
}

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
    pool: AnyPool,
    /// What bulk writes changed since the last `ANALYZE`, on PostgreSQL only (see
    /// `statistics`).
    statistics: Option<Arc<Statistics>>,
}

impl Store {
    /// Opens the database at `url` and brings its schema up to date. One code path serves
    /// both backends, so a deployment picks one by URL alone:
    ///
    /// - `sqlite://path/file.db` (created if missing) or `sqlite::memory:` for one
    ///   machine. Files run in WAL mode (readers never wait for the writer) with full
    ///   sync (a recorded side effect survives a power cut), a 5 s busy timeout and
    ///   foreign keys on. An in-memory database lives in a single connection that is
    ///   never recycled, because it vanishes with its last connection.
    /// - `postgres://user@host/db` for several workers on several machines. Each
    ///   connection is checked before use, so one the server dropped (a restart, a
    ///   failover) is replaced instead of failing the next operation.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        let open_err = |source| StoreError::Open {
            url: crate::config::redacted_url(url),
            source,
        };
        sqlx::any::install_default_drivers();
        let backend = Backend::of(url).map_err(open_err)?;
        let connect_url = match backend {
            Backend::Sqlite { in_memory: false } if !url.contains("mode=") => {
                let glue = if url.contains('?') { '&' } else { '?' };
                format!("{url}{glue}mode=rwc")
            }
            _ => url.to_owned(),
        };
        let options = AnyConnectOptions::from_str(&connect_url).map_err(open_err)?;
        let pool_options = match backend {
            Backend::Sqlite { in_memory: true } => AnyPoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None),
            Backend::Sqlite { in_memory: false } => {
                AnyPoolOptions::new().max_connections(POOL_SIZE)
            }
            Backend::Postgres => AnyPoolOptions::new()
                .max_connections(POOL_SIZE)
                .test_before_acquire(true),
        };
        let pool = pool_options
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    for pragma in backend.pragmas() {
                        conn.execute(*pragma).await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(open_err)?;
        backend.migrator().run(&pool).await?;
        let statistics = (backend == Backend::Postgres).then(|| Arc::new(Statistics::new()));
        Ok(Store { pool, statistics })
    }

    /// The connection pool, for parts of the host (and tests) that keep their own
    /// tables in the same database.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }
}
