//! USPS HTTP: the OAuth 2.0 token from `POST /oauth2/v3/token` with a JSON body (USPS
//! takes `{"client_id","client_secret","grant_type":"client_credentials"}` as JSON, not
//! a form: <https://github.com/USPS/api-examples> README, "OAuth Token"), cached until
//! shortly before `expires_in`; the payment authorization token the Labels API needs in
//! `X-Payment-Authorization-Token` (`POST /payments/v3/payment-authorization`, roles
//! PAYER and LABEL_OWNER), cached the same way; and USPS's error envelopes
//! (`{"error":{"code","message","errors":[…]}}` from the APIs,
//! `{"error":"invalid_client","error_description"}` from OAuth) turned into
//! [`ConnectorError`].

use reqwest::Method;
use serde::Deserialize;
use serde_json::{json, Value};
use shipgate_sdk::ConnectorError;
use shipgate_sdk::Pace;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// Tokens are renewed this long before USPS says they expire.
const EARLY: Duration = Duration::from_secs(60);

/// How long a payment authorization token is reused: USPS does not return its lifetime
/// in the answer, and the token is tied to the OAuth session, so it is renewed with it.
const PAYMENT_TTL: Duration = Duration::from_secs(3600);

pub(super) use shipgate_sdk::http::HttpAnswer as Answer;

