//! GLS HTTP: ShipIT with HTTP Basic and GLS's media type, Track And Trace V1 with a
//! bearer token, and both APIs' refusals turned into [`ConnectorError`].
//!
//! - ShipIT REST: every request "must carry authentication information" (HTTP Basic,
//!   the user GLS Field IT issues); bodies are `application/glsVersion1+json` (the media
//!   type of every operation in GLS's ShipIT OpenAPI file). A refusal comes as the status
//!   with two headers, `error` (`MANDATORY_PARAMETER_NOT_SET`, `INVALID_FIELD_VALUE`…)
//!   and `message`, and a 401 carries `WWW-Authenticate: Basic` ("Webservices Fault
//!   Responses Samples" of the ShipIT REST documentation).
//! - Track And Trace V1: `Authorization: Bearer` from the Authentication API v2; errors
//!   are `ErrorResponseDTO` (`title`, `detail`) or, from the API gateway (401, 429),
//!   `ErrorResponseApigeeDTO` (`fault.faultstring`, `fault.detail.errorcode`).

use serde::Deserialize;
use shipgate_sdk::http::{error_for_status, HttpAnswer};
use shipgate_sdk::oauth::TokenSource;
use shipgate_sdk::ConnectorError;
use shipgate_sdk::Pace;
use std::time::Duration;

/// GLS's own JSON media type for ShipIT.
const GLS_JSON: &str = "application/glsVersion1+json";

/// Where the two APIs live, without trailing slash.
pub(super) struct Endpoints {
    /// `{shipit_url}/backend/rs`.
    pub(super) shipit: String,
    /// `{api_url}/track-and-trace-v1`.
    pub(super) tracking: String,
}

/// One GLS account's HTTP client.
pub(super) struct Client {
    http: reqwest::Client,
    endpoints: Endpoints,
    basic: (String, String),
    tokens: TokenSource,
    timeout: Duration,
    /// The account's request budget, waited on before every call.
    pub(crate) pace: Pace,
}

impl Client {
    pub(super) fn new(
        http: reqwest::Client,
        endpoints: Endpoints,
        basic: (String, String),
        tokens: TokenSource,
        timeout: Duration,
        pace: Pace,
    ) -> Self {
        Self {
            http,
            endpoints,
            basic,
            tokens,
            timeout,
            pace,
        }
    }

    /// POSTs to a ShipIT operation (`path` under `/backend/rs`) and returns the body of a
    /// 2xx answer; other statuses are errors told with ShipIT's `error`/`message` headers.
    pub(super) async fn shipit(
        &self,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<Vec<u8>, ConnectorError> {
        self.pace.turn().await?;
        let what = format!("gls shipit {path}");
        let mut request = self
            .http
            .post(format!("{}{path}", self.endpoints.shipit))
            .basic_auth(&self.basic.0, Some(&self.basic.1))
            .header(
                reqwest::header::ACCEPT,
                format!("{GLS_JSON}, application/json"),
            )
            .header(reqwest::header::CONTENT_TYPE, GLS_JSON)
            .timeout(self.timeout);
        if let Some(body) = body {
            request = request.body(body.to_string());
        }
        let response = request
            .send()
            .await
            .map_err(|e| ConnectorError::Transport(format!("{what}: {e}")))?;
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let refusal = match (header("error"), header("message")) {
            (Some(code), Some(message)) => Some(format!("GLS {code}: {message}")),
            (Some(code), None) => Some(format!("GLS {code}")),
            (None, Some(message)) => Some(format!("GLS: {message}")),
            (None, None) => None,
        };
        let answer = HttpAnswer::read(response, &what).await?;
        if answer.is_success() {
            return Ok(answer.body);
        }
        let message = refusal.unwrap_or_else(|| {
            let body = String::from_utf8_lossy(&answer.body);
            match body.trim() {
                "" => format!("GLS ShipIT answered HTTP {}", answer.status),
                text => text.to_string(),
            }
        });
        Err(answer.error(&message))
    }

    /// Track And Trace V1 for up to ten comma-separated parcel numbers: the 200 body
    /// (known parcels and per-parcel errors side by side). A token refused with 401 is
    /// dropped and fetched again once: tokens live four hours and may expire between calls.
    pub(super) async fn track(&self, unitnos: &str) -> Result<Vec<u8>, ConnectorError> {
        let mut answer = self.track_once(unitnos).await?;
        if answer.status == 401 {
            answer = self.track_once(unitnos).await?;
        }
        if answer.is_success() {
            return Ok(answer.body);
        }
        Err(error_for_status(
            answer.status,
            answer.retry_after.as_deref(),
            tracking_message(&answer.body).as_bytes(),
        ))
    }

    async fn track_once(&self, unitnos: &str) -> Result<HttpAnswer, ConnectorError> {
        self.pace.turn().await?;
        let request = self
            .http
            .get(format!(
                "{}/tracking/simple/trackids/{unitnos}",
                self.endpoints.tracking
            ))
            .query(&[("showEvents", "true")])
            .header(reqwest::header::ACCEPT, "application/json")
            .header(reqwest::header::ACCEPT_LANGUAGE, "EN")
            .timeout(self.timeout);
        self.tokens.send(request, "gls track-and-trace").await
    }
}

#[derive(Deserialize)]
struct TrackingError {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    detail: Option<String>,
    #[serde(default)]
    fault: Option<Fault>,
}

#[derive(Deserialize)]
struct Fault {
    #[serde(default)]
    faultstring: Option<String>,
    #[serde(default)]
    detail: Option<FaultDetail>,
}

#[derive(Deserialize)]
struct FaultDetail {
    #[serde(default)]
    errorcode: Option<String>,
}

/// GLS's words from a Track And Trace error body (either of its two shapes), or the body.
fn tracking_message(body: &[u8]) -> String {
    let read = serde_json::from_slice::<TrackingError>(body)
        .ok()
        .and_then(|e| {
            if let Some(fault) = e.fault {
                let code = fault.detail.and_then(|d| d.errorcode);
                return Some(match (code, fault.faultstring) {
                    (Some(code), Some(text)) => format!("{code}: {text}"),
                    (code, text) => code.or(text).unwrap_or_default(),
                });
            }
            match (e.title, e.detail) {
                (Some(title), Some(detail)) => Some(format!("{title}: {detail}")),
                (title, detail) => title.or(detail),
            }
        });
    read.filter(|m| !m.is_empty())
        .unwrap_or_else(|| String::from_utf8_lossy(body).trim().to_string())
}
