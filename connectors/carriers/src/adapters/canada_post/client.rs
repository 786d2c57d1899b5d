//! Canada Post web services HTTP: HTTP Basic with the API key's user name and password,
//! the versioned media type of each service in `Content-Type` and `Accept`
//! (`application/vnd.cpc.ship.rate-v4+xml`, `application/vnd.cpc.ncshipment-v4+xml`,
//! `application/vnd.cpc.track-v2+xml`…), `Accept-language: en-CA`, and Canada Post's
//! `<messages><message><code/><description/></message></messages>` error answer turned
//! into [`ConnectorError`]. See <https://www.canadapost-postescanada.ca/info/mc/business/productsservices/developers/services/fundamentals.jsf>.

use reqwest::Method;
use serde::Deserialize;
use shipgate_sdk::ConnectorError;
use shipgate_sdk::Pace;
use std::time::Duration;

pub(super) use shipgate_sdk::http::HttpAnswer as Answer;

/// The error a non-success answer stands for, with Canada Post's code and words.
pub(super) fn refusal(answer: &Answer) -> ConnectorError {
    answer.error(&messages(&answer.body))
}

#[derive(Deserialize)]
struct Messages {
    #[serde(rename = "message", default)]
    list: Vec<Message>,
}

#[derive(Deserialize)]
struct Message {
    code: Option<String>,
    description: Option<String>,
}

/// "code: description; …" from a `<messages>` answer, or the body itself.
pub(super) fn messages(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    match quick_xml::de::from_str::<Messages>(&text) {
        Ok(m) if !m.list.is_empty() => m
            .list
            .into_iter()
            .map(|m| {
                format!(
                    "{}: {}",
                    m.code.unwrap_or_default(),
                    m.description.unwrap_or_default()
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
        _ => text.trim().to_string(),
    }
}

/// Escapes text for an XML element.
pub(super) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// One Canada Post account's HTTP client.
pub(super) struct Client {
    http: reqwest::Client,
    base: String,
    user: String,
    password: String,
    timeout: Duration,
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
            pace,
        }
    }

    /// The service root, for checking the links Canada Post answers with.
    pub(super) fn base(&self) -> &str {
        &self.base
    }

    /// Sends one call to `url` (a path under the base, or a full link of an earlier
    /// answer) and returns the answer whatever its status.
    pub(super) async fn send(
        &self,
        method: Method,
        url: &str,
        media_type: &str,
        body: Option<String>,
    ) -> Result<Answer, ConnectorError> {
        self.pace.turn().await?;
        let url = if url.starts_with("http") {
            url.to_string()
        } else {
            format!("{}{url}", self.base)
        };
        let mut request = self
            .http
            .request(method, &url)
            .basic_auth(&self.user, Some(&self.password))
            .header(reqwest::header::ACCEPT, media_type)
            .header(reqwest::header::ACCEPT_LANGUAGE, "en-CA")
            .timeout(self.timeout);
        if let Some(body) = body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, media_type)
                .body(body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| ConnectorError::Transport(format!("canada_post {url}: {e}")))?;
        Answer::read(response, &format!("canada_post {url}")).await
    }

    /// Sends one call; a non-success status is an error.
    pub(super) async fn call(
        &self,
        method: Method,
        url: &str,
        media_type: &str,
        body: Option<String>,
    ) -> Result<Vec<u8>, ConnectorError> {
        let answer = self.send(method, url, media_type, body).await?;
        if answer.is_success() {
            Ok(answer.body)
        } else {
            Err(refusal(&answer))
        }
    }
}
