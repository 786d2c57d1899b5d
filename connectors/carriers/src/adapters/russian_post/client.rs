//! The Otpravka API's HTTP side (<https://otpravka.pochta.ru/specification>, section
//! "Авторизация"): every request carries `Authorization: AccessToken {token}` (the
//! application token) and `X-User-Authorization: Basic {key}`, the key being
//! `base64(login:password)` of the account, with `Accept` and `Content-Type`
//! `application/json;charset=UTF-8`.
//!
//! Refusals: 401/403 for credentials, 4xx with `{"code", "desc"}` (and `"sub-code"` on
//! some methods), 5xx for failures. The spec shows error bodies for few methods: its
//! claims method's table of answer codes has a 401 without a body and `{"code":
//! "1001", "desc": "Отправление не найдено"}` for a 404; the search method's errors
//! carry `sub-code`. Whatever the body, the `desc` becomes the error's message when
//! there is one, and the status decides the error's class.

use base64::Engine;
use serde::Deserialize;
use serde_json::Value;
use shipgate_sdk::http::HttpAnswer;
use shipgate_sdk::ConnectorError;
use shipgate_sdk::Pace;
use std::time::Duration;

/// The error body the Otpravka API writes on 4xx and some 5xx answers.
#[derive(Deserialize)]
struct Refusal {
    #[serde(default)]
    code: Option<Value>,
    #[serde(default)]
    desc: Option<String>,
    #[serde(rename = "sub-code", default)]
    sub_code: Option<String>,
}

/// One Otpravka account's HTTP client.
pub(super) struct Otpravka {
    http: reqwest::Client,
    base: String,
    authorization: String,
    user_authorization: String,
    timeout: Duration,
    /// The account's request budget, waited on before every call.
    pub(crate) pace: Pace,
}

impl Otpravka {
    /// A client for `base` with the application token and the account's login and
    /// password.
    pub(super) fn new(
        http: reqwest::Client,
        base: &str,
        token: &str,
        (login, password): (&str, &str),
        timeout: Duration,
        pace: Pace,
    ) -> Self {
        let key = base64::engine::general_purpose::STANDARD.encode(format!("{login}:{password}"));
        Self {
            http,
            base: base.trim_end_matches('/').to_string(),
            authorization: format!("AccessToken {token}"),
            user_authorization: format!("Basic {key}"),
            timeout,
            pace,
        }
    }

    /// `method` (`POST`, `PUT`, `DELETE`) of `path` with a JSON body; the answer's body.
    pub(super) async fn send_json(
        &self,
        method: &str,
        path: &str,
        body: &Value,
    ) -> Result<Vec<u8>, ConnectorError> {
        let method = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|e| ConnectorError::Transport(format!("russian_post {path}: {e}")))?;
        let request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/json;charset=UTF-8",
            )
            .body(body.to_string());
        self.send(request, path).await
    }

    /// `GET path`; the answer's body (JSON or a file).
    pub(super) async fn get(&self, path: &str) -> Result<Vec<u8>, ConnectorError> {
        let request = self.http.get(format!("{}{path}", self.base));
        self.send(request, path).await
    }

    async fn send(
        &self,
        request: reqwest::RequestBuilder,
        path: &str,
    ) -> Result<Vec<u8>, ConnectorError> {
        self.pace.turn().await?;
        let what = format!("russian_post {path}");
        let response = request
            .header(reqwest::header::AUTHORIZATION, &self.authorization)
            .header("X-User-Authorization", &self.user_authorization)
            .header(reqwest::header::ACCEPT, "application/json;charset=UTF-8")
            .timeout(self.timeout)
            .send()
            .await
            .map_err(|e| ConnectorError::Transport(format!("{what}: {e}")))?;
        let answer = HttpAnswer::read(response, &what).await?;
        if answer.is_success() {
            return Ok(answer.body);
        }
        Err(answer.error(&refusal_words(&answer)))
    }
}

/// The refusal's own words: `code: desc (sub-code)` from the error body, the body as
/// text when it is not that shape, or the status when there is no body at all.
fn refusal_words(answer: &HttpAnswer) -> String {
    if answer.body.iter().all(u8::is_ascii_whitespace) {
        return format!("HTTP {} without a body", answer.status);
    }
    match serde_json::from_slice::<Refusal>(&answer.body) {
        Ok(Refusal {
            code,
            desc: Some(desc),
            sub_code,
        }) => {
            let code = match code {
                Some(Value::String(s)) => format!("{s}: "),
                Some(Value::Number(n)) => format!("{n}: "),
                _ => String::new(),
            };
            let sub = sub_code.map(|s| format!(" ({s})")).unwrap_or_default();
            format!("{code}{desc}{sub}")
        }
        _ => String::from_utf8_lossy(&answer.body).trim().to_string(),
    }
}

/// Decodes a JSON answer of `what`, naming where it stopped fitting; the body is kept.
pub(super) fn decode<T: serde::de::DeserializeOwned>(
    raw: &[u8],
    what: &str,
) -> Result<T, ConnectorError> {
    let mut de = serde_json::Deserializer::from_slice(raw);
    serde_path_to_error::deserialize(&mut de).map_err(|e| ConnectorError::UnexpectedShape {
        reason: format!("russian_post {what} answer at {}: {}", e.path(), e.inner()),
        raw: raw.to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> HttpAnswer {
        HttpAnswer {
            status,
            retry_after: None,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn refusals_are_told_in_the_apis_words() {
        assert_eq!(
            refusal_words(&answer(
                404,
                r#"{"code": "1001", "desc": "Отправление не найдено"}"#
            )),
            "1001: Отправление не найдено"
        );
        assert_eq!(
            refusal_words(&answer(
                400,
                r#"{"code": 1001, "desc": "no route", "sub-code": "CODE_1372"}"#
            )),
            "1001: no route (CODE_1372)"
        );
        assert_eq!(refusal_words(&answer(401, "")), "HTTP 401 without a body");
        assert_eq!(
            refusal_words(&answer(502, "<html>bad gateway</html>")),
            "<html>bad gateway</html>"
        );
    }
}