/// The error a non-success answer stands for, with USPS's own code and words.
pub(super) fn refusal(answer: &Answer) -> ConnectorError {
    answer.error(&usps_message(&answer.body))
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ErrorBody {
    OAuth(String),
    Api {
        code: Option<String>,
        message: Option<String>,
        #[serde(default)]
        errors: Vec<ErrorItem>,
    },
}

#[derive(Deserialize)]
struct Envelope {
    error: ErrorBody,
    error_description: Option<String>,
}

#[derive(Deserialize)]
struct ErrorItem {
    code: Option<String>,
    detail: Option<String>,
}

/// "code: message (detail; …)" from either USPS error envelope, or the body itself.
pub(super) fn usps_message(body: &[u8]) -> String {
    let Ok(envelope) = serde_json::from_slice::<Envelope>(body) else {
        return String::from_utf8_lossy(body).trim().to_string();
    };
    match envelope.error {
        ErrorBody::OAuth(code) => {
            format!("{code}: {}", envelope.error_description.unwrap_or_default())
        }
        ErrorBody::Api {
            code,
            message,
            errors,
        } => {
            let details: Vec<String> = errors
                .into_iter()
                .filter_map(|e| match (e.code, e.detail) {
                    (Some(c), Some(d)) => Some(format!("{c} {d}")),
                    (None, Some(d)) => Some(d),
                    (Some(c), None) => Some(c),
                    (None, None) => None,
                })
                .collect();
            let mut text = format!(
                "{}: {}",
                code.unwrap_or_else(|| "?".into()),
                message.unwrap_or_default()
            );
            if !details.is_empty() {
                text.push_str(&format!(" ({})", details.join("; ")));
            }
            text
        }
    }
}

/// The account facts the payment authorization names (Labels API prerequisites).
#[derive(Clone)]
pub(super) struct Payer {
    /// Customer Registration ID.
    pub(super) crid: String,
    /// Mailer ID.
    pub(super) mid: String,
    /// Enterprise Payment System account paying for postage.
    pub(super) eps_account: String,
}

struct Cached {
    value: String,
    until: Instant,
}

impl Cached {
    fn fresh(&self) -> Option<&str> {
        (Instant::now() < self.until).then_some(self.value.as_str())
    }
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    /// USPS writes it as a string ("11111"); numbers are read too.
    expires_in: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PaymentAnswer {
    payment_authorization_token: String,
}

/// One USPS account's HTTP client.
pub(super) struct Client {
    http: reqwest::Client,
    base: String,
    client_id: String,
    client_secret: String,
    payer: Payer,
    timeout: Duration,
    token: Mutex<Option<Cached>>,
    payment: Mutex<Option<Cached>>,
    /// The account's request budget, waited on before every call.
    pub(crate) pace: Pace,
}

impl Client {
    pub(super) fn new(
        http: reqwest::Client,
        base: String,
        (client_id, client_secret): (String, String),
        payer: Payer,
        timeout: Duration,
        pace: Pace,
    ) -> Self {
        Self {
            http,
            base,
            client_id,
            client_secret,
            payer,
            timeout,
            token: Mutex::new(None),
            payment: Mutex::new(None),
            pace,
        }
    }

    async fn raw(
        &self,
        request: reqwest::RequestBuilder,
        path: &str,
    ) -> Result<Answer, ConnectorError> {
        self.pace.turn().await?;
        let response = request
            .timeout(self.timeout)
            .send()
            .await
            .map_err(|e| ConnectorError::Transport(format!("usps {path}: {e}")))?;
        Answer::read(response, &format!("usps {path}")).await
    }

    /// The cached access token, or a new one (one fetch at a time).
    async fn token(&self) -> Result<String, ConnectorError> {
        let mut slot = self.token.lock().await;
        if let Some(token) = slot.as_ref().and_then(Cached::fresh) {
            return Ok(token.to_string());
        }
        let path = "/oauth2/v3/token";
        let body = json!({
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "grant_type": "client_credentials",
        });
        let request = self.http.post(format!("{}{path}", self.base)).json(&body);
        let answer = self.raw(request, path).await?;
        if !answer.is_success() {
            return Err(refusal(&answer));
        }
        let parsed: TokenAnswer =
            serde_json::from_slice(&answer.body).map_err(|e| ConnectorError::UnexpectedShape {
                reason: format!("usps token answer: {e}"),
                raw: answer.body.clone(),
            })?;
        let seconds = parsed
            .expires_in
            .and_then(|v| match v {
                Value::String(s) => s.trim().parse().ok(),
                other => other.as_u64(),
            })
            .unwrap_or(0);
        let until = Instant::now() + Duration::from_secs(seconds).saturating_sub(EARLY);
        *slot = Some(Cached {
            value: parsed.access_token.clone(),
            until,
        });
        Ok(parsed.access_token)
    }

    /// Drops the payment authorization token, after the Labels API refused it.
    pub(super) async fn forget_payment(&self) {
        *self.payment.lock().await = None;
    }

    /// The cached payment authorization token, or a new one.
    pub(super) async fn payment_token(&self) -> Result<String, ConnectorError> {
        let mut slot = self.payment.lock().await;
        if let Some(token) = slot.as_ref().and_then(Cached::fresh) {
            return Ok(token.to_string());
        }
        let role = |name: &str| {
            json!({
                "roleName": name,
                "CRID": self.payer.crid,
                "MID": self.payer.mid,
                "manifestMID": self.payer.mid,
                "accountType": "EPS",
                "accountNumber": self.payer.eps_account,
            })
        };
        let body = json!({"roles": [role("PAYER"), role("LABEL_OWNER")]});
        let answer = self
            .call(
                Method::POST,
                "/payments/v3/payment-authorization",
                Some(&body),
                &[],
            )
            .await?;
        let parsed: PaymentAnswer =
            serde_json::from_slice(&answer).map_err(|e| ConnectorError::UnexpectedShape {
                reason: format!("usps payment authorization answer: {e}"),
                raw: answer.clone(),
            })?;
        *slot = Some(Cached {
            value: parsed.payment_authorization_token.clone(),
            until: Instant::now() + PAYMENT_TTL,
        });
        Ok(parsed.payment_authorization_token)
    }

    /// Sends one call with the bearer token and `headers`, and returns the answer
    /// whatever its status; only a failed token fetch or transport is an error here.
    pub(super) async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, String)],
    ) -> Result<Answer, ConnectorError> {
        let token = self.token().await?;
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let answer = self.raw(request, path).await?;
        if answer.status == 401 {
            // An expired or revoked token: the next call fetches a new one.
            *self.token.lock().await = None;
        }
        Ok(answer)
    }

    /// Sends one call; a non-success status is an error.
    pub(super) async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, String)],
    ) -> Result<Vec<u8>, ConnectorError> {
        let answer = self.send(method, path, body, headers).await?;
        if answer.is_success() {
            Ok(answer.body)
        } else {
            Err(refusal(&answer))
        }
    }
}
