//! Carriers: who moves the parcels. One trait every carrier adapter implements, whatever
//! its API (REST with OAuth2, REST with an API key, SOAP), so rate shopping, booking and
//! tracking in the host never know which carrier they talk to.

use crate::error::ConnectorError;
use crate::model::{Address, CountryCode, Money, TrackingNumber, TrackingUpdate};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// What an adapter can do, so the host offers only what works (a carrier without a rating
/// API is left out of rate shopping with that reason instead of failing).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capabilities {
    /// Answers rate requests.
    pub quote: bool,
    /// Creates shipments and labels.
    pub book: bool,
    /// Answers tracking requests.
    pub track: bool,
    /// Voids a booked shipment.
    pub cancel: bool,
}

/// One service level a carrier sells (UPS `03` Ground, Colissimo `DOM`…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceInfo {
    /// The carrier's own service code, sent back as-is when booking.
    pub code: String,
    /// A name a merchant recognises.
    pub name: String,
}

impl ServiceInfo {
    /// The services of an adapter's `(code, name)` table, as [`CarrierInfo::services`]
    /// lists them.
    pub fn table(rows: &[(&str, &str)]) -> Vec<ServiceInfo> {
        rows.iter()
            .map(|(code, name)| ServiceInfo {
                code: (*code).into(),
                name: (*name).into(),
            })
            .collect()
    }
}

/// Who a carrier adapter is: the registry code it answers for and what it sells.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CarrierInfo {
    /// The registry code (`ups`, `chronopost`…): the same key as `mappings/carriers/`.
    pub code: String,
    /// Display name.
    pub name: String,
    /// Countries it picks up in; empty means anywhere.
    pub origin_countries: Vec<CountryCode>,
    /// Services offered.
    pub services: Vec<ServiceInfo>,
    /// What the adapter implements.
    pub capabilities: Capabilities,
}

impl CarrierInfo {
    /// Whether a parcel leaving `country` can be picked up by this carrier.
    pub fn picks_up_in(&self, country: CountryCode) -> bool {
        self.origin_countries.is_empty() || self.origin_countries.contains(&country)
    }
}

/// One box: what carriers price and label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parcel {
    /// Gross weight in grams.
    pub weight_grams: u32,
    /// Longest side in millimetres.
    pub length_mm: u32,
    /// Middle side in millimetres.
    pub width_mm: u32,
    /// Shortest side in millimetres.
    pub height_mm: u32,
}

impl Parcel {
    /// Volume in cubic centimetres, for volumetric weight rules.
    pub fn volume_cm3(&self) -> u64 {
        u64::from(self.length_mm) * u64::from(self.width_mm) * u64::from(self.height_mm) / 1000
    }
}

/// A request for prices: the same for every carrier, so one request fans out to all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateRequest {
    /// The merchant asking (own-fleet tariffs and negotiated rates are per merchant).
    pub merchant: String,
    /// Pick-up address.
    pub ship_from: Address,
    /// Delivery address.
    pub ship_to: Address,
    /// The boxes.
    pub parcels: Vec<Parcel>,
    /// Declared value for insurance and customs, when the merchant gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared_value: Option<Money>,
    /// Restrict to this carrier service, when the order asked for one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
}

/// One price a carrier offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rate {
    /// Registry code of the carrier.
    pub carrier: String,
    /// The carrier's service code, to pass back in [`ShipmentRequest::service`].
    pub service: String,
    /// Service display name.
    pub service_name: String,
    /// Total price, taxes and surcharges as the carrier quoted them.
    pub price: Money,
    /// Business days in transit, when the carrier says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transit_days: Option<u32>,
    /// Delivery date, when the carrier commits to one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_delivery: Option<NaiveDate>,
}

/// The file format a label comes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LabelFormat {
    /// A PDF page, for office printers.
    Pdf,
    /// Zebra printer language, for thermal printers.
    Zpl,
}

impl LabelFormat {
    /// The MIME type to store and serve the label under.
    pub fn mime_type(&self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Zpl => "application/x-zpl",
        }
    }
}

/// A printable label as the carrier returned it (decoded from base64 when it came so).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    /// PDF or ZPL.
    pub format: LabelFormat,
    /// The file.
    pub content: Vec<u8>,
}

/// A request to buy a shipment and its label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentRequest {
    /// The merchant shipping: own-fleet tariffs and negotiated rates are per merchant, so
    /// the price at booking is the price quoted to that merchant.
    pub merchant: String,
    /// Sent to the carrier where its API takes one (FedEx, UPS transaction references),
    /// and the host's ledger key: one shipment is never booked twice.
    pub idempotency_key: String,
    /// The merchant's reference printed on the label (order number).
    pub reference: String,
    /// The carrier's service code from a [`Rate`].
    pub service: String,
    /// Pick-up address.
    pub ship_from: Address,
    /// Delivery address.
    pub ship_to: Address,
    /// The boxes.
    pub parcels: Vec<Parcel>,
    /// Declared value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared_value: Option<Money>,
    /// The label format the merchant prints.
    pub label_format: LabelFormat,
}

/// A booked shipment: what to track, what to print, what to cancel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Booking {
    /// Registry code of the carrier.
    pub carrier: String,
    /// The carrier's id of the shipment (often the master tracking number).
    pub shipment_id: String,
    /// One tracking number per parcel, in the order of the request's parcels.
    pub tracking_numbers: Vec<TrackingNumber>,
    /// The label.
    pub label: Label,
    /// What the carrier charged, when the answer says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<Money>,
    /// When the carrier confirmed it.
    pub booked_at: DateTime<Utc>,
}

/// A company that moves parcels, behind its own API.
#[async_trait::async_trait]
pub trait Carrier: Send + Sync {
    /// Who this adapter is and what it can do.
    fn info(&self) -> &CarrierInfo;

    /// Prices for the request, one per service the carrier offers on that lane. An
    /// adapter without a rating API returns [`ConnectorError::Rejected`] saying so.
    async fn quote(&self, request: &RateRequest) -> Result<Vec<Rate>, ConnectorError>;

    /// Buys the shipment and its label. The host records the idempotency key before
    /// calling, so a retry after a crash asks the carrier (or the store) first.
    async fn book(&self, request: &ShipmentRequest) -> Result<Booking, ConnectorError>;

    /// The latest state of each number; numbers the carrier does not know are left out
    /// of the answer rather than failing the batch.
    async fn track(
        &self,
        numbers: &[TrackingNumber],
    ) -> Result<Vec<TrackingUpdate>, ConnectorError>;

    /// Voids a booking that has not been handed over yet.
    async fn cancel(&self, booking: &Booking) -> Result<(), ConnectorError>;
}
