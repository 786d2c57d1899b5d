//! CDEK (СДЭК) through its integration API v2 (production `https://api.cdek.ru/v2`,
//! test `https://api.edu.cdek.ru/v2`, as <https://api-docs.cdek.ru/33828799.html> and
//! the newer <https://apidoc.cdek.ru> give them): OAuth 2.0 client credentials
//! ([`client`]), the calculator `calculator/tarifflist` for prices ([`quote`]), order
//! registration, barcode labels and deletion ([`book`]), and order details by
//! `cdek_number` for tracking.
//!
//! Registration is asynchronous: `POST /orders` only accepts the request, the
//! `cdek_number` appears later on `GET /orders/{uuid}`, and the label is a print form
//! made in the background. `book` polls both, a bounded number of times at a configured
//! interval; an order still pending when the attempts run out is remembered under the
//! idempotency key, so the retried `book` resumes it instead of registering a second one.
//!
//! Order details are read by [`crate::track`]'s `cdek` parser with the statuses of
//! `mappings/carriers/cdek.toml`.

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
use reqwest::{Method, Url};
use serde::Deserialize;
use shipgate_sdk::model::{Currency, TrackingNumber, TrackingUpdate};
use shipgate_sdk::oauth::{ClientAuth, Grant, OAuthClient, TokenSource};
use shipgate_sdk::{
    Booking, Capabilities, Carrier, CarrierInfo, ConnectorError, Label, LabelFormat, Rate,
    RateRequest, RequestBudget, ServiceInfo, ShipmentRequest,
};
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The registry code.
pub const CODE: &str = "cdek";

/// The carrier file, embedded: tracking maps CDEK's status codes with the same table
/// `shipgate track --parse` uses.
const PROFILE: &str = include_str!("../../../../../mappings/carriers/cdek.toml");

/// CDEK "Посылка" (parcel) tariffs of the tariff appendix: code, name, and whether the
/// parcel starts at a CDEK office ("склад", the sender drops it at `shipment_point`) and
/// ends at one (the buyer collects it at `delivery_point`). The order-registration page
/// makes `shipment_point` mandatory for "from warehouse" tariffs and `delivery_point` for
/// "to warehouse" ones (<https://api-docs.cdek.ru/33828802.html>, fields 7 and 8).
const SERVICES: &[(&str, &str, bool, bool)] = &[
    (
        "136",
        "Посылка склад-склад (parcel, office to office)",
        true,
        true,
    ),
    (
        "137",
        "Посылка склад-дверь (parcel, office to door)",
        true,
        false,
    ),
    (
        "138",
        "Посылка дверь-склад (parcel, door to office)",
        false,
        true,
    ),
    (
        "139",
        "Посылка дверь-дверь (parcel, door to door)",
        false,
        false,
    ),
];

fn service_name(code: &str) -> String {
    SERVICES
        .iter()
        .find(|(c, ..)| *c == code)
        .map(|(_, n, ..)| (*n).to_string())
        .unwrap_or_else(|| format!("CDEK tariff {code}"))
}

/// Whether tariff `code` starts and ends at a CDEK office; doors for tariffs not in the
/// table, which CDEK then checks itself.
fn ends(code: &str) -> (bool, bool) {
    SERVICES
        .iter()
        .find(|(c, ..)| *c == code)
        .map(|(_, _, from, to)| (*from, *to))
        .unwrap_or((false, false))
}

/// The barcode print formats CDEK makes.
const LABEL_SIZES: &[&str] = &["A4", "A5", "A6"];

/// A CDEK account's settings, from the host's `[[carriers]]` table.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The account (`client_id`) from CDEK's personal area.
    pub client_id: String,
    /// The secure password (`client_secret`).
    pub client_secret: String,
    /// `https://api.cdek.ru/v2` in production, `https://api.edu.cdek.ru/v2` for CDEK's
    /// test environment, the sandbox's URL in tests.
    #[serde(default = "default_base_url")]
    pub base_url: String,
    /// The contract's currency, in which the calculator's sums are given (ISO 4217).
    #[serde(default = "default_currency")]
    pub currency: String,
    /// Order type: 1 "e-shop" (e-shop contracts only; each package then lists one line
    /// of goods) or 2 "delivery" (any contract, no goods list), the default.
    #[serde(default = "default_order_type")]
    pub order_type: u8,
    /// The code of the CDEK office (PVZ) the merchant drops parcels at, for tariffs that
    /// start at an office (136, 137); without it only door pick-up tariffs are offered.
    #[serde(default)]
    pub shipment_point: Option<String>,
    /// Barcode label page size: `A4`, `A5` or `A6`.
    #[serde(default = "default_label_size")]
    pub label_size: String,
    /// Wait between two polls of a pending registration or print form.
    #[serde(default = "default_poll_interval")]
    pub poll_interval_ms: u64,
    /// Polls of each before `book` gives up (and a retry resumes the same order).
    #[serde(default = "default_poll_attempts")]
    pub poll_attempts: u32,
    /// Per-request timeout.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
    /// This account's request budget (`requests_per_second`, `burst`, `max_wait_secs`),
    /// keyed `cdek:<client_id>`; see [`super::budget`] for the default.
    #[serde(default)]
    pub request_budget: BudgetConfig,
}

