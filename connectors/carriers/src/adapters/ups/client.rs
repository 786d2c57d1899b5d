//! UPS HTTP: a bearer token from the OAuth endpoint on every call, the `transId` and
//! `transactionSrc` headers UPS asks for, and UPS's error envelope
//! (`{"response":{"errors":[{"code","message"}]}}`) turned into [`ConnectorError`].

use reqwest::Method;
use serde::Deserialize;
use shipgate_sdk::oauth::TokenSource;
use shipgate_sdk::ConnectorError;
use shipgate_sdk::Pace;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Names us to UPS in `transactionSrc` (Rating.yaml: "an identifier of the client/source
/// application that is making the request").
const TRANSACTION_SRC: &str = "shipgate";

pub(super) use shipgate_sdk::http::HttpAnswer as Answer;

/// The error a non-success answer stands for, with UPS's own code and words.
pub(super) fn refusal(answer: &Answer) -> ConnectorError {
    answer.error(&ups_message(&answer.body))
}

#[derive(Deserialize)]
struct Envelope {
    response: Option<Errors>,
}

#[derive(Deserialize)]
struct Errors {
    #[serde(default)]
    errors: Vec<ErrorItem>,
}

#[derive(Deserialize)]
struct ErrorItem {
    code: Option<String>,
    message: Option<String>,
}

/// "code: message; …" from UPS's error envelope, or the body itself when it is not one.
pub(super) fn ups_message(body: &[u8]) -> String {
    let listed = serde_json::from_slice::<Envelope>(body)
        .ok()
        .and_then(|e| e.response)
        .map(|r| {
            r.errors
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

/// One UPS account's HTTP client.
pub(super) struct Client {
    http: reqwest::Client,
    base: String,
    tokens: TokenSource,
    timeout: Duration,
    sequence: AtomicU64,
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
            sequence: AtomicU64::new(0),
            pace,
        }
    }

    /// Sends one call and returns the answer whatever its status; only a failed token
    /// fetch or transport is an error here.
    pub(super) async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<Answer, ConnectorError> {
        self.pace.turn().await?;
        // transId: "an identifier unique to the request", at most 32 characters.
        let trans_id = format!(
            "sg{:x}{:x}",
            std::process::id(),
            self.sequence.fetch_add(1, Ordering::Relaxed)
        );
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("transId", trans_id)
            .header("transactionSrc", TRANSACTION_SRC)
            .timeout(self.timeout);
        if let Some(body) = body {
            request = request.json(body);
        }
        self.tokens.send(request, &format!("ups {path}")).await
    }

    /// Sends one call; a non-success status is an error.
    pub(super) async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<Vec<u8>, ConnectorError> {
        let answer = self.send(method, path, body).await?;
        if answer.is_success() {
            Ok(answer.body)
        } else {
            Err(refusal(&answer))
        }
    }
}
