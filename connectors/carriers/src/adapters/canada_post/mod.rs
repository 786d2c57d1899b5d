//! Canada Post through its REST (XML) web services with HTTP Basic credentials and the
//! customer number: Get Rates (`/rs/ship/price`), Create Non-Contract Shipment
//! (`/rs/{customer}/ncshipment`), Get Artifact (the PDF label) and the non-contract
//! refund request, and Get Tracking Details (`/vis/track/pin/{pin}/detail`), as in
//! <https://www.canadapost-postescanada.ca/info/mc/business/productsservices/developers/>.
//!
//! A non-contract shipment is one parcel: a booking of several parcels makes one
//! shipment each, and its `shipment_id` lists their ids separated by commas. Tracking
//! answers are read by [`crate::track`]'s `canadapost` parser with the statuses of
//! `mappings/carriers/canada_post.toml`.

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
    Booking, Capabilities, Carrier, CarrierInfo, ConnectorError, Label, LabelFormat, Rate,
    RateRequest, RequestBudget, ServiceInfo, ShipmentRequest,
};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// The carrier file, embedded: tracking maps Canada Post's event identifiers with the
/// same table `shipgate track --parse` uses, and the sandbox numbers PINs by its formats.
const PROFILE: &str = include_str!("../../../../../mappings/carriers/canada_post.toml");

/// Tracking Details' media type.
const TRACK_MEDIA: &str = "application/vnd.cpc.track-v2+xml";

/// The services this adapter lists (Canada Post service codes).
const SERVICES: &[(&str, &str)] = &[
    ("DOM.RP", "Regular Parcel"),
    ("DOM.EP", "Expedited Parcel"),
    ("DOM.XP", "Xpresspost"),
    ("DOM.PC", "Priority"),
    ("USA.EP", "Expedited Parcel USA"),
    ("USA.XP", "Xpresspost USA"),
    ("INT.XP", "Xpresspost International"),
];

/// A Canada Post account's settings, from the host's `[[carriers]]` table.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The API key's user name (Developer Program).
    pub username: String,
    /// The API key's password.
    pub password: String,
    /// The customer number (mailed-by), 10 digits.
    pub customer_number: String,
    /// Where Canada Post writes about refunds of voided labels.
    pub refund_email: String,
    /// `https://soa-gw.canadapost.ca` in production, `https://ct.soa-gw.canadapost.ca`
    /// for the development environment, the sandbox's URL in tests.
    #[serde(default = "default_base_url")]
    pub base_url: String,
    /// Per-request timeout.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
    /// This account's request budget (`requests_per_second`, `burst`, `max_wait_secs`),
    /// keyed `canada_post:<customer_number>`; see [`super::budget`] for the default.
    #[serde(default)]
    pub request_budget: BudgetConfig,
}

fn default_base_url() -> String {
    "https://soa-gw.canadapost.ca".into()
}

fn default_timeout() -> u64 {
    20
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("customer_number", &self.customer_number)
            .field("base_url", &self.base_url)
            .field("request_budget", &self.request_budget)
            .finish_non_exhaustive()
    }
}

/// The Canada Post adapter.
pub struct CanadaPost {
    info: CarrierInfo,
    config: Config,
    client: Client,
    registry: Registry,
    /// Bookings made by this process, by idempotency key: a retried `book` must not buy
    /// a second label.
    booked: BookingMemo,
}

impl fmt::Debug for CanadaPost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CanadaPost")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Builds the adapter from its settings table (the [`super::Constructor`] of
/// `canada_post`).
pub fn build(
    settings: toml::Table,
    http: reqwest::Client,
    budget: Arc<dyn RequestBudget>,
) -> Result<Arc<dyn Carrier>, ConnectorError> {
    Ok(Arc::new(
        CanadaPost::new(super::settings("canada_post", settings)?, http)?.with_budget(budget),
    ))
}

impl CanadaPost {
    /// Makes every call wait on `budget` (the host's, shared by all its workers and,
    /// through Redis, by other processes) instead of a budget of this adapter alone.
    pub fn with_budget(mut self, budget: Arc<dyn RequestBudget>) -> Self {
        self.client.pace.set_budget(budget);
        self
    }

