//! Cursors: where each connector's next pull starts, saved after every page so a
//! restart resumes instead of pulling everything again.

use super::codec::{now_text, parse_json};
use super::error::db;
use super::{Store, StoreError};
use shipgate_sdk::Cursor;

impl Store {
    /// The last cursor saved for a connector; `None` before its first pull.
    pub async fn load_cursor(&self, connector_id: &str) -> Result<Option<Cursor>, StoreError> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT cursor_json FROM cursors WHERE connector_id = $1")
                .bind(connector_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(db("load_cursor"))?;
        row.map(|(json,)| parse_json("cursors", connector_id, &json))
            .transpose()
    }

    /// Replaces a connector's cursor.
    pub async fn save_cursor(&self, connector_id: &str, cursor: &Cursor) -> Result<(), StoreError> {
        let json = serde_json::to_string(cursor).map_err(|source| StoreError::Encode {
            what: "cursor",
            source,
        })?;
        sqlx::query(
            "INSERT INTO cursors (connector_id, cursor_json, saved_at) VALUES ($1, $2, $3)
             ON CONFLICT (connector_id) DO UPDATE SET cursor_json = excluded.cursor_json, saved_at = excluded.saved_at",
        )
        .bind(connector_id)
        .bind(json)
        .bind(now_text())
        .execute(&self.pool)
        .await
        .map_err(db("save_cursor"))?;
        Ok(())
    }
}
