//! The own fleet's tracking numbers: `SGF`, a 10-digit serial and a Luhn check digit, the
//! format `mappings/carriers/own_fleet.toml` registers so detection knows our numbers.
//!
//! The serial is derived from the booking's idempotency key (FNV-1a, 64 bits, mod 10¹⁰),
//! so a retried booking gets the same number even after a restart; the ledger moves to
//! the next serial in the rare case two keys land on the same one.

use crate::Checksum;
use shipgate_sdk::model::TrackingNumber;
use shipgate_sdk::ConnectorError;

/// The prefix of every own-fleet number.
pub(crate) const PREFIX: &str = "SGF";

/// Serials are 10 digits.
const SERIALS: u64 = 10_000_000_000;

/// The first serial tried for `key` (and parcel `index` of its booking).
pub(crate) fn first_serial(key: &str, index: usize) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in key.bytes().chain(index.to_le_bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash % SERIALS
}

/// The serial after `serial`, wrapping within 10 digits.
pub(crate) fn next_serial(serial: u64) -> u64 {
    (serial + 1) % SERIALS
}

/// The tracking number of `serial`, its check digit computed by the registry's own Luhn
/// rule so detection and booking can never disagree.
pub(crate) fn tracking_number(serial: u64) -> Result<TrackingNumber, ConnectorError> {
    let digits = format!("{serial:010}");
    let check = (0..10u8)
        .map(|d| char::from(b'0' + d).to_string())
        .find(|d| Checksum::Luhn.verify(&digits, d))
        .unwrap_or_else(|| "0".to_string());
    let text = format!("{PREFIX}{digits}{check}");
    TrackingNumber::parse(&text).map_err(|e| ConnectorError::Rejected {
        status: None,
        message: format!("own-fleet number {text}: {e}"),
    })
}
