//! SF open-platform HTTP: every service is one `POST {base}/std/service` form
//! (`application/x-www-form-urlencoded`) with `partnerID`, `requestID`, `serviceCode`,
//! `timestamp` (ms), `msgDigest` ([`super::digest`]) and `msgData` (the service's JSON as
//! text). The answer `{"apiResultCode","apiErrorMsg","apiResponseID","apiResultData"}`
//! carries the service's own answer as a JSON string with `success`, `errorCode`,
//! `errorMsg` and `msgData` (<https://open.sf-express.com/developSupport/976720?authId=1>).
//! Envelope codes: `A1000` success; `A1004` no right to the service and `A1006` bad
//! signature are credential problems; `A1005` is SF's traffic limit.

use super::digest::msg_digest;
use serde::Deserialize;
use serde_json::Value;
use shipgate_sdk::http::HttpAnswer;
use shipgate_sdk::ConnectorError;
use shipgate_sdk::Pace;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope {
    api_result_code: String,
    api_error_msg: Option<String>,
    api_result_data: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResultData {
    success: bool,
    error_code: Option<String>,
    error_msg: Option<String>,
    #[serde(default)]
    msg_data: Value,
    #[serde(default)]
    obj: Value,
}

/// The service's answer: `msgData` (or `obj`, which the cloud-print service uses).
pub(super) struct Reply {
    /// The whole body, for errors that keep it.
    pub(super) raw: Vec<u8>,
    /// `msgData`, or `obj` when `msgData` is absent.
    pub(super) data: Value,
}

/// One SF partner's HTTP client.
pub(super) struct Client {
    http: reqwest::Client,
    base: String,
    partner_id: String,
    checkword: String,
    timeout: Duration,
    sequence: AtomicU64,
    /// The account's request budget, waited on before every call.
    pub(crate) pace: Pace,
}

impl Client {
    pub(super) fn new(
        http: reqwest::Client,
        base: String,
        (partner_id, checkword): (String, String),
        timeout: Duration,
        pace: Pace,
    ) -> Self {
        Self {
            http,
            base,
            partner_id,
            checkword,
            timeout,
            sequence: AtomicU64::new(0),
            pace,
        }
    }

    /// The raw answer body of `service`, with only transport and HTTP-level errors.
    pub(super) async fn raw(
        &self,
        service: &str,
        msg_data: &Value,
    ) -> Result<Vec<u8>, ConnectorError> {
        self.pace.turn().await?;
        let msg = msg_data.to_string();
        let timestamp = chrono::Utc::now().timestamp_millis().to_string();
        let digest = msg_digest(&msg, &timestamp, &self.checkword);
        let request_id = format!(
            "shipgate-{:x}-{:x}-{}",
            std::process::id(),
            self.sequence.fetch_add(1, Ordering::Relaxed),
            timestamp
        );
        let form = [
            ("partnerID", self.partner_id.as_str()),
            ("requestID", request_id.as_str()),
            ("serviceCode", service),
            ("timestamp", timestamp.as_str()),
            ("msgDigest", digest.as_str()),
            ("msgData", msg.as_str()),
        ];
        let response = self
            .http
            .post(format!("{}/std/service", self.base))
            .form(&form)
            .timeout(self.timeout)
            .send()
            .await
            .map_err(|e| ConnectorError::Transport(format!("sf_express {service}: {e}")))?;
        let answer = HttpAnswer::read(response, &format!("sf_express {service}")).await?;
        if !answer.is_success() {
            return Err(answer.error(&String::from_utf8_lossy(&answer.body)));
        }
        Ok(answer.body)
    }

    /// Calls `service` and returns its answer, every refusal as an error.
    pub(super) async fn call(
        &self,
        service: &str,
        msg_data: &Value,
    ) -> Result<Reply, ConnectorError> {
        let raw = self.raw(service, msg_data).await?;
        let shape = |reason: String, raw: &[u8]| ConnectorError::UnexpectedShape {
            reason: format!("sf_express {service} answer: {reason}"),
            raw: raw.to_vec(),
        };
        let envelope: Envelope =
            serde_json::from_slice(&raw).map_err(|e| shape(e.to_string(), &raw))?;
        let words = format!(
            "{}: {}",
            envelope.api_result_code,
            envelope.api_error_msg.clone().unwrap_or_default()
        );
        match envelope.api_result_code.as_str() {
            "A1000" => {}
            "A1004" | "A1006" => {
                return Err(ConnectorError::Unauthorized {
                    status: 401,
                    message: words,
                })
            }
            "A1005" => {
                return Err(ConnectorError::Throttled {
                    retry_after: None,
                    message: words,
                })
            }
            "A1099" => {
                return Err(ConnectorError::Remote {
                    status: 500,
                    message: words,
                })
            }
            _ => {
                return Err(ConnectorError::Rejected {
                    status: None,
                    message: words,
                })
            }
        }
        let text = envelope
            .api_result_data
            .ok_or_else(|| shape("A1000 without apiResultData".into(), &raw))?;
        let data: ResultData =
            serde_json::from_str(&text).map_err(|e| shape(format!("apiResultData: {e}"), &raw))?;
        if !data.success {
            return Err(ConnectorError::Rejected {
                status: None,
                message: format!(
                    "{}: {}",
                    data.error_code.unwrap_or_default(),
                    data.error_msg.unwrap_or_default()
                ),
            });
        }
        let data = if data.msg_data.is_null() {
            data.obj
        } else {
            data.msg_data
        };
        Ok(Reply { raw, data })
    }
}
