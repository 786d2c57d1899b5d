//! USPS through its current APIs at `apis.usps.com`: OAuth 2.0 client credentials
//! (`/oauth2/v3/token`, JSON body), Domestic Prices 3.0 (`/prices/v3/base-rates/search`),
//! Payments 3.0 (`/payments/v3/payment-authorization`, the token the Labels API wants),
//! Domestic Labels 3.0 (`/labels/v3/label`, create and cancel) and Tracking 3.0
//! (`/tracking/v3/tracking/{trackingNumber}`), as in <https://github.com/USPS/api-examples>
//! and <https://developers.usps.com/apis>.
//!
//! Tracking answers are read by [`crate::track`]'s `usps` parser with the statuses of
//! `mappings/carriers/usps.toml`.

mod book;
mod client;
mod quote;
pub mod sandbox;

use super::booking_memo::BookingMemo;
use super::budget::{pace, BudgetConfig};
use crate::Registry;
use async_trait::async_trait;
use chrono::Utc;
use client::{Client, Payer};
use reqwest::Method;
use serde::Deserialize;
use shipgate_sdk::model::{Money, TrackingNumber, TrackingUpdate};
use shipgate_sdk::{
    Booking, Capabilities, Carrier, CarrierInfo, ConnectorError, Label, Rate, RateRequest,
    RequestBudget, ServiceInfo, ShipmentRequest,
};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// The carrier file, embedded: tracking maps USPS's event codes with the same table
/// `shipgate track --parse` uses, and the sandbox numbers labels by its formats.
const PROFILE: &str = include_str!("../../../../../mappings/carriers/usps.toml");

/// The mail classes this adapter sells (Domestic Prices `mailClass` values).
const SERVICES: &[(&str, &str)] = &[
    ("USPS_GROUND_ADVANTAGE", "USPS Ground Advantage"),
    ("PRIORITY_MAIL", "Priority Mail"),
    ("PRIORITY_MAIL_EXPRESS", "Priority Mail Express"),
];

/// A USPS account's settings, from the host's `[[carriers]]` table.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The app's consumer key (developers.usps.com).
    pub client_id: String,
    /// The app's consumer secret.
    pub client_secret: String,
    /// Customer Registration ID (Business Customer Gateway), for payment authorization.
    pub crid: String,
    /// Mailer ID printed in the IMpb barcode.
    pub mid: String,
    /// Enterprise Payment System account that pays for postage.
    pub eps_account: String,
    /// `https://apis.usps.com` in production, `https://apis-tem.usps.com` for USPS's
    /// test environment, the sandbox's URL in tests.
    #[serde(default = "default_base_url")]
    pub base_url: String,
    /// Per-request timeout.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
    /// This account's request budget (`requests_per_second`, `burst`, `max_wait_secs`),
    /// keyed `usps:<client_id>`; see [`super::budget`] for the default.
    #[serde(default = "super::budget::usps_default")]
    pub request_budget: BudgetConfig,
}

fn default_base_url() -> String {
    "https://apis.usps.com".into()
}

fn default_timeout() -> u64 {
    20
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("crid", &self.crid)
            .field("mid", &self.mid)
            .field("eps_account", &"<redacted>")
            .field("base_url", &self.base_url)
            .field("request_budget", &self.request_budget)
            .finish()
    }
}

/// The USPS adapter.
pub struct Usps {
    info: CarrierInfo,
    config: Config,
    client: Client,
    registry: Registry,
    /// Bookings made by this process, by idempotency key: a retried `book` must not buy
    /// a second label (USPS sells the same parcel twice).
    booked: BookingMemo,
}

impl fmt::Debug for Usps {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Usps")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Builds the adapter from its settings table (the [`super::Constructor`] of `usps`).
pub fn build(
    settings: toml::Table,
    http: reqwest::Client,
    budget: Arc<dyn RequestBudget>,
) -> Result<Arc<dyn Carrier>, ConnectorError> {
    Ok(Arc::new(
        Usps::new(super::settings("usps", settings)?, http)?.with_budget(budget),
    ))
}

impl Usps {
    /// Makes every call wait on `budget` (the host's, shared by all its workers and,
    /// through Redis, by other processes) instead of a budget of this adapter alone.
    pub fn with_budget(mut self, budget: Arc<dyn RequestBudget>) -> Self {
        self.client.pace.set_budget(budget);
        self
    }

