//! DPD (DPD Germany / DPD Group web services, SOAP): LoginService `getAuth` gives a
//! token sent in the `authentication` header of every call; ShipmentService 4.4
//! `storeOrders` books and labels (PDF or ZPL); ParcelLifeCycleService 2.0
//! `getTrackingData` tracks, read by the registry's `dpd` parser. That family publishes
//! no rating operation and no cancel operation (a stored order is voided through
//! DPD's customer portal): both are refused with that explanation.

mod book;
mod client;
pub mod sandbox;
mod soap;

use super::budget::{pace, BudgetConfig};
use crate::adapters::chronopost::support::{profile_registry, tracking_update};
use crate::adapters::settings;
use crate::Registry;
use async_trait::async_trait;
use chrono::Utc;
use client::{Client, LIFECYCLE, SHIPMENT};
use serde::Deserialize;
use shipgate_sdk::model::{TrackingNumber, TrackingUpdate};
use shipgate_sdk::{
    Booking, Capabilities, Carrier, CarrierInfo, ConnectorError, Label, Rate, RateRequest,
    RequestBudget, ServiceInfo, ShipmentRequest,
};
use soap::leaf;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

/// The registry code.
pub const CODE: &str = "dpd";

const SERVICES: &[(&str, &str)] = &[
    ("CL", "DPD Classic"),
    ("E12", "DPD Express 12"),
    ("PM2", "DPD Predict"),
];

/// The `[[carriers]]` settings of DPD.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The DELIS user id.
    pub delis_id: String,
    /// Its password.
    pub password: String,
    /// The sending depot (four digits) printed on labels.
    pub sending_depot: String,
    /// The web-services host, `https://public-ws.dpd.com` in production.
    #[serde(default = "default_base_url")]
    pub base_url: String,
    /// The folder of carrier profiles, whose `dpd.toml` maps tracking codes.
    #[serde(default = "default_mappings_dir")]
    pub mappings_dir: PathBuf,
    /// This account's request budget (`requests_per_second`, `burst`, `max_wait_secs`),
    /// keyed `dpd:<delis_id>`; see [`super::budget`] for the default.
    #[serde(default)]
    pub request_budget: BudgetConfig,
}

fn default_base_url() -> String {
    "https://public-ws.dpd.com".into()
}

fn default_mappings_dir() -> PathBuf {
    PathBuf::from("mappings/carriers")
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("delis_id", &self.delis_id)
            .field("password", &"<redacted>")
            .field("sending_depot", &self.sending_depot)
            .field("base_url", &self.base_url)
            .field("request_budget", &self.request_budget)
            .finish_non_exhaustive()
    }
}

/// The DPD adapter.
pub struct Dpd {
    info: CarrierInfo,
    client: Client,
    depot: String,
    registry: Registry,
}

impl fmt::Debug for Dpd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dpd")
            .field("depot", &self.depot)
            .finish_non_exhaustive()
    }
}

impl Dpd {
    /// Makes every call wait on `budget` (the host's, shared by all its workers and,
    /// through Redis, by other processes) instead of a budget of this adapter alone.
    pub fn with_budget(mut self, budget: Arc<dyn RequestBudget>) -> Self {
        self.client.pace.set_budget(budget);
        self
    }

    /// Builds the adapter from its settings.
    pub fn new(config: Config, http: reqwest::Client) -> Result<Self, ConnectorError> {
        let pace = pace("dpd", &config.delis_id, &config.request_budget)?;
        Ok(Self {
            registry: profile_registry(&config.mappings_dir, CODE)?,
            info: CarrierInfo {
                code: CODE.into(),
                name: "DPD".into(),
                origin_countries: Vec::new(),
                services: ServiceInfo::table(SERVICES),
                capabilities: Capabilities {
                    quote: false,
                    book: true,
                    track: true,
                    cancel: false,
                },
            },
            client: Client::new(
                http,
                &config.base_url,
                config.delis_id,
                config.password,
                pace,
            ),
            depot: config.sending_depot,
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
impl Carrier for Dpd {
    fn info(&self) -> &CarrierInfo {
        &self.info
    }

    async fn quote(&self, _request: &RateRequest) -> Result<Vec<Rate>, ConnectorError> {
        Err(ConnectorError::Rejected {
            status: None,
            message: "DPD's web services have no rating operation: prices are the merchant's contract with DPD".into(),
        })
    }

    async fn book(&self, request: &ShipmentRequest) -> Result<Booking, ConnectorError> {
        if request.parcels.is_empty() {
            return Err(ConnectorError::Rejected {
                status: None,
                message: "DPD booking: no parcel to ship".into(),
            });
        }
        let answer = self
            .client
            .call(SHIPMENT, &book::request(&self.depot, request))
            .await?;
        let (numbers, content) = book::parse(&answer)?;
        let tracking_numbers = numbers
            .iter()
            .map(|n| {
                TrackingNumber::parse(n).map_err(|e| ConnectorError::UnexpectedShape {
                    reason: format!("parcelLabelNumber: {e}"),
                    raw: answer.clone(),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
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
            let body = format!(
                r#"<ns:getTrackingData xmlns:ns="http://dpd.com/common/service/types/ParcelLifeCycleService/2.0">{}</ns:getTrackingData>"#,
                leaf("parcelLabelNumber", number.as_str())
            );
            let answer = self.client.call(LIFECYCLE, &body).await?;
            if let Some(update) = tracking_update(&self.registry, CODE, &answer, number.as_str())? {
                updates.push(update);
            }
        }
        Ok(updates)
    }

    async fn cancel(&self, booking: &Booking) -> Result<(), ConnectorError> {
        Err(ConnectorError::Rejected {
            status: None,
            message: format!(
                "DPD's ShipmentService has no cancel operation: void parcel {} in DPD's customer portal before pick-up",
                booking.shipment_id
            ),
        })
    }
}
