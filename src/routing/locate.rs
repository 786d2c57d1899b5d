//! Which location ships an order: one that holds every unit, preferably in the buyer's
//! country, near the buyer, and still before its same-day cut-off.
//!
//! Distance is judged without geocoding: the same country first, then the length of the
//! postal-code prefix the location shares with the destination (postal codes are laid
//! out by region in nearly every country: 75011 and 75003 are both Paris, 13001 is
//! Marseille). That ranks a Paris warehouse before a Lyon one for a Paris buyer without
//! a geocoder call per order.

use super::rules::{Location, RoutingPlan};
use chrono::{DateTime, NaiveTime, Utc};
use shipgate_sdk::model::Order;

/// Why no location can ship an order: the text the exceptions list shows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoLocation {
    /// The order has no address to ship to.
    #[error("the order has no shipping address with a country")]
    NoDestination,
    /// A line cannot be matched against stock.
    #[error("line {line} ({title}) has no SKU, so no stock can be checked")]
    NoSku {
        /// 1-based line number.
        line: usize,
        /// Its title.
        title: String,
    },
    /// No location holds every unit.
    #[error("no location holds every unit: {0}")]
    OutOfStock(String),
}

/// The chosen location and whether it can still ship today.
#[derive(Debug, Clone)]
pub struct Placement<'a> {
    /// Where it ships from.
    pub location: &'a Location,
    /// Whether routing happened before the location's cut-off.
    pub ships_today: bool,
}

/// Picks the location for `order` at `now`.
pub fn choose_location<'a>(
    plan: &'a RoutingPlan,
    order: &Order,
    now: DateTime<Utc>,
) -> Result<Placement<'a>, NoLocation> {
    let ship_to = order.ship_to.as_ref().ok_or(NoLocation::NoDestination)?;
    let country = ship_to.country.ok_or(NoLocation::NoDestination)?;
    let mut needed: Vec<(&str, u32)> = Vec::new();
    for (i, line) in order.lines.iter().enumerate() {
        if !line.requires_shipping {
            continue;
        }
        let sku = line.sku.as_deref().ok_or_else(|| NoLocation::NoSku {
            line: i + 1,
            title: line.title.clone(),
        })?;
        match needed.iter_mut().find(|(s, _)| *s == sku) {
            Some((_, n)) => *n += line.quantity,
            None => needed.push((sku, line.quantity)),
        }
    }
    let postal = ship_to.postal_code.as_deref().unwrap_or("");
    let stocked = plan.locations.iter().filter(|l| {
        needed
            .iter()
            .all(|(sku, n)| l.stock.get(*sku).is_some_and(|have| have >= n))
    });
    let best = stocked.max_by_key(|l| {
        let same_country = l.address.country == country;
        let shared = if same_country {
            common_prefix(&l.address.postal_code, postal)
        } else {
            0
        };
        let today = before_cutoff(l, now);
        // Later ids lose ties, so the choice is stable across runs.
        (same_country, shared, today, std::cmp::Reverse(l.id.clone()))
    });
    match best {
        Some(location) => Ok(Placement {
            location,
            ships_today: before_cutoff(location, now),
        }),
        None => Err(NoLocation::OutOfStock(
            needed
                .iter()
                .map(|(sku, n)| format!("{n} × {sku}"))
                .collect::<Vec<_>>()
                .join(", "),
        )),
    }
}

fn common_prefix(a: &str, b: &str) -> usize {
    a.chars()
        .zip(b.chars())
        .take_while(|(x, y)| x.eq_ignore_ascii_case(y))
        .count()
}

/// Whether `now` is before the location's cut-off; a location without one ships any time.
fn before_cutoff(location: &Location, now: DateTime<Utc>) -> bool {
    match location
        .cutoff_utc
        .as_deref()
        .and_then(|c| NaiveTime::parse_from_str(c, "%H:%M").ok())
    {
        Some(cutoff) => now.time() < cutoff,
        None => true,
    }
}
