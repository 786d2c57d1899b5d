//! Ordering rates without comparing prices in different currencies as bare numbers.

use super::fx::FxTable;
use super::options::SortBy;
use rust_decimal::Decimal;
use shipgate_sdk::model::Currency;
use shipgate_sdk::Rate;
use std::cmp::Ordering;

/// What a price is compared on: `(None, converted)` for a price the exchange table
/// converts (all such prices share one scale), `(Some(currency), amount)` otherwise, so
/// prices are only ever compared within one currency; converted prices sort first.
pub(crate) fn price_key(rate: &Rate, fx: Option<&FxTable>) -> (Option<Currency>, Decimal) {
    match fx.and_then(|t| t.convert(&rate.price)) {
        Some(converted) => (None, converted),
        None => (Some(rate.price.currency), rate.price.amount),
    }
}

/// Whether every rate lands on one comparison scale.
pub(crate) fn comparable(rates: &[Rate], fx: Option<&FxTable>) -> bool {
    let mut groups = rates.iter().map(|r| price_key(r, fx).0);
    match groups.next() {
        None => true,
        Some(first) => groups.all(|g| g == first),
    }
}

/// Sorts `rates` in place as `by` asks; the last tie-breakers (carrier, then service
/// code) make the order stable from one round to the next.
pub(crate) fn sort(rates: &mut [Rate], by: SortBy, fx: Option<&FxTable>) {
    let by_price = |a: &Rate, b: &Rate| price_key(a, fx).cmp(&price_key(b, fx));
    let by_transit = |a: &Rate, b: &Rate| match (a.transit_days, b.transit_days) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    };
    let identity = |a: &Rate, b: &Rate| {
        a.carrier
            .cmp(&b.carrier)
            .then_with(|| a.service.cmp(&b.service))
    };
    rates.sort_by(|a, b| {
        match by {
            SortBy::Price => by_price(a, b).then_with(|| by_transit(a, b)),
            SortBy::TransitDays => by_transit(a, b).then_with(|| by_price(a, b)),
        }
        .then_with(|| identity(a, b))
    });
}
