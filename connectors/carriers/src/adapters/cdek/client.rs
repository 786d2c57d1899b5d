//! CDEK API v2 HTTP: a bearer token from `POST {base}/oauth/token` (OAuth 2.0 client
//! credentials, `client_id` = the account, `client_secret` = the secure password, form
//! encoded; <https://api-docs.cdek.ru/33828799.html>) on every call, JSON bodies, and
//! CDEK's error bodies turned into [`ConnectorError`] with CDEK's own codes and words.
//!
//! Error bodies: an entity operation refused names its request,
//! `{"requests":[{"type","state":"INVALID","errors":[{"code","message"}]}]}`
//! (<https://api-docs.cdek.ru/33828855.html>); the calculator and some checks answer a
//! top-level `{"errors":[{"code","message"}]}`; the token endpoint answers OAuth's
//! `{"error","error_description"}` (RFC 6749 §5.2 — CDEK's page shows only the success
//! answer, and its own WordPress plugin reads the `error` field of a refusal).

use reqwest::Method;
use serde::Deserialize;
use serde_json::Value;
use shipgate_sdk::http::HttpAnswer;
use shipgate_sdk::oauth::TokenSource;
use shipgate_sdk::ConnectorError;
use shipgate_sdk::Pace;
use std::time::Duration;

#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default)]
    requests: Vec<RequestErrors>,
    #[serde(default)]
    errors: Vec<ErrorItem>,
    error: Option<String>,
    error_description: Option<String>,
}

#[derive(Deserialize)]
struct RequestErrors {
    #[serde(default)]
    errors: Vec<ErrorItem>,
}

/// One `{"code","message"}` of CDEK's error lists.
#[derive(Deserialize)]
pub(super) struct ErrorItem {
    /// CDEK's error code (`v2_entity_not_found`, `v2_field_is_empty`…).
    pub(super) code: Option<String>,
    /// CDEK's words.
    pub(super) message: Option<String>,
}

/// "code: message; …" of a list of CDEK errors.
pub(super) fn join(errors: &[ErrorItem]) -> String {
    errors
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
}

/// CDEK's words from any of its error bodies, or the body itself when it is none.
pub(super) fn cdek_message(body: &[u8]) -> String {
    let listed = serde_json::from_slice::<ErrorBody>(body).ok().map(|b| {
        let mut all: Vec<ErrorItem> = b.errors;
        all.extend(b.requests.into_iter().flat_map(|r| r.errors));
        if all.is_empty() {
            match (b.error, b.error_description) {
                (Some(error), description) => {
                    format!("{error}: {}", description.unwrap_or_default())
                }
                (None, _) => String::new(),
            }
        } else {
            join(&all)
        }
    });
    listed
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| String::from_utf8_lossy(body).trim().to_string())
}

/// The error a non-success answer stands for, told in CDEK's words.
pub(super) fn refusal(answer: &HttpAnswer) -> ConnectorError {
    answer.error(&cdek_message(&answer.body))
}

/// One CDEK account's HTTP client.
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

    /// The API root (`https://api.cdek.ru/v2`), which links in answers must lie under
    /// before the account's token is sent to them.
    pub(super) fn base(&self) -> &str {
        &self.base
    }

    /// Sends one call to `path` under the API root, or to `url` when it is absolute, and
    /// returns the answer whatever its status; only a failed token fetch or transport is
    /// an error here.
    pub(super) async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<HttpAnswer, ConnectorError> {
        self.pace.turn().await?;
        let url = if path.starts_with("http://") || path.starts_with("https://") {
            path.to_string()
        } else {
            format!("{}{path}", self.base)
        };
        let mut request = self.http.request(method, &url).timeout(self.timeout);
        if let Some(body) = body {
            request = request.json(body);
        }
        // An expired or revoked token (`v2_token_expired`) is dropped there.
        self.tokens.send(request, &format!("cdek {path}")).await
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

#[cfg(test)]
mod tests {
    use super::cdek_message;

    #[test]
    fn every_error_body_is_read_in_cdeks_words() {
        let request = br#"{"requests":[{"type":"GET","state":"INVALID","errors":[{"code":"v2_entity_not_found","message":"Entity is not found"}]}]}"#;
        assert_eq!(
            cdek_message(request),
            "v2_entity_not_found: Entity is not found"
        );
        let top = br#"{"errors":[{"code":"v2_field_is_empty","message":"a"},{"code":"v2_invalid_format","message":"b"}]}"#;
        assert_eq!(
            cdek_message(top),
            "v2_field_is_empty: a; v2_invalid_format: b"
        );
        let oauth = br#"{"error":"invalid_client","error_description":"Bad credentials"}"#;
        assert_eq!(cdek_message(oauth), "invalid_client: Bad credentials");
        assert_eq!(cdek_message(b" gateway down "), "gateway down");
    }
}
