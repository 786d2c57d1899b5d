//! Colissimo (La Poste, France): labels by the SLS web service `generateLabel` (JSON in,
//! multipart out, contract number and password in the body), tracking by La Poste's
//! Suivi API v2 (`X-Okapi-Key`, read by the registry's `laposte` parser). Colissimo
//! publishes no rating API: quotes come from the public price grid in [`tariff`]. SLS has
//! no cancel operation either: an unused label is never deposited, so cancelling is
//! refused with that explanation.

mod book;
mod client;
mod multipart;
pub mod sandbox;
mod tariff;

use super::budget::{pace, BudgetConfig};
use crate::adapters::chronopost::support::{profile_registry, tracking_update};
use crate::adapters::settings;
use crate::Registry;
use async_trait::async_trait;
use chrono::Utc;
use client::Client;
use rust_decimal::Decimal;
use serde::Deserialize;
use shipgate_sdk::model::{CountryCode, Currency, Money, TrackingNumber, TrackingUpdate};
use shipgate_sdk::{
    Booking, Capabilities, Carrier, CarrierInfo, ConnectorError, Label, LabelFormat, Rate,
    RateRequest, RequestBudget, ServiceInfo, ShipmentRequest,
};
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

/// The registry code.
pub const CODE: &str = "colissimo";
/// The tracking API name of the registry's parser.
const TRACKING_API: &str = "laposte";

/// SLS product codes offered, with whether the public grid prices them.
const SERVICES: &[(&str, &str, bool)] = &[
    ("DOM", "Colissimo Domicile sans signature", true),
    ("DOS", "Colissimo Domicile avec signature", false),
    ("A2P", "Colissimo Point Retrait (relais)", true),
    ("COLI", "Colissimo Expert International", false),
];

/// The `[[carriers]]` settings of Colissimo.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The Colissimo contract number (`contractNumber`).
    pub contract_number: String,
    /// The web-services password of that contract.
    pub password: String,
    /// The La Poste developer key for the Suivi API (`X-Okapi-Key`).
    pub okapi_key: String,
    /// SLS host, `https://ws.colissimo.fr` in production.
    #[serde(default = "default_sls_url")]
    pub sls_url: String,
    /// Okapi gateway host, `https://api.laposte.fr` in production.
    #[serde(default = "default_tracking_url")]
    pub tracking_url: String,
    /// The folder of carrier profiles, whose `colissimo.toml` maps tracking codes.
    #[serde(default = "default_mappings_dir")]
    pub mappings_dir: PathBuf,
    /// This account's request budget (`requests_per_second`, `burst`, `max_wait_secs`),
    /// keyed `colissimo:<contract_number>`; see [`super::budget`] for the default.
    #[serde(default)]
    pub request_budget: BudgetConfig,
}

fn default_sls_url() -> String {
    "https://ws.colissimo.fr".into()
}

fn default_tracking_url() -> String {
    "https://api.laposte.fr".into()
}

fn default_mappings_dir() -> PathBuf {
    PathBuf::from("mappings/carriers")
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("contract_number", &self.contract_number)
            .field("password", &"<redacted>")
            .field("okapi_key", &"<redacted>")
            .field("sls_url", &self.sls_url)
            .field("tracking_url", &self.tracking_url)
            .field("mappings_dir", &self.mappings_dir)
            .field("request_budget", &self.request_budget)
            .finish()
    }
}

/// The Colissimo adapter.
pub struct Colissimo {
    info: CarrierInfo,
    client: Client,
    contract_number: String,
    password: String,
    registry: Registry,
}

impl fmt::Debug for Colissimo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Colissimo")
            .field("contract_number", &self.contract_number)
            .finish_non_exhaustive()
    }
}

fn refused(message: String) -> ConnectorError {
    ConnectorError::Rejected {
        status: None,
        message,
    }
}

impl Colissimo {
    /// Makes every call wait on `budget` (the host's, shared by all its workers and,
    /// through Redis, by other processes) instead of a budget of this adapter alone.
    pub fn with_budget(mut self, budget: Arc<dyn RequestBudget>) -> Self {
        self.client.pace.set_budget(budget);
        self
    }

