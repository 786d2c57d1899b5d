//! The box an order ships in, from its lines: weights summed (a line without one counts
//! the plan's default unit weight), the largest line's size or the default box.

use super::rules::DefaultParcel;
use shipgate_sdk::model::Order;
use shipgate_sdk::Parcel;

/// One parcel for the shippable lines of `order`.
pub fn order_parcel(order: &Order, default: &DefaultParcel) -> Parcel {
    let shippable = order.lines.iter().filter(|l| l.requires_shipping);
    let weight: u64 = shippable
        .clone()
        .map(|l| {
            u64::from(l.weight_grams.unwrap_or(default.unit_weight_grams)) * u64::from(l.quantity)
        })
        .sum();
    let size = shippable
        .filter_map(|l| l.dimensions)
        .max_by_key(|d| u64::from(d.length_mm) * u64::from(d.width_mm) * u64::from(d.height_mm));
    let (length_mm, width_mm, height_mm) = match size {
        Some(d) => (d.length_mm, d.width_mm, d.height_mm),
        None => (default.length_mm, default.width_mm, default.height_mm),
    };
    Parcel {
        weight_grams: u32::try_from(weight.max(1)).unwrap_or(u32::MAX),
        length_mm,
        width_mm,
        height_mm,
    }
}
