//! Planner statistics after bulk writes, on PostgreSQL.
//!
//! PostgreSQL plans every query from the statistics `ANALYZE` gathers. Autovacuum gathers
//! them once a tenth of a table has changed, but only on its next round (a minute apart by
//! default), and until then a table that never had any is planned as if nearly empty. A
//! lookup that follows an import at once — a supplier file matched against the orders an
//! orders export has just written — was planned that way: the 20,000 references of one
//! file took 26 s instead of 2.5 s (`supplier_file_throughput` in tests/store.rs), each
//! query walking all the shop's orders instead of looking its numbers up in their index. So once the store's own bulk writes
//! ([`Store::upsert_orders`], [`Store::add_shipments`]) have changed a table by
//! autovacuum's measure, the store analyzes it itself, at once.
//!
//! On SQLite nothing is done: without statistics its planner assumes an equality on an
//! indexed column matches a few rows, which is right for every lookup the store makes. The
//! same 20,000-reference lookup took 1.6 s without `ANALYZE` and 1.9 s with it.

use std::sync::Mutex;

use super::Store;

/// Changed rows that always justify an `ANALYZE`, however small the table: a few hundred
/// milliseconds of lookups lost against about a hundred of analyzing (20,000 orders).
const MIN_ROWS: u64 = 1_000;

/// The share of a table that must change before it is analyzed again, as autovacuum's
/// default `autovacuum_analyze_scale_factor` (0.1): a large table is not analyzed after
/// every file.
const SHARE: f64 = 0.1;

/// A table the store writes in bulk.
#[derive(Debug, Clone, Copy)]
pub(super) enum BulkTable {
    /// Orders, from pulls and orders exports.
    Orders,
    /// Shipments, from supplier tracking files.
    Shipments,
}

impl BulkTable {
    fn slot(self) -> usize {
        match self {
            BulkTable::Orders => 0,
            BulkTable::Shipments => 1,
        }
    }

    fn analyze(self) -> &'static str {
        match self {
            BulkTable::Orders => "ANALYZE orders",
            BulkTable::Shipments => "ANALYZE shipments",
        }
    }

    /// The table's row count as the `ANALYZE` just made estimated it.
    fn estimated_rows(self) -> &'static str {
        match self {
            BulkTable::Orders => {
                "SELECT CAST(reltuples AS BIGINT) FROM pg_class WHERE oid = 'orders'::regclass"
            }
            BulkTable::Shipments => {
                "SELECT CAST(reltuples AS BIGINT) FROM pg_class WHERE oid = 'shipments'::regclass"
            }
        }
    }
}

/// Per bulk table: rows changed by this store's bulk writes since its last `ANALYZE`,
/// and how many call for the next. Shared by a store's clones; kept only for PostgreSQL.
#[derive(Debug)]
pub(super) struct Statistics {
    tables: Mutex<[(u64, u64); 2]>,
}

impl Statistics {
    /// Nothing changed yet; the first `ANALYZE` comes after [`MIN_ROWS`], since the
    /// table's size is not known before it.
    pub(super) fn new() -> Statistics {
        Statistics {
            tables: Mutex::new([(0, MIN_ROWS); 2]),
        }
    }

    /// Counts `rows` more changed rows of `table`; true when they call for an `ANALYZE`,
    /// and then the count starts again.
    fn due(&self, table: BulkTable, rows: u64) -> bool {
        let mut tables = self.tables.lock().unwrap_or_else(|e| e.into_inner());
        let (changed, threshold) = &mut tables[table.slot()];
        *changed += rows;
        if *changed < *threshold {
            return false;
        }
        *changed = 0;
        true
    }

    /// The next `ANALYZE` of `table` comes after a tenth of its `rows` have changed.
    fn analyzed(&self, table: BulkTable, rows: i64) {
        let mut tables = self.tables.lock().unwrap_or_else(|e| e.into_inner());
        tables[table.slot()].1 = ((rows.max(0) as f64 * SHARE) as u64).max(MIN_ROWS);
    }
}

impl Store {
    /// Notes that a bulk write changed `rows` rows of `table` and, on PostgreSQL, analyzes
    /// the table when enough have changed since the last time. A failed `ANALYZE` is
    /// logged, not returned: the rows are committed, only later plans depend on it.
    pub(super) async fn after_bulk_write(&self, table: BulkTable, rows: usize) {
        let Some(statistics) = &self.statistics else {
            return;
        };
        if !statistics.due(table, rows as u64) {
            return;
        }
        let analyzed = async {
            sqlx::query(table.analyze()).execute(&self.pool).await?;
            sqlx::query_scalar::<_, i64>(table.estimated_rows())
                .fetch_one(&self.pool)
                .await
        }
        .await;
        match analyzed {
            Ok(estimated) => statistics.analyzed(table, estimated),
            Err(err) => tracing::warn!(%err, ?table, "ANALYZE after a bulk write failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_is_due_after_min_rows_then_after_a_tenth_of_its_size() {
        let s = Statistics::new();
        assert!(!s.due(BulkTable::Orders, 600));
        assert!(s.due(BulkTable::Orders, 400), "1,000 rows changed");
        assert!(
            !s.due(BulkTable::Shipments, 999),
            "each table counts its own"
        );
        s.analyzed(BulkTable::Orders, 50_000);
        assert!(!s.due(BulkTable::Orders, 4_999));
        assert!(s.due(BulkTable::Orders, 1), "a tenth of 50,000");
        s.analyzed(BulkTable::Orders, -1);
        assert!(s.due(BulkTable::Orders, 1_000), "never below MIN_ROWS");
    }
}