    /// Builds the adapter from its settings.
    pub fn new(config: Config, http: reqwest::Client) -> Result<Self, ConnectorError> {
        let pace = pace("colissimo", &config.contract_number, &config.request_budget)?;
        let registry = profile_registry(&config.mappings_dir, CODE)?;
        let origin = CountryCode::parse("FR").map_err(|e| refused(e.to_string()))?;
        Ok(Self {
            info: CarrierInfo {
                code: CODE.into(),
                name: "Colissimo".into(),
                origin_countries: vec![origin],
                services: SERVICES
                    .iter()
                    .map(|(code, name, _)| ServiceInfo {
                        code: (*code).into(),
                        name: (*name).into(),
                    })
                    .collect(),
                capabilities: Capabilities {
                    quote: true,
                    book: true,
                    track: true,
                    cancel: false,
                },
            },
            client: Client::new(
                http,
                &config.sls_url,
                &config.tracking_url,
                config.okapi_key,
                pace,
            ),
            contract_number: config.contract_number,
            password: config.password,
            registry,
        })
    }

    /// The constructor registered in [`crate::adapters`].
    pub fn build(
        table: toml::Table,
        http: reqwest::Client,
        budget: Arc<dyn RequestBudget>,
    ) -> Result<Arc<dyn Carrier>, ConnectorError> {
        Ok(Arc::new(
            Self::new(settings(CODE, table)?, http)?.with_budget(budget),
        ))
    }
}

#[async_trait]
impl Carrier for Colissimo {
    fn info(&self) -> &CarrierInfo {
        &self.info
    }

    /// Public grid prices (no remote call): every priced product whose grid covers the
    /// destination and each parcel's weight, at the sum of the parcels' prices.
    async fn quote(&self, request: &RateRequest) -> Result<Vec<Rate>, ConnectorError> {
        let to = request.ship_to.country.map(|c| c.as_str()).unwrap_or("FR");
        let euro = Currency::parse("EUR").map_err(|e| refused(e.to_string()))?;
        let mut rates = Vec::new();
        for (code, name, priced) in SERVICES {
            let wanted = request.service.as_deref().is_none_or(|s| s == *code);
            if !priced || !wanted || request.parcels.is_empty() {
                continue;
            }
            let prices: Option<Vec<Decimal>> = request
                .parcels
                .iter()
                .map(|p| tariff::price(code, to, p.weight_grams))
                .collect();
            if let Some(prices) = prices {
                rates.push(Rate {
                    carrier: CODE.into(),
                    service: (*code).into(),
                    service_name: (*name).into(),
                    price: Money::new(prices.into_iter().sum(), euro),
                    transit_days: Some(2),
                    estimated_delivery: None,
                });
            }
        }
        Ok(rates)
    }

    /// One `generateLabel` per parcel (SLS labels one parcel per call).
    async fn book(&self, request: &ShipmentRequest) -> Result<Booking, ConnectorError> {
        if request.parcels.is_empty() {
            return Err(refused("Colissimo booking: no parcel to ship".into()));
        }
        if request.parcels.len() > 1 && request.label_format == LabelFormat::Pdf {
            return Err(refused("Colissimo labels one parcel per PDF: book several parcels with ZPL labels, or one parcel per booking".into()));
        }
        let mut tracking_numbers = Vec::new();
        let mut content = Vec::new();
        for parcel in &request.parcels {
            let body = book::request(
                &self.contract_number,
                &self.password,
                request,
                parcel.weight_grams,
                Utc::now(),
            );
            let answer = self.client.generate_label(&body).await?;
            let generated =
                book::parse(answer.status, answer.content_type.as_deref(), &answer.body)?;
            let number = TrackingNumber::parse(&generated.parcel_number).map_err(|e| {
                ConnectorError::UnexpectedShape {
                    reason: format!("labelV2Response.parcelNumber: {e}"),
                    raw: answer.body.clone(),
                }
            })?;
            tracking_numbers.push(number);
            content.extend_from_slice(&generated.label);
        }
        Ok(Booking {
            carrier: CODE.into(),
            shipment_id: tracking_numbers[0].as_str().to_string(),
            tracking_numbers,
            label: Label {
                format: request.label_format,
                content,
            },
            price: None,
            booked_at: Utc::now(),
        })
    }

    async fn track(
        &self,
        numbers: &[TrackingNumber],
    ) -> Result<Vec<TrackingUpdate>, ConnectorError> {
        let mut updates = Vec::with_capacity(numbers.len());
        for number in numbers {
            let body = self.client.track(number.as_str()).await?;
            if let Some(update) =
                tracking_update(&self.registry, TRACKING_API, &body, number.as_str())?
            {
                updates.push(update);
            }
        }
        Ok(updates)
    }

    async fn cancel(&self, booking: &Booking) -> Result<(), ConnectorError> {
        Err(refused(format!(
            "Colissimo's SLS web service has no cancel operation: label {} is void as long as the parcel is not deposited",
            booking.shipment_id
        )))
    }
}
