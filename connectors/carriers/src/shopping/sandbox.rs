//! A rate-shopping test carrier over real loopback HTTP: a small rating API that answers
//! after a configurable delay (or fails, or never answers), and the adapter that calls
//! it. Tests and the bench measure the fan-out through it over real connections, so
//! connection set-up, JSON and task scheduling all count, as they would in production.
//!
//! The API: `POST /v1/rates` with header `X-Api-Key`, body
//! `{"weight_grams":…, "service":…}`; answer `{"rates":[{"service", "service_name",
//! "amount", "currency", "transit_days"}]}`, amounts as decimal strings. A wrong key gets
//! `401 {"error":"invalid api key"}`.

use async_trait::async_trait;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use shipgate_sdk::http::error_for_status;
use shipgate_sdk::model::{Currency, Money, TrackingNumber, TrackingUpdate};
use shipgate_sdk::sandbox::SandboxServer;
use shipgate_sdk::{
    Booking, Capabilities, Carrier, CarrierInfo, ConnectorError, Rate, RateRequest, ServiceInfo,
    ShipmentRequest,
};
use std::sync::Arc;
use std::time::Duration;

/// The key every sandbox carrier accepts.
const API_KEY: &str = "sandbox-rating-key";

/// How a sandbox carrier answers.
#[derive(Debug, Clone, PartialEq)]
pub enum Behaviour {
    /// Prices `base + per_kg × weight` after `delay`.
    Answer {
        /// Time before the answer is sent.
        delay: Duration,
        /// Fixed part of the price.
        base: Decimal,
        /// Price per kilogram of total weight.
        per_kg: Decimal,
        /// Currency of the prices.
        currency: Currency,
        /// Business days in transit it announces.
        transit_days: u32,
    },
    /// Answers `500 {"error": message}` after `delay`.
    Fail {
        /// Time before the answer is sent.
        delay: Duration,
        /// The error text in the body.
        message: String,
    },
    /// Answers `{"rates": []}` after `delay`: the lane is not served.
    NoRate {
        /// Time before the answer is sent.
        delay: Duration,
    },
    /// Accepts the connection and never answers.
    Hang,
}

/// The service every sandbox carrier sells.
pub const SERVICE: &str = "STD";

/// A running sandbox carrier: its loopback server and the adapter calling it.
pub struct SandboxCarrier {
    info: CarrierInfo,
    base_url: String,
    api_key: String,
    http: reqwest::Client,
    _server: SandboxServer,
}

impl std::fmt::Debug for SandboxCarrier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxCarrier")
            .field("code", &self.info.code)
            .field("base_url", &self.base_url)
            .field("api_key", &"<redacted>")
            .finish()
    }
}

impl SandboxCarrier {
    /// Starts the sandbox server of carrier `code` behaving as `behaviour`, and an
    /// adapter calling it through `http` with the right key.
    pub async fn start(
        code: &str,
        behaviour: Behaviour,
        http: reqwest::Client,
    ) -> std::io::Result<Self> {
        Self::start_with_key(code, behaviour, http, API_KEY).await
    }

    /// As [`SandboxCarrier::start`], but the adapter sends `api_key` (a wrong one gets
    /// the API's 401).
    pub async fn start_with_key(
        code: &str,
        behaviour: Behaviour,
        http: reqwest::Client,
        api_key: &str,
    ) -> std::io::Result<Self> {
        let router = Router::new()
            .route("/v1/rates", post(rates))
            .with_state(Arc::new(behaviour));
        let server = SandboxServer::start(router).await?;
        Ok(Self {
            info: CarrierInfo {
                code: code.to_string(),
                name: format!("Sandbox {code}"),
                origin_countries: Vec::new(),
                services: vec![ServiceInfo {
                    code: SERVICE.into(),
                    name: "Standard".into(),
                }],
                capabilities: Capabilities {
                    quote: true,
                    ..Capabilities::default()
                },
            },
            base_url: server.base_url(),
            api_key: api_key.to_string(),
            http,
            _server: server,
        })
    }

