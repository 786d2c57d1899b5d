//! SF Express through its open platform (丰桥, sfapi): signed form posts to
//! `/std/service` (partner id + checkword, [`digest`]), with `EXP_RECE_QUERY_DELIVERTM`
//! for prices, `EXP_RECE_CREATE_ORDER` and `COM_RECE_CLOUD_PRINT_WAYBILLS` for the
//! waybill and its PDF label, `EXP_RECE_SEARCH_ROUTES` for tracking and
//! `EXP_RECE_UPDATE_ORDER` (dealType 2) to cancel, as on <https://open.sf-express.com>.
//!
//! Route answers are read by [`crate::track`]'s `sf_express` parser with the opCode
//! statuses of `mappings/carriers/sf_express.toml`.

mod book;
mod client;
pub(crate) mod digest;
mod quote;
pub mod sandbox;

use super::booking_memo::BookingMemo;
use super::budget::{pace, BudgetConfig};
use crate::Registry;
use async_trait::async_trait;
use chrono::Utc;
use client::Client;
use serde::Deserialize;
use serde_json::json;
use shipgate_sdk::model::{TrackingNumber, TrackingUpdate};
use shipgate_sdk::{
    Booking, Capabilities, Carrier, CarrierInfo, ConnectorError, Label, LabelFormat, Rate,
    RateRequest, RequestBudget, ServiceInfo, ShipmentRequest,
};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// The carrier file, embedded: tracking maps SF's opCodes with the same table
/// `shipgate track --parse` uses.
const PROFILE: &str = include_str!("../../../../../mappings/carriers/sf_express.toml");

/// SF products (`expressTypeId` / `businessType`).
const SERVICES: &[(&str, &str)] = &[
    ("1", "SF Standard Express (顺丰标快)"),
    ("2", "SF Economy Express (顺丰特惠)"),
    ("5", "SF Next Morning (顺丰次晨)"),
    ("6", "SF Same Day (顺丰即日)"),
];

fn service_name(code: &str) -> String {
    SERVICES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, n)| (*n).to_string())
        .unwrap_or_else(|| format!("SF product {code}"))
}

/// An SF open-platform partner's settings, from the host's `[[carriers]]` table.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The partner id (顾客编码).
    pub partner_id: String,
    /// The checkword (校验码) that signs requests.
    pub checkword: String,
    /// The monthly account (月结卡号) billed for waybills.
    pub monthly_card: String,
    /// The cloud-print template; SF's standard 150 mm one by default.
    #[serde(default)]
    pub template_code: Option<String>,
    /// `https://bspgw.sf-express.com` in production, `https://sfapi-sbox.sf-express.com`
    /// for SF's sandbox, the loopback sandbox's URL in tests.
    #[serde(default = "default_base_url")]
    pub base_url: String,
    /// Per-request timeout.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
    /// This account's request budget (`requests_per_second`, `burst`, `max_wait_secs`),
    /// keyed `sf_express:<partner_id>`; see [`super::budget`] for the default.
    #[serde(default)]
    pub request_budget: BudgetConfig,
}

fn default_base_url() -> String {
    "https://bspgw.sf-express.com".into()
}

fn default_timeout() -> u64 {
    20
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("partner_id", &self.partner_id)
            .field("checkword", &"<redacted>")
            .field("monthly_card", &"<redacted>")
            .field("base_url", &self.base_url)
            .field("request_budget", &self.request_budget)
            .finish_non_exhaustive()
    }
}

/// The SF Express adapter.
pub struct SfExpress {
    info: CarrierInfo,
    config: Config,
    client: Client,
    http: reqwest::Client,
    registry: Registry,
    /// Bookings made by this process, by idempotency key (SF itself refuses a repeated
    /// `orderId`, so a retry after a lost answer fails instead of buying twice).
    booked: BookingMemo,
}

impl fmt::Debug for SfExpress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SfExpress")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Builds the adapter from its settings table (the [`super::Constructor`] of
/// `sf_express`).
pub fn build(
    settings: toml::Table,
    http: reqwest::Client,
    budget: Arc<dyn RequestBudget>,
) -> Result<Arc<dyn Carrier>, ConnectorError> {
    Ok(Arc::new(
        SfExpress::new(super::settings("sf_express", settings)?, http)?.with_budget(budget),
    ))
}

impl SfExpress {
    /// Makes every call wait on `budget` (the host's, shared by all its workers and,
    /// through Redis, by other processes) instead of a budget of this adapter alone.
    pub fn with_budget(mut self, budget: Arc<dyn RequestBudget>) -> Self {
        self.client.pace.set_budget(budget);
        self
    }

