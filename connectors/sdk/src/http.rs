//! HTTP helpers shared by connector clients: reading an answer whole, turning a status
//! and body into a [`ConnectorError`], and reading `Retry-After`.

use crate::ConnectorError;
use std::time::Duration;

/// Reads a `Retry-After` value given in seconds (the form Shopify, Amazon and most
/// carriers send). Fractions are accepted because Shopify's GraphQL docs show `2.0`;
/// HTTP dates and garbage give `None`, leaving the wait to the caller's own backoff.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let secs: f64 = value.trim().parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(3600.0)))
}

/// Maps a non-success HTTP answer to the error class the host acts on: 401/403 →
/// unauthorized, 429 → throttled (with `Retry-After`), 408 and 5xx → retryable remote
/// error, any other 4xx → rejected. The body excerpt is cut to 512 bytes so logs and the
/// dead list stay readable.
pub fn error_for_status(status: u16, retry_after: Option<&str>, body: &[u8]) -> ConnectorError {
    let message = excerpt(body);
    match status {
        401 | 403 => ConnectorError::Unauthorized { status, message },
        429 => ConnectorError::Throttled {
            retry_after: retry_after.and_then(parse_retry_after),
            message,
        },
        408 | 500..=599 => ConnectorError::Remote { status, message },
        _ => ConnectorError::Rejected {
            status: Some(status),
            message,
        },
    }
}

/// An HTTP answer read whole, before anyone judges it: what every client needs from a
/// response to decide between success, its API's own error envelope and an error class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpAnswer {
    /// The HTTP status.
    pub status: u16,
    /// The `Retry-After` header, as sent.
    pub retry_after: Option<String>,
    /// The body as received.
    pub body: Vec<u8>,
}

impl HttpAnswer {
    /// Reads `response` to the end; a body cut off on the way is a transport error
    /// naming `what` (the API and path).
    pub async fn read(response: reqwest::Response, what: &str) -> Result<Self, ConnectorError> {
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = response
            .bytes()
            .await
            .map_err(|e| ConnectorError::Transport(format!("{what}: {e}")))?
            .to_vec();
        Ok(Self {
            status,
            retry_after,
            body,
        })
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The error class of a non-success answer, told in `message`: the API's own words
    /// read from its error envelope, or the body itself.
    pub fn error(&self, message: &str) -> ConnectorError {
        error_for_status(self.status, self.retry_after.as_deref(), message.as_bytes())
    }
}

fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(512)]);
    text.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_seconds_and_fractions() {
        assert_eq!(parse_retry_after("2"), Some(Duration::from_secs(2)));
        assert_eq!(
            parse_retry_after(" 1.5 "),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("-1"), None);
    }

    #[test]
    fn statuses_map_to_error_classes() {
        assert!(matches!(
            error_for_status(401, None, b"bad token"),
            ConnectorError::Unauthorized { .. }
        ));
        let e = error_for_status(429, Some("3"), b"");
        assert_eq!(e.retry_after(), Some(Duration::from_secs(3)));
        assert!(error_for_status(503, None, b"").is_retryable());
        assert!(error_for_status(408, None, b"").is_retryable());
        assert!(!error_for_status(422, None, b"{}").is_retryable());
    }
}
