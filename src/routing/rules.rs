//! Routing rules as configured: the merchant's locations (warehouses and pick-up bases
//! with stock and a same-day cut-off) and how a carrier is picked for each merchant.
//! Read from `mappings/routing/*.toml`, one file per merchant or merchant group.

use serde::Deserialize;
use shipgate_sdk::model::{Address, CountryCode};
use shipgate_sdk::LabelFormat;
use std::collections::BTreeMap;
use std::path::Path;

/// A place orders ship from.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Location {
    /// Unique id (`paris-1`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Its address: what labels carry as the sender.
    pub address: LocationAddress,
    /// Same-day cut-off in UTC (`"14:00"`): an order routed after it ships the next day,
    /// so a location that can still ship today is preferred.
    #[serde(default)]
    pub cutoff_utc: Option<String>,
    /// Units on hand per SKU. A SKU missing here is out of stock at this location.
    #[serde(default)]
    pub stock: BTreeMap<String, u32>,
    /// What its printers take: `zpl` (thermal, the default) or `pdf`.
    #[serde(default = "default_label_format")]
    pub label_format: LabelFormat,
}

fn default_label_format() -> LabelFormat {
    LabelFormat::Zpl
}

/// The box used when order lines do not say their weight or size.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DefaultParcel {
    /// Weight of one unit without a weight, in grams.
    pub unit_weight_grams: u32,
    /// Box length in millimetres.
    pub length_mm: u32,
    /// Box width in millimetres.
    pub width_mm: u32,
    /// Box height in millimetres.
    pub height_mm: u32,
}

impl Default for DefaultParcel {
    fn default() -> Self {
        Self {
            unit_weight_grams: 500,
            length_mm: 300,
            width_mm: 200,
            height_mm: 150,
        }
    }
}

/// A location's address, as plain settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocationAddress {
    /// Company name printed on labels.
    pub company: String,
    /// Street.
    pub line1: String,
    /// City.
    pub city: String,
    /// Postal code.
    pub postal_code: String,
    /// ISO 3166-1 alpha-2.
    pub country: CountryCode,
    /// Phone carriers may call.
    #[serde(default)]
    pub phone: Option<String>,
}

impl LocationAddress {
    /// The canonical address carriers receive as the sender.
    pub fn to_address(&self) -> Address {
        Address {
            company: Some(self.company.clone()),
            line1: Some(self.line1.clone()),
            city: Some(self.city.clone()),
            postal_code: Some(self.postal_code.clone()),
            country: Some(self.country),
            phone: self.phone.clone(),
            ..Address::default()
        }
    }
}

/// How a carrier is chosen once the location is known.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "strategy", rename_all = "snake_case", deny_unknown_fields)]
pub enum CarrierRule {
    /// The lowest quoted price among `carriers`.
    Cheapest {
        /// Eligible registry codes.
        carriers: Vec<String>,
    },
    /// The fewest transit days among `carriers` (price breaks ties).
    Fastest {
        /// Eligible registry codes.
        carriers: Vec<String>,
    },
    /// A fixed table by destination country: no quotes asked.
    Table {
        /// First matching row wins; `country = "*"` matches any.
        rows: Vec<TableRow>,
    },
}

/// One row of a fixed carrier table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableRow {
    /// ISO country or `*`.
    pub country: String,
    /// Registry code.
    pub carrier: String,
    /// The carrier's service code.
    pub service: String,
}

impl TableRow {
    /// Whether the row applies to a destination.
    pub fn matches(&self, country: CountryCode) -> bool {
        self.country == "*" || self.country.eq_ignore_ascii_case(country.as_str())
    }
}

/// One merchant's (or group's) routing: its locations and carrier rule.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutingPlan {
    /// The merchants it applies to.
    pub merchants: Vec<String>,
    /// Where their orders can ship from.
    pub locations: Vec<Location>,
    /// How the carrier is picked.
    pub carrier: CarrierRule,
    /// The box assumed for lines without weight or size.
    #[serde(default)]
    pub default_parcel: DefaultParcel,
}

/// Every plan, by merchant.
#[derive(Debug, Clone, Default)]
pub struct RoutingRules {
    plans: Vec<RoutingPlan>,
}

/// Why the routing files could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    /// A file could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A file is not a valid plan.
    #[error("{path}: {reason}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong, with the key.
        reason: String,
    },
}

impl RoutingRules {
    /// Loads every `*.toml` of a folder; a missing folder means no routing configured.
    pub fn load_dir(dir: &Path) -> Result<Self, RulesError> {
        let mut plans = Vec::new();
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(source) => {
                return Err(RulesError::Read {
                    path: dir.display().to_string(),
                    source,
                })
            }
        };
        let mut files: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        for path in files {
            let text = std::fs::read_to_string(&path).map_err(|source| RulesError::Read {
                path: path.display().to_string(),
                source,
            })?;
            plans.push(Self::parse(&path.display().to_string(), &text)?);
        }
        Ok(Self { plans })
    }

    /// Parses one plan file; `path` names it in errors.
    pub fn parse(path: &str, text: &str) -> Result<RoutingPlan, RulesError> {
        let de = toml::Deserializer::new(text);
        serde_path_to_error::deserialize(de).map_err(|e| RulesError::Invalid {
            path: path.to_string(),
            reason: format!("{}: {}", e.path(), e.inner().message()),
        })
    }

    /// Rules made of plans already read (tests, embedded defaults).
    pub fn from_plans(plans: Vec<RoutingPlan>) -> Self {
        Self { plans }
    }

    /// The plan for a merchant, if one names it.
    pub fn plan_for(&self, merchant: &str) -> Option<&RoutingPlan> {
        self.plans
            .iter()
            .find(|p| p.merchants.iter().any(|m| m == merchant))
    }
}
