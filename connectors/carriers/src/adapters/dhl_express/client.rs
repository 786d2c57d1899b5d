//! MyDHL API HTTP: HTTP Basic credentials on every call (the API key and secret of the
//! MyDHL API app), a `Message-Reference` header (28–36 characters, echoed in logs on
//! DHL's side) and DHL's RFC 7807 problem answers
//! (`{"instance","detail","title","message","status"}`) turned into [`ConnectorError`].
//! Shapes: <https://developer.dhl.com/api-reference/dhl-express-mydhl-api>.

use reqwest::Method;
use serde::Deserialize;
use serde_json::Value;
use shipgate_sdk::ConnectorError;
use shipgate_sdk::Pace;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

pub(super) use shipgate_sdk::http::HttpAnswer as Answer;

/// The error a non-success answer stands for, with DHL's own title and detail.
pub(super) fn refusal(answer: &Answer) -> ConnectorError {
    answer.error(&problem_message(&answer.body))
}

#[derive(Deserialize)]
struct Problem {
    title: Option<String>,
    detail: Option<String>,
    #[serde(default, rename = "additionalDetails")]
    additional: Vec<String>,
}

/// "title: detail (additional; …)" from a problem answer, or the body itself.
pub(super) fn problem_message(body: &[u8]) -> String {
    match serde_json::from_slice::<Problem>(body) {
        Ok(p) if p.title.is_some() || p.detail.is_some() => {
            let mut text = format!(
                "{}: {}",
                p.title.unwrap_or_default(),
                p.detail.unwrap_or_default()
            );
            if !p.additional.is_empty() {
                text.push_str(&format!(" ({})", p.additional.join("; ")));
            }
            text
        }
        _ => String::from_utf8_lossy(body).trim().to_string(),
    }
}

/// One MyDHL API account's HTTP client.
pub(super) struct Client {
    http: reqwest::Client,
    base: String,
    user: String,
    password: String,
    timeout: Duration,
    sequence: AtomicU64,
    /// The account's request budget, waited on before every call.
    pub(crate) pace: Pace,
}

impl Client {
    pub(super) fn new(
        http: reqwest::Client,
        base: String,
        (user, password): (String, String),
        timeout: Duration,
        pace: Pace,
    ) -> Self {
        Self {
            http,
            base,
            user,
            password,
            timeout,
            sequence: AtomicU64::new(0),
            pace,
        }
    }

    /// Sends one call and returns the answer whatever its status.
    pub(super) async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Answer, ConnectorError> {
        self.pace.turn().await?;
        let reference = format!(
            "shipgate-{:010x}-{:016x}",
            std::process::id(),
            self.sequence.fetch_add(1, Ordering::Relaxed)
        );
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .basic_auth(&self.user, Some(&self.password))
            .header("Message-Reference", reference)
            .timeout(self.timeout);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| ConnectorError::Transport(format!("dhl_express {path}: {e}")))?;
        Answer::read(response, &format!("dhl_express {path}")).await
    }

    /// Sends one call; a non-success status is an error.
    pub(super) async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Vec<u8>, ConnectorError> {
        let answer = self.send(method, path, body).await?;
        if answer.is_success() {
            Ok(answer.body)
        } else {
            Err(refusal(&answer))
        }
    }
}
