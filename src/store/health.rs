//! A cheap question to the database, for `/readyz`: can the store answer a query on its
//! schema right now.

use super::error::db;
use super::{Store, StoreError};

impl Store {
    /// Reads at most one row of a small table: succeeds when a connection can be had and
    /// the schema is in place, fails as the next real operation would.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT connector_id FROM cursors LIMIT 1")
            .fetch_optional(&self.pool)
            .await
            .map_err(db("ping"))?;
        Ok(())
    }
}
