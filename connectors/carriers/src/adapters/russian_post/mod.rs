//! Russian Post (Почта России) through two public APIs:
//!
//! - the Otpravka API (`https://otpravka-api.pochta.ru`,
//!   <https://otpravka.pochta.ru/specification>) for prices and orders: every request
//!   carries `Authorization: AccessToken {token}` and `X-User-Authorization: Basic
//!   base64(login:password)` ([`client`]); `POST /1.0/tariff` prices one mail type
//!   ([`quote`]); `PUT /1.0/user/backlog` creates the order, `GET /1.0/backlog/{id}`
//!   reads its barcode and charge, `GET /1.0/forms/{id}/forms` its PDF label and
//!   `DELETE /1.0/backlog` removes it ([`book`]);
//! - the single-access tracking API (`https://tracking.russianpost.ru/rtm34`, SOAP 1.2
//!   `getOperationHistory`, <https://tracking.pochta.ru/specification>) with its own
//!   login and password ([`tracking`]). Its answers are read by [`crate::track`]'s
//!   `russian_post` parser with the `OperType.OperAttr` statuses of
//!   `mappings/carriers/russian_post.toml`.
//!
//! Money comes in kopecks and becomes roubles exactly (`Decimal::new(kopecks, 2)`).
//! One order is one parcel (one barcode), so a booking takes one parcel; parcels
//! leave Russia only with a customs declaration, which this adapter does not write, so
//! both ends must be in Russia.

mod book;
mod client;
mod quote;
pub mod sandbox;
mod tracking;

use super::booking_memo::BookingMemo;
use super::budget::{pace, BudgetConfig};
use crate::track::{CarrierErrorKind, TrackError};
use crate::Registry;
use async_trait::async_trait;
use chrono::Utc;
use client::Otpravka;
use serde::Deserialize;
use shipgate_sdk::model::{TrackingNumber, TrackingUpdate};
use shipgate_sdk::{
    Booking, Capabilities, Carrier, CarrierInfo, ConnectorError, Label, LabelFormat, Rate,
    RateRequest, RequestBudget, ServiceInfo, ShipmentRequest,
};
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tracking::Tracking;

/// The registry code.
pub const CODE: &str = "russian_post";

/// The carrier file, embedded: tracking maps operation codes with the same table
/// `shipgate track --parse` uses.
const PROFILE: &str = include_str!("../../../../../mappings/carriers/russian_post.toml");

/// The mail types (`mail-type`, Otpravka enum "Вид РПО") this adapter sells: the
/// parcel products a shop sends.
const SERVICES: &[(&str, &str)] = &[
    ("POSTAL_PARCEL", "Посылка нестандартная"),
    ("PARCEL_CLASS_1", "Посылка 1-го класса"),
    ("EMS_OPTIMAL", "EMS оптимальное"),
];

fn service_name(code: &str) -> Option<&'static str> {
    SERVICES.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
}

/// A Russian Post account's settings, from the host's `[[carriers]]` table.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The application token of the Otpravka account (`Authorization: AccessToken …`).
    pub access_token: String,
    /// The Otpravka account's login (the user key's first half).
    pub login: String,
    /// The Otpravka account's password (the user key's second half).
    pub password: String,
    /// The tracking API's login ("Access settings" on tracking.pochta.ru).
    pub tracking_login: String,
    /// The tracking API's password.
    pub tracking_password: String,
    /// The six-digit index of the post office the parcels are handed in at
    /// (`postoffice-code` of an order, `index-from` of a tariff).
    pub postoffice_code: String,
    /// `https://otpravka-api.pochta.ru` in production, the sandbox's URL in tests.
    #[serde(default = "default_base_url")]
    pub base_url: String,
    /// `https://tracking.russianpost.ru/rtm34` in production, the sandbox's in tests.
    #[serde(default = "default_tracking_url")]
    pub tracking_url: String,
    /// Per-request timeout.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
    /// This account's request budget (`requests_per_second`, `burst`, `max_wait_secs`),
    /// keyed `russian_post:<login>`; see [`super::budget`] for the default.
    #[serde(default)]
    pub request_budget: BudgetConfig,
}

fn default_base_url() -> String {
    "https://otpravka-api.pochta.ru".into()
}

fn default_tracking_url() -> String {
    "https://tracking.russianpost.ru/rtm34".into()
}

