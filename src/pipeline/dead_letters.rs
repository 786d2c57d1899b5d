//! The dead list lives in the store, so `shipgate jobs dead` shows it whatever the
//! queue backend.

use crate::queue::{DeadLetters, Envelope};
use crate::store::{NewDeadJob, Store};

/// Buries dead jobs in the store's dead list.
pub struct StoreDeadLetters(pub Store);

#[async_trait::async_trait]
impl DeadLetters for StoreDeadLetters {
    async fn bury(
        &self,
        envelope: &Envelope,
        attempts: u32,
        last_error: &str,
    ) -> Result<(), String> {
        tracing::warn!(job = %envelope.id, kind = envelope.job.kind(), attempts, error = last_error, "job is dead");
        let job = NewDeadJob {
            job_id: envelope.id.to_string(),
            job_type: envelope.job.kind().to_string(),
            payload: serde_json::to_value(&envelope.job).map_err(|e| e.to_string())?,
            attempts,
            last_error: last_error.to_string(),
        };
        self.0
            .record_dead(&job)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}
