//! GLS (GLS Group parcel services, Europe): labels and cancellation by the GLS ShipIT REST
//! web service, tracking by GLS's Track And Trace V1 API, prices from a tariff in the
//! settings.
//!
//! - ShipIT (`POST {shipit_url}/backend/rs/shipments`, `POST …/rs/shipments/cancel/{TrackID}`):
//!   HTTP Basic with the ShipIT user GLS gives the shipper, JSON in GLS's own media type
//!   `application/glsVersion1+json`, refusals told in the `error` and `message` response
//!   headers. The host is per customer ("the endpoints can be obtained from your primary
//!   GLS contact"), so it has no default. See [`book`] and [`cancel`] for the shapes and
//!   their sources.
//! - Track And Trace V1 (`GET {api_url}/track-and-trace-v1/tracking/simple/trackids/{unitnos}`,
//!   at most ten numbers a call): a bearer token from GLS's Authentication API v2
//!   (`POST {api_url}/oauth2/v2/token`, OAuth2 client credentials of an app registered in
//!   the GLS Developer Portal, tokens valid up to four hours). Answers are read by
//!   [`crate::track`]'s `gls` parser with the statuses of `mappings/carriers/gls.toml`.
//! - No rating: neither the ShipIT operations (shipments, cancel, allowedservices,
//!   validate, endofday, reprintparcel, updateparcelweight, parcelshop, tracking) nor the
//!   Developer Portal APIs read for this adapter include a price request, and GLS prices
//!   are contract prices. Quotes therefore come from the merchant's own tariff table in
//!   the settings ([`tariff`]), as Colissimo's come from its public grid.
//!
//! Sources: GLS ShipIT REST documentation (https://shipit.gls-group.eu/webservices/,
//! pages `rest_shipment_processing.html`, `rest_web_service_requests_samples.html`,
//! `rest_webservice_fault_responses_samples.html`), GLS's ShipIT, Authentication v2 and
//! Track And Trace V1 OpenAPI files (https://dev-portal.gls-group.net, as vendored in
//! karrio, modules/connectors/gls/vendor/).

mod book;
mod cancel;
mod client;
pub mod sandbox;
mod tariff;

use super::booking_memo::BookingMemo;
use super::budget::{pace, BudgetConfig};
use crate::track::{CarrierErrorKind, TrackError};
use crate::Registry;
use async_trait::async_trait;
use chrono::Utc;
use client::Client;
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
pub use tariff::TariffRow;

/// The registry code.
pub const CODE: &str = "gls";

/// The carrier file, embedded: the constructor gets no registry, and tracking must map
/// GLS's event codes with the same table `shipgate track --parse` uses.
const PROFILE: &str = include_str!("../../../../../mappings/carriers/gls.toml");

/// Track And Trace V1 takes at most ten parcel numbers per call (its 400 "more than
/// allowed limit of 10").
const TRACK_BATCH: usize = 10;

/// ShipIT products sold (`Shipment.Product`), with a display name.
const SERVICES: &[(&str, &str)] = &[("PARCEL", "GLS Parcel"), ("EXPRESS", "GLS Express")];

/// A GLS account's settings, from the host's `[[carriers]]` table.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The ShipIT user GLS issued for the web services (Basic auth).
    pub username: String,
    /// That user's password.
    pub password: String,
    /// The shipper's ShipIT contact id (`Shipment.Shipper.ContactID`).
    pub contact_id: String,
    /// The ShipIT host GLS gave with the credentials, without `/backend`
    /// (e.g. `https://shipit-wbm-de01.gls-group.eu:443`).
    pub shipit_url: String,
    /// The client id of the GLS Developer Portal app that has Track And Trace V1.
    pub client_id: String,
    /// That app's client secret.
    pub client_secret: String,
    /// `https://api.gls-group.net` (GLS: sandbox and production are identical for
    /// tracking, "please always use the production environment").
    #[serde(default = "default_api_url")]
    pub api_url: String,
    /// The merchant's contract prices; empty means GLS is left out of rate shopping.
    #[serde(default)]
    pub tariff: Vec<TariffRow>,
    /// ISO 4217 currency of the tariff prices.
    #[serde(default = "default_currency")]
    pub currency: String,
    /// Per-request timeout.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
    /// This account's request budget (`requests_per_second`, `burst`, `max_wait_secs`),
    /// keyed `gls:<contact_id>`; see [`super::budget`] for the default.
    #[serde(default)]
    pub request_budget: BudgetConfig,
}

