//! The own fleet's tariff file (`mappings/fleet/*.toml`): zones, distance, weight bands,
//! size limits and insurance, per merchant group. Read and checked once when the adapter
//! is built, so a bad file stops start-up with its place named instead of mispricing
//! parcels later.

use rust_decimal::Decimal;
use serde::Deserialize;
use shipgate_sdk::model::{CountryCode, Currency};
use std::collections::BTreeMap;

/// Why a tariff file was refused: the file, the key path and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: at `{key}`: {reason}")]
pub struct TariffError {
    /// The file (or the name given to [`Tariff::from_toml`]).
    pub file: String,
    /// The key path of the bad value (`groups.standard.zones[1]`), `.` for the root.
    pub key: String,
    /// What is wrong.
    pub reason: String,
}

/// A point on the map, in decimal degrees (WGS 84).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Point {
    /// Latitude, -90 to 90.
    pub lat: f64,
    /// Longitude, -180 to 180.
    pub lon: f64,
}

/// One service the fleet sells, priced as the transport price times `factor`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// Code sent back when booking (`SAME_DAY`).
    pub code: String,
    /// Name a merchant recognises.
    pub name: String,
    /// Business days from pick-up to delivery (0: same day).
    pub transit_days: u32,
    /// Multiplier on the transport price (not on insurance).
    #[serde(default = "one")]
    pub factor: Decimal,
}

fn one() -> Decimal {
    Decimal::ONE
}

/// A delivery zone: by postal-code prefix, or a ring of road distance from the base.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Zone {
    /// Name printed in refusals and rate names.
    pub name: String,
    /// Destination postal codes starting with one of these are in the zone.
    #[serde(default)]
    pub postal_prefixes: Vec<String>,
    /// Destinations at most this many road kilometres from the base are in the zone.
    #[serde(default)]
    pub max_km: Option<Decimal>,
    /// Price per parcel delivered in the zone.
    pub price: Decimal,
}

/// One weight band: parcels whose chargeable weight is at most `up_to_grams` pay
/// `surcharge` on top of the zone price.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeightBand {
    /// Upper bound, inclusive, in grams.
    pub up_to_grams: u32,
    /// Added to the zone price.
    pub surcharge: Decimal,
}

/// The tariff of one merchant group.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    /// Zones, tried in file order; the first that matches prices the parcel.
    pub zones: Vec<Zone>,
    /// Price per road kilometre from the base to the destination, once per delivery.
    #[serde(default)]
    pub per_km: Decimal,
    /// Cubic centimetres per chargeable kilogram (5000 is the usual courier figure).
    pub volumetric_divisor: u32,
    /// Bands by chargeable weight, ascending; heavier than the last band is refused.
    pub weight_bands: Vec<WeightBand>,
    /// Longest side allowed, in millimetres.
    pub max_length_mm: u32,
    /// Length + width + height allowed, in millimetres.
    pub max_sides_sum_mm: u32,
    /// Insurance as a percent of the declared value…
    #[serde(default)]
    pub insurance_percent: Decimal,
    /// …but never less than this, when a value is declared.
    #[serde(default)]
    pub insurance_minimum: Decimal,
}

/// A whole tariff file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tariff {
    /// The fleet's display name.
    pub name: String,
    /// Currency of every price in the file.
    pub currency: Currency,
    /// The country the fleet picks up and delivers in.
    pub country: CountryCode,
    /// Where the vans leave from.
    pub base: Point,
    /// Straight-line distance × this = the road distance charged (1.3 is typical in a
    /// city; 1 charges the straight line).
    #[serde(default = "one")]
    pub road_factor: Decimal,
    /// The group of merchants not listed in `merchants`; without it they are refused.
    #[serde(default)]
    pub default_group: Option<String>,
    /// Merchant id → group name.
    #[serde(default)]
    pub merchants: BTreeMap<String, String>,
    /// Group name → tariff.
    pub groups: BTreeMap<String, Group>,
    /// Services sold.
    pub services: Vec<Service>,
    /// Postal code → its centre, for distances (the fleet has no geocoder).
    #[serde(default)]
    pub centroids: BTreeMap<String, Point>,
}