fn default_base_url() -> String {
    "https://api.cdek.ru/v2".into()
}

fn default_currency() -> String {
    "RUB".into()
}

fn default_order_type() -> u8 {
    2
}

fn default_label_size() -> String {
    "A6".into()
}

fn default_poll_interval() -> u64 {
    1000
}

fn default_poll_attempts() -> u32 {
    30
}

fn default_timeout() -> u64 {
    20
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("base_url", &self.base_url)
            .field("currency", &self.currency)
            .field("order_type", &self.order_type)
            .field("shipment_point", &self.shipment_point)
            .field("label_size", &self.label_size)
            .field("request_budget", &self.request_budget)
            .finish_non_exhaustive()
    }
}

/// A settings value the adapter cannot work with, named by its field.
fn bad_setting(field: &str, why: String) -> ConnectorError {
    ConnectorError::Rejected {
        status: None,
        message: format!("cdek settings: {field}: {why}"),
    }
}

impl Config {
    /// Checks the values serde cannot: every refusal names the field.
    fn check(&self) -> Result<Currency, ConnectorError> {
        if Url::parse(&self.base_url).is_err() {
            return Err(bad_setting(
                "base_url",
                format!("{:?} is not a URL", self.base_url),
            ));
        }
        if !matches!(self.order_type, 1 | 2) {
            return Err(bad_setting(
                "order_type",
                format!("{} is neither 1 (e-shop) nor 2 (delivery)", self.order_type),
            ));
        }
        if !LABEL_SIZES.contains(&self.label_size.as_str()) {
            return Err(bad_setting(
                "label_size",
                format!("{:?} is not one of {LABEL_SIZES:?}", self.label_size),
            ));
        }
        if self
            .shipment_point
            .as_deref()
            .is_some_and(|p| p.trim().is_empty())
        {
            return Err(bad_setting("shipment_point", "is empty".into()));
        }
        if self.poll_attempts == 0 {
            return Err(bad_setting("poll_attempts", "must be at least 1".into()));
        }
        Currency::parse(&self.currency).map_err(|e| bad_setting("currency", e.to_string()))
    }
}

/// The CDEK adapter.
pub struct Cdek {
    info: CarrierInfo,
    config: Config,
    currency: Currency,
    client: Client,
    registry: Registry,
    /// Bookings made by this process, by idempotency key: CDEK documents no refusal of a
    /// repeated order `number`, so a retried `book` must not register a second order.
    booked: BookingMemo,
    /// Orders accepted but not yet registered or labelled when `book` gave up, by
    /// idempotency key: the retry resumes them.
    pending: Mutex<HashMap<String, Pending>>,
}

/// A booking `book` gave up waiting on: the order, and its label's print form once
/// ordered.
#[derive(Clone)]
struct Pending {
    order: String,
    form: Option<String>,
}

impl fmt::Debug for Cdek {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cdek")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Builds the adapter from its settings table (the [`super::Constructor`] of `cdek`).
pub fn build(
    settings: toml::Table,
    http: reqwest::Client,
    budget: Arc<dyn RequestBudget>,
) -> Result<Arc<dyn Carrier>, ConnectorError> {
    Ok(Arc::new(
        Cdek::new(super::settings(CODE, settings)?, http)?.with_budget(budget),
    ))
}

impl Cdek {
    /// Makes every call wait on `budget` (the host's, shared by all its workers and,
    /// through Redis, by other processes) instead of a budget of this adapter alone.
    pub fn with_budget(mut self, budget: Arc<dyn RequestBudget>) -> Self {
        self.client.pace.set_budget(budget);
        self
    }

