//! The own fleet: a merchant's or a 3PL's local delivery service (vans and bikes of its
//! own), offered beside the carriers in rate shopping and booked the same way.
//!
//! Prices come from a tariff file in `mappings/fleet/` (zones by postal-code prefix or
//! distance ring, per-km, weight bands with volumetric weight, size limits, insurance),
//! one tariff per merchant group ([`tariff`], [`price`]). Booking issues our own tracking
//! numbers (`SGF…`, registered in `mappings/carriers/own_fleet.toml`) and prints a ZPL or
//! PDF label; tracking answers from the fleet's records, which the host advances as
//! drivers report ([`FleetLedger::advance`]).
//!
//! Settings (`[[carriers]]` table of the host): `tariff_file = "mappings/fleet/….toml"`.

mod geo;
mod label;
mod ledger;
mod number;
mod price;
pub mod tariff;

pub use ledger::{FleetEvent, FleetLedger};

use async_trait::async_trait;
use chrono::Utc;
use label::{address_lines, render, LabelPage};
use serde::Deserialize;
use shipgate_sdk::model::{TrackingNumber, TrackingUpdate};
use shipgate_sdk::{
    Booking, Capabilities, Carrier, CarrierInfo, ConnectorError, Rate, RateRequest, ServiceInfo,
    ShipmentRequest,
};
use std::path::PathBuf;
use std::sync::Arc;
use tariff::Tariff;

/// The registry code of the own fleet.
pub const CODE: &str = "own_fleet";

/// The adapter's settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The tariff file to price with.
    pub tariff_file: PathBuf,
}

/// The own-fleet adapter.
#[derive(Debug)]
pub struct OwnFleet {
    info: CarrierInfo,
    tariff: Tariff,
    ledger: FleetLedger,
}

/// The [`super::Constructor`] of the own fleet: reads the tariff file named in the
/// settings. The shared HTTP client and the request budget are not needed: the fleet
/// has no remote API.
pub fn build(
    settings: toml::Table,
    _http: reqwest::Client,
    _budget: Arc<dyn shipgate_sdk::RequestBudget>,
) -> Result<Arc<dyn Carrier>, ConnectorError> {
    let config: Config = super::settings(CODE, settings)?;
    let tariff = Tariff::load(&config.tariff_file).map_err(|e| ConnectorError::Rejected {
        status: None,
        message: e.to_string(),
    })?;
    Ok(Arc::new(OwnFleet::new(tariff)))
}

impl OwnFleet {
    /// An adapter pricing with `tariff`, with empty records.
    pub fn new(tariff: Tariff) -> Self {
        let info = CarrierInfo {
            code: CODE.to_string(),
            name: tariff.name.clone(),
            origin_countries: vec![tariff.country],
            services: tariff
                .services
                .iter()
                .map(|s| ServiceInfo {
                    code: s.code.clone(),
                    name: s.name.clone(),
                })
                .collect(),
            capabilities: Capabilities {
                quote: true,
                book: true,
                track: true,
                cancel: true,
            },
        };
        Self {
            info,
            tariff,
            ledger: FleetLedger::default(),
        }
    }

    /// The fleet's records, for the host to report drivers' events into.
    pub fn ledger(&self) -> FleetLedger {
        self.ledger.clone()
    }
}

#[async_trait]
impl Carrier for OwnFleet {
    fn info(&self) -> &CarrierInfo {
        &self.info
    }

    async fn quote(&self, request: &RateRequest) -> Result<Vec<Rate>, ConnectorError> {
        price::quote(&self.tariff, CODE, request)
    }

    /// Books at the price [`Carrier::quote`] gives the request's merchant for the chosen
    /// service: the fleet has no remote price list, so the tariff is the invoice.
    async fn book(&self, request: &ShipmentRequest) -> Result<Booking, ConnectorError> {
        let now = Utc::now();
        self.ledger.book(request, now, |numbers| {
            let rate = price::quote(
                &self.tariff,
                CODE,
                &RateRequest {
                    merchant: request.merchant.clone(),
                    ship_from: request.ship_from.clone(),
                    ship_to: request.ship_to.clone(),
                    parcels: request.parcels.clone(),
                    declared_value: request.declared_value,
                    service: Some(request.service.clone()),
                },
            )?
            .into_iter()
            .next()
            .ok_or_else(|| price::refuse(format!("no rate for service {:?}", request.service)))?;
            let count = numbers.len();
            let pages: Vec<LabelPage> = numbers
                .iter()
                .enumerate()
                .map(|(i, number)| LabelPage {
                    fleet: self.tariff.name.clone(),
                    service: rate.service_name.clone(),
                    number: number.clone(),
                    reference: request.reference.clone(),
                    parcel: format!("{}/{count}", i + 1),
                    to: address_lines(&request.ship_to),
                })
                .collect();
            let shipment_id = numbers
                .first()
                .map(|n| n.as_str().to_string())
                .unwrap_or_default();
            Ok(Booking {
                carrier: CODE.to_string(),
                shipment_id,
                tracking_numbers: numbers,
                label: render(&pages, request.label_format),
                price: Some(rate.price),
                booked_at: now,
            })
        })
    }

    async fn track(
        &self,
        numbers: &[TrackingNumber],
    ) -> Result<Vec<TrackingUpdate>, ConnectorError> {
        Ok(self.ledger.track(numbers))
    }

    async fn cancel(&self, booking: &Booking) -> Result<(), ConnectorError> {
        self.ledger.cancel(booking, Utc::now())
    }
}
