//! FedEx HTTP: a bearer token from `/oauth/token` on every call, `X-locale`, the
//! `x-customer-transaction-id` FedEx echoes back as `customerTransactionId`, and FedEx's
//! error envelope (`{"transactionId","errors":[{"code","message"}]}`) turned into
//! [`ConnectorError`].

use reqwest::Method;
use serde::Deserialize;
use shipgate_sdk::oauth::TokenSource;
use shipgate_sdk::ConnectorError;
use shipgate_sdk::Pace;
use std::time::Duration;

#[derive(Deserialize)]
struct Envelope {
    #[serde(default)]
    errors: Vec<ErrorItem>,
}

#[derive(Deserialize)]
struct ErrorItem {
    code: Option<String>,
    message: Option<String>,
}

/// "CODE: message; …" from FedEx's error envelope, or the body itself.
fn fedex_message(body: &[u8]) -> String {
    let listed = serde_json::from_slice::<Envelope>(body)
        .ok()
        .map(|e| {
            e.errors
                .iter()
                .map(|e| {
                    format!(
                        "{}: {}",
                        e.code.as_deref().unwrap_or("?"),
                        e.message.as_deref().unwrap_or("")
                    )
                })
                .collect::<Vec<_>>()
                .join("; ")
        })
        .filter(|m| !m.is_empty());
    listed.unwrap_or_else(|| String::from_utf8_lossy(body).trim().to_string())
}

/// One FedEx account's HTTP client.
pub(super) struct Client {
    http: reqwest::Client,
    base: String,
    tokens: TokenSource,
    timeout: Duration,
    /// The account's request budget, waited on before every call.
    pub(crate) pace: Pace,
}

impl Client {
    pub(super) fn new(
        http: reqwest::Client,
        base: String,
        tokens: TokenSource,
        timeout: Duration,
        pace: Pace,
    ) -> Self {
        Self {
            http,
            base,
            tokens,
            timeout,
            pace,
        }
    }

    /// Sends one JSON call; a non-success status is an error with FedEx's code and words.
    /// `transaction` goes in `x-customer-transaction-id`.
    pub(super) async fn call(
        &self,
        method: Method,
        path: &str,
        body: &serde_json::Value,
        transaction: Option<&str>,
    ) -> Result<Vec<u8>, ConnectorError> {
        self.pace.turn().await?;
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("X-locale", "en_US")
            .timeout(self.timeout)
            .json(body);
        if let Some(id) = transaction {
            request = request.header("x-customer-transaction-id", id);
        }
        let answer = self.tokens.send(request, &format!("fedex {path}")).await?;
        if answer.is_success() {
            return Ok(answer.body);
        }
        Err(answer.error(&fedex_message(&answer.body)))
    }
}