fn default_timeout() -> u64 {
    20
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("access_token", &"<redacted>")
            .field("login", &self.login)
            .field("password", &"<redacted>")
            .field("tracking_login", &self.tracking_login)
            .field("tracking_password", &"<redacted>")
            .field("postoffice_code", &self.postoffice_code)
            .field("base_url", &self.base_url)
            .field("tracking_url", &self.tracking_url)
            .field("request_budget", &self.request_budget)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// Refuses settings the APIs would refuse on every call, naming the field.
    fn check(&self) -> Result<(), ConnectorError> {
        let refuse = |message: String| ConnectorError::Rejected {
            status: None,
            message: format!("{CODE} settings: {message}"),
        };
        for (field, value) in [
            ("access_token", &self.access_token),
            ("login", &self.login),
            ("password", &self.password),
            ("tracking_login", &self.tracking_login),
            ("tracking_password", &self.tracking_password),
        ] {
            if value.trim().is_empty() {
                return Err(refuse(format!("{field} is empty")));
            }
        }
        if !book::is_index(&self.postoffice_code) {
            return Err(refuse(format!(
                "postoffice_code must be a six-digit post office index, got {:?}",
                self.postoffice_code
            )));
        }
        Ok(())
    }
}

/// The Russian Post adapter.
pub struct RussianPost {
    info: CarrierInfo,
    config: Config,
    otpravka: Otpravka,
    tracking: Tracking,
    registry: Registry,
    /// Bookings made by this process, by idempotency key: the Otpravka API takes no
    /// idempotency key, so a retried `book` would create a second order.
    booked: BookingMemo,
    /// Orders created under an idempotency key whose booking did not finish (barcode
    /// or label not read yet): a retry goes on with that order instead of creating
    /// another.
    created: Mutex<HashMap<String, u64>>,
}

impl fmt::Debug for RussianPost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RussianPost")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Builds the adapter from its settings table (the [`super::Constructor`] of
/// `russian_post`).
pub fn build(
    settings: toml::Table,
    http: reqwest::Client,
    budget: Arc<dyn RequestBudget>,
) -> Result<Arc<dyn Carrier>, ConnectorError> {
    Ok(Arc::new(
        RussianPost::new(super::settings(CODE, settings)?, http)?.with_budget(budget),
    ))
}

impl RussianPost {
    /// Makes every call wait on `budget` (the host's, shared by all its workers and,
    /// through Redis, by other processes) instead of a budget of this adapter alone.
    pub fn with_budget(mut self, budget: Arc<dyn RequestBudget>) -> Self {
        self.otpravka.pace.set_budget(budget.clone());
        self.tracking.pace.set_budget(budget);
        self
    }

    /// An adapter for one account; settings the APIs would refuse are refused here.
    pub fn new(config: Config, http: reqwest::Client) -> Result<Self, ConnectorError> {
        let pace = pace("russian_post", &config.login, &config.request_budget)?;
        config.check()?;
        let registry = super::embedded_profile(CODE, PROFILE)?;
        let timeout = Duration::from_secs(config.timeout_secs);
        let otpravka = Otpravka::new(
            http.clone(),
            &config.base_url,
            &config.access_token,
            (&config.login, &config.password),
            timeout,
            pace.clone(),
        );
        let tracking = Tracking::new(
            http,
            &config.tracking_url,
            (&config.tracking_login, &config.tracking_password),
            timeout,
            pace,
        );
        let info = CarrierInfo {
            code: CODE.into(),
            name: "Russian Post".into(),
            origin_countries: vec![book::russia()],
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
            otpravka,
            tracking,
            registry,
            booked: BookingMemo::default(),
            created: Mutex::new(HashMap::new()),
        })
    }

    fn created(&self) -> std::sync::MutexGuard<'_, HashMap<String, u64>> {
        self.created.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[async_trait]
impl Carrier for RussianPost {
    fn info(&self) -> &CarrierInfo {
        &self.info
    }

    /// One tariff call per mail type (or for the one asked for). A mail type Russian
    /// Post refuses on this lane is left out when all were asked for.
    async fn quote(&self, request: &RateRequest) -> Result<Vec<Rate>, ConnectorError> {
        let lane = book::lane(&request.ship_to, &request.parcels)?;
        let wanted: Vec<&str> = match request.service.as_deref() {
            Some(code) => {
                service_name(code).ok_or_else(|| ConnectorError::Rejected {
                    status: None,
                    message: format!("{CODE}: unknown mail type {code:?}"),
                })?;
                vec![code]
            }
            None => SERVICES.iter().map(|(code, _)| *code).collect(),
        };
        let mut rates = Vec::new();
        for mail_type in wanted {
            let body = quote::request(
                &self.config.postoffice_code,
                &lane,
                mail_type,
                request.declared_value.as_ref(),
            )?;
            let raw = match self.otpravka.send_json("POST", "/1.0/tariff", &body).await {
                Ok(raw) => raw,
                Err(ConnectorError::Rejected { .. }) if request.service.is_none() => continue,
                Err(e) => return Err(e),
            };
            let name = service_name(mail_type).unwrap_or(mail_type);
            rates.push(quote::parse(&raw, mail_type, name)?);
        }
        Ok(rates)
    }

