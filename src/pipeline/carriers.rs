//! Carrier names as suppliers write them, resolved against the carrier registry: a code
//! when the name or the number says which carrier it is, and the storefront's own
//! spelling when tracking goes back.

use chrono::{DateTime, Utc};
use shipgate_carriers::{Registry, Vocabulary};
use shipgate_sdk::model::{CarrierRef, Order, Shipment, TrackingNumber};

/// What a shipment is pushed as when nobody can tell its carrier.
const UNKNOWN_CARRIER: &str = "Other";

/// The carrier of a supplier row: the name as given with its code when the registry
/// knows the name; without a name, the carrier its number's format points to when one
/// format ranks first on its own.
fn resolve(registry: &Registry, given: Option<String>, number: &TrackingNumber) -> CarrierRef {
    match given {
        Some(name) => CarrierRef::new(
            registry.by_name(None, &name).map(|c| c.code().to_string()),
            name,
        ),
        None => {
            let found = registry.detect(number.as_str());
            let sure = match found.as_slice() {
                [only] => Some(only),
                [first, second, ..] if first.score > second.score => Some(first),
                _ => None,
            };
            match sure.and_then(|d| registry.get(d.code)) {
                Some(carrier) => {
                    CarrierRef::new(Some(carrier.code().to_string()), carrier.name().to_string())
                }
                None => CarrierRef::new(None, UNKNOWN_CARRIER.to_string()),
            }
        }
    }
}

/// A supplier's shipment as the store keeps it: the carrier resolved by [`resolve`], and
/// the carrier's tracking page when the supplier gave none.
pub fn supplier_shipment(
    registry: &Registry,
    tracking_number: TrackingNumber,
    carrier_name: Option<String>,
    tracking_url: Option<String>,
    shipped_at: Option<DateTime<Utc>>,
) -> Shipment {
    let carrier = resolve(registry, carrier_name, &tracking_number);
    let tracking_url = tracking_url
        .or_else(|| registry.tracking_url(carrier.code.as_deref()?, tracking_number.as_str()));
    Shipment {
        tracking_number,
        carrier,
        tracking_url,
        shipped_at,
        notify_customer: false,
    }
}

/// The shipment as the order's storefront should read it: `storefront_code` set to the
/// carrier's spelling in that storefront's vocabulary when the registry has one (Shopify
/// builds tracking links only for names it recognises, Douyin takes only its own company
/// codes); the storefront decides what to do without one.
pub(crate) fn for_storefront(registry: &Registry, order: &Order, shipment: &Shipment) -> Shipment {
    let vocabulary = Vocabulary::ALL
        .into_iter()
        .find(|v| v.as_str() == order.source.channel.as_str());
    let spelled = shipment
        .carrier
        .code
        .as_deref()
        .and_then(|code| registry.get(code))
        .zip(vocabulary)
        .and_then(|(carrier, vocabulary)| carrier.name_in(vocabulary));
    let mut out = shipment.clone();
    out.carrier.storefront_code = spelled.map(str::to_string);
    out
}
