//! Helpers shared by the sandboxes of the USPS, DHL Express, Canada Post and SF Express
//! adapters: numbering that passes the registry's own check-digit rule, and the minimal
//! PDF label the FedEx sandbox already prints.

use crate::Registry;

pub(crate) use super::fedex::sandbox::label::pdf;

/// The check digit that makes `serial` valid under the format `format` of carrier
/// `code` in `registry`, so a sandbox's numbers pass `Registry::detect` like real ones.
pub(crate) fn check_digit(
    registry: &Registry,
    code: &str,
    format: &str,
    serial: &str,
) -> Option<char> {
    let checksum = registry
        .get(code)?
        .formats()
        .iter()
        .find(|f| f.name() == format)?
        .checksum()?;
    ('0'..='9').find(|d| checksum.verify(serial, &d.to_string()))
}
