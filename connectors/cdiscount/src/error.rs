//! The error bodies Cdiscount sends, typed, and how each becomes a
//! [`ConnectorError`] the host can act on.
//!
//! - Octopia REST answers errors as RFC 7807 `application/problem+json`
//!   (`{"type","title","status","detail","traceId"}`: the response codes of every
//!   endpoint in Octopia's technical documentation are `application/problem+json`).
//! - SOAP business errors come back as HTTP 200 with `OperationSuccess=false`,
//!   `ErrorMessage` and `ErrorList` (recorded `ManageParcel` / `CreateRefundVoucher`),
//!   and per order as `Validated=false` inside a successful `ValidateOrderList`.
//! - SOAP transport-level refusals are SOAP 1.1 `<s:Fault>`s.

use crate::soap::model::{Fault, Outcome};
use serde::Deserialize;
use shipgate_sdk::http::error_for_status;
use shipgate_sdk::ConnectorError;

/// An RFC 7807 problem as Octopia sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Short summary.
    pub title: Option<String>,
    /// The HTTP status, repeated.
    pub status: Option<u16>,
    /// What went wrong with this request.
    pub detail: Option<String>,
    /// Octopia's correlation id, for their support.
    pub trace_id: Option<String>,
}

impl Problem {
    /// `title: detail (trace …)`, the parts that exist.
    pub fn message(&self) -> String {
        let mut out = [self.title.as_deref(), self.detail.as_deref()]
            .into_iter()
            .flatten()
            .filter(|s| !s.trim().is_empty())
            .collect::<Vec<_>>()
            .join(": ");
        if let Some(t) = &self.trace_id {
            out.push_str(&format!(" (traceId {t})"));
        }
        out
    }
}

/// Maps a non-success REST answer: the class from the status (401/403 unauthorized,
/// 429 throttled with `Retry-After`, 408/5xx retryable, other 4xx rejected), the
/// message from the problem body when there is one.
pub fn rest_error(status: u16, retry_after: Option<&str>, body: &[u8]) -> ConnectorError {
    let err = error_for_status(status, retry_after, body);
    let Some(message) = serde_json::from_slice::<Problem>(body)
        .ok()
        .map(|p| p.message())
        .filter(|m| !m.is_empty())
    else {
        return err;
    };
    match err {
        ConnectorError::Unauthorized { status, .. } => {
            ConnectorError::Unauthorized { status, message }
        }
        ConnectorError::Throttled { retry_after, .. } => ConnectorError::Throttled {
            retry_after,
            message,
        },
        ConnectorError::Remote { status, .. } => ConnectorError::Remote { status, message },
        ConnectorError::Rejected { status, .. } => ConnectorError::Rejected { status, message },
        other => other,
    }
}

/// Whether a SOAP fault says the token was refused.
pub fn fault_is_security(fault: &Fault) -> bool {
    let all = format!(
        "{} {}",
        fault.faultcode.as_deref().unwrap_or(""),
        fault.faultstring.as_deref().unwrap_or("")
    )
    .to_ascii_lowercase();
    all.contains("security") || all.contains("token") || all.contains("authenticat")
}

/// A SOAP fault as an error: security faults are credentials problems, the rest are
/// server failures worth another try.
pub fn fault_error(status: u16, fault: &Fault) -> ConnectorError {
    let message = format!(
        "SOAP fault {}: {}",
        fault.faultcode.as_deref().unwrap_or("?"),
        fault.faultstring.as_deref().unwrap_or("")
    );
    if fault_is_security(fault) {
        ConnectorError::Unauthorized {
            status: if status == 200 { 401 } else { status },
            message,
        }
    } else {
        ConnectorError::Remote { status, message }
    }
}

/// An `OperationSuccess=false` outcome as a rejection with Cdiscount's own words.
pub fn outcome_error(op: &str, outcome: &Outcome) -> ConnectorError {
    let mut parts: Vec<String> = Vec::new();
    if let Some(m) = outcome
        .error_message
        .as_deref()
        .filter(|m| !m.trim().is_empty())
    {
        parts.push(m.trim().to_string());
    }
    for e in outcome.error_list.iter().flat_map(|l| &l.errors) {
        let line = format!(
            "{}: {}",
            e.error_type.as_deref().unwrap_or("Error"),
            e.message.as_deref().unwrap_or("").trim()
        );
        if !parts.iter().any(|p| line.ends_with(p.as_str())) {
            parts.push(line);
        }
    }
    ConnectorError::Rejected {
        status: Some(200),
        message: format!(
            "{op} refused (OperationSuccess=false): {}",
            parts.join("; ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_bodies_give_the_message_and_status_the_class() {
        let body = br#"{"type":"https://tools.ietf.org/html/rfc7231#section-6.5.1","title":"Bad Request","status":400,"detail":"pageSize must be <= 100","traceId":"00-ab"}"#;
        match rest_error(400, None, body) {
            ConnectorError::Rejected { status, message } => {
                assert_eq!(status, Some(400));
                assert_eq!(
                    message,
                    "Bad Request: pageSize must be <= 100 (traceId 00-ab)"
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(rest_error(503, None, b"not json").is_retryable());
    }
}
