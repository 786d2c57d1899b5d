//! Shared by the integration tests: an origin, connectors on each sandbox, a shipment.

#![allow(dead_code)]

use shipgate_cdiscount::sandbox::{RestSandbox, SoapSandbox};
use shipgate_cdiscount::{CdiscountConfig, CdiscountConnector, RestConfig, SoapConfig};
use shipgate_sdk::model::{CarrierRef, Shipment, TrackingNumber};
use shipgate_sdk::Origin;

pub fn origin() -> Origin {
    Origin {
        tenant: "acme-3pl".into(),
        merchant: "bob-shop".into(),
        connector_id: "cdiscount-1".into(),
    }
}

pub fn rest(sb: &RestSandbox, tweak: impl FnOnce(&mut RestConfig)) -> CdiscountConnector {
    let mut c = sb.config();
    tweak(&mut c);
    CdiscountConnector::new(CdiscountConfig::Rest(c), origin()).expect("valid config")
}

pub fn soap(sb: &SoapSandbox, tweak: impl FnOnce(&mut SoapConfig)) -> CdiscountConnector {
    let mut c = sb.config();
    tweak(&mut c);
    CdiscountConnector::new(CdiscountConfig::Soap(c), origin()).expect("valid config")
}

pub fn shipment(storefront_code: Option<&str>) -> Shipment {
    Shipment {
        tracking_number: TrackingNumber::parse("6A12345678901").unwrap(),
        carrier: CarrierRef {
            code: Some("colissimo".into()),
            name: "Colissimo".into(),
            storefront_code: storefront_code.map(str::to_string),
        },
        tracking_url: Some(
            "https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901".into(),
        ),
        shipped_at: None,
        notify_customer: true,
    }
}