    /// An adapter for one CDEK account; refuses settings it cannot work with.
    pub fn new(config: Config, http: reqwest::Client) -> Result<Self, ConnectorError> {
        let pace = pace("cdek", &config.client_id, &config.request_budget)?;
        let currency = config.check()?;
        let registry = super::embedded_profile(CODE, PROFILE)?;
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
            code: CODE.into(),
            name: "CDEK".into(),
            origin_countries: Vec::new(),
            services: SERVICES
                .iter()
                .map(|(code, name, ..)| ServiceInfo {
                    code: (*code).into(),
                    name: (*name).into(),
                })
                .collect(),
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
            currency,
            client,
            registry,
            booked: BookingMemo::default(),
            pending: Mutex::new(HashMap::new()),
        })
    }

    /// The registration body of `request`, refused before any call when its tariff needs
    /// an office the request or the settings do not name.
    fn order(&self, request: &ShipmentRequest) -> Result<serde_json::Value, ConnectorError> {
        let (from_office, to_office) = ends(&request.service);
        if to_office {
            return Err(ConnectorError::Rejected {
                status: None,
                message: format!(
                    "cdek: tariff {} ends at a CDEK office, and the shipment request names \
                     no delivery_point (the buyer's office); book a tariff to the door",
                    request.service
                ),
            });
        }
        let drop_off = match (from_office, self.config.shipment_point.as_deref()) {
            (true, None) => {
                return Err(bad_setting(
                    "shipment_point",
                    format!(
                        "tariff {} starts at a CDEK office: set the office parcels are \
                         dropped at",
                        request.service
                    ),
                ))
            }
            (true, Some(point)) => Some(point),
            (false, _) => None,
        };
        book::order(request, self.config.order_type, drop_off)
    }

    fn pending(&self) -> std::sync::MutexGuard<'_, HashMap<String, Pending>> {
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }

    async fn pause(&self) {
        tokio::time::sleep(Duration::from_millis(self.config.poll_interval_ms)).await;
    }

    /// Gives up waiting on `what` of order `uuid`: retryable, and the retry resumes it.
    fn still_pending(&self, what: &str, uuid: &str) -> ConnectorError {
        ConnectorError::Remote {
            status: 202,
            message: format!(
                "cdek order {uuid}: {what} not ready after {} polls; retry to resume it",
                self.config.poll_attempts
            ),
        }
    }

    /// Polls order `uuid` until it has its `cdek_number`.
    async fn registration(&self, uuid: &str) -> Result<String, ConnectorError> {
        for attempt in 0..self.config.poll_attempts {
            if attempt > 0 {
                self.pause().await;
            }
            let raw = self
                .client
                .call(Method::GET, &format!("/orders/{uuid}"), None)
                .await?;
            if let Some(number) = book::registered(&raw)? {
                return Ok(number);
            }
        }
        Err(self.still_pending("registration", uuid))
    }

    /// Orders the barcode label of order `uuid` (unless the pending booking under `key`
    /// already did), waits for it and downloads the PDF.
    async fn label(&self, key: &str, uuid: &str) -> Result<Vec<u8>, ConnectorError> {
        let ordered = self.pending().get(key).and_then(|p| p.form.clone());
        let form = match ordered {
            Some(form) => form,
            None => {
                let raw = self
                    .client
                    .call(
                        Method::POST,
                        "/print/barcodes",
                        Some(&book::print(uuid, &self.config.label_size)),
                    )
                    .await?;
                let form = book::accepted("print/barcodes", &raw)?;
                if let Some(p) = self.pending().get_mut(key) {
                    p.form = Some(form.clone());
                }
                form
            }
        };
        let mut link = None;
        for attempt in 0..self.config.poll_attempts {
            if attempt > 0 {
                self.pause().await;
            }
            let raw = self
                .client
                .call(Method::GET, &format!("/print/barcodes/{form}"), None)
                .await?;
            if let Some(url) = book::printed(&raw)? {
                link = Some(url);
                break;
            }
        }
        let url = link.ok_or_else(|| self.still_pending("barcode label", uuid))?;
        if !self.same_origin(&url) {
            // The bearer token goes only to CDEK's own API host.
            return Err(ConnectorError::UnexpectedShape {
                reason: format!("cdek print form url {url:?} is not under the API root"),
                raw: url.into_bytes(),
            });
        }
        let answer = self.client.send(Method::GET, &url, None).await?;
        if !answer.is_success() {
            return Err(client::refusal(&answer));
        }
        if !answer.body.starts_with(b"%PDF") {
            return Err(ConnectorError::UnexpectedShape {
                reason: "cdek barcode label is not a PDF".into(),
                raw: answer.body,
            });
        }
        Ok(answer.body)
    }

    fn same_origin(&self, url: &str) -> bool {
        match (Url::parse(url), Url::parse(self.client.base())) {
            (Ok(link), Ok(base)) => {
                link.scheme() == base.scheme()
                    && link.host_str() == base.host_str()
                    && link.port_or_known_default() == base.port_or_known_default()
            }
            _ => false,
        }
    }
}