    /// An adapter for one Canada Post account.
    pub fn new(config: Config, http: reqwest::Client) -> Result<Self, ConnectorError> {
        let pace = pace(
            "canada_post",
            &config.customer_number,
            &config.request_budget,
        )?;
        let registry = super::embedded_profile("canada_post", PROFILE)?;
        let base = config.base_url.trim_end_matches('/').to_string();
        let client = Client::new(
            http,
            base,
            (config.username.clone(), config.password.clone()),
            Duration::from_secs(config.timeout_secs),
            pace,
        );
        let canada = shipgate_sdk::model::CountryCode::parse("CA").map_err(|e| {
            ConnectorError::Rejected {
                status: None,
                message: e.to_string(),
            }
        })?;
        let info = CarrierInfo {
            code: "canada_post".into(),
            name: "Canada Post".into(),
            origin_countries: vec![canada],
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

    /// Creates one non-contract shipment and fetches its PDF label.
    async fn ship_one(
        &self,
        request: &ShipmentRequest,
        parcel: &shipgate_sdk::Parcel,
    ) -> Result<(book::Created, Vec<u8>), ConnectorError> {
        let path = format!("/rs/{}/ncshipment", self.config.customer_number);
        let answer = self
            .client
            .call(
                Method::POST,
                &path,
                book::MEDIA,
                Some(book::request(request, parcel)),
            )
            .await?;
        let created = book::parse(&answer)?;
        // The link is absolute; credentials go only to the configured service root.
        let root = format!("{}/", self.client.base());
        if !created.label.starts_with(&root) {
            return Err(ConnectorError::UnexpectedShape {
                reason: format!(
                    "canada_post label link {:?} is outside {}",
                    created.label, root
                ),
                raw: answer,
            });
        }
        let pdf = self
            .client
            .call(Method::GET, &created.label, "application/pdf", None)
            .await?;
        if !pdf.starts_with(b"%PDF") {
            return Err(ConnectorError::UnexpectedShape {
                reason: "canada_post label artifact is not a PDF".into(),
                raw: pdf,
            });
        }
        Ok((created, pdf))
    }
}

#[async_trait]
impl Carrier for CanadaPost {
    fn info(&self) -> &CarrierInfo {
        &self.info
    }

    async fn quote(&self, request: &RateRequest) -> Result<Vec<Rate>, ConnectorError> {
        let mut totals: Vec<Rate> = Vec::new();
        for (i, parcel) in request.parcels.iter().enumerate() {
            let body = quote::request(
                &self.config.customer_number,
                &request.ship_from,
                &request.ship_to,
                parcel,
            )?;
            let answer = self
                .client
                .call(Method::POST, "/rs/ship/price", quote::MEDIA, Some(body))
                .await?;
            let mut rates = quote::parse(&answer)?;
            if let Some(wanted) = request.service.as_deref() {
                rates.retain(|r| r.service == wanted);
            }
            if i == 0 {
                totals = rates;
            } else {
                // A service counts only if every parcel can go by it.
                totals.retain_mut(|total| {
                    match rates.iter().find(|r| r.service == total.service) {
                        Some(r) => {
                            total.price.amount += r.price.amount;
                            true
                        }
                        None => false,
                    }
                });
            }
        }
        Ok(totals)
    }

    async fn book(&self, request: &ShipmentRequest) -> Result<Booking, ConnectorError> {
        if let Some(done) = self.booked.get(&request.idempotency_key) {
            return Ok(done);
        }
        if request.label_format != LabelFormat::Pdf {
            return Err(ConnectorError::Rejected {
                status: None,
                message: "canada_post: non-contract shipments get PDF labels only; ask for PDF"
                    .into(),
            });
        }
        let mut ids = Vec::new();
        let mut numbers = Vec::new();
        let mut first_label = None;
        for parcel in &request.parcels {
            let (created, pdf) = self.ship_one(request, parcel).await?;
            let pin = TrackingNumber::parse(&created.pin).map_err(|e| {
                ConnectorError::UnexpectedShape {
                    reason: format!("canada_post tracking-pin: {e}"),
                    raw: created.pin.clone().into_bytes(),
                }
            })?;
            ids.push(created.shipment_id);
            numbers.push(pin);
            first_label.get_or_insert(pdf);
        }
        let Some(content) = first_label else {
            return Err(ConnectorError::Rejected {
                status: None,
                message: "canada_post: a shipment needs at least one parcel".into(),
            });
        };
        let booking = Booking {
            carrier: "canada_post".into(),
            shipment_id: ids.join(","),
            tracking_numbers: numbers,
            label: Label {
                format: LabelFormat::Pdf,
                content,
            },
            price: None,
            booked_at: Utc::now(),
        };
        self.booked.remember(&request.idempotency_key, &booking);
        Ok(booking)
    }

    async fn track(
        &self,
        numbers: &[TrackingNumber],
    ) -> Result<Vec<TrackingUpdate>, ConnectorError> {
        let mut updates = Vec::with_capacity(numbers.len());
        for number in numbers {
            let path = format!("/vis/track/pin/{}/detail", number.as_str());
            let answer = self
                .client
                .send(Method::GET, &path, TRACK_MEDIA, None)
                .await?;
            // "004 No Pin History" comes as a 404 `<messages>`: the parser tells which,
            // and unknown PINs are left out.
            let body = match answer.status {
                200 | 400 | 404 => answer.body,
                _ => return Err(client::refusal(&answer)),
            };
            match self
                .registry
                .parse_tracking("canadapost", &body, Some(number.as_str()))
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
        for id in booking.shipment_id.split(',').filter(|s| !s.is_empty()) {
            let path = format!("/rs/{}/ncshipment/{id}/refund", self.config.customer_number);
            let answer = self
                .client
                .call(
                    Method::POST,
                    &path,
                    book::MEDIA,
                    Some(book::refund(&self.config.refund_email)),
                )
                .await?;
            book::parse_refund(&answer)?;
        }
        Ok(())
    }
}