    /// An adapter for one USPS account.
    pub fn new(config: Config, http: reqwest::Client) -> Result<Self, ConnectorError> {
        let pace = pace("usps", &config.client_id, &config.request_budget)?;
        let registry = super::embedded_profile("usps", PROFILE)?;
        let base = config.base_url.trim_end_matches('/').to_string();
        let client = Client::new(
            http,
            base,
            (config.client_id.clone(), config.client_secret.clone()),
            Payer {
                crid: config.crid.clone(),
                mid: config.mid.clone(),
                eps_account: config.eps_account.clone(),
            },
            Duration::from_secs(config.timeout_secs),
            pace,
        );
        let info = CarrierInfo {
            code: "usps".into(),
            name: "USPS".into(),
            origin_countries: vec![shipgate_sdk::model::CountryCode::parse("US").map_err(|e| {
                ConnectorError::Rejected {
                    status: None,
                    message: e.to_string(),
                }
            })?],
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

    /// Buys one label, with `key` as its idempotency key.
    async fn label(
        &self,
        body: &serde_json::Value,
        key: String,
        format: shipgate_sdk::LabelFormat,
    ) -> Result<book::Bought, ConnectorError> {
        let payment = self.client.payment_token().await?;
        let headers = [
            ("X-Payment-Authorization-Token", payment),
            ("Accept", "application/vnd.usps.labels+json".to_string()),
            ("X-Idempotency-Key", key),
        ];
        let answer = self
            .client
            .send(Method::POST, "/labels/v3/label", Some(body), &headers)
            .await?;
        if answer.status == 401 {
            self.client.forget_payment().await;
        }
        if !(200..300).contains(&answer.status) {
            return Err(client::refusal(&answer));
        }
        book::parse(&answer.body, format)
    }
}

#[async_trait]
impl Carrier for Usps {
    fn info(&self) -> &CarrierInfo {
        &self.info
    }

    async fn quote(&self, request: &RateRequest) -> Result<Vec<Rate>, ConnectorError> {
        let from = quote::zip(&request.ship_from, "ship-from")?;
        let to = quote::zip(&request.ship_to, "ship-to")?;
        let mut rates = Vec::new();
        for (class, name) in SERVICES {
            if request.service.as_deref().is_some_and(|s| s != *class) {
                continue;
            }
            let mut total: Option<Money> = None;
            for parcel in &request.parcels {
                let body = quote::request(&from, &to, parcel, class);
                let answer = self
                    .client
                    .call(
                        Method::POST,
                        "/prices/v3/base-rates/search",
                        Some(&body),
                        &[],
                    )
                    .await?;
                let price = quote::parse(&answer)?;
                total = Some(match total {
                    Some(t) => Money::new(t.amount + price.amount, t.currency),
                    None => price,
                });
            }
            if let Some(price) = total {
                rates.push(Rate {
                    carrier: "usps".into(),
                    service: (*class).into(),
                    service_name: (*name).into(),
                    price,
                    transit_days: None,
                    estimated_delivery: None,
                });
            }
        }
        Ok(rates)
    }

    async fn book(&self, request: &ShipmentRequest) -> Result<Booking, ConnectorError> {
        if let Some(done) = self.booked.get(&request.idempotency_key) {
            return Ok(done);
        }
        if !SERVICES.iter().any(|(c, _)| *c == request.service) {
            return Err(ConnectorError::Rejected {
                status: None,
                message: format!(
                    "usps: unknown mail class {:?}; known: {}",
                    request.service,
                    SERVICES
                        .iter()
                        .map(|(c, _)| *c)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
        let from = quote::zip(&request.ship_from, "ship-from")?;
        let to = quote::zip(&request.ship_to, "ship-to")?;
        let mut numbers = Vec::new();
        let mut first_label = None;
        let mut price: Option<Money> = None;
        for (i, parcel) in request.parcels.iter().enumerate() {
            let body = book::request(request, parcel, (&from, &to));
            let key = format!("{}-{}", request.idempotency_key, i + 1);
            let bought = self.label(&body, key, request.label_format).await?;
            let number = TrackingNumber::parse(&bought.tracking_number).map_err(|e| {
                ConnectorError::UnexpectedShape {
                    reason: format!("usps label answer: trackingNumber: {e}"),
                    raw: bought.tracking_number.clone().into_bytes(),
                }
            })?;
            numbers.push(number);
            if let Some(p) = bought.postage {
                price = Some(match price {
                    Some(t) => Money::new(t.amount + p.amount, t.currency),
                    None => p,
                });
            }
            first_label.get_or_insert(bought.image);
        }
        let (Some(content), Some(first)) = (first_label, numbers.first()) else {
            return Err(ConnectorError::Rejected {
                status: None,
                message: "usps: a shipment needs at least one parcel".into(),
            });
        };
        let booking = Booking {
            carrier: "usps".into(),
            shipment_id: first.as_str().to_string(),
            tracking_numbers: numbers,
            label: Label {
                format: request.label_format,
                content,
            },
            price,
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
            let path = format!("/tracking/v3/tracking/{}?expand=DETAIL", number.as_str());
            let answer = self.client.send(Method::GET, &path, None, &[]).await?;
            // An unknown number is a 404 with the API's error envelope: the parser tells
            // which, and unknown numbers are left out.
            let body = match answer.status {
                200 | 400 | 404 => answer.body,
                _ => return Err(client::refusal(&answer)),
            };
            match self
                .registry
                .parse_tracking("usps", &body, Some(number.as_str()))
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
        let payment = self.client.payment_token().await?;
        for number in &booking.tracking_numbers {
            let path = format!("/labels/v3/label/{}", number.as_str());
            let headers = [("X-Payment-Authorization-Token", payment.clone())];
            let answer = self
                .client
                .call(Method::DELETE, &path, None, &headers)
                .await?;
            book::parse_cancel(&answer)?;
        }
        Ok(())
    }
}
