//! The errors connectors report, shaped so the host can decide what to do with them:
//! retry later ([`ConnectorError::is_retryable`]), give up (dead list), or quarantine the
//! input with the exact place it went wrong ([`MappingError`]).

use std::fmt;
use std::time::Duration;

/// A rule of the canonical model that a value breaks, with where and what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {reason} (value: {value:?})")]
pub struct ValidationError {
    /// The field path inside the order (`lines[2].quantity`).
    pub path: String,
    /// The offending value, as text.
    pub value: String,
    /// What is wrong with it.
    pub reason: String,
}

impl ValidationError {
    /// Builds a validation error from any displayable value.
    pub fn new(
        path: impl Into<String>,
        value: impl fmt::Display,
        reason: impl Into<String>,
    ) -> Self {
        Self {
            path: path.into(),
            value: value.to_string(),
            reason: reason.into(),
        }
    }
}

/// Why a raw payload could not become a canonical order. Every variant says where, so a
/// quarantined record can be fixed and replayed without guessing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MappingError {
    /// The bytes are not well-formed (JSON syntax, XML, CSV quoting).
    #[error("malformed input at line {line}, column {column}: {reason}")]
    Malformed {
        /// 1-based line in the raw payload.
        line: usize,
        /// 1-based column in the raw payload.
        column: usize,
        /// The parser's explanation.
        reason: String,
    },
    /// A field the mapping needs is absent or null.
    #[error("missing field {path}")]
    MissingField {
        /// The field path in the remote's vocabulary (`lineItems.nodes[0].quantity`).
        path: String,
    },
    /// A field is present but its value cannot be used.
    #[error("invalid value at {path}: {reason} (value: {value:?})")]
    InvalidValue {
        /// The field path in the remote's vocabulary.
        path: String,
        /// The value as found.
        value: String,
        /// Why it cannot be used.
        reason: String,
    },
    /// The mapped order breaks a rule of the canonical model.
    #[error("invalid order: {0}")]
    Invalid(#[from] ValidationError),
}

impl MappingError {
    /// Where the error is, as one string for the quarantine's `location` column.
    pub fn location(&self) -> String {
        match self {
            Self::Malformed { line, column, .. } => format!("line {line}, column {column}"),
            Self::MissingField { path } | Self::InvalidValue { path, .. } => path.clone(),
            Self::Invalid(v) => v.path.clone(),
        }
    }

    /// Wraps a serde_json error with its line and column.
    pub fn from_json(err: &serde_json::Error) -> Self {
        Self::Malformed {
            line: err.line(),
            column: err.column(),
            reason: err.to_string(),
        }
    }
}

/// A failure talking to a remote system.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectorError {
    /// Credentials refused or expired: retrying will not help until someone fixes them.
    #[error("unauthorized (HTTP {status}): {message}")]
    Unauthorized {
        /// HTTP status (401 or 403).
        status: u16,
        /// The remote's explanation.
        message: String,
    },
    /// The remote asks us to slow down (HTTP 429, Shopify `THROTTLED`, Amazon `QuotaExceeded`).
    #[error("throttled: {message}")]
    Throttled {
        /// How long the remote asked us to wait, when it said.
        retry_after: Option<Duration>,
        /// The remote's explanation.
        message: String,
    },
    /// The remote failed (5xx, 408): worth another try.
    #[error("remote error (HTTP {status}): {message}")]
    Remote {
        /// HTTP status.
        status: u16,
        /// The remote's explanation (body excerpt).
        message: String,
    },
    /// The request never got an answer (connect, timeout, reset).
    #[error("transport: {0}")]
    Transport(String),
    /// The remote refused the request as such (4xx other than 401/403/408/429, or
    /// business `userErrors`): the same request will be refused again.
    #[error("rejected: {message}")]
    Rejected {
        /// HTTP status, when there was one.
        status: Option<u16>,
        /// The remote's explanation.
        message: String,
    },
    /// The answer did not have the shape we expect. The raw body is kept for quarantine.
    #[error("unexpected response shape: {reason}")]
    UnexpectedShape {
        /// What was wrong.
        reason: String,
        /// The body as received.
        raw: Vec<u8>,
    },
    /// The thing to act on does not exist remotely (an order deleted since we pulled it).
    #[error("not found: {0}")]
    NotFound(String),
}

impl ConnectorError {
    /// Whether the same call may succeed later: throttling, 5xx, 408 and transport
    /// failures. Everything else goes straight to the dead list.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::Throttled { .. } | Self::Remote { .. } | Self::Transport(_)
        )
    }

    /// The wait the remote asked for, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Throttled { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

impl From<reqwest::Error> for ConnectorError {
    fn from(err: reqwest::Error) -> Self {
        // reqwest's Display includes the URL; shop URLs carry no secret, tokens live in
        // headers, which it never prints.
        let mut msg = err.to_string();
        let mut source = std::error::Error::source(&err);
        while let Some(s) = source {
            msg.push_str(": ");
            msg.push_str(&s.to_string());
            source = s.source();
        }
        Self::Transport(msg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retryable_classification() {
        assert!(ConnectorError::Throttled {
            retry_after: None,
            message: String::new()
        }
        .is_retryable());
        assert!(ConnectorError::Remote {
            status: 503,
            message: String::new()
        }
        .is_retryable());
        assert!(ConnectorError::Transport("reset".into()).is_retryable());
        assert!(!ConnectorError::Unauthorized {
            status: 401,
            message: String::new()
        }
        .is_retryable());
        assert!(!ConnectorError::Rejected {
            status: Some(422),
            message: String::new()
        }
        .is_retryable());
    }

    #[test]
    fn json_errors_carry_line_and_column() {
        let err = serde_json::from_str::<serde_json::Value>("{\n  \"a\": @\n}").unwrap_err();
        let m = MappingError::from_json(&err);
        assert_eq!(m.location(), "line 2, column 8");
    }
}
