//! The SOAP client: a token from the STS (`GET` with HTTP Basic, answered
//! `<string xmlns="http://schemas.microsoft.com/2003/10/Serialization/">{token}</string>`),
//! reused for its 48 h life (Cdiscount FAQ: "Each token is valid during 48 hours"), then
//! `POST`s with a `SOAPAction` header. A security fault drops the token and retries
//! once; a second refusal is final. Every service call first waits for a turn in the
//! account's request budget (the STS is another host and is not counted).

use super::envelope::soap_action;
use super::model::Fault;
use crate::budget::pace;
use crate::config::SoapConfig;
use crate::error::{fault_error, fault_is_security};
use serde::Deserialize;
use shipgate_sdk::http::{error_for_status, HttpAnswer};
use shipgate_sdk::Pace;
use shipgate_sdk::{ConnectorError, RequestBudget};
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// Tokens are renewed this long before their 48 h end.
const TOKEN_LIFE: Duration = Duration::from_secs(47 * 3600);

#[derive(Deserialize)]
struct StsString {
    #[serde(rename = "$text")]
    value: String,
}

#[derive(Deserialize)]
struct FaultEnvelope {
    #[serde(rename = "Body")]
    body: FaultBody,
}

#[derive(Deserialize)]
struct FaultBody {
    #[serde(rename = "Fault")]
    fault: Fault,
}

/// A client for one seller's API account.
pub struct SoapClient {
    http: reqwest::Client,
    config: SoapConfig,
    token: Mutex<Option<(String, Instant)>>,
    pace: Pace,
}

impl fmt::Debug for SoapClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SoapClient")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl SoapClient {
    /// Builds the HTTP client, with the account's request budget kept in this process
    /// until [`Self::set_budget`]; sends nothing.
    pub fn new(config: &SoapConfig) -> Result<Self, ConnectorError> {
        let pace = pace(config.budget_key(), &config.budget)?;
        let http = reqwest::Client::builder()
            .timeout(config.request_timeout())
            .build()
            .map_err(ConnectorError::from)?;
        Ok(Self {
            http,
            config: config.clone(),
            token: Mutex::new(None),
            pace,
        })
    }

    /// Waits on `budget` for the account's request turns from now on.
    pub fn set_budget(&mut self, budget: Arc<dyn RequestBudget>) {
        self.pace.set_budget(budget);
    }

    async fn token(&self) -> Result<String, ConnectorError> {
        let mut cached = self.token.lock().await;
        if let Some((t, at)) = cached.as_ref() {
            if at.elapsed() < TOKEN_LIFE {
                return Ok(t.clone());
            }
        }
        let resp = self
            .http
            .get(&self.config.sts_url)
            .basic_auth(&self.config.login, Some(&self.config.password))
            .send()
            .await?;
        let status = resp.status().as_u16();
        let body = resp.bytes().await?;
        if status != 200 {
            return Err(match error_for_status(status, None, &body) {
                ConnectorError::Rejected { status, message } => ConnectorError::Unauthorized {
                    status: status.unwrap_or(400),
                    message: format!("token service: {message}"),
                },
                other => other,
            });
        }
        let token = std::str::from_utf8(&body)
            .ok()
            .and_then(|s| quick_xml::de::from_str::<StsString>(s).ok())
            .map(|s| s.value.trim().to_string())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| ConnectorError::UnexpectedShape {
                reason: "token service answer is not a <string> token".into(),
                raw: body.to_vec(),
            })?;
        *cached = Some((token.clone(), Instant::now()));
        Ok(token)
    }

    /// Calls `op` with the request `build(token)` writes; returns the body of an
    /// HTTP 200 answer that is not a fault.
    pub async fn call(
        &self,
        op: &str,
        build: impl Fn(&str) -> Result<String, ConnectorError>,
    ) -> Result<Vec<u8>, ConnectorError> {
        let mut retried = false;
        loop {
            let token = self.token().await?;
            self.pace.turn().await?;
            let resp = self
                .http
                .post(&self.config.endpoint)
                .header(reqwest::header::CONTENT_TYPE, "text/xml; charset=utf-8")
                .header("SOAPAction", soap_action(op))
                .body(build(&token)?)
                .send()
                .await?;
            let HttpAnswer {
                status,
                retry_after,
                body,
            } = HttpAnswer::read(resp, "cdiscount soap").await?;
            let fault = std::str::from_utf8(&body)
                .ok()
                .filter(|s| s.contains("Fault>"))
                .and_then(|s| quick_xml::de::from_str::<FaultEnvelope>(s).ok())
                .map(|e| e.body.fault);
            match fault {
                Some(f) if fault_is_security(&f) && !retried => {
                    *self.token.lock().await = None;
                    retried = true;
                }
                Some(f) => return Err(fault_error(status, &f)),
                None if status == 200 => return Ok(body),
                None => return Err(error_for_status(status, retry_after.as_deref(), &body)),
            }
        }
    }
}
