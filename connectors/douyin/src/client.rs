//! The signed gateway client: common parameters, signature, the access token (created or
//! refreshed through `token.create` / `token.refresh` like the official SDK's
//! `BuildAccessToken` / `RefreshAccessToken`, cached until it expires), and the envelope
//! turned into data or a typed error. Every call, token calls included, first waits for
//! a turn in the app's request budget.

use crate::config::DouyinConfig;
use crate::errors::{classify, is_token_expired, Envelope, CODE_OK};
use crate::sign::{canonical_json, request_sign, SignMethod};
use serde::Deserialize;
use serde_json::{json, Value};
use shipgate_sdk::http::error_for_status;
use shipgate_sdk::{Account, ConnectorError, Pace, RequestBudget};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// A token is renewed this long before the platform says it expires.
const EXPIRY_MARGIN: Duration = Duration::from_secs(300);

#[derive(Deserialize)]
struct TokenData {
    access_token: String,
    #[serde(default)]
    expires_in: u64,
    #[serde(default)]
    refresh_token: String,
}

struct CachedToken {
    access: String,
    refresh: Option<String>,
    expires_at: Instant,
}

/// Signs and sends gateway calls for one shop.
pub(crate) struct Client {
    http: reqwest::Client,
    config: DouyinConfig,
    token: Mutex<Option<CachedToken>>,
    requests: Pace,
}

impl Client {
    /// Builds the HTTP client for a validated `config`, with the app's request budget
    /// kept in this process until [`Self::set_budget`] shares it.
    pub(crate) fn new(config: DouyinConfig, account: Account) -> Result<Self, ConnectorError> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout())
            .build()
            .map_err(ConnectorError::from)?;
        Ok(Self {
            http,
            requests: Pace::new(account, config.max_wait()),
            config,
            token: Mutex::new(None),
        })
    }

    /// Waits on `budget` for the app's request turns from now on.
    pub(crate) fn set_budget(&mut self, budget: Arc<dyn RequestBudget>) {
        self.requests.set_budget(budget);
    }

    pub(crate) fn config(&self) -> &DouyinConfig {
        &self.config
    }

    /// Calls `method` for the shop and returns its `data`. An answer saying the token
    /// expired or vanished renews the token once and resends.
    pub(crate) async fn call(&self, method: &str, params: &Value) -> Result<Value, ConnectorError> {
        let token = self.access_token().await?;
        match self.send(method, params, Some(&token)).await? {
            (_, env) if env.code == CODE_OK => Ok(env.data),
            (_, env) if is_token_expired(&env.sub_code) => {
                self.forget(&token).await;
                let token = self.access_token().await?;
                let (status, env) = self.send(method, params, Some(&token)).await?;
                if env.code == CODE_OK {
                    Ok(env.data)
                } else {
                    Err(classify(status, &env))
                }
            }
            (status, env) => Err(classify(status, &env)),
        }
    }

    async fn forget(&self, used: &str) {
        let mut slot = self.token.lock().await;
        if let Some(t) = slot.as_mut() {
            if t.access == used {
                t.expires_at = Instant::now();
            }
        }
    }

    /// The cached token, or a new one: refreshed when a refresh token is held, else
    /// created from the shop id or auth code.
    async fn access_token(&self) -> Result<String, ConnectorError> {
        let mut slot = self.token.lock().await;
        if let Some(t) = slot.as_ref() {
            if Instant::now() + EXPIRY_MARGIN < t.expires_at {
                return Ok(t.access.clone());
            }
        }
        let refresh = slot
            .as_ref()
            .and_then(|t| t.refresh.clone())
            .or_else(|| self.config.refresh_token.clone());
        let mut fresh = None;
        if let Some(rt) = refresh {
            let params = json!({"grant_type": "refresh_token", "refresh_token": rt});
            match self.token_call("token.refresh", &params).await {
                Ok(t) => fresh = Some(t),
                Err(e) if self.config.shop_id.is_none() && self.config.auth_code.is_none() => {
                    return Err(e)
                }
                Err(e) => tracing::warn!(error = %e, "douyin token.refresh failed; creating"),
            }
        }
        let data = match fresh {
            Some(t) => t,
            None => {
                let params = match (&self.config.auth_code, self.config.shop_id) {
                    (Some(code), _) => {
                        json!({"grant_type": "authorization_code", "code": code})
                    }
                    (None, shop_id) => {
                        json!({"grant_type": "authorization_self", "code": "", "shop_id": shop_id})
                    }
                };
                self.token_call("token.create", &params).await?
            }
        };
        let access = data.access_token.clone();
        *slot = Some(CachedToken {
            access: data.access_token,
            refresh: (!data.refresh_token.is_empty()).then_some(data.refresh_token),
            expires_at: Instant::now() + Duration::from_secs(data.expires_in),
        });
        Ok(access)
    }

    async fn token_call(&self, method: &str, params: &Value) -> Result<TokenData, ConnectorError> {
        let (status, env) = self.send(method, params, None).await?;
        if env.code != CODE_OK {
            return Err(classify(status, &env));
        }
        TokenData::deserialize(&env.data).map_err(|e| ConnectorError::UnexpectedShape {
            reason: format!("{method} data: {e}"),
            // A token answer holds credentials: it is not kept where errors are logged.
            raw: Vec::new(),
        })
    }

    /// One signed POST. Non-2xx statuses become errors here; a 2xx answer is returned as
    /// its envelope for the caller to judge.
    async fn send(
        &self,
        method: &str,
        params: &Value,
        access_token: Option<&str>,
    ) -> Result<(u16, Envelope), ConnectorError> {
        self.requests.turn().await?;
        let param_json = canonical_json(params);
        let timestamp = chrono::Utc::now().timestamp().to_string();
        let how = SignMethod::HmacSha256;
        let sign = request_sign(
            how,
            &self.config.app_key,
            &self.config.app_secret,
            method,
            &param_json,
            &timestamp,
        );
        let mut query = vec![
            ("app_key", self.config.app_key.as_str()),
            ("method", method),
            ("timestamp", timestamp.as_str()),
            ("v", "2"),
            ("sign", sign.as_str()),
            ("sign_method", how.as_str()),
        ];
        if let Some(t) = access_token {
            query.push(("access_token", t));
        }
        let url = format!("{}/{}", self.config.base_url, method.replace('.', "/"));
        let resp = self
            .http
            .post(&url)
            .query(&query)
            .header("content-type", "application/json;charset=UTF-8")
            .header("x-open-no-old-err-code", "1")
            .body(param_json)
            .send()
            .await
            .map_err(|e| ConnectorError::Transport(redact(&e.to_string())))?;
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = resp
            .bytes()
            .await
            .map_err(|e| ConnectorError::Transport(redact(&e.to_string())))?;
        if !(200..300).contains(&status) {
            return Err(error_for_status(status, retry_after.as_deref(), &body));
        }
        let env: Envelope =
            serde_json::from_slice(&body).map_err(|e| ConnectorError::UnexpectedShape {
                reason: format!("{method} answer is not the gateway envelope: {e}"),
                raw: body.to_vec(),
            })?;
        Ok((status, env))
    }
}

/// reqwest errors print the URL, whose query carries the access token and signature:
/// cut the query off.
fn redact(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len());
    let mut rest = msg;
    while let Some(q) = rest.find('?') {
        out.push_str(&rest[..q]);
        out.push_str("?<query redacted>");
        let tail = &rest[q..];
        let end = tail
            .find(|c: char| c.is_whitespace() || c == ')')
            .unwrap_or(tail.len());
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}
