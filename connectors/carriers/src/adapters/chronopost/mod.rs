//! Chronopost (France, express): the three SOAP web services of ws.chronopost.fr with
//! the account number and password in each request body — quotes by QuickcostServiceWS
//! `calculateProducts`, labels (PDF or ZPL) by ShippingServiceWS
//! `shippingMultiParcelV4`, tracking by TrackingServiceWS `trackSkybillV2` (read by the
//! registry's `chronopost` parser) and voiding by its `cancelSkybill`.

mod book;
mod cancel;
mod client;
mod quote;
pub mod sandbox;
pub(crate) mod soap;
pub(crate) mod support;
mod track;

use super::budget::{pace, BudgetConfig};
use super::settings;
use crate::Registry;
use async_trait::async_trait;
use chrono::Utc;
use client::{Client, QUICKCOST, SHIPPING, TRACKING};
use rust_decimal::Decimal;
use serde::Deserialize;
use shipgate_sdk::model::{CountryCode, Currency, Money, TrackingNumber, TrackingUpdate};
use shipgate_sdk::{
    Booking, Capabilities, Carrier, CarrierInfo, ConnectorError, Label, LabelFormat, Rate,
    RateRequest, RequestBudget, ServiceInfo, ShipmentRequest,
};
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use support::{profile_registry, tracking_update};

/// The registry code.
pub const CODE: &str = "chronopost";

/// Chronopost products this adapter offers, by product code (Chronopost's own
/// numbering, as `productCode` in quotes and skybills).
const SERVICES: &[(&str, &str)] = &[
    ("01", "Chrono 13"),
    ("02", "Chrono 10"),
    ("16", "Chrono 18"),
    ("86", "Chrono Relais 13"),
    ("44", "Chrono Classic (international)"),
    ("17", "Chrono Express (international)"),
];

/// The `[[carriers]]` settings of Chronopost.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The Chronopost customer account number (`accountNumber`).
    pub account_number: String,
    /// The web-services password of that account.
    pub password: String,
    /// The web-services host, `https://ws.chronopost.fr` in production; the sandbox's
    /// address in tests and the demo.
    #[serde(default = "default_base_url")]
    pub base_url: String,
    /// The folder of carrier profiles (`mappings/carriers`), whose `chronopost.toml`
    /// maps tracking codes.
    #[serde(default = "default_mappings_dir")]
    pub mappings_dir: PathBuf,
    /// This account's request budget (`requests_per_second`, `burst`, `max_wait_secs`),
    /// keyed `chronopost:<account_number>`; see [`super::budget`] for the default.
    #[serde(default)]
    pub request_budget: BudgetConfig,
}

fn default_base_url() -> String {
    "https://ws.chronopost.fr".into()
}

fn default_mappings_dir() -> PathBuf {
    PathBuf::from("mappings/carriers")
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("account_number", &self.account_number)
            .field("password", &"<redacted>")
            .field("base_url", &self.base_url)
            .field("mappings_dir", &self.mappings_dir)
            .field("request_budget", &self.request_budget)
            .finish()
    }
}

/// What every Chronopost request body carries.
pub(crate) struct Credentials {
    pub(crate) account_number: String,
    pub(crate) password: String,
}

/// The Chronopost adapter.
pub struct Chronopost {
    info: CarrierInfo,
    client: Client,
    credentials: Credentials,
    registry: Registry,
}

impl fmt::Debug for Chronopost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Chronopost")
            .field("account_number", &self.credentials.account_number)
            .finish_non_exhaustive()
    }
}

impl Chronopost {
    /// Makes every call wait on `budget` (the host's, shared by all its workers and,
    /// through Redis, by other processes) instead of a budget of this adapter alone.
    pub fn with_budget(mut self, budget: Arc<dyn RequestBudget>) -> Self {
        self.client.pace.set_budget(budget);
        self
    }

