//! What the pipeline implements for the queue: the job handler, the failure it reports,
//! and where jobs go when they are given up.

use std::time::Duration;

use shipgate_sdk::ConnectorError;

use super::job::Envelope;

/// What a handler returns on failure: the queue decides retry vs dead from this alone.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobError {
    /// May succeed later (throttled, remote 5xx, timeout): retried with backoff until the
    /// policy's `max_attempts`.
    #[error("transient: {message}")]
    Transient {
        /// Why it failed, kept as the dead list's last error if retries run out.
        message: String,
        /// The wait the remote asked for; the next attempt never starts earlier.
        retry_after: Option<Duration>,
    },
    /// Will fail again however often it is tried (rejected input, bad credentials): goes
    /// to the dead list at once.
    #[error("permanent: {message}")]
    Permanent {
        /// Why it failed.
        message: String,
    },
}

impl JobError {
    /// A transient failure with no remote-imposed wait.
    pub fn transient(message: impl Into<String>) -> Self {
        Self::Transient {
            message: message.into(),
            retry_after: None,
        }
    }

    /// A permanent failure.
    pub fn permanent(message: impl Into<String>) -> Self {
        Self::Permanent {
            message: message.into(),
        }
    }

    /// The failure's explanation, without the class prefix.
    pub fn message(&self) -> &str {
        match self {
            Self::Transient { message, .. } | Self::Permanent { message } => message,
        }
    }
}

impl From<ConnectorError> for JobError {
    /// Retryable connector failures (throttling, 5xx, 408, transport) become transient,
    /// carrying the remote's `Retry-After`; everything else is permanent (DESIGN.md:
    /// "permanent errors (4xx other than 408/429) go straight to dead").
    fn from(err: ConnectorError) -> Self {
        if err.is_retryable() {
            Self::Transient {
                retry_after: err.retry_after(),
                message: err.to_string(),
            }
        } else {
            Self::Permanent {
                message: err.to_string(),
            }
        }
    }
}

/// Runs one attempt of a job. The queue owns retries: a handler reports how the attempt
/// failed and never sleeps or loops on its own.
#[async_trait::async_trait]
pub trait JobHandler: Send + Sync + 'static {
    /// Runs the job in `envelope` once.
    async fn handle(&self, envelope: &Envelope) -> Result<(), JobError>;
}

/// What happens when retries run out or the error is permanent: the host stores it in
/// the dead list (the store's `record_dead`). Decoupled so the queue does not depend on
/// the store module.
#[async_trait::async_trait]
pub trait DeadLetters: Send + Sync + 'static {
    /// Records `envelope` as given up after `attempts` attempts, with the last error.
    /// An `Err` leaves the job failed in the queue's own table with both reasons, so it
    /// is never silently lost.
    async fn bury(
        &self,
        envelope: &Envelope,
        attempts: u32,
        last_error: &str,
    ) -> Result<(), String>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connector_errors_map_to_retry_classes() {
        let throttled = ConnectorError::Throttled {
            retry_after: Some(Duration::from_secs(3)),
            message: "slow down".into(),
        };
        match JobError::from(throttled) {
            JobError::Transient { retry_after, .. } => {
                assert_eq!(retry_after, Some(Duration::from_secs(3)))
            }
            other => panic!("expected transient, got {other:?}"),
        }
        let rejected = ConnectorError::Rejected {
            status: Some(422),
            message: "bad".into(),
        };
        assert!(matches!(
            JobError::from(rejected),
            JobError::Permanent { .. }
        ));
    }
}
