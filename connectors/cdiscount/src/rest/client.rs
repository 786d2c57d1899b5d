//! The Octopia HTTP client: a cached OAuth2 client-credentials token (Octopia's tokens
//! live 2 h and an implementer reports a cap of 500 tokens per hour, so one is reused
//! until shortly before it expires), the `SellerId` header on every call, and error
//! bodies mapped by [`crate::error::rest_error`]. A 401 on a cached token drops it and
//! retries once with a fresh one (a rotated secret or a revoked token); a second
//! refusal is final. Every API call first waits for a turn in the seller's request
//! budget (token requests go to the auth host and are not counted).

use crate::budget::pace;
use crate::config::RestConfig;
use crate::error::rest_error;
use shipgate_sdk::http::HttpAnswer;
use shipgate_sdk::Pace;

use reqwest::{Method, StatusCode};
use shipgate_sdk::oauth::{ClientAuth, Grant, OAuthClient, TokenSource};
use shipgate_sdk::{ConnectorError, RequestBudget};
use std::fmt;
use std::sync::Arc;

/// A client bound to one seller account.
pub struct RestClient {
    http: reqwest::Client,
    base: String,
    seller_id: String,
    tokens: TokenSource,
    pace: Pace,
}

impl fmt::Debug for RestClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RestClient")
            .field("base", &self.base)
            .field("seller_id", &self.seller_id)
            .field("tokens", &self.tokens)
            .field("pace", &self.pace)
            .finish()
    }
}

impl RestClient {
    /// Builds the HTTP client and the token source, with the seller's request budget
    /// kept in this process until [`Self::set_budget`]; sends nothing.
    pub fn new(config: &RestConfig) -> Result<Self, ConnectorError> {
        let pace = pace(config.budget_key(), &config.budget)?;
        let http = reqwest::Client::builder()
            .timeout(config.request_timeout())
            .build()
            .map_err(ConnectorError::from)?;
        let tokens = TokenSource::new(
            http.clone(),
            OAuthClient {
                token_url: config.token_url.clone(),
                client_id: config.client_id.clone(),
                client_secret: config.client_secret.clone(),
                grant: Grant::ClientCredentials { scope: None },
                auth: ClientAuth::FormBody,
            },
        );
        Ok(Self {
            http,
            base: config.base_url.trim_end_matches('/').to_string(),
            seller_id: config.seller_id.clone(),
            tokens,
            pace,
        })
    }

    /// Waits on `budget` for the seller's request turns from now on.
    pub fn set_budget(&mut self, budget: Arc<dyn RequestBudget>) {
        self.pace.set_budget(budget);
    }

    /// Sends `method path` with `query` and an optional JSON body; returns the status
    /// and body of a 2xx answer, the mapped error otherwise.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        json: Option<&serde_json::Value>,
    ) -> Result<(u16, Vec<u8>), ConnectorError> {
        let url = format!("{}{}", self.base, path);
        let mut retried = false;
        loop {
            let token = self.tokens.token().await?;
            self.pace.turn().await?;
            let mut req = self
                .http
                .request(method.clone(), &url)
                .bearer_auth(&token)
                .header("SellerId", &self.seller_id)
                .header(reqwest::header::ACCEPT, "application/json")
                .query(query);
            if let Some(body) = json {
                req = req.json(body);
            }
            let resp = req.send().await?;
            let answer = HttpAnswer::read(resp, "octopia").await?;
            if answer.is_success() {
                return Ok((answer.status, answer.body));
            }
            if answer.status == StatusCode::UNAUTHORIZED.as_u16() && !retried {
                self.tokens.invalidate().await;
                retried = true;
                continue;
            }
            return Err(rest_error(
                answer.status,
                answer.retry_after.as_deref(),
                &answer.body,
            ));
        }
    }
}
