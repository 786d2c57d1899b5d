//! DPD's SOAP envelopes: every service call carries the `authentication` header
//! (delisId, authToken, messageLanguage) of the Authentication 2.0 namespace; the
//! LoginService call itself carries none. Faults come with HTTP 500; an
//! `authenticationFault` in their detail means the token or the credentials were refused.
//!
//! Namespaces and header: DPD Web Services documentation (https://esolutions.dpd.com/
//! entwickler/dpdwebservices.aspx), LoginService 2.0, ShipmentService 4.4,
//! ParcelLifeCycleService 2.0; fault sample in sandbox-data/dpd/authenticationFault.xml.

use quick_xml::escape::escape;
use serde::Deserialize;

/// The Authentication 2.0 namespace of the header and of its faults.
pub(crate) const AUTH_NS: &str = "http://dpd.com/common/service/types/Authentication/2.0";

/// A full envelope around `body` (already XML), with the auth header when given.
pub(crate) fn envelope(auth: Option<(&str, &str)>, body: &str) -> String {
    let header = auth
        .map(|(delis_id, token)| {
            format!(
                r#"<ns:authentication xmlns:ns="{AUTH_NS}"><delisId>{}</delisId><authToken>{}</authToken><messageLanguage>en_EN</messageLanguage></ns:authentication>"#,
                escape(delis_id),
                escape(token)
            )
        })
        .unwrap_or_default();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header>{header}</soapenv:Header><soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"#
    )
}

/// `<tag>value</tag>` with the value escaped.
pub(crate) fn leaf(tag: &str, value: &str) -> String {
    format!("<{tag}>{}</{tag}>", escape(value))
}

#[derive(Deserialize)]
struct FaultEnvelope {
    #[serde(rename = "Body")]
    body: FaultBody,
}

#[derive(Deserialize)]
struct FaultBody {
    #[serde(rename = "Fault")]
    fault: Fault,
}

#[derive(Deserialize)]
struct Fault {
    #[serde(default)]
    faultstring: String,
    #[serde(default)]
    detail: Option<Detail>,
}

#[derive(Deserialize)]
struct Detail {
    #[serde(rename = "authenticationFault", default)]
    authentication: Option<Coded>,
    #[serde(rename = "$value", default)]
    other: Option<Coded>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Coded {
    #[serde(default)]
    error_code: String,
    #[serde(default)]
    error_message: String,
}

/// A SOAP fault as DPD sends it.
#[derive(Debug)]
pub(crate) struct DpdFault {
    /// Whether it is an `authenticationFault`.
    pub(crate) authentication: bool,
    /// DPD's code and words.
    pub(crate) message: String,
}

/// Reads a fault body, if it is one.
pub(crate) fn fault(raw: &[u8]) -> Option<DpdFault> {
    let text = std::str::from_utf8(raw).ok()?;
    let envelope: FaultEnvelope = quick_xml::de::from_str(text).ok()?;
    let fault = envelope.body.fault;
    let detail = fault.detail.unwrap_or(Detail {
        authentication: None,
        other: None,
    });
    let authentication = detail.authentication.is_some();
    let message = match detail.authentication.or(detail.other) {
        Some(c) if !c.error_code.is_empty() => format!("{}: {}", c.error_code, c.error_message),
        _ => fault.faultstring,
    };
    Some(DpdFault {
        authentication,
        message,
    })
}
