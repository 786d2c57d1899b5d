//! Parsers of carriers' tracking answers, one module per carrier API, each a pure
//! function from the bytes the API returned to the parcels and events it describes.
//!
//! A parser keeps each event's own carrier code; [`Registry::parse_tracking`] maps the
//! codes to the canonical status through the carrier's `[statuses]` table in
//! `mappings/carriers/<code>.toml`, so fixing a status is a data change. Error answers
//! (unknown number, refused credentials) come back as [`TrackError::Carrier`] with the
//! carrier's own words; bytes that are not the API's shape as [`TrackError::Malformed`].
//! No parser panics on any input.

mod asendia;
mod australiapost;
mod bpost;
mod canadapost;
mod cdek;
mod chronopost;
mod dhl_express;
mod dhl_parcel_de;
mod dhl_poland;
mod dhl_universal;
mod dpd;
mod fedex;
mod gls;
mod hermes;
mod landmark;
mod laposte;
mod mydhl;
mod parcelone;
mod purolator;
mod russian_post;
mod seko;
mod sendle;
mod sf_express;
mod smartkargo;
mod spring;
mod teleship;
mod time;
mod ups;
mod usps;
mod usps_international;
mod util;

pub use time::{central_european, parse_central_european, parse_local, parse_utc};

use crate::registry::Registry;
use chrono::{DateTime, Utc};
use shipgate_sdk::model::{TrackingEvent, TrackingNumber, TrackingStatus, TrackingUpdate};

/// One event as the carrier reported it, before status mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarrierEvent {
    /// The carrier's status or event code, as the `[statuses]` table keys it.
    pub code: String,
    /// The carrier's own words.
    pub description: String,
    /// When it happened, in UTC.
    pub occurred_at: DateTime<Utc>,
    /// Where, as the carrier wrote it ("Lyon, FR").
    pub location: Option<String>,
}

/// One parcel of a tracking answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParcelTrack {
    /// The number as the carrier wrote it.
    pub tracking_number: String,
    /// Its events, in any order.
    pub events: Vec<CarrierEvent>,
    /// When the carrier expects to deliver, if it says.
    pub estimated_delivery: Option<DateTime<Utc>>,
}

/// What the carrier's error answer was about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CarrierErrorKind {
    /// The number is unknown to the carrier (yet).
    NotFound,
    /// Credentials refused.
    Unauthorized,
    /// Anything else the carrier reported.
    Other,
}

/// Why a tracking answer gave no parcels.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrackError {
    /// No parser for this API name.
    #[error("no tracking parser for {0:?}")]
    UnknownApi(String),
    /// The parser's carrier is missing from the registry.
    #[error("carrier {0:?} is not in the registry")]
    UnknownCarrier(String),
    /// The bytes are not this API's answer.
    #[error("malformed {api} tracking answer: {reason}")]
    Malformed {
        /// The API.
        api: &'static str,
        /// Where and why.
        reason: String,
    },
    /// The carrier answered with an error.
    #[error("{api} answered {kind:?}{}: {message}", code.as_ref().map(|c| format!(" ({c})")).unwrap_or_default())]
    Carrier {
        /// The API.
        api: &'static str,
        /// What kind of error.
        kind: CarrierErrorKind,
        /// The carrier's error code, if any.
        code: Option<String>,
        /// The carrier's message.
        message: String,
    },
}

/// A parser: the bytes of one tracking answer to its parcels.
pub type Parser = fn(&[u8]) -> Result<Vec<ParcelTrack>, TrackError>;

/// Every tracking API shipgate reads: (API name, registry carrier code, parser).
const PARSERS: &[(&str, &str, Parser)] = &[
    ("ups", "ups", ups::parse),
    ("fedex", "fedex", fedex::parse),
    ("usps", "usps", usps::parse),
    ("usps_international", "usps", usps_international::parse),
    ("dhl_express", "dhl_express", dhl_express::parse),
    ("mydhl", "dhl_express", mydhl::parse),
    ("dhl_universal", "dhl_express", dhl_universal::parse),
    ("dhl_parcel_de", "dhl_parcel_de", dhl_parcel_de::parse),
    ("dhl_poland", "dhl_poland", dhl_poland::parse),
    ("laposte", "colissimo", laposte::parse),
    ("chronopost", "chronopost", chronopost::parse),
    ("dpd", "dpd", dpd::parse),
    ("gls", "gls", gls::parse),
    ("hermes", "hermes_de", hermes::parse),
    ("bpost", "bpost", bpost::parse),
    ("asendia", "asendia", asendia::parse),
    ("parcelone", "parcelone", parcelone::parse),
    ("canadapost", "canada_post", canadapost::parse),
    ("purolator", "purolator", purolator::parse),
    ("australiapost", "australia_post", australiapost::parse),
    ("landmark", "landmark_global", landmark::parse),
    ("seko", "seko", seko::parse),
    ("sendle", "sendle", sendle::parse),
    ("russian_post", "russian_post", russian_post::parse),
    ("sf_express", "sf_express", sf_express::parse),
    ("cdek", "cdek", cdek::parse),
    ("smartkargo", "smartkargo", smartkargo::parse),
    ("spring", "spring_gds", spring::parse),
    ("teleship", "teleship", teleship::parse),
];

/// The API names with a parser, for listings and `shipgate track`.
pub fn apis() -> impl Iterator<Item = (&'static str, &'static str)> {
    PARSERS.iter().map(|(api, code, _)| (*api, *code))
}

impl Registry {
    /// Parses a tracking answer of `api` and maps every event to the canonical status
    /// with the carrier's `[statuses]` table. Events come out oldest first, and a
    /// parcel's status is its latest event's. `requested` is the number the request asked
    /// about: some APIs (DPD, Sendle) answer without repeating it, and their parcel takes
    /// it; without it such an answer is refused rather than given an invented number.
    pub fn parse_tracking(
        &self,
        api: &str,
        body: &[u8],
        requested: Option<&str>,
    ) -> Result<Vec<TrackingUpdate>, TrackError> {
        let (_, code, parse) = PARSERS
            .iter()
            .find(|(name, _, _)| *name == api)
            .ok_or_else(|| TrackError::UnknownApi(api.to_string()))?;
        let carrier = self
            .get(code)
            .ok_or_else(|| TrackError::UnknownCarrier((*code).to_string()))?;
        let mut updates = Vec::new();
        for parcel in parse(body)? {
            let named = match (parcel.tracking_number.trim(), requested) {
                ("", Some(asked)) => asked,
                ("", None) => {
                    return Err(TrackError::Malformed {
                        api: "registry",
                        reason: "the answer does not name its parcel: give the tracking number that was asked for".into(),
                    })
                }
                (own, _) => own,
            };
            let tracking_number =
                TrackingNumber::parse(named).map_err(|e| TrackError::Malformed {
                    api: "registry",
                    reason: format!("tracking number: {e}"),
                })?;
            let mut events: Vec<TrackingEvent> = parcel
                .events
                .into_iter()
                .map(|e| TrackingEvent {
                    tracking_number: tracking_number.clone(),
                    status: carrier.status(&e.code),
                    carrier_code: e.code,
                    description: e.description,
                    location: e.location,
                    occurred_at: e.occurred_at,
                })
                .collect();
            events.sort_by_key(|e| e.occurred_at);
            let status = events
                .last()
                .map(|e| e.status)
                .unwrap_or(TrackingStatus::Unknown);
            updates.push(TrackingUpdate {
                tracking_number,
                status,
                events,
                estimated_delivery: parcel.estimated_delivery,
            });
        }
        Ok(updates)
    }
}
