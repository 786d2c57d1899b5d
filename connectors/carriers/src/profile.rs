//! One carrier as the registry holds it, built from its TOML file.

use crate::error::{line_col, RegistryError};
use crate::format::TrackingFormat;
use crate::spec::CarrierSpec;
use serde::Deserialize;
use shipgate_sdk::model::{CountryCode, TrackingStatus};
use std::collections::BTreeMap;

/// The storefront vocabularies a carrier's name is kept in: each storefront wants its
/// own spelling back when we push a tracking number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Vocabulary {
    /// Shopify's tracking company string (`FulfillmentTrackingInfo.company`).
    Shopify,
    /// Amazon's carrierCode.
    Amazon,
    /// Douyin shop's logistics company code.
    Douyin,
    /// Cdiscount's carrier name.
    Cdiscount,
}

impl Vocabulary {
    /// All vocabularies, for listings.
    pub const ALL: [Vocabulary; 4] = [Self::Shopify, Self::Amazon, Self::Douyin, Self::Cdiscount];

    /// The key used in carrier files.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Shopify => "shopify",
            Self::Amazon => "amazon",
            Self::Douyin => "douyin",
            Self::Cdiscount => "cdiscount",
        }
    }
}

/// Where a carrier delivers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Countries {
    /// Worldwide (`["*"]` in the file).
    Anywhere,
    /// These ISO 3166-1 countries.
    Only(Vec<CountryCode>),
}

impl Countries {
    /// Whether the carrier serves `country`.
    pub fn contains(&self, country: CountryCode) -> bool {
        match self {
            Self::Anywhere => true,
            Self::Only(list) => list.contains(&country),
        }
    }
}

/// A carrier: identity, names, formats and status map.
#[derive(Debug, Clone)]
pub struct CarrierProfile {
    code: String,
    name: String,
    countries: Countries,
    tracking_url: Option<String>,
    aliases: Vec<String>,
    names: BTreeMap<Vocabulary, String>,
    statuses: BTreeMap<String, TrackingStatus>,
    formats: Vec<TrackingFormat>,
    source: String,
}

impl CarrierProfile {
    /// Parses and validates one carrier file; `file` names it in errors.
    pub fn from_toml(file: &str, text: &str) -> Result<Self, RegistryError> {
        let de = toml::Deserializer::new(text);
        let spec: CarrierSpec = serde_path_to_error::deserialize(de).map_err(|e| {
            let key = e.path().to_string();
            let inner = e.into_inner();
            let (line, column) = inner.span().map_or((1, 1), |s| line_col(text, s.start));
            RegistryError::Parse {
                file: file.to_string(),
                key,
                line,
                column,
                reason: inner.message().to_string(),
            }
        })?;
        let invalid = |key: &str, offset: usize, reason: String| RegistryError::Invalid {
            file: file.to_string(),
            key: key.to_string(),
            line: line_col(text, offset).0,
            reason,
        };
        let code = spec.code.get_ref().clone();
        let code_ok = !code.is_empty()
            && code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !code_ok {
            return Err(invalid(
                "code",
                spec.code.span().start,
                format!("{code:?} must be lower-case letters, digits and '_'"),
            ));
        }
        let at = spec.countries.span().start;
        let countries = match spec.countries.get_ref().as_slice() {
            [] => {
                return Err(invalid(
                    "countries",
                    at,
                    "list at least one country or \"*\"".into(),
                ))
            }
            [star] if star == "*" => Countries::Anywhere,
            list => Countries::Only(
                list.iter()
                    .enumerate()
                    .map(|(i, c)| {
                        CountryCode::parse(c)
                            .map_err(|e| invalid(&format!("countries[{i}]"), at, e.to_string()))
                    })
                    .collect::<Result<_, _>>()?,
            ),
        };
        if let Some(url) = &spec.tracking_url {
            let u = url.get_ref();
            if !u.starts_with("https://") && !u.starts_with("http://") || !u.contains("{number}") {
                return Err(invalid(
                    "tracking_url",
                    url.span().start,
                    format!("{u:?} must be an http(s) URL with a {{number}} placeholder"),
                ));
            }
        }
        let mut formats: Vec<TrackingFormat> = Vec::with_capacity(spec.tracking_numbers.len());
        for (i, f) in spec.tracking_numbers.into_iter().enumerate() {
            let key = format!("tracking_numbers[{i}]");
            let compiled = TrackingFormat::compile(f, file, &key, text)?;
            if formats.iter().any(|f| f.name() == compiled.name()) {
                return Err(invalid(
                    &format!("{key}.name"),
                    0,
                    format!("{:?} is used twice", compiled.name()),
                ));
            }
            formats.push(compiled);
        }
        Ok(Self {
            code,
            name: spec.name,
            countries,
            tracking_url: spec.tracking_url.map(|u| u.into_inner()),
            aliases: spec.aliases,
            names: spec.names,
            statuses: spec.statuses,
            formats,
            source: file.to_string(),
        })
    }

    /// Our code for the carrier (`ups`, `colissimo`), the key everywhere in shipgate.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The carrier's display name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Where it delivers.
    pub fn countries(&self) -> &Countries {
        &self.countries
    }

    /// The tracking page template with its `{number}` placeholder, when known.
    pub fn tracking_url_template(&self) -> Option<&str> {
        self.tracking_url.as_deref()
    }

    /// Other spellings suppliers use for this carrier.
    pub fn aliases(&self) -> &[String] {
        &self.aliases
    }

    /// The carrier's name in a storefront's vocabulary, when that storefront knows it.
    pub fn name_in(&self, vocabulary: Vocabulary) -> Option<&str> {
        self.names.get(&vocabulary).map(String::as_str)
    }

    /// The canonical status for one of the carrier's own status codes; `Unknown` when
    /// nobody has mapped it yet (kept with the code, so a mapping fix can replay it).
    pub fn status(&self, carrier_code: &str) -> TrackingStatus {
        self.statuses
            .get(carrier_code)
            .copied()
            .unwrap_or(TrackingStatus::Unknown)
    }

    /// The whole status map, carrier code → canonical status.
    pub fn statuses(&self) -> &BTreeMap<String, TrackingStatus> {
        &self.statuses
    }

    /// The tracking-number formats detection tries.
    pub fn formats(&self) -> &[TrackingFormat] {
        &self.formats
    }

    /// The file the carrier was loaded from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Every spelling `by_name` should resolve to this carrier.
    pub(crate) fn spellings(&self) -> impl Iterator<Item = &str> {
        [self.code.as_str(), self.name.as_str()]
            .into_iter()
            .chain(self.names.values().map(String::as_str))
            .chain(self.aliases.iter().map(String::as_str))
    }
}
