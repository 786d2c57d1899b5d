//! Webhook receipts: which deliveries were already acted on, so a remote's retry of the
//! same delivery (Shopify re-sends for hours when an answer is slow) changes nothing.

use super::codec::now_text;
use super::error::db;
use super::{Store, StoreError};

impl Store {
    /// Whether `delivery_id` from `source` was already acted on.
    pub async fn webhook_seen(&self, source: &str, delivery_id: &str) -> Result<bool, StoreError> {
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT 1 FROM webhook_receipts WHERE source = $1 AND delivery_id = $2")
                .bind(source)
                .bind(delivery_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(db("webhook_seen"))?;
        Ok(row.is_some())
    }

    /// Records a delivery once its effects are queued; `false` when another copy of it
    /// was recorded first.
    pub async fn record_webhook(
        &self,
        source: &str,
        delivery_id: &str,
        topic: &str,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO webhook_receipts (source, delivery_id, topic, received_at)
             VALUES ($1, $2, $3, $4) ON CONFLICT (source, delivery_id) DO NOTHING",
        )
        .bind(source)
        .bind(delivery_id)
        .bind(topic)
        .bind(now_text())
        .execute(&self.pool)
        .await
        .map_err(db("record_webhook"))?;
        Ok(done.rows_affected() == 1)
    }
}