    async fn book(&self, request: &ShipmentRequest) -> Result<Booking, ConnectorError> {
        if let Some(done) = self.booked.get(&request.idempotency_key) {
            return Ok(done);
        }
        if request.label_format != LabelFormat::Pdf {
            return Err(ConnectorError::Rejected {
                status: None,
                message: format!("{CODE}: the Otpravka forms are PDF files; ask for PDF"),
            });
        }
        if service_name(&request.service).is_none() {
            return Err(ConnectorError::Rejected {
                status: None,
                message: format!("{CODE}: unknown mail type {:?}", request.service),
            });
        }
        let known = self.created().get(&request.idempotency_key).copied();
        let id = match known {
            Some(id) => id,
            None => {
                let lane = book::lane(&request.ship_to, &request.parcels)?;
                let order = book::order(request, &lane, &self.config.postoffice_code)?;
                let raw = self
                    .otpravka
                    .send_json("PUT", "/1.0/user/backlog", &serde_json::json!([order]))
                    .await?;
                let id = book::created(&raw)?;
                self.created().insert(request.idempotency_key.clone(), id);
                id
            }
        };
        let raw = self.otpravka.get(&format!("/1.0/backlog/{id}")).await?;
        let (barcode, price) = book::order_info(&raw, id)?;
        let number =
            TrackingNumber::parse(&barcode).map_err(|e| ConnectorError::UnexpectedShape {
                reason: format!("{CODE} order {id} barcode: {e}"),
                raw: raw.clone(),
            })?;
        let content = self
            .otpravka
            .get(&format!("/1.0/forms/{id}/forms?print-type=THERMO"))
            .await?;
        if !content.starts_with(b"%PDF") {
            return Err(ConnectorError::UnexpectedShape {
                reason: format!("{CODE} forms of order {id}: not a PDF"),
                raw: content,
            });
        }
        let booking = Booking {
            carrier: CODE.into(),
            shipment_id: id.to_string(),
            tracking_numbers: vec![number],
            label: Label {
                format: LabelFormat::Pdf,
                content,
            },
            price: Some(price),
            booked_at: Utc::now(),
        };
        self.booked.remember(&request.idempotency_key, &booking);
        self.created().remove(&request.idempotency_key);
        Ok(booking)
    }

    /// One `getOperationHistory` call per number; numbers without operations (or that
    /// Russian Post cannot track) are left out, the others kept.
    async fn track(
        &self,
        numbers: &[TrackingNumber],
    ) -> Result<Vec<TrackingUpdate>, ConnectorError> {
        let mut updates = Vec::new();
        for number in numbers {
            let raw = self.tracking.history(number.as_str()).await?;
            match self
                .registry
                .parse_tracking(CODE, &raw.body, Some(number.as_str()))
            {
                Ok(found) => updates.extend(found),
                Err(TrackError::Carrier {
                    kind: CarrierErrorKind::NotFound,
                    ..
                }) => {}
                Err(TrackError::Carrier {
                    kind: CarrierErrorKind::Unauthorized,
                    code,
                    message,
                    ..
                }) => {
                    return Err(ConnectorError::Unauthorized {
                        status: raw.status,
                        message: format!("{}: {message}", code.unwrap_or_default()),
                    })
                }
                Err(TrackError::Carrier { code, message, .. }) => {
                    return Err(ConnectorError::Rejected {
                        status: Some(raw.status),
                        message: format!("{}: {message}", code.unwrap_or_default()),
                    })
                }
                Err(e) if !raw.is_success() => return Err(raw.error(&e.to_string())),
                Err(e) => {
                    return Err(ConnectorError::UnexpectedShape {
                        reason: e.to_string(),
                        raw: raw.body,
                    })
                }
            }
        }
        Ok(updates)
    }

    async fn cancel(&self, booking: &Booking) -> Result<(), ConnectorError> {
        let id: u64 = booking
            .shipment_id
            .parse()
            .map_err(|_| ConnectorError::Rejected {
                status: None,
                message: format!(
                    "{CODE}: shipment id {:?} is not an Otpravka order id",
                    booking.shipment_id
                ),
            })?;
        let raw = self
            .otpravka
            .send_json("DELETE", "/1.0/backlog", &serde_json::json!([id]))
            .await?;
        book::deleted(&raw, id)
    }
}
