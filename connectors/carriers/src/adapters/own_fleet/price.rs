//! Pricing a delivery with the own fleet's tariff.
//!
//! Per parcel: the zone price plus the surcharge of its weight band, the band chosen by
//! chargeable weight = max(actual, volume ÷ volumetric divisor). Once per delivery: the
//! road distance (the great circle rounded to 0.1 km, times the road factor, rounded
//! again to 0.1 km) × `per_km`. The sum is
//! the transport price; each service multiplies it by its factor. Insurance, when a
//! value is declared, is `insurance_percent` of it but at least `insurance_minimum`, added
//! after the factor. Every total is rounded to the cent, half away from zero.

use super::geo::great_circle_km;
use super::tariff::{Group, Tariff, Zone};
use rust_decimal::{Decimal, RoundingStrategy};
use shipgate_sdk::model::{Address, Money};
use shipgate_sdk::{ConnectorError, Parcel, Rate, RateRequest};

/// The refusal every tariff problem becomes: the same request will be refused again.
pub(crate) fn refuse(message: String) -> ConnectorError {
    ConnectorError::Rejected {
        status: None,
        message,
    }
}

/// The merchant's group, or the default group, or a refusal naming the merchant.
pub(crate) fn group_of<'t>(
    tariff: &'t Tariff,
    merchant: &str,
) -> Result<&'t Group, ConnectorError> {
    let name = tariff
        .merchants
        .get(merchant)
        .or(tariff.default_group.as_ref())
        .ok_or_else(|| {
            refuse(format!(
                "merchant {merchant:?} has no tariff group in {:?} and the tariff sets no default_group",
                tariff.name
            ))
        })?;
    tariff
        .groups
        .get(name)
        .ok_or_else(|| refuse(format!("tariff group {name:?} is not defined")))
}

/// The rates of every service (or the requested one) for `request`.
pub(crate) fn quote(
    tariff: &Tariff,
    code: &str,
    request: &RateRequest,
) -> Result<Vec<Rate>, ConnectorError> {
    let group = group_of(tariff, &request.merchant)?;
    let postal = destination(tariff, &request.ship_to)?;
    if request.parcels.is_empty() {
        return Err(refuse("the request has no parcel".into()));
    }
    let km = distance_km(tariff, postal);
    let zone = zone_for(tariff, group, postal, km)?;
    let mut transport = Decimal::ZERO;
    for (i, parcel) in request.parcels.iter().enumerate() {
        transport += zone.price + band_surcharge(group, i, parcel)?;
    }
    if !group.per_km.is_zero() {
        let km = km.ok_or_else(|| no_centroid(tariff, postal))?;
        transport += group.per_km * km;
    }
    let insurance = match &request.declared_value {
        None => Decimal::ZERO,
        Some(value) => insurance(tariff, group, value)?,
    };
    let services = tariff
        .services
        .iter()
        .filter(|s| {
            request
                .service
                .as_deref()
                .is_none_or(|wanted| s.code == wanted)
        })
        .map(|s| Rate {
            carrier: code.to_string(),
            service: s.code.clone(),
            service_name: format!("{} ({})", s.name, zone.name),
            price: Money::new(cents(transport * s.factor + insurance), tariff.currency),
            transit_days: Some(s.transit_days),
            estimated_delivery: None,
        })
        .collect::<Vec<_>>();
    if services.is_empty() {
        let wanted = request.service.as_deref().unwrap_or_default();
        return Err(refuse(format!(
            "{:?} does not sell service {wanted:?}",
            tariff.name
        )));
    }
    Ok(services)
}

/// The destination postal code, once the country is the fleet's.
pub(crate) fn destination<'a>(tariff: &Tariff, to: &'a Address) -> Result<&'a str, ConnectorError> {
    if to.country != Some(tariff.country) {
        let there = to.country.map_or("an unknown country", |c| c.as_str());
        return Err(refuse(format!(
            "{:?} delivers only in {}, not in {there}",
            tariff.name, tariff.country
        )));
    }
    to.postal_code
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .ok_or_else(|| {
            refuse(
                "the delivery address has no postal code: the fleet prices by postal code".into(),
            )
        })
}

fn distance_km(tariff: &Tariff, postal: &str) -> Option<Decimal> {
    let to = tariff.centroids.get(postal)?;
    let straight = great_circle_km(tariff.base, *to);
    let tenths = Decimal::new((straight * 10.0).round() as i64, 1);
    Some(
        (tenths * tariff.road_factor)
            .round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero),
    )
}

fn no_centroid(tariff: &Tariff, postal: &str) -> ConnectorError {
    refuse(format!(
        "postal code {postal} has no centre in {:?} `centroids`, so its distance is unknown",
        tariff.name
    ))
}

fn zone_for<'g>(
    tariff: &Tariff,
    group: &'g Group,
    postal: &str,
    km: Option<Decimal>,
) -> Result<&'g Zone, ConnectorError> {
    let found = group.zones.iter().find(|z| match z.max_km {
        Some(max) => km.is_some_and(|km| km <= max),
        None => z
            .postal_prefixes
            .iter()
            .any(|p| postal.starts_with(p.as_str())),
    });
    match (found, km) {
        (Some(zone), _) => Ok(zone),
        (None, None) if group.zones.iter().any(|z| z.max_km.is_some()) => {
            Err(no_centroid(tariff, postal))
        }
        (None, Some(km)) => Err(refuse(format!(
            "postal code {postal} ({km} km from the base) is outside every zone of {:?}",
            tariff.name
        ))),
        (None, None) => Err(refuse(format!(
            "postal code {postal} is outside every zone of {:?}",
            tariff.name
        ))),
    }
}

fn band_surcharge(group: &Group, index: usize, parcel: &Parcel) -> Result<Decimal, ConnectorError> {
    let n = index + 1;
    let sides = [parcel.length_mm, parcel.width_mm, parcel.height_mm];
    let longest = sides.iter().copied().max().unwrap_or(0);
    if longest > group.max_length_mm {
        return Err(refuse(format!(
            "parcel {n} is {longest} mm long; the fleet takes at most {} mm",
            group.max_length_mm
        )));
    }
    let sum: u64 = sides.iter().map(|s| u64::from(*s)).sum();
    if sum > u64::from(group.max_sides_sum_mm) {
        return Err(refuse(format!(
            "parcel {n} measures {sum} mm in length + width + height; the fleet takes at most {} mm",
            group.max_sides_sum_mm
        )));
    }
    let divisor = u64::from(group.volumetric_divisor);
    let volumetric = (parcel.volume_cm3() * 1000).div_ceil(divisor);
    let chargeable = volumetric.max(u64::from(parcel.weight_grams));
    group
        .weight_bands
        .iter()
        .find(|b| chargeable <= u64::from(b.up_to_grams))
        .map(|b| b.surcharge)
        .ok_or_else(|| {
            let max = group.weight_bands.last().map_or(0, |b| b.up_to_grams);
            refuse(format!(
                "parcel {n} has a chargeable weight of {chargeable} g (actual {} g, volumetric {volumetric} g); the fleet takes at most {max} g",
                parcel.weight_grams
            ))
        })
}

fn insurance(tariff: &Tariff, group: &Group, value: &Money) -> Result<Decimal, ConnectorError> {
    if value.currency != tariff.currency {
        return Err(refuse(format!(
            "the declared value is in {} but {:?} insures in {}",
            value.currency, tariff.name, tariff.currency
        )));
    }
    let fee = value.amount * group.insurance_percent / Decimal::ONE_HUNDRED;
    Ok(fee.max(group.insurance_minimum))
}

fn cents(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}