    /// Replaces what the carrier says about itself (countries, services,
    /// capabilities), to test who is eligible.
    pub fn with_info(mut self, info: CarrierInfo) -> Self {
        self.info = info;
        self
    }
}

#[derive(Serialize, Deserialize)]
struct RatesBody {
    weight_grams: u64,
    #[serde(default)]
    service: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct RatesAnswer {
    rates: Vec<WireRate>,
}

#[derive(Serialize, Deserialize)]
struct WireRate {
    service: String,
    service_name: String,
    #[serde(with = "rust_decimal::serde::str")]
    amount: Decimal,
    currency: Currency,
    transit_days: u32,
}

async fn rates(
    State(behaviour): State<Arc<Behaviour>>,
    headers: HeaderMap,
    Json(body): Json<RatesBody>,
) -> (StatusCode, Json<serde_json::Value>) {
    if headers.get("x-api-key").and_then(|v| v.to_str().ok()) != Some(API_KEY) {
        let error = serde_json::json!({"error": "invalid api key"});
        return (StatusCode::UNAUTHORIZED, Json(error));
    }
    match behaviour.as_ref() {
        Behaviour::Answer {
            delay,
            base,
            per_kg,
            currency,
            transit_days,
        } => {
            tokio::time::sleep(*delay).await;
            let kg = Decimal::from(body.weight_grams) / Decimal::from(1000);
            let rate = WireRate {
                service: SERVICE.into(),
                service_name: "Standard".into(),
                amount: (*base + *per_kg * kg).round_dp(2),
                currency: *currency,
                transit_days: *transit_days,
            };
            let answer = serde_json::json!({ "rates": [rate] });
            (StatusCode::OK, Json(answer))
        }
        Behaviour::Fail { delay, message } => {
            tokio::time::sleep(*delay).await;
            let error = serde_json::json!({ "error": message });
            (StatusCode::INTERNAL_SERVER_ERROR, Json(error))
        }
        Behaviour::NoRate { delay } => {
            tokio::time::sleep(*delay).await;
            (StatusCode::OK, Json(serde_json::json!({ "rates": [] })))
        }
        Behaviour::Hang => std::future::pending().await,
    }
}

fn quote_only(code: &str) -> ConnectorError {
    ConnectorError::Rejected {
        status: None,
        message: format!("{code} is a rate-shopping sandbox carrier: it only quotes"),
    }
}

#[async_trait]
impl Carrier for SandboxCarrier {
    fn info(&self) -> &CarrierInfo {
        &self.info
    }

    async fn quote(&self, request: &RateRequest) -> Result<Vec<Rate>, ConnectorError> {
        let body = RatesBody {
            weight_grams: request
                .parcels
                .iter()
                .map(|p| u64::from(p.weight_grams))
                .sum(),
            service: request.service.clone(),
        };
        let response = self
            .http
            .post(format!("{}/v1/rates", self.base_url))
            .header("x-api-key", &self.api_key)
            .json(&body)
            .send()
            .await?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let raw = response.bytes().await?;
        if !(200..300).contains(&status) {
            return Err(error_for_status(status, retry_after.as_deref(), &raw));
        }
        let answer: RatesAnswer =
            serde_json::from_slice(&raw).map_err(|e| ConnectorError::UnexpectedShape {
                reason: format!("rates answer: {e}"),
                raw: raw.to_vec(),
            })?;
        Ok(answer
            .rates
            .into_iter()
            .map(|r| Rate {
                carrier: self.info.code.clone(),
                service: r.service,
                service_name: r.service_name,
                price: Money::new(r.amount, r.currency),
                transit_days: Some(r.transit_days),
                estimated_delivery: None,
            })
            .collect())
    }

    async fn book(&self, _: &ShipmentRequest) -> Result<Booking, ConnectorError> {
        Err(quote_only(&self.info.code))
    }

    async fn track(&self, _: &[TrackingNumber]) -> Result<Vec<TrackingUpdate>, ConnectorError> {
        Err(quote_only(&self.info.code))
    }

    async fn cancel(&self, _: &Booking) -> Result<(), ConnectorError> {
        Err(quote_only(&self.info.code))
    }
}
