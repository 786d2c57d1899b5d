//! DHL Express through the MyDHL API (JSON, HTTP Basic): `POST /rates`,
//! `POST /shipments` (AWB, piece ids and a base64 PDF or ZPL label) and
//! `GET /shipments/{shipmentTrackingNumber}/tracking`, as in DHL's reference
//! (<https://developer.dhl.com/api-reference/dhl-express-mydhl-api>).
//!
//! Tracking answers are read by [`crate::track`]'s `mydhl` parser (the MyDHL JSON the
//! fixture `mydhl.json` holds; the `dhl_express` parser reads DHL's older XML service)
//! with the checkpoint codes of `mappings/carriers/dhl_express.toml`. The MyDHL API has no
//! shipment cancellation (an AWB that is never handed over is not billed), so `cancel`
//! is refused with that explanation.

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
use shipgate_sdk::{
    Booking, Capabilities, Carrier, CarrierInfo, ConnectorError, Rate, RateRequest, RequestBudget,
    ServiceInfo, ShipmentRequest,
};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// The carrier file, embedded: tracking maps DHL's checkpoint codes with the same table
/// `shipgate track --parse` uses, and the sandbox numbers AWBs by its format.
const PROFILE: &str = include_str!("../../../../../mappings/carriers/dhl_express.toml");

/// The products this adapter lists (MyDHL global product codes).
const SERVICES: &[(&str, &str)] = &[
    ("P", "EXPRESS WORLDWIDE"),
    ("U", "EXPRESS WORLDWIDE (EU)"),
    ("K", "EXPRESS 9:00"),
    ("T", "EXPRESS 12:00"),
    ("N", "EXPRESS DOMESTIC"),
];

/// A MyDHL API account's settings, from the host's `[[carriers]]` table.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The MyDHL API user (API key).
    pub username: String,
    /// The MyDHL API password (API secret).
    pub password: String,
    /// The DHL Express shipper account number (9 digits).
    pub account_number: String,
    /// `https://express.api.dhl.com/mydhlapi` in production,
    /// `https://express.api.dhl.com/mydhlapi/test` for DHL's test environment, the
    /// sandbox's URL in tests.
    #[serde(default = "default_base_url")]
    pub base_url: String,
    /// Per-request timeout.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
    /// This account's request budget (`requests_per_second`, `burst`, `max_wait_secs`),
    /// keyed `dhl_express:<account_number>`; see [`super::budget`] for the default.
    #[serde(default)]
    pub request_budget: BudgetConfig,
}

fn default_base_url() -> String {
    "https://express.api.dhl.com/mydhlapi".into()
}

fn default_timeout() -> u64 {
    20
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("account_number", &self.account_number)
            .field("base_url", &self.base_url)
            .field("request_budget", &self.request_budget)
            .finish()
    }
}

/// The DHL Express adapter.
pub struct DhlExpress {
    info: CarrierInfo,
    config: Config,
    client: Client,
    registry: Registry,
    /// Bookings made by this process, by idempotency key: DHL keeps none, so a retried
    /// `book` must not make a second AWB.
    booked: BookingMemo,
}

impl fmt::Debug for DhlExpress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DhlExpress")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Builds the adapter from its settings table (the [`super::Constructor`] of
/// `dhl_express`).
pub fn build(
    settings: toml::Table,
    http: reqwest::Client,
    budget: Arc<dyn RequestBudget>,
) -> Result<Arc<dyn Carrier>, ConnectorError> {
    Ok(Arc::new(
        DhlExpress::new(super::settings("dhl_express", settings)?, http)?.with_budget(budget),
    ))
}

impl DhlExpress {
    /// Makes every call wait on `budget` (the host's, shared by all its workers and,
    /// through Redis, by other processes) instead of a budget of this adapter alone.
    pub fn with_budget(mut self, budget: Arc<dyn RequestBudget>) -> Self {
        self.client.pace.set_budget(budget);
        self
    }

    /// An adapter for one MyDHL API account.
    pub fn new(config: Config, http: reqwest::Client) -> Result<Self, ConnectorError> {
        let pace = pace(
            "dhl_express",
            &config.account_number,
            &config.request_budget,
        )?;
        let registry = super::embedded_profile("dhl_express", PROFILE)?;
        let base = config.base_url.trim_end_matches('/').to_string();
        let client = Client::new(
            http,
            base,
            (config.username.clone(), config.password.clone()),
            Duration::from_secs(config.timeout_secs),
            pace,
        );
        let info = CarrierInfo {
            code: "dhl_express".into(),
            name: "DHL Express".into(),
            origin_countries: Vec::new(),
            services: ServiceInfo::table(SERVICES),
            capabilities: Capabilities {
                quote: true,
                book: true,
                track: true,
                cancel: false,
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
impl Carrier for DhlExpress {
    fn info(&self) -> &CarrierInfo {
        &self.info
    }

    async fn quote(&self, request: &RateRequest) -> Result<Vec<Rate>, ConnectorError> {
        let body = quote::request(request, &self.config.account_number)?;
        let answer = self
            .client
            .call(Method::POST, "/rates", Some(&body))
            .await?;
        quote::parse(&answer, request.service.as_deref())
    }

    async fn book(&self, request: &ShipmentRequest) -> Result<Booking, ConnectorError> {
        if let Some(done) = self.booked.get(&request.idempotency_key) {
            return Ok(done);
        }
        let body = book::request(request, &self.config.account_number)?;
        let answer = self
            .client
            .call(Method::POST, "/shipments", Some(&body))
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
        for number in numbers {
            let path = format!(
                "/shipments/{}/tracking?trackingView=all-checkpoints&levelOfDetail=shipment",
                number.as_str()
            );
            let answer = self.client.send(Method::GET, &path, None).await?;
            // An unknown number is a 404 problem answer: the parser tells which, and
            // unknown numbers are left out.
            let body = match answer.status {
                200 | 400 | 404 => answer.body,
                _ => return Err(client::refusal(&answer)),
            };
            match self
                .registry
                .parse_tracking("mydhl", &body, Some(number.as_str()))
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
                        raw: body,
                    })
                }
            }
        }
        Ok(updates)
    }

    async fn cancel(&self, booking: &Booking) -> Result<(), ConnectorError> {
        Err(ConnectorError::Rejected {
            status: None,
            message: format!(
                "dhl_express: the MyDHL API cannot cancel shipment {}; an AWB that is never \
                 handed to DHL is not billed (cancel its pickup, if one was booked, with \
                 DELETE /pickups/{{dispatchConfirmationNumber}})",
                booking.shipment_id
            ),
        })
    }
}
