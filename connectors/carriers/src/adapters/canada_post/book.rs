//! Non-contract shipping: `POST /rs/{customer}/ncshipment`
//! (`application/vnd.cpc.ncshipment-v4+xml`), the label artifact fetched from the answer's
//! `<link rel="label">` (`GET /ers/artifact/…`, `application/pdf`), and the refund request
//! `POST /rs/{customer}/ncshipment/{id}/refund` that voids an unused label.
//!
//! Shapes from Canada Post's "Create Non-Contract Shipment", "Get Artifact" and "Request
//! Non-Contract Shipment Refund" references
//! (<https://www.canadapost-postescanada.ca/info/mc/business/productsservices/developers/services/onestepshipping/createshipment.jsf>,
//! `…/shippingmanifest/getartifact.jsf`, `…/onestepshipping/shipmentrefund.jsf`).
//! Non-contract labels are PDF only (ZPL is offered to contract shipments). The
//! idempotency key travels in `customer-ref-2` (35 characters), the order reference in
//! `customer-ref-1`; Canada Post keeps no idempotency key, the adapter keeps a ledger.

use super::client::esc;
use super::quote::{characteristics, postal};
use serde::Deserialize;
use shipgate_sdk::model::Address;
use shipgate_sdk::{ConnectorError, Parcel, ShipmentRequest};

/// The non-contract shipping service's media type.
pub(super) const MEDIA: &str = "application/vnd.cpc.ncshipment-v4+xml";

fn first_35(text: &str) -> String {
    esc(&text.chars().take(35).collect::<String>())
}

fn address_details(a: &Address, with_country: bool) -> String {
    let country = if with_country {
        format!(
            "<country-code>{}</country-code>",
            a.country
                .map(|c| c.as_str().to_string())
                .unwrap_or_default()
        )
    } else {
        String::new()
    };
    format!(
        "<address-details><address-line-1>{}</address-line-1>{}<city>{}</city>\
         <prov-state>{}</prov-state>{country}<postal-zip-code>{}</postal-zip-code>\
         </address-details>",
        first_35(a.line1.as_deref().unwrap_or_default()),
        a.line2
            .as_deref()
            .map(|l| format!("<address-line-2>{}</address-line-2>", first_35(l)))
            .unwrap_or_default(),
        first_35(a.city.as_deref().unwrap_or_default()),
        esc(a.region.as_deref().unwrap_or_default()),
        esc(&postal(a)),
    )
}

/// The `<non-contract-shipment>` body for one parcel of `r`.
pub(super) fn request(r: &ShipmentRequest, parcel: &Parcel) -> String {
    let from = &r.ship_from;
    let to = &r.ship_to;
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <non-contract-shipment xmlns=\"http://www.canadapost.ca/ws/ncshipment-v4\">\
         <requested-shipping-point>{}</requested-shipping-point><delivery-spec>\
         <service-code>{}</service-code>\
         <sender><name>{}</name><company>{}</company><contact-phone>{}</contact-phone>{}</sender>\
         <destination><name>{}</name><company>{}</company>{}</destination>\
         <options><option><option-code>DC</option-code></option></options>\
         {}<preferences><show-packing-instructions>false</show-packing-instructions>\
         <show-postage-rate>true</show-postage-rate><show-insured-value>false</show-insured-value>\
         </preferences><references><customer-ref-1>{}</customer-ref-1>\
         <customer-ref-2>{}</customer-ref-2></references></delivery-spec>\
         </non-contract-shipment>",
        esc(&postal(from)),
        esc(&r.service),
        first_35(from.name.as_deref().unwrap_or_default()),
        first_35(
            from.company
                .as_deref()
                .or(from.name.as_deref())
                .unwrap_or_default()
        ),
        esc(from.phone.as_deref().unwrap_or("000-000-0000")),
        address_details(from, false),
        first_35(to.name.as_deref().unwrap_or_default()),
        first_35(to.company.as_deref().unwrap_or_default()),
        address_details(to, true),
        characteristics(parcel),
        first_35(&r.reference),
        first_35(&r.idempotency_key),
    )
}

#[derive(Deserialize)]
struct Info {
    #[serde(rename = "shipment-id")]
    shipment_id: String,
    #[serde(rename = "tracking-pin")]
    tracking_pin: String,
    links: Links,
}

#[derive(Deserialize)]
struct Links {
    #[serde(rename = "link", default)]
    list: Vec<Link>,
}

#[derive(Deserialize)]
struct Link {
    #[serde(rename = "@rel")]
    rel: String,
    #[serde(rename = "@href")]
    href: String,
}

/// What a created shipment answer gives: its id, PIN and label link.
pub(super) struct Created {
    /// Canada Post's shipment id.
    pub(super) shipment_id: String,
    /// The tracking PIN.
    pub(super) pin: String,
    /// The link of the label artifact.
    pub(super) label: String,
}

/// Reads a `<non-contract-shipment-info>` answer.
pub(super) fn parse(body: &[u8]) -> Result<Created, ConnectorError> {
    let shape = |reason: String| ConnectorError::UnexpectedShape {
        reason: format!("canada_post non-contract-shipment-info answer: {reason}"),
        raw: body.to_vec(),
    };
    let text = std::str::from_utf8(body).map_err(|e| shape(e.to_string()))?;
    if !text.contains("<non-contract-shipment-info") {
        return Err(shape("no <non-contract-shipment-info> root".into()));
    }
    let info: Info = quick_xml::de::from_str(text).map_err(|e| shape(e.to_string()))?;
    let label = info
        .links
        .list
        .into_iter()
        .find(|l| l.rel == "label")
        .ok_or_else(|| shape("no <link rel=\"label\">".into()))?;
    Ok(Created {
        shipment_id: info.shipment_id,
        pin: info.tracking_pin,
        label: label.href,
    })
}

/// The refund request body.
pub(super) fn refund(email: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <non-contract-shipment-refund-request xmlns=\"http://www.canadapost.ca/ws/ncshipment-v4\">\
         <email>{}</email></non-contract-shipment-refund-request>",
        esc(email)
    )
}

#[derive(Deserialize)]
struct RefundInfo {
    #[serde(rename = "service-ticket-id")]
    ticket: String,
}

/// Reads a refund answer: the service ticket Canada Post opened.
pub(super) fn parse_refund(body: &[u8]) -> Result<String, ConnectorError> {
    let text = String::from_utf8_lossy(body);
    quick_xml::de::from_str::<RefundInfo>(&text)
        .map(|r| r.ticket)
        .map_err(|e| ConnectorError::UnexpectedShape {
            reason: format!("canada_post refund answer: {e}"),
            raw: body.to_vec(),
        })
}