    /// Builds the adapter from its settings.
    pub fn new(config: Config, http: reqwest::Client) -> Result<Self, ConnectorError> {
        let pace = pace("chronopost", &config.account_number, &config.request_budget)?;
        let registry = profile_registry(&config.mappings_dir, CODE)?;
        let origin = CountryCode::parse("FR").map_err(|e| ConnectorError::Rejected {
            status: None,
            message: e.to_string(),
        })?;
        Ok(Self {
            info: CarrierInfo {
                code: CODE.into(),
                name: "Chronopost".into(),
                origin_countries: vec![origin],
                services: ServiceInfo::table(SERVICES),
                capabilities: Capabilities {
                    quote: true,
                    book: true,
                    track: true,
                    cancel: true,
                },
            },
            client: Client::new(http, &config.base_url, pace),
            credentials: Credentials {
                account_number: config.account_number,
                password: config.password,
            },
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

fn euros(amount: Decimal) -> Result<Money, ConnectorError> {
    let currency = Currency::parse("EUR").map_err(|e| ConnectorError::Rejected {
        status: None,
        message: e.to_string(),
    })?;
    Ok(Money::new(amount, currency))
}

#[async_trait]
impl Carrier for Chronopost {
    fn info(&self) -> &CarrierInfo {
        &self.info
    }

    /// One `calculateProducts` per parcel (the service prices one weight); a product is
    /// offered when every parcel can travel by it, at the sum of their prices.
    async fn quote(&self, request: &RateRequest) -> Result<Vec<Rate>, ConnectorError> {
        let mut totals: BTreeMap<String, (Decimal, usize)> = BTreeMap::new();
        for parcel in &request.parcels {
            let envelope = quote::request(
                &self.credentials,
                &request.ship_from,
                &request.ship_to,
                parcel,
            );
            let answer = self.client.call(QUICKCOST, envelope).await?;
            for product in quote::parse(&answer)? {
                let entry = totals.entry(product.code).or_insert((Decimal::ZERO, 0));
                entry.0 += product.price;
                entry.1 += 1;
            }
        }
        let mut rates = Vec::new();
        for (code, name) in SERVICES {
            let Some((price, parcels)) = totals.get(*code) else {
                continue;
            };
            let wanted = request.service.as_deref().is_none_or(|s| s == *code);
            if *parcels == request.parcels.len() && wanted {
                rates.push(Rate {
                    carrier: CODE.into(),
                    service: (*code).into(),
                    service_name: (*name).into(),
                    price: euros(*price)?,
                    transit_days: None,
                    estimated_delivery: None,
                });
            }
        }
        Ok(rates)
    }

    async fn book(&self, request: &ShipmentRequest) -> Result<Booking, ConnectorError> {
        if request.parcels.is_empty() {
            return Err(ConnectorError::Rejected {
                status: None,
                message: "Chronopost booking: no parcel to ship".into(),
            });
        }
        if request.parcels.len() > 1 && request.label_format == LabelFormat::Pdf {
            return Err(ConnectorError::Rejected {
                status: None,
                message: "Chronopost returns one PDF per skybill: book several parcels with ZPL labels, or one parcel per booking".into(),
            });
        }
        let envelope = book::request(&self.credentials, request, Utc::now());
        let answer = self.client.call(SHIPPING, envelope).await?;
        let booked = book::parse(&answer)?;
        let mut tracking_numbers = Vec::with_capacity(booked.len());
        let mut content = Vec::new();
        for parcel in booked {
            tracking_numbers.push(TrackingNumber::parse(&parcel.skybill_number).map_err(|e| {
                ConnectorError::UnexpectedShape {
                    reason: format!("skybillNumber: {e}"),
                    raw: answer.clone(),
                }
            })?);
            content.extend_from_slice(&parcel.label);
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
            let answer = self
                .client
                .call(TRACKING, track::request(number.as_str()))
                .await?;
            if let Some(update) = tracking_update(&self.registry, CODE, &answer, number.as_str())? {
                updates.push(update);
            }
        }
        Ok(updates)
    }

    async fn cancel(&self, booking: &Booking) -> Result<(), ConnectorError> {
        for number in &booking.tracking_numbers {
            let answer = self
                .client
                .call(
                    TRACKING,
                    cancel::request(&self.credentials, number.as_str()),
                )
                .await?;
            cancel::parse(&answer, number.as_str())?;
        }
        Ok(())
    }
}
