//! The shape of one `mappings/carriers/<code>.toml` file, as serde reads it. Validation
//! that needs more than a type (regexes compile, groups exist, countries are ISO) happens
//! when the spec becomes a [`crate::CarrierProfile`].

use crate::checksum::Checksum;
use crate::profile::Vocabulary;
use serde::Deserialize;
use shipgate_sdk::model::TrackingStatus;
use std::collections::BTreeMap;
use toml::Spanned;

/// One carrier file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CarrierSpec {
    pub(crate) code: Spanned<String>,
    pub(crate) name: String,
    pub(crate) countries: Spanned<Vec<String>>,
    #[serde(default)]
    pub(crate) tracking_url: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) aliases: Vec<String>,
    #[serde(default)]
    pub(crate) names: BTreeMap<Vocabulary, String>,
    #[serde(default)]
    pub(crate) statuses: BTreeMap<String, TrackingStatus>,
    #[serde(default)]
    pub(crate) tracking_numbers: Vec<FormatSpec>,
}

/// One `[[tracking_numbers]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FormatSpec {
    pub(crate) name: String,
    pub(crate) patterns: Vec<Spanned<String>>,
    #[serde(default)]
    pub(crate) checksum: Option<Checksum>,
    #[serde(default)]
    pub(crate) serial_prepend: Option<String>,
    #[serde(default)]
    pub(crate) allowed: BTreeMap<String, Spanned<Vec<String>>>,
}
