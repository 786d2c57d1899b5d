//! What can go wrong inside a job, and how each cause maps to retry or dead.

use crate::queue::{JobError, QueueError};
use crate::store::StoreError;
use shipgate_sdk::ConnectorError;

/// A job step's failure.
#[derive(Debug, thiserror::Error)]
pub(crate) enum StepError {
    /// The remote system failed or refused.
    #[error(transparent)]
    Connector(#[from] ConnectorError),
    /// The store failed (locked, disk, corrupt row).
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// Enqueueing a follow-up job failed.
    #[error("queue: {0}")]
    Queue(#[from] QueueError),
    /// Something the job refers to is gone or was never configured.
    #[error("{0}")]
    Missing(String),
}

impl From<StepError> for JobError {
    fn from(err: StepError) -> Self {
        let message = err.to_string();
        match err {
            StepError::Connector(e) if e.is_retryable() => JobError::Transient {
                message,
                retry_after: e.retry_after(),
            },
            StepError::Connector(_) | StepError::Missing(_) => JobError::Permanent { message },
            StepError::Store(_) | StepError::Queue(_) => JobError::Transient {
                message,
                retry_after: None,
            },
        }
    }
}
