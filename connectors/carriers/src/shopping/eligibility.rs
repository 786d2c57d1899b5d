//! Which carriers are asked at all: asking one that cannot answer would only add a
//! failure to the round and a wait to the checkout.

use super::quotes::Reason;
use shipgate_sdk::{CarrierInfo, RateRequest};

/// `None` when the carrier should be asked, else why it is not.
pub(crate) fn ineligible(info: &CarrierInfo, request: &RateRequest) -> Option<Reason> {
    if !info.capabilities.quote {
        return Some(Reason::NoQuoteCapability);
    }
    match request.ship_from.country {
        Some(country) if !info.picks_up_in(country) => {
            return Some(Reason::NoPickupIn(Some(country)))
        }
        None if !info.origin_countries.is_empty() => return Some(Reason::NoPickupIn(None)),
        _ => {}
    }
    if let Some(service) = &request.service {
        if !info.services.iter().any(|s| &s.code == service) {
            return Some(Reason::ServiceNotOffered(service.clone()));
        }
    }
    None
}