fn default_api_url() -> String {
    "https://api.gls-group.net".into()
}

fn default_currency() -> String {
    "EUR".into()
}

fn default_timeout() -> u64 {
    20
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("contact_id", &self.contact_id)
            .field("shipit_url", &self.shipit_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("api_url", &self.api_url)
            .field("tariff", &self.tariff)
            .field("currency", &self.currency)
            .field("timeout_secs", &self.timeout_secs)
            .field("request_budget", &self.request_budget)
            .finish()
    }
}

/// The GLS adapter.
pub struct Gls {
    info: CarrierInfo,
    config: Config,
    client: Client,
    tariff: tariff::Tariff,
    registry: Registry,
    /// Bookings made by this process, by idempotency key: ShipIT takes no idempotency
    /// key, so a retried `book` must not print a second label.
    booked: BookingMemo,
}

impl fmt::Debug for Gls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gls")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Builds the adapter from its settings table (the [`super::Constructor`] of `gls`).
pub fn build(
    settings: toml::Table,
    http: reqwest::Client,
    budget: Arc<dyn RequestBudget>,
) -> Result<Arc<dyn Carrier>, ConnectorError> {
    Ok(Arc::new(
        Gls::new(super::settings(CODE, settings)?, http)?.with_budget(budget),
    ))
}

fn refused(message: String) -> ConnectorError {
    ConnectorError::Rejected {
        status: None,
        message,
    }
}

impl Gls {
    /// Makes every call wait on `budget` (the host's, shared by all its workers and,
    /// through Redis, by other processes) instead of a budget of this adapter alone.
    pub fn with_budget(mut self, budget: Arc<dyn RequestBudget>) -> Self {
        self.client.pace.set_budget(budget);
        self
    }

    /// An adapter for one GLS account; a tariff that does not hold together is refused
    /// here, naming the row and field.
    pub fn new(config: Config, http: reqwest::Client) -> Result<Self, ConnectorError> {
        let pace = pace("gls", &config.contact_id, &config.request_budget)?;
        let registry = super::embedded_profile(CODE, PROFILE)?;
        let tariff = tariff::Tariff::new(&config.tariff, &config.currency)
            .map_err(|e| refused(format!("{CODE} settings: {e}")))?;
        for (field, value) in [
            ("username", &config.username),
            ("contact_id", &config.contact_id),
            ("shipit_url", &config.shipit_url),
            ("client_id", &config.client_id),
        ] {
            if value.trim().is_empty() {
                return Err(refused(format!("{CODE} settings: {field} is empty")));
            }
        }
        let api = config.api_url.trim_end_matches('/').to_string();
        let tokens = TokenSource::new(
            http.clone(),
            OAuthClient {
                token_url: format!("{api}/oauth2/v2/token"),
                client_id: config.client_id.clone(),
                client_secret: config.client_secret.clone(),
                grant: Grant::ClientCredentials { scope: None },
                auth: ClientAuth::BasicHeader,
            },
        );
        let client = Client::new(
            http,
            client::Endpoints {
                shipit: format!("{}/backend/rs", config.shipit_url.trim_end_matches('/')),
                tracking: format!("{api}/track-and-trace-v1"),
            },
            (config.username.clone(), config.password.clone()),
            tokens,
            Duration::from_secs(config.timeout_secs),
            pace,
        );
        let info = CarrierInfo {
            code: CODE.into(),
            name: "GLS".into(),
            origin_countries: Vec::new(),
            services: ServiceInfo::table(SERVICES),
            capabilities: Capabilities {
                quote: !tariff.is_empty(),
                book: true,
                track: true,
                cancel: true,
            },
        };
        Ok(Self {
            info,
            config,
            client,
            tariff,
            registry,
            booked: BookingMemo::default(),
        })
    }