#[async_trait]
impl Carrier for Cdek {
    fn info(&self) -> &CarrierInfo {
        &self.info
    }

    async fn quote(&self, request: &RateRequest) -> Result<Vec<Rate>, ConnectorError> {
        let body = quote::request(request, self.config.order_type);
        let raw = self
            .client
            .call(Method::POST, "/calculator/tarifflist", Some(&body))
            .await?;
        // Only what `book` can register: door delivery (the request names no buyer's
        // office), from a door or, with a drop-off office configured, from an office.
        let from_office = self.config.shipment_point.is_some();
        quote::parse(&raw, self.currency, request.service.as_deref(), |mode| {
            mode == quote::DOOR_TO_DOOR || (from_office && mode == quote::OFFICE_TO_DOOR)
        })
    }

    async fn book(&self, request: &ShipmentRequest) -> Result<Booking, ConnectorError> {
        if let Some(done) = self.booked.get(&request.idempotency_key) {
            return Ok(done);
        }
        if request.label_format != LabelFormat::Pdf {
            return Err(ConnectorError::Rejected {
                status: None,
                message: "cdek: barcode labels are PDF print forms; ask for PDF".into(),
            });
        }
        let key = request.idempotency_key.as_str();
        let resumed = self.pending().get(key).map(|p| p.order.clone());
        let uuid = match resumed {
            Some(uuid) => uuid,
            None => {
                let body = self.order(request)?;
                let raw = self
                    .client
                    .call(Method::POST, "/orders", Some(&body))
                    .await?;
                let uuid = book::accepted("orders", &raw)?;
                self.pending().insert(
                    key.to_string(),
                    Pending {
                        order: uuid.clone(),
                        form: None,
                    },
                );
                uuid
            }
        };
        let number = match self.registration(&uuid).await {
            Ok(number) => number,
            Err(e @ ConnectorError::Rejected { .. }) => {
                // CDEK refused the order itself: nothing left to resume.
                self.pending().remove(key);
                return Err(e);
            }
            Err(e) => return Err(e),
        };
        let tracking =
            TrackingNumber::parse(&number).map_err(|e| ConnectorError::UnexpectedShape {
                reason: format!("cdek cdek_number: {e}"),
                raw: number.clone().into_bytes(),
            })?;
        let content = match self.label(key, &uuid).await {
            Ok(content) => content,
            Err(e @ ConnectorError::Rejected { .. }) => {
                // The print form was refused: a retry orders a new one for the same order.
                if let Some(p) = self.pending().get_mut(key) {
                    p.form = None;
                }
                return Err(e);
            }
            Err(e) => return Err(e),
        };
        let booking = Booking {
            carrier: CODE.into(),
            shipment_id: uuid,
            tracking_numbers: vec![tracking],
            label: Label {
                format: LabelFormat::Pdf,
                content,
            },
            price: None,
            booked_at: Utc::now(),
        };
        self.booked.remember(key, &booking);
        self.pending().remove(key);
        Ok(booking)
    }

    async fn track(
        &self,
        numbers: &[TrackingNumber],
    ) -> Result<Vec<TrackingUpdate>, ConnectorError> {
        let mut updates = Vec::with_capacity(numbers.len());
        for number in numbers {
            let path = format!("/orders?cdek_number={}", number.as_str());
            let answer = self.client.send(Method::GET, &path, None).await?;
            // CDEK answers an unknown order with 400 and its error body; the parser tells
            // "not found" from other refusals, and unknown numbers are left out.
            let body = match answer.status {
                200 | 400 | 404 => answer.body,
                _ => return Err(client::refusal(&answer)),
            };
            match self
                .registry
                .parse_tracking(CODE, &body, Some(number.as_str()))
            {
                Ok(mut found) => updates.append(&mut found),
                Err(crate::track::TrackError::Carrier {
                    kind: crate::track::CarrierErrorKind::NotFound,
                    ..
                }) => {}
                Err(crate::track::TrackError::Carrier {
                    kind: crate::track::CarrierErrorKind::Unauthorized,
                    message,
                    code,
                    ..
                }) => {
                    return Err(ConnectorError::Unauthorized {
                        status: 401,
                        message: format!("{}: {message}", code.unwrap_or_default()),
                    })
                }
                Err(crate::track::TrackError::Carrier { message, code, .. }) => {
                    return Err(ConnectorError::Rejected {
                        status: Some(answer.status),
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
        let raw = self
            .client
            .call(
                Method::DELETE,
                &format!("/orders/{}", booking.shipment_id),
                None,
            )
            .await?;
        book::accepted("orders/{uuid} DELETE", &raw).map(|_| ())
    }
}
