//! FedEx: OAuth2 client credentials (form body), the Rate API, the Ship API (create and
//! cancel) and the Track API, as FedEx's developer portal documents them
//! (<https://developer.fedex.com/api/en-us/catalog/authorization/v1/docs.html>,
//! `…/catalog/rate/v1/docs.html`, `…/catalog/ship/v1/docs.html`,
//! `…/catalog/track/v1/docs.html`).
//!
//! Tracking answers are read by [`crate::track`]'s `fedex` parser with the statuses of
//! `mappings/carriers/fedex.toml`.

mod book;
mod client;
mod quote;
pub mod sandbox;

use super::booking_memo::BookingMemo;
use super::budget::{pace, BudgetConfig};
use crate::track::{CarrierErrorKind, TrackError};
use crate::Registry;
use async_trait::async_trait;
use chrono::Utc;
use client::Client;
use reqwest::Method;
use serde::Deserialize;
use serde_json::json;
use shipgate_sdk::model::{TrackingNumber, TrackingUpdate};
use shipgate_sdk::oauth::{ClientAuth, Grant, OAuthClient, TokenSource};
use shipgate_sdk::{
    Booking, Capabilities, Carrier, CarrierInfo, ConnectorError, Rate, RateRequest, RequestBudget,
    ServiceInfo, ShipmentRequest,
};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// The carrier file, embedded: the adapter's constructor gets no registry, and tracking
/// must map FedEx's scan codes with the same table `shipgate track --parse` uses.
const PROFILE: &str = include_str!("../../../../../mappings/carriers/fedex.toml");

/// The Track API takes at most 30 numbers per request.
const TRACK_BATCH: usize = 30;

/// The services this adapter sells, by FedEx `serviceType`.
const SERVICES: &[(&str, &str)] = &[
    ("FEDEX_GROUND", "FedEx Ground"),
    ("FEDEX_EXPRESS_SAVER", "FedEx Express Saver"),
    ("FEDEX_2_DAY", "FedEx 2Day"),
    ("PRIORITY_OVERNIGHT", "FedEx Priority Overnight"),
    ("INTERNATIONAL_ECONOMY", "FedEx International Economy"),
    ("INTERNATIONAL_PRIORITY", "FedEx International Priority"),
];

/// A FedEx account's settings, from the host's `[[carriers]]` table.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The project's API key (client id).
    pub client_id: String,
    /// The project's secret key.
    pub client_secret: String,
    /// The 9-digit FedEx account number billed.
    pub account_number: String,
    /// `https://apis.fedex.com` in production, `https://apis-sandbox.fedex.com` for
    /// FedEx's test environment, the sandbox's URL in tests.
    #[serde(default = "default_base_url")]
    pub base_url: String,
    /// Per-request timeout.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
    /// This account's request budget (`requests_per_second`, `burst`, `max_wait_secs`),
    /// keyed `fedex:<account_number>`; see [`super::budget`] for the default.
    #[serde(default)]
    pub request_budget: BudgetConfig,
}

fn default_base_url() -> String {
    "https://apis.fedex.com".into()
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
            .field("request_budget", &self.request_budget)
            .finish()
    }
}

/// The FedEx adapter.
pub struct Fedex {
    info: CarrierInfo,
    config: Config,
    client: Client,
    registry: Registry,
    /// Bookings made by this process, by idempotency key: FedEx echoes the customer
    /// transaction id but does not deduplicate on it, so a retried `book` must not buy a
    /// second label.
    booked: BookingMemo,
}

impl fmt::Debug for Fedex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fedex")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Builds the adapter from its settings table (the [`super::Constructor`] of `fedex`).
pub fn build(
    settings: toml::Table,
    http: reqwest::Client,
    budget: Arc<dyn RequestBudget>,
) -> Result<Arc<dyn Carrier>, ConnectorError> {
    Ok(Arc::new(
        Fedex::new(super::settings("fedex", settings)?, http)?.with_budget(budget),
    ))
}

impl Fedex {
    /// Makes every call wait on `budget` (the host's, shared by all its workers and,
    /// through Redis, by other processes) instead of a budget of this adapter alone.
    pub fn with_budget(mut self, budget: Arc<dyn RequestBudget>) -> Self {
        self.client.pace.set_budget(budget);
        self
    }

    /// An adapter for one FedEx account.
    pub fn new(config: Config, http: reqwest::Client) -> Result<Self, ConnectorError> {
        let pace = pace("fedex", &config.account_number, &config.request_budget)?;
        let registry = super::embedded_profile("fedex", PROFILE)?;
        let base = config.base_url.trim_end_matches('/').to_string();
        let tokens = TokenSource::new(
            http.clone(),
            OAuthClient {
                token_url: format!("{base}/oauth/token"),
                client_id: config.client_id.clone(),
                client_secret: config.client_secret.clone(),
                grant: Grant::ClientCredentials { scope: None },
                auth: ClientAuth::FormBody,
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
            code: "fedex".into(),
            name: "FedEx".into(),
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
}

#[async_trait]
impl Carrier for Fedex {
    fn info(&self) -> &CarrierInfo {
        &self.info
    }

    async fn quote(&self, request: &RateRequest) -> Result<Vec<Rate>, ConnectorError> {
        let body = quote::request(request, &self.config.account_number);
        let answer = self
            .client
            .call(Method::POST, "/rate/v1/rates/quotes", &body, None)
            .await?;
        quote::parse(&answer)
    }

    async fn book(&self, request: &ShipmentRequest) -> Result<Booking, ConnectorError> {
        if let Some(done) = self.booked.get(&request.idempotency_key) {
            return Ok(done);
        }
        let body = book::request(
            request,
            &self.config.account_number,
            Utc::now().date_naive(),
        );
        let answer = self
            .client
            .call(
                Method::POST,
                "/ship/v1/shipments",
                &body,
                Some(&request.idempotency_key),
            )
            .await?;
        let booking = book::parse(&answer, request.label_format, Utc::now())?;
        self.booked.remember(&request.idempotency_key, &booking);
        Ok(booking)
    }

    async fn track(
        &self,
        numbers: &[TrackingNumber],
    ) -> Result<Vec<TrackingUpdate>, ConnectorError> {
        let mut updates = Vec::with_capacity(numbers.len());
        for batch in numbers.chunks(TRACK_BATCH) {
            let info: Vec<_> = batch
                .iter()
                .map(|n| json!({"trackingNumberInfo": {"trackingNumber": n.as_str()}}))
                .collect();
            let body = json!({"includeDetailedScans": true, "trackingInfo": info});
            let answer = self
                .client
                .call(Method::POST, "/track/v1/trackingnumbers", &body, None)
                .await?;
            match self.registry.parse_tracking("fedex", &answer, None) {
                Ok(mut found) => updates.append(&mut found),
                // Only unknown numbers in the batch: none to report.
                Err(TrackError::Carrier {
                    kind: CarrierErrorKind::NotFound,
                    ..
                }) => {}
                Err(TrackError::Carrier { code, message, .. }) => {
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
        let body = json!({
            "accountNumber": {"value": self.config.account_number},
            "emailShipment": false,
            "deletionControl": "DELETE_ALL_PACKAGES",
            "trackingNumber": booking.shipment_id,
        });
        let answer = self
            .client
            .call(Method::PUT, "/ship/v1/shipments/cancel", &body, None)
            .await?;
        book::parse_cancel(&answer)
    }
}
