//! Failures of the queue itself (not of the jobs it runs).

/// Any error the backend reports, boxed so no apalis or sqlx type leaks out.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why the queue could not open, accept a job or run its workers.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum QueueError {
    /// The URL names a backend this build does not have. Only the scheme is kept: a
    /// queue URL may carry a password.
    #[error(
        "unsupported queue URL scheme {scheme:?}: use sqlite://…, sqlite::memory: or redis://…"
    )]
    Unsupported {
        /// The scheme as written (`redis`, `postgres`…), empty when there was none.
        scheme: String,
    },
    /// The backend failed while doing `action`.
    #[error("queue backend failed to {action}: {source}")]
    Backend {
        /// What the queue was doing (`open the database`, `push jobs`…).
        action: &'static str,
        /// The backend's error.
        #[source]
        source: BoxError,
    },
    /// A job could not be serialized for storage.
    #[error("job could not be encoded: {0}")]
    Encode(#[from] serde_json::Error),
    /// `run` was asked for zero workers, which would never run anything.
    #[error("concurrency must be at least 1")]
    NoWorkers,
}

impl QueueError {
    /// Wraps a backend error with what the queue was doing.
    pub(crate) fn backend(action: &'static str, source: impl Into<BoxError>) -> Self {
        Self::Backend {
            action,
            source: source.into(),
        }
    }
}
