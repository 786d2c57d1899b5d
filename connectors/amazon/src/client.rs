//! The SP-API transport: an LWA access token in `x-amz-access-token`, a turn in the
//! seller's request budget of the operation before every call, and Amazon's `{"errors":[{code,message,details}]}` answers mapped to
//! the error classes the host acts on.

use crate::usage_plan::{one_token, parse_rate, Budgets, UsagePlan};
use serde::Deserialize;
use shipgate_sdk::http::{error_for_status, parse_retry_after};
use shipgate_sdk::oauth::{ClientAuth, Grant, OAuthClient, TokenSource};
use shipgate_sdk::{ConnectorError, RequestBudget, RequestRate};
use std::sync::Arc;
use std::time::Duration;

/// The SP-API operations the connector calls, each with its own usage plan (and so its
/// own request budget).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// `GET /orders/2026-01-01/orders`.
    SearchOrders,
    /// `GET /orders/2026-01-01/orders/{orderId}`.
    GetOrder,
    /// `POST /orders/v0/orders/{orderId}/shipmentConfirmation`.
    ConfirmShipment,
}

impl Operation {
    /// Every operation, in discriminant order, for seeding the budgets.
    pub const ALL: [Operation; 3] = [
        Operation::SearchOrders,
        Operation::GetOrder,
        Operation::ConfirmShipment,
    ];

    /// The operationId in Amazon's models, used in logs, in the budget account key and
    /// as the key of `usage_plans` in the configuration.
    pub fn name(self) -> &'static str {
        match self {
            Self::SearchOrders => "searchOrders",
            Self::GetOrder => "getOrder",
            Self::ConfirmShipment => "confirmShipment",
        }
    }

    /// The operation named by its operationId.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|op| op.name() == name)
    }

    /// The default usage plan printed in the models (`orders_2026-01-01.json`:
    /// searchOrders 0.0056/s burst 20, getOrder 0.5/s burst 30; `ordersV0.json`:
    /// confirmShipment 2/s burst 10 — the same as Amazon's "Orders API Rate Limits"
    /// page), used until Amazon reports the seller's own rate.
    pub fn default_plan(self) -> UsagePlan {
        let (requests_per_second, burst) = match self {
            Self::SearchOrders => (0.0056, 20),
            Self::GetOrder => (0.5, 30),
            Self::ConfirmShipment => (2.0, 10),
        };
        UsagePlan {
            requests_per_second,
            burst,
        }
    }
}

/// Amazon's error list.
#[derive(Deserialize)]
struct ErrorList {
    errors: Vec<ApiError>,
}

#[derive(Deserialize)]
struct ApiError {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    details: Option<String>,
}

/// What one HTTP answer carried besides its body.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) retry_after: Option<String>,
    pub(crate) rate: Option<f64>,
    pub(crate) body: Vec<u8>,
}

/// A client for one seller on one SP-API endpoint.
pub(crate) struct SpApi {
    http: reqwest::Client,
    base: String,
    tokens: TokenSource,
    budgets: Budgets,
    max_wait: Duration,
}

impl std::fmt::Debug for SpApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpApi")
            .field("base", &self.base)
            .field("tokens", &self.tokens)
            .field("budgets", &self.budgets)
            .finish_non_exhaustive()
    }
}

impl SpApi {
    /// Builds the HTTP client and the LWA token source (no request is sent). The
    /// seller's budgets are kept in this process until [`Self::set_budget`] shares them.
    pub(crate) fn new(
        config: &crate::AmazonConfig,
        rates: [RequestRate; Operation::ALL.len()],
    ) -> Result<Self, ConnectorError> {
        let http = reqwest::Client::builder()
            .timeout(config.request_timeout())
            .user_agent(concat!(
                "shipgate/",
                env!("CARGO_PKG_VERSION"),
                " (Language=Rust)"
            ))
            .build()?;
        let tokens = TokenSource::new(
            http.clone(),
            OAuthClient {
                token_url: config.lwa_token_url.clone(),
                client_id: config.client_id.clone(),
                client_secret: config.client_secret.clone(),
                grant: Grant::RefreshToken {
                    refresh_token: config.refresh_token.clone(),
                },
                auth: ClientAuth::FormBody,
            },
        );
        Ok(Self {
            http,
            base: config.base_url().to_string(),
            tokens,
            budgets: Budgets::new(config.budget_prefix(), rates),
            max_wait: config.max_wait(),
        })
    }

