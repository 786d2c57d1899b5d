//! Code adapters for carriers with real APIs: each implements [`shipgate_sdk::Carrier`]
//! (quote, book, track, cancel) with the carrier's own auth, and ships a loopback
//! sandbox that answers like the carrier does, so tests and the demo never leave the
//! machine.
//!
//! One module per carrier, holding its settings (`Config`, read from the host's
//! `[[carriers]]` table), its client, its request and answer shapes and its sandbox. The
//! tracking answers are parsed by the same functions as saved responses
//! ([`crate::track`]), so `shipgate track --parse` and live tracking agree.
//!
//! [`build`] is the one place that knows every adapter by its registry code.

mod booking_memo;
pub mod budget;
pub mod canada_post;
pub mod cdek;
pub mod chronopost;
pub mod colissimo;
pub mod dhl_express;
pub mod dpd;
pub mod fedex;
pub mod gls;
pub mod own_fleet;
pub mod russian_post;
mod sandbox_kit;
pub mod sf_express;
pub mod ups;
pub mod usps;

use shipgate_sdk::{Carrier, ConnectorError, RequestBudget};
use std::sync::Arc;

/// Makes an adapter from its settings table, the shared HTTP client and the request
/// budget its account's calls wait on.
pub type Constructor = fn(
    toml::Table,
    reqwest::Client,
    Arc<dyn RequestBudget>,
) -> Result<Arc<dyn Carrier>, ConnectorError>;

/// Every code adapter, by registry code. One row per adapter module.
const ADAPTERS: &[(&str, Constructor)] = &[
    ("canada_post", canada_post::build),
    (cdek::CODE, cdek::build),
    ("dhl_express", dhl_express::build),
    (chronopost::CODE, chronopost::Chronopost::build),
    (colissimo::CODE, colissimo::Colissimo::build),
    (dpd::CODE, dpd::Dpd::build),
    ("fedex", fedex::build),
    (gls::CODE, gls::build),
    (own_fleet::CODE, own_fleet::build),
    (russian_post::CODE, russian_post::build),
    ("sf_express", sf_express::build),
    ("ups", ups::build),
    ("usps", usps::build),
];

/// Reads an adapter's settings table into its `Config`; a bad table is refused with the
/// carrier and serde's words (field and reason), never half-applied.
pub(crate) fn settings<T: serde::de::DeserializeOwned>(
    code: &str,
    table: toml::Table,
) -> Result<T, ConnectorError> {
    table.try_into().map_err(|e| ConnectorError::Rejected {
        status: None,
        message: format!("{code} settings: {e}"),
    })
}

/// The registry of one carrier's profile as its adapter embeds it (`include_str!` of
/// `mappings/carriers/<code>.toml`): the number formats its sandbox issues and the status
/// map its tracking answers are read with.
pub(crate) fn embedded_profile(code: &str, text: &str) -> Result<crate::Registry, ConnectorError> {
    let file = format!("mappings/carriers/{code}.toml");
    crate::Registry::from_sources([(file.as_str(), text)]).map_err(|e| ConnectorError::Rejected {
        status: None,
        message: format!("{code} carrier file: {e:?}"),
    })
}

/// Builds the adapter for `code` from its settings table, its calls waiting on `budget`
/// (the host's, shared by its workers and, through Redis, by other processes). `None`
/// when no code adapter exists for that carrier (it is then known to the registry only:
/// detection, names, tracking links).
pub fn build(
    code: &str,
    settings: toml::Table,
    http: reqwest::Client,
    budget: Arc<dyn RequestBudget>,
) -> Option<Result<Arc<dyn Carrier>, ConnectorError>> {
    ADAPTERS
        .iter()
        .find(|(known, _)| *known == code)
        .map(|(_, make)| make(settings, http, budget))
}

/// The registry codes that have a code adapter, for `shipgate carriers`.
pub fn codes() -> impl Iterator<Item = &'static str> {
    ADAPTERS.iter().map(|(code, _)| *code)
}
