//! OAuth2 access tokens, fetched once and reused until shortly before they expire.
//!
//! Most remote APIs shipgate talks to hand out bearer tokens from a token endpoint:
//! client credentials (UPS, FedEx, USPS, CDEK, Octopia…) or a long-lived refresh token
//! (Amazon's Login with Amazon). Asking for a token on every call doubles the calls and
//! hits the token endpoint's own limits, so a [`TokenSource`] caches one per account and
//! lets concurrent callers share a single refresh.

use crate::error::ConnectorError;
use crate::http::HttpAnswer;
use serde::Deserialize;
use std::fmt;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// A token is renewed this long before the remote says it expires, so a request never
/// leaves with a token that dies on the way.
const RENEW_BEFORE: Duration = Duration::from_secs(60);

/// What the token endpoint is asked for.
#[derive(Clone)]
pub enum Grant {
    /// `grant_type=client_credentials`, with an optional scope.
    ClientCredentials {
        /// Space-separated scopes, when the remote wants them.
        scope: Option<String>,
    },
    /// `grant_type=refresh_token` with a long-lived refresh token (Amazon LWA).
    RefreshToken {
        /// The seller's refresh token.
        refresh_token: String,
    },
}

/// Where the client id and secret go: carriers disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuth {
    /// An `Authorization: Basic` header (UPS, USPS).
    BasicHeader,
    /// `client_id` and `client_secret` form fields (FedEx, Amazon LWA, CDEK).
    FormBody,
}

/// An account's credentials at one token endpoint.
#[derive(Clone)]
pub struct OAuthClient {
    /// The token endpoint URL.
    pub token_url: String,
    /// The client (application) id.
    pub client_id: String,
    /// The client secret.
    pub client_secret: String,
    /// Which grant to ask for.
    pub grant: Grant,
    /// How to present the client credentials.
    pub auth: ClientAuth,
}

impl fmt::Debug for OAuthClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthClient")
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("auth", &self.auth)
            .finish_non_exhaustive()
    }
}

/// The token endpoint's answer. `expires_in` arrives as a number from most servers and as
/// a string from some (UPS).
#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default, deserialize_with = "seconds")]
    expires_in: Option<u64>,
}

fn seconds<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Number(u64),
        Text(String),
    }
    Ok(match Option::<Either>::deserialize(d)? {
        Some(Either::Number(n)) => Some(n),
        Some(Either::Text(t)) => t.trim().parse().ok(),
        None => None,
    })
}

struct Cached {
    token: String,
    renew_at: Instant,
}

/// A cached bearer token for one account. Cheap to share behind an `Arc`.
pub struct TokenSource {
    http: reqwest::Client,
    client: OAuthClient,
    cached: Mutex<Option<Cached>>,
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSource")
            .field("client", &self.client)
            .finish_non_exhaustive()
    }
}

impl TokenSource {
    /// A source that fetches its first token on first use.
    pub fn new(http: reqwest::Client, client: OAuthClient) -> Self {
        Self {
            http,
            client,
            cached: Mutex::new(None),
        }
    }

    /// A valid access token: the cached one, or a new one when it is missing or about to
    /// expire. Concurrent callers wait for one refresh instead of each asking.
    pub async fn token(&self) -> Result<String, ConnectorError> {
        let mut cached = self.cached.lock().await;
        if let Some(c) = cached.as_ref() {
            if Instant::now() < c.renew_at {
                return Ok(c.token.clone());
            }
        }
        let fresh = self.fetch().await?;
        let token = fresh.token.clone();
        *cached = Some(fresh);
        Ok(token)
    }

    /// Sends `request` with the current token as its bearer and reads the answer whole,
    /// whatever its status; a 401 drops the token so the next call fetches a fresh one.
    /// `what` names the call in errors. Every OAuth client's calls go through here.
    pub async fn send(
        &self,
        request: reqwest::RequestBuilder,
        what: &str,
    ) -> Result<HttpAnswer, ConnectorError> {
        let token = self.token().await?;
        let response = request
            .bearer_auth(token)
            .send()
            .await
            .map_err(|e| ConnectorError::Transport(format!("{what}: {e}")))?;
        let answer = HttpAnswer::read(response, what).await?;
        if answer.status == 401 {
            self.invalidate().await;
        }
        Ok(answer)
    }

    /// Drops the cached token, after the remote refused it (revoked, rotated secret), so
    /// the next call fetches a new one.
    pub async fn invalidate(&self) {
        *self.cached.lock().await = None;
    }

    async fn fetch(&self) -> Result<Cached, ConnectorError> {
        let c = &self.client;
        let mut form: Vec<(&str, &str)> = Vec::with_capacity(5);
        match &c.grant {
            Grant::ClientCredentials { scope } => {
                form.push(("grant_type", "client_credentials"));
                if let Some(scope) = scope {
                    form.push(("scope", scope));
                }
            }
            Grant::RefreshToken { refresh_token } => {
                form.push(("grant_type", "refresh_token"));
                form.push(("refresh_token", refresh_token));
            }
        }
        let mut request = self.http.post(&c.token_url);
        match c.auth {
            ClientAuth::BasicHeader => {
                request = request.basic_auth(&c.client_id, Some(&c.client_secret));
            }
            ClientAuth::FormBody => {
                form.push(("client_id", &c.client_id));
                form.push(("client_secret", &c.client_secret));
            }
        }
        let started = Instant::now();
        let response = request
            .form(&form)
            .send()
            .await
            .map_err(|e| ConnectorError::Transport(format!("token endpoint: {e}")))?;
        let answer = HttpAnswer::read(response, "token endpoint").await?;
        let body = answer.body.as_slice();
        if !answer.is_success() {
            // A refused grant is a credentials problem whatever status the server chose.
            return Err(match answer.error(&String::from_utf8_lossy(body)) {
                ConnectorError::Rejected { status, message } => ConnectorError::Unauthorized {
                    status: status.unwrap_or(400),
                    message,
                },
                other => other,
            });
        }
        let answer: TokenAnswer =
            serde_json::from_slice(body).map_err(|e| ConnectorError::UnexpectedShape {
                reason: format!("token endpoint answer: {e}"),
                raw: body.to_vec(),
            })?;
        let lifetime = Duration::from_secs(answer.expires_in.unwrap_or(300));
        Ok(Cached {
            token: answer.access_token,
            renew_at: started + lifetime.saturating_sub(RENEW_BEFORE),
        })
    }
}