    fn service_name(code: &str) -> Option<&'static str> {
        SERVICES.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
    }
}

#[async_trait]
impl Carrier for Gls {
    fn info(&self) -> &CarrierInfo {
        &self.info
    }

    /// Prices from the configured tariff, no remote call: one rate per product whose rows
    /// cover the destination and every parcel's weight.
    async fn quote(&self, request: &RateRequest) -> Result<Vec<Rate>, ConnectorError> {
        if self.tariff.is_empty() {
            return Err(refused(
                "GLS publishes no rating API: give the contract prices as `tariff` rows in the gls settings to quote".into(),
            ));
        }
        let Some(to) = request.ship_to.country else {
            return Err(refused("GLS quote: the destination has no country".into()));
        };
        let mut rates = Vec::new();
        for (code, name) in SERVICES {
            if request.service.as_deref().is_some_and(|s| s != *code) {
                continue;
            }
            if let Some(price) = self.tariff.price(code, to.as_str(), &request.parcels) {
                rates.push(Rate {
                    carrier: CODE.into(),
                    service: (*code).into(),
                    service_name: (*name).into(),
                    price,
                    transit_days: None,
                    estimated_delivery: None,
                });
            }
        }
        Ok(rates)
    }

    /// One `createParcels` call: one ShipmentUnit per parcel, one label per unit.
    async fn book(&self, request: &ShipmentRequest) -> Result<Booking, ConnectorError> {
        if let Some(done) = self.booked.get(&request.idempotency_key) {
            return Ok(done);
        }
        if Self::service_name(&request.service).is_none() {
            return Err(refused(format!(
                "GLS books the ShipIT products PARCEL and EXPRESS, not {:?}",
                request.service
            )));
        }
        if request.parcels.is_empty() {
            return Err(refused("GLS booking: no parcel to ship".into()));
        }
        if request.parcels.len() > 1 && request.label_format == LabelFormat::Pdf {
            return Err(refused("GLS returns one PDF per parcel: book several parcels with ZPL labels, or one parcel per booking".into()));
        }
        let body = book::request(request, &self.config.contact_id);
        let answer = self.client.shipit("/shipments", Some(&body)).await?;
        let booking = book::parse(&answer, request, Utc::now())?;
        self.booked.remember(&request.idempotency_key, &booking);
        Ok(booking)
    }

    /// Ten numbers per Track And Trace call; numbers GLS does not know are left out.
    async fn track(
        &self,
        numbers: &[TrackingNumber],
    ) -> Result<Vec<TrackingUpdate>, ConnectorError> {
        let mut updates = Vec::with_capacity(numbers.len());
        for batch in numbers.chunks(TRACK_BATCH) {
            let ids: Vec<&str> = batch.iter().map(TrackingNumber::as_str).collect();
            let body = self.client.track(&ids.join(",")).await?;
            match self.registry.parse_tracking(CODE, &body, None) {
                Ok(mut found) => updates.append(&mut found),
                Err(TrackError::Carrier {
                    kind: CarrierErrorKind::NotFound,
                    ..
                }) => {}
                Err(TrackError::Carrier {
                    kind: CarrierErrorKind::Unauthorized,
                    message,
                    ..
                }) => {
                    return Err(ConnectorError::Unauthorized {
                        status: 200,
                        message,
                    })
                }
                Err(e @ TrackError::Carrier { .. }) => {
                    return Err(refused(e.to_string()));
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

    /// Cancels every parcel of the booking by its TrackID (the booking's `shipment_id`
    /// lists them, comma-separated).
    async fn cancel(&self, booking: &Booking) -> Result<(), ConnectorError> {
        for track_id in booking.shipment_id.split(',').filter(|t| !t.is_empty()) {
            let answer = self
                .client
                .shipit(&format!("/shipments/cancel/{track_id}"), None)
                .await?;
            cancel::parse(&answer, track_id)?;
        }
        Ok(())
    }
}