    /// An adapter for one SF partner.
    pub fn new(config: Config, http: reqwest::Client) -> Result<Self, ConnectorError> {
        let pace = pace("sf_express", &config.partner_id, &config.request_budget)?;
        let registry = super::embedded_profile("sf_express", PROFILE)?;
        let client = Client::new(
            http.clone(),
            config.base_url.trim_end_matches('/').to_string(),
            (config.partner_id.clone(), config.checkword.clone()),
            Duration::from_secs(config.timeout_secs),
            pace,
        );
        let info = CarrierInfo {
            code: "sf_express".into(),
            name: "SF Express".into(),
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
            http,
            registry,
            booked: BookingMemo::default(),
        })
    }

    /// Prints the master waybill's PDF label and downloads it.
    async fn label(&self, waybill: &str) -> Result<Vec<u8>, ConnectorError> {
        let template = self
            .config
            .template_code
            .clone()
            .unwrap_or_else(|| format!("fm_150_standard_{}", self.config.partner_id));
        let reply = self
            .client
            .call(
                "COM_RECE_CLOUD_PRINT_WAYBILLS",
                &book::print(&template, waybill),
            )
            .await?;
        let (url, token) = book::printed(&reply.data, &reply.raw)?;
        self.client.pace.turn().await?;
        let response = self
            .http
            .get(&url)
            .header("X-Auth-token", token)
            .timeout(Duration::from_secs(self.config.timeout_secs))
            .send()
            .await
            .map_err(|e| ConnectorError::Transport(format!("sf_express label: {e}")))?;
        let status = response.status().as_u16();
        let body = response
            .bytes()
            .await
            .map_err(|e| ConnectorError::Transport(format!("sf_express label: {e}")))?
            .to_vec();
        if !(200..300).contains(&status) {
            return Err(shipgate_sdk::http::error_for_status(status, None, &body));
        }
        if !body.starts_with(b"%PDF") {
            return Err(ConnectorError::UnexpectedShape {
                reason: "sf_express label file is not a PDF".into(),
                raw: body,
            });
        }
        Ok(body)
    }
}

#[async_trait]
impl Carrier for SfExpress {
    fn info(&self) -> &CarrierInfo {
        &self.info
    }

    async fn quote(&self, request: &RateRequest) -> Result<Vec<Rate>, ConnectorError> {
        let reply = self
            .client
            .call("EXP_RECE_QUERY_DELIVERTM", &quote::request(request))
            .await?;
        quote::parse(&reply.data, &reply.raw)
    }

    async fn book(&self, request: &ShipmentRequest) -> Result<Booking, ConnectorError> {
        if let Some(done) = self.booked.get(&request.idempotency_key) {
            return Ok(done);
        }
        if request.label_format != LabelFormat::Pdf {
            return Err(ConnectorError::Rejected {
                status: None,
                message: "sf_express: cloud printing gives PDF labels; ask for PDF".into(),
            });
        }
        let body = book::request(request, &self.config.monthly_card)?;
        let reply = self.client.call("EXP_RECE_CREATE_ORDER", &body).await?;
        let waybills = book::waybills(&reply.data, &reply.raw)?;
        let numbers = waybills
            .iter()
            .map(|w| {
                TrackingNumber::parse(w).map_err(|e| ConnectorError::UnexpectedShape {
                    reason: format!("sf_express waybillNo: {e}"),
                    raw: reply.raw.clone(),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let content = self.label(&waybills[0]).await?;
        let booking = Booking {
            carrier: "sf_express".into(),
            shipment_id: request.idempotency_key.clone(),
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
        if numbers.is_empty() {
            return Ok(Vec::new());
        }
        let asked: Vec<&str> = numbers.iter().map(TrackingNumber::as_str).collect();
        let body = json!({
            "language": "0",
            "trackingType": "1",
            "trackingNumber": asked,
            "methodType": "1",
        });
        let raw = self.client.raw("EXP_RECE_SEARCH_ROUTES", &body).await?;
        match self.registry.parse_tracking("sf_express", &raw, None) {
            Ok(found) => Ok(found),
            Err(crate::track::TrackError::Carrier {
                kind: crate::track::CarrierErrorKind::NotFound,
                ..
            }) => Ok(Vec::new()),
            Err(crate::track::TrackError::Carrier {
                kind: crate::track::CarrierErrorKind::Unauthorized,
                message,
                code,
                ..
            }) => Err(ConnectorError::Unauthorized {
                status: 401,
                message: format!("{}: {message}", code.unwrap_or_default()),
            }),
            Err(crate::track::TrackError::Carrier { message, code, .. }) => {
                Err(ConnectorError::Rejected {
                    status: None,
                    message: format!("{}: {message}", code.unwrap_or_default()),
                })
            }
            Err(e) => Err(ConnectorError::UnexpectedShape {
                reason: e.to_string(),
                raw,
            }),
        }
    }

    async fn cancel(&self, booking: &Booking) -> Result<(), ConnectorError> {
        self.client
            .call("EXP_RECE_UPDATE_ORDER", &book::cancel(&booking.shipment_id))
            .await?;
        Ok(())
    }
}