    /// Waits on `budget` for the seller's request turns from now on.
    pub(crate) fn set_budget(&mut self, budget: Arc<dyn RequestBudget>) {
        self.budgets.set_budget(budget);
    }

    /// Fetches (or reuses) an access token: proves the LWA credentials work.
    pub(crate) async fn check_token(&self) -> Result<(), ConnectorError> {
        self.tokens.token().await.map(|_| ())
    }

    /// The rate `op` is currently paced at.
    pub(crate) fn rate(&self, op: Operation) -> RequestRate {
        self.budgets.rate(op)
    }

    /// `GET {base}{path}?{query}`: the body of a 2xx answer, or the error class.
    pub(crate) async fn get(
        &self,
        op: Operation,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<Vec<u8>, ConnectorError> {
        let request = self.http.get(format!("{}{path}", self.base)).query(query);
        self.send(op, request).await
    }

    /// `POST {base}{path}` with a JSON body.
    pub(crate) async fn post_json(
        &self,
        op: Operation,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<Vec<u8>, ConnectorError> {
        let request = self.http.post(format!("{}{path}", self.base)).json(body);
        self.send(op, request).await
    }

    async fn send(
        &self,
        op: Operation,
        request: reqwest::RequestBuilder,
    ) -> Result<Vec<u8>, ConnectorError> {
        self.budgets.acquire(op, self.max_wait).await?;
        let token = self.tokens.token().await?;
        let response = request.header("x-amz-access-token", token).send().await?;
        let headers = response.headers();
        let request_id = header(headers, "x-amzn-RequestId");
        let answer = Answer {
            status: response.status().as_u16(),
            retry_after: header(headers, "retry-after"),
            rate: header(headers, "x-amzn-RateLimit-Limit")
                .as_deref()
                .and_then(parse_rate),
            body: Vec::new(),
        };
        let body = response.bytes().await?.to_vec();
        let answer = Answer { body, ..answer };
        tracing::debug!(
            operation = op.name(),
            status = answer.status,
            request_id = request_id.as_deref().unwrap_or("-"),
            "sp-api answered"
        );
        if let Some(rate) = answer.rate {
            self.budgets.adopt_rate(op, rate);
        }
        if matches!(answer.status, 401 | 403) {
            // An expired or revoked access token: the next call fetches a new one.
            self.tokens.invalidate().await;
        }
        let throttled = answer.status == 429;
        let result = interpret(op, answer);
        if let (true, Err(err)) = (throttled, &result) {
            let wait = err
                .retry_after()
                .unwrap_or_else(|| one_token(self.budgets.rate(op).per_second()));
            self.budgets.cool_down(op, wait);
        }
        result
    }
}

fn header(headers: &reqwest::header::HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Turns one answer into the body or the error class: 2xx → body; 429 → `Throttled`
/// waiting `Retry-After`, or one token of the reported rate; 401/403 → `Unauthorized`;
/// 404 → `NotFound`; 5xx/408 → `Remote`; other 4xx → `Rejected`. Messages quote Amazon's
/// `code: message (details)`.
pub(crate) fn interpret(op: Operation, answer: Answer) -> Result<Vec<u8>, ConnectorError> {
    let Answer {
        status,
        retry_after,
        rate,
        body,
    } = answer;
    if (200..300).contains(&status) {
        return Ok(body);
    }
    let explained = explain(&body);
    let message = format!(
        "{}: {}",
        op.name(),
        explained
            .clone()
            .unwrap_or_else(|| excerpt(&body).to_string())
    );
    match status {
        429 => Err(ConnectorError::Throttled {
            retry_after: retry_after
                .as_deref()
                .and_then(parse_retry_after)
                .or_else(|| rate.map(one_token)),
            message,
        }),
        404 => Err(ConnectorError::NotFound(message)),
        _ => Err(
            match error_for_status(status, retry_after.as_deref(), &body) {
                ConnectorError::Unauthorized { status, .. } => {
                    ConnectorError::Unauthorized { status, message }
                }
                ConnectorError::Remote { status, .. } => ConnectorError::Remote { status, message },
                ConnectorError::Rejected { status, .. } => {
                    ConnectorError::Rejected { status, message }
                }
                other => other,
            },
        ),
    }
}

/// `code: message (details); …` of an Amazon error list, when the body is one.
pub(crate) fn explain(body: &[u8]) -> Option<String> {
    let list: ErrorList = serde_json::from_slice(body).ok()?;
    let parts: Vec<String> = list
        .errors
        .iter()
        .map(|e| match e.details.as_deref().filter(|d| !d.is_empty()) {
            Some(d) => format!("{}: {} ({d})", e.code, e.message),
            None => format!("{}: {}", e.code, e.message),
        })
        .collect();
    (!parts.is_empty()).then(|| cut(parts.join("; ")))
}

fn cut(mut text: String) -> String {
    if text.len() > 512 {
        let mut end = 512;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

fn excerpt(body: &[u8]) -> String {
    cut(String::from_utf8_lossy(body).trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, retry_after: Option<&str>, rate: Option<f64>, body: &str) -> Answer {
        Answer {
            status,
            retry_after: retry_after.map(str::to_string),
            rate,
            body: body.as_bytes().to_vec(),
        }
    }

    const QUOTA: &str = r#"{"errors":[{"code":"QuotaExceeded","message":"You exceeded your quota for the requested resource."}]}"#;

    #[test]
    fn quota_exceeded_waits_one_token_of_the_reported_rate() {
        let err =
            interpret(Operation::SearchOrders, answer(429, None, Some(0.5), QUOTA)).unwrap_err();
        assert!(matches!(err, ConnectorError::Throttled { .. }));
        assert_eq!(err.retry_after(), Some(Duration::from_secs(2)));
        assert!(err.to_string().contains("QuotaExceeded"), "{err}");
        let err = interpret(
            Operation::GetOrder,
            answer(429, Some("1"), Some(0.5), QUOTA),
        )
        .unwrap_err();
        assert_eq!(err.retry_after(), Some(Duration::from_secs(1)));
    }

    #[test]
    fn statuses_become_error_classes_quoting_amazon() {
        let denied = r#"{"errors":[{"code":"Unauthorized","message":"Access to requested resource is denied.","details":"The access token you provided is revoked, malformed or invalid."}]}"#;
        match interpret(Operation::GetOrder, answer(403, None, None, denied)).unwrap_err() {
            ConnectorError::Unauthorized { status, message } => {
                assert_eq!(status, 403);
                assert!(
                    message.contains("revoked, malformed or invalid"),
                    "{message}"
                );
            }
            other => panic!("{other:?}"),
        }
        let missing = r#"{"errors":[{"code":"NotFound","message":"Order not found"}]}"#;
        assert!(matches!(
            interpret(Operation::GetOrder, answer(404, None, None, missing)),
            Err(ConnectorError::NotFound(_))
        ));
        let invalid = r#"{"errors":[{"code":"InvalidInput","message":"Invalid Input","details":"Invalid Input"}]}"#;
        let err = interpret(Operation::SearchOrders, answer(400, None, None, invalid)).unwrap_err();
        assert!(
            matches!(
                err,
                ConnectorError::Rejected {
                    status: Some(400),
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(!err.is_retryable());
        let err =
            interpret(Operation::SearchOrders, answer(503, None, None, "<html>")).unwrap_err();
        assert!(
            err.is_retryable() && err.to_string().contains("<html>"),
            "{err}"
        );
    }
}
