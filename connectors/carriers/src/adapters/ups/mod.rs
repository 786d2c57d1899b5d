//! UPS: OAuth2 client credentials, the Rating API (`Shop`, or `Rate` for one service),
//! the Shipping API (ship and void) and the Track API, as documented in UPS's OpenAPI
//! files (<https://github.com/UPS-API/api-documentation>: `OAuthClientCredentials.yaml`,
//! `Rating.yaml`, `Shipping.yaml`, `Tracking.yaml`).
//!
//! Tracking answers are read by [`crate::track`]'s `ups` parser with the statuses of
//! `mappings/carriers/ups.toml`.

mod book;
mod client;
mod quote;
pub mod sandbox;

use super::booking_memo::BookingMemo;
use super::budget::{pace, BudgetConfig};
use crate::Registry;
use async_trait::async_trait;
use chrono::Utc;
use client::Client;
use reqwest::Method;
use serde::Deserialize;
use shipgate_sdk::model::{TrackingNumber, TrackingUpdate};
use shipgate_sdk::oauth::{ClientAuth, Grant, OAuthClient, TokenSource};
use shipgate_sdk::{
    Booking, Capabilities, Carrier, CarrierInfo, ConnectorError, LabelFormat, Rate, RateRequest,
    RequestBudget, ServiceInfo, ShipmentRequest,
};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// The carrier file, embedded: the adapter's constructor gets no registry, and tracking
/// must map UPS's status letters with the same table `shipgate track --parse` uses.
const PROFILE: &str = include_str!("../../../../../mappings/carriers/ups.toml");

/// The services this adapter sells, with UPS's service codes (Rating appendix).
const SERVICES: &[(&str, &str)] = &[
    ("01", "UPS Next Day Air"),
    ("02", "UPS 2nd Day Air"),
    ("03", "UPS Ground"),
    ("12", "UPS 3 Day Select"),
    ("07", "UPS Worldwide Express"),
    ("08", "UPS Worldwide Expedited"),
    ("65", "UPS Worldwide Saver"),
];

/// A UPS account's settings, from the host's `[[carriers]]` table.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The app's client id (developer.ups.com).
    pub client_id: String,
    /// The app's client secret.
    pub client_secret: String,
    /// The 6-character UPS account (shipper) number billed for labels.
    pub account_number: String,
    /// `https://onlinetools.ups.com` in production, `https://wwwcie.ups.com` for UPS's
    /// test environment, the sandbox's URL in tests.
    #[serde(default = "default_base_url")]
    pub base_url: String,
    /// Rating and Shipping API version in the path (`v2409`, the current one).
    #[serde(default = "default_version")]
    pub api_version: String,
    /// Per-request timeout.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
    /// This account's request budget (`requests_per_second`, `burst`, `max_wait_secs`),
    /// keyed `ups:<account_number>`; see [`super::budget`] for the default.
    #[serde(default)]
    pub request_budget: BudgetConfig,
}

fn default_base_url() -> String {
    "https://onlinetools.ups.com".into()
}

fn default_version() -> String {
    "v2409".into()
}

fn default_timeout() -> u64 {
    20
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("account_number", &self.account_number)
            .field("base_url", &self.base_url)
            .field("api_version", &self.api_version)
            .field("request_budget", &self.request_budget)
            .finish()
    }
}

/// The UPS adapter.
pub struct Ups {
    info: CarrierInfo,
    config: Config,
    client: Client,
    registry: Registry,
    /// Bookings made by this process, by idempotency key: UPS has no idempotency key of
    /// its own, so a retried `book` must not buy a second label.
    booked: BookingMemo,
}

impl fmt::Debug for Ups {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ups")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Builds the adapter from its settings table (the [`super::Constructor`] of `ups`).
pub fn build(
    settings: toml::Table,
    http: reqwest::Client,
    budget: Arc<dyn RequestBudget>,
) -> Result<Arc<dyn Carrier>, ConnectorError> {
    Ok(Arc::new(
        Ups::new(super::settings("ups", settings)?, http)?.with_budget(budget),
    ))
}

impl Ups {
    /// Makes every call wait on `budget` (the host's, shared by all its workers and,
    /// through Redis, by other processes) instead of a budget of this adapter alone.
    pub fn with_budget(mut self, budget: Arc<dyn RequestBudget>) -> Self {
        self.client.pace.set_budget(budget);
        self
    }

