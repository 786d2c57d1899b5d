//! The two Colissimo hosts: SLS (`ws.colissimo.fr`, labels, credentials in the JSON body)
//! and La Poste's Okapi gateway (`api.laposte.fr`, tracking, `X-Okapi-Key` header).
//!
//! Suivi API v2: `GET /suivi/v2/idships/{idship}?lang=fr_FR`, answering 200, or 400/404
//! with a JSON body carrying `returnCode` and `returnMessage` that the registry's
//! `laposte` parser reads; the gateway's own refusals (401, 429…) map through the SDK.
//! (https://developer.laposte.fr/products/suivi/2, as used by karrio's Colissimo
//! connector, karrio/providers/colissimo/utils.py: https://api.laposte.fr/suivi/v2.)

use shipgate_sdk::http::{error_for_status, HttpAnswer};
use shipgate_sdk::ConnectorError;
use shipgate_sdk::Pace;

/// An answer: status, content type and body.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) content_type: Option<String>,
    pub(crate) retry_after: Option<String>,
    pub(crate) body: Vec<u8>,
}

/// HTTP to SLS and the Suivi API.
pub(crate) struct Client {
    http: reqwest::Client,
    sls_url: String,
    tracking_url: String,
    okapi_key: String,
    /// The account's request budget, waited on before every call.
    pub(crate) pace: Pace,
}

impl Client {
    /// A client for both hosts (no trailing slash).
    pub(crate) fn new(
        http: reqwest::Client,
        sls_url: &str,
        tracking_url: &str,
        okapi_key: String,
        pace: Pace,
    ) -> Self {
        Self {
            http,
            sls_url: sls_url.trim_end_matches('/').to_string(),
            tracking_url: tracking_url.trim_end_matches('/').to_string(),
            okapi_key,
            pace,
        }
    }

    /// Posts a `generateLabel` body. Throttling and server errors are classified here;
    /// other statuses are left to the multipart answer, which says why.
    pub(crate) async fn generate_label(
        &self,
        body: &serde_json::Value,
    ) -> Result<Answer, ConnectorError> {
        self.pace.turn().await?;
        let response = self
            .http
            .post(format!(
                "{}/sls-ws/SlsServiceWSRest/2.0/generateLabel",
                self.sls_url
            ))
            .json(body)
            .send()
            .await?;
        let answer = read(response).await?;
        match answer.status {
            429 | 408 | 500..=599 => Err(error_for_status(
                answer.status,
                answer.retry_after.as_deref(),
                &answer.body,
            )),
            _ => Ok(answer),
        }
    }

    /// Fetches one number's tracking answer; 400 and 404 carry the Suivi API's own
    /// explanation and are returned for the parser to read.
    pub(crate) async fn track(&self, number: &str) -> Result<Vec<u8>, ConnectorError> {
        self.pace.turn().await?;
        let response = self
            .http
            .get(format!("{}/suivi/v2/idships/{number}", self.tracking_url))
            .query(&[("lang", "fr_FR")])
            .header("X-Okapi-Key", &self.okapi_key)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await?;
        let answer = read(response).await?;
        match answer.status {
            200..=299 | 400 | 404 => Ok(answer.body),
            status => Err(error_for_status(
                status,
                answer.retry_after.as_deref(),
                &answer.body,
            )),
        }
    }
}

async fn read(response: reqwest::Response) -> Result<Answer, ConnectorError> {
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let HttpAnswer {
        status,
        retry_after,
        body,
    } = HttpAnswer::read(response, "colissimo").await?;
    Ok(Answer {
        status,
        content_type,
        retry_after,
        body,
    })
}
