//! DPD's web services over HTTP with the token of LoginService `getAuth`: fetched once,
//! reused by every call, fetched again once when a call is refused with an
//! `authenticationFault` (DPD tokens expire daily).
//!
//! Endpoints (https://public-ws.dpd.com in production, https://public-ws-stage.dpd.com
//! for tests): /services/LoginService/V2_0/, /services/ShipmentService/V4_4/,
//! /services/ParcelLifeCycleService/V2_0/.

use super::soap::{envelope, fault, leaf};
use crate::adapters::chronopost::soap::read_return;

use serde::Deserialize;
use shipgate_sdk::http::HttpAnswer;
use shipgate_sdk::ConnectorError;
use shipgate_sdk::Pace;
use tokio::sync::Mutex;

/// LoginService path.
pub(crate) const LOGIN: &str = "/services/LoginService/V2_0/";
/// ShipmentService path.
pub(crate) const SHIPMENT: &str = "/services/ShipmentService/V4_4/";
/// ParcelLifeCycleService path.
pub(crate) const LIFECYCLE: &str = "/services/ParcelLifeCycleService/V2_0/";

const LOGIN_NS: &str = "http://dpd.com/common/service/types/LoginService/2.0";

/// The HTTP side with the cached token.
pub(crate) struct Client {
    http: reqwest::Client,
    base_url: String,
    delis_id: String,
    password: String,
    token: Mutex<Option<String>>,
    /// The account's request budget, waited on before every call.
    pub(crate) pace: Pace,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Login {
    auth_token: String,
}

enum Outcome {
    Answer(Vec<u8>),
    TokenRefused(String),
}

impl Client {
    /// A client for `base_url` with the account's credentials.
    pub(crate) fn new(
        http: reqwest::Client,
        base_url: &str,
        delis_id: String,
        password: String,
        pace: Pace,
    ) -> Self {
        Self {
            http,
            base_url: base_url.trim_end_matches('/').to_string(),
            delis_id,
            password,
            token: Mutex::new(None),
            pace,
        }
    }

    /// Calls a service with `body` (the operation element); the answer of a 2xx.
    pub(crate) async fn call(&self, path: &str, body: &str) -> Result<Vec<u8>, ConnectorError> {
        let mut token = self.token.lock().await;
        let current = match token.as_ref() {
            Some(t) => t.clone(),
            None => token.insert(self.login().await?).clone(),
        };
        let auth = Some((self.delis_id.as_str(), current.as_str()));
        match self.post(path, envelope(auth, body)).await? {
            Outcome::Answer(raw) => return Ok(raw),
            Outcome::TokenRefused(_) => *token = None,
        }
        let fresh = token.insert(self.login().await?).clone();
        let auth = Some((self.delis_id.as_str(), fresh.as_str()));
        match self.post(path, envelope(auth, body)).await? {
            Outcome::Answer(raw) => Ok(raw),
            Outcome::TokenRefused(message) => Err(ConnectorError::Unauthorized {
                status: 500,
                message,
            }),
        }
    }

    async fn login(&self) -> Result<String, ConnectorError> {
        let body = format!(
            r#"<ns:getAuth xmlns:ns="{LOGIN_NS}">{}{}{}</ns:getAuth>"#,
            leaf("delisId", &self.delis_id),
            leaf("password", &self.password),
            leaf("messageLanguage", "en_EN")
        );
        match self.post(LOGIN, envelope(None, &body)).await? {
            Outcome::Answer(raw) => Ok(read_return::<Login>(&raw)?.auth_token),
            Outcome::TokenRefused(message) => Err(ConnectorError::Unauthorized {
                status: 500,
                message,
            }),
        }
    }

    async fn post(&self, path: &str, envelope: String) -> Result<Outcome, ConnectorError> {
        self.pace.turn().await?;
        let response = self
            .http
            .post(format!("{}{path}", self.base_url))
            .header(reqwest::header::CONTENT_TYPE, "text/xml; charset=utf-8")
            .header("SOAPAction", "")
            .body(envelope)
            .send()
            .await?;
        let answer = HttpAnswer::read(response, &format!("dpd {path}")).await?;
        if answer.is_success() {
            return Ok(Outcome::Answer(answer.body));
        }
        match fault(&answer.body) {
            Some(f) if f.authentication => Ok(Outcome::TokenRefused(f.message)),
            Some(f) if answer.status == 500 => Err(ConnectorError::Remote {
                status: answer.status,
                message: format!("SOAP fault: {}", f.message),
            }),
            _ => Err(answer.error(&String::from_utf8_lossy(&answer.body))),
        }
    }
}