impl Tariff {
    /// Parses and checks a tariff file; `file` names it in errors.
    pub fn from_toml(file: &str, text: &str) -> Result<Self, TariffError> {
        let de = toml::Deserializer::new(text);
        let tariff: Self = serde_path_to_error::deserialize(de).map_err(|e| TariffError {
            file: file.to_string(),
            key: e.path().to_string(),
            reason: e.into_inner().message().trim().to_string(),
        })?;
        tariff.check().map_err(|(key, reason)| TariffError {
            file: file.to_string(),
            key,
            reason,
        })?;
        Ok(tariff)
    }

    /// Reads and parses a tariff file from disk.
    pub fn load(path: &std::path::Path) -> Result<Self, TariffError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| TariffError {
            file: file.clone(),
            key: ".".into(),
            reason: e.to_string(),
        })?;
        Self::from_toml(&file, &text)
    }

    fn check(&self) -> Result<(), (String, String)> {
        let fail = |key: String, reason: &str| Err((key, reason.to_string()));
        if self.services.is_empty() {
            return fail("services".into(), "list at least one service");
        }
        if self.groups.is_empty() {
            return fail("groups".into(), "define at least one merchant group");
        }
        check_point("base", &self.base)?;
        for (code, point) in &self.centroids {
            check_point(&format!("centroids.{code}"), point)?;
        }
        if self.road_factor < Decimal::ONE {
            return fail(
                "road_factor".into(),
                "a road is never shorter than 1 × the straight line",
            );
        }
        if let Some(group) = &self.default_group {
            if !self.groups.contains_key(group) {
                return fail("default_group".into(), "names a group that is not defined");
            }
        }
        for (merchant, group) in &self.merchants {
            if !self.groups.contains_key(group) {
                return fail(
                    format!("merchants.{merchant}"),
                    "names a group that is not defined",
                );
            }
        }
        for (name, group) in &self.groups {
            check_group(&format!("groups.{name}"), group)?;
        }
        Ok(())
    }
}

fn check_point(key: &str, p: &Point) -> Result<(), (String, String)> {
    if (-90.0..=90.0).contains(&p.lat) && (-180.0..=180.0).contains(&p.lon) {
        Ok(())
    } else {
        Err((
            key.to_string(),
            format!("({}, {}) is not a latitude and longitude", p.lat, p.lon),
        ))
    }
}

fn check_group(key: &str, g: &Group) -> Result<(), (String, String)> {
    let fail = |at: String, reason: &str| Err((at, reason.to_string()));
    if g.zones.is_empty() {
        return fail(format!("{key}.zones"), "list at least one zone");
    }
    for (i, zone) in g.zones.iter().enumerate() {
        if zone.postal_prefixes.is_empty() == zone.max_km.is_none() {
            return fail(
                format!("{key}.zones[{i}]"),
                "a zone is either `postal_prefixes` or `max_km`, exactly one",
            );
        }
    }
    if g.volumetric_divisor == 0 {
        return fail(format!("{key}.volumetric_divisor"), "must be above 0");
    }
    if g.weight_bands.is_empty() {
        return fail(format!("{key}.weight_bands"), "list at least one band");
    }
    if g.weight_bands
        .windows(2)
        .any(|w| w[0].up_to_grams >= w[1].up_to_grams)
    {
        return fail(
            format!("{key}.weight_bands"),
            "bands must be in ascending weight",
        );
    }
    let negative = [g.per_km, g.insurance_percent, g.insurance_minimum]
        .into_iter()
        .chain(g.zones.iter().map(|z| z.price))
        .chain(g.weight_bands.iter().map(|b| b.surcharge))
        .any(|d| d.is_sign_negative());
    if negative {
        return fail(
            key.to_string(),
            "prices, per_km and insurance cannot be negative",
        );
    }
    Ok(())
}