    /// An adapter for one UPS account.
    pub fn new(config: Config, http: reqwest::Client) -> Result<Self, ConnectorError> {
        let pace = pace("ups", &config.account_number, &config.request_budget)?;
        let registry = super::embedded_profile("ups", PROFILE)?;
        let base = config.base_url.trim_end_matches('/').to_string();
        let tokens = TokenSource::new(
            http.clone(),
            OAuthClient {
                token_url: format!("{base}/security/v1/oauth/token"),
                client_id: config.client_id.clone(),
                client_secret: config.client_secret.clone(),
                grant: Grant::ClientCredentials { scope: None },
                auth: ClientAuth::BasicHeader,
            },
        );
        let client = Client::new(
            http,
            base,
            tokens,
            Duration::from_secs(config.timeout_secs),
            pace,
        );
        let info = CarrierInfo {
            code: "ups".into(),
            name: "UPS".into(),
            origin_countries: Vec::new(),
            services: ServiceInfo::table(SERVICES),
            capabilities: Capabilities {
                quote: true,
                book: true,
                track: true,
                cancel: true,
            },
        };
        Ok(Self {
            info,
            config,
            client,
            registry,
            booked: BookingMemo::default(),
        })
    }

    fn service_name(code: &str) -> String {
        SERVICES
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, n)| (*n).to_string())
            .unwrap_or_else(|| format!("UPS service {code}"))
    }
}

#[async_trait]
impl Carrier for Ups {
    fn info(&self) -> &CarrierInfo {
        &self.info
    }

    async fn quote(&self, request: &RateRequest) -> Result<Vec<Rate>, ConnectorError> {
        let option = if request.service.is_some() {
            "Rate"
        } else {
            "Shop"
        };
        let path = format!("/api/rating/{}/{option}", self.config.api_version);
        let body = quote::request(request, &self.config.account_number);
        let answer = self.client.call(Method::POST, &path, Some(&body)).await?;
        quote::parse(&answer, Self::service_name)
    }

    async fn book(&self, request: &ShipmentRequest) -> Result<Booking, ConnectorError> {
        if let Some(done) = self.booked.get(&request.idempotency_key) {
            return Ok(done);
        }
        if request.label_format == LabelFormat::Pdf {
            return Err(ConnectorError::Rejected {
                status: None,
                message: "UPS labels come as GIF, PNG, ZPL, EPL or SPL, not PDF: ask for ZPL"
                    .into(),
            });
        }
        let path = format!("/api/shipments/{}/ship", self.config.api_version);
        let body = book::request(request, &self.config.account_number);
        let answer = self.client.call(Method::POST, &path, Some(&body)).await?;
        let booking = book::parse(&answer, Utc::now())?;
        self.booked.remember(&request.idempotency_key, &booking);
        Ok(booking)
    }

    async fn track(
        &self,
        numbers: &[TrackingNumber],
    ) -> Result<Vec<TrackingUpdate>, ConnectorError> {
        let mut updates = Vec::with_capacity(numbers.len());
        for number in numbers {
            let path = format!("/api/track/v1/details/{}?locale=en_US", number.as_str());
            let answer = self.client.send(Method::GET, &path, None).await?;
            // UPS answers an unknown or invalid inquiry number with 400/404 and its error
            // body: the parser tells which, and unknown numbers are left out.
            let answer = match answer.status {
                200 | 400 | 404 => answer.body,
                _ => return Err(client::refusal(&answer)),
            };
            match self
                .registry
                .parse_tracking("ups", &answer, Some(number.as_str()))
            {
                Ok(mut found) => updates.append(&mut found),
                Err(crate::track::TrackError::Carrier {
                    kind: crate::track::CarrierErrorKind::NotFound,
                    ..
                }) => {}
                Err(crate::track::TrackError::Carrier { message, code, .. }) => {
                    return Err(ConnectorError::Rejected {
                        status: None,
                        message: format!("{}: {message}", code.unwrap_or_default()),
                    })
                }
                Err(e) => {
                    return Err(ConnectorError::UnexpectedShape {
                        reason: e.to_string(),
                        raw: answer,
                    })
                }
            }
        }
        Ok(updates)
    }

    async fn cancel(&self, booking: &Booking) -> Result<(), ConnectorError> {
        let path = format!(
            "/api/shipments/{}/void/cancel/{}",
            self.config.api_version, booking.shipment_id
        );
        let answer = self.client.call(Method::DELETE, &path, None).await?;
        book::parse_void(&answer)
    }
}
