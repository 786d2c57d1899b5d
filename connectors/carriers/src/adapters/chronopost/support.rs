//! Helpers every adapter of this family (Chronopost, Colissimo, DPD, GLS, CDEK, Russian
//! Post) needs the same way: reading settings, the one-carrier registry that maps
//! tracking codes, and turning a parsed tracking answer into the host's result.

use crate::track::{CarrierErrorKind, TrackError};
use crate::Registry;
use rust_decimal::Decimal;
use shipgate_sdk::model::TrackingUpdate;
use shipgate_sdk::ConnectorError;
use std::path::Path;

/// The registry holding only `code`'s profile, read from `dir/<code>.toml`: its
/// `[statuses]` table maps the carrier's tracking codes, a data change away from a fix.
pub(crate) fn profile_registry(dir: &Path, code: &str) -> Result<Registry, ConnectorError> {
    let path = dir.join(format!("{code}.toml"));
    let refuse = |message: String| ConnectorError::Rejected {
        status: None,
        message,
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| refuse(format!("carrier profile {}: {e}", path.display())))?;
    let file = path.display().to_string();
    Registry::from_sources([(file.as_str(), text.as_str())]).map_err(|errors| {
        let all: Vec<String> = errors.iter().map(ToString::to_string).collect();
        refuse(all.join("; "))
    })
}

/// The update for `number` from one tracking answer: `Ok(None)` when the carrier does
/// not know the number (left out of the batch, as the contract says), the carrier's
/// refusal of credentials as Unauthorized, other refusals as a retryable remote error
/// (the carrier's own "system error"), and bytes that are not the API's answer as an
/// unexpected shape keeping them.
pub(crate) fn tracking_update(
    registry: &Registry,
    api: &str,
    body: &[u8],
    number: &str,
) -> Result<Option<TrackingUpdate>, ConnectorError> {
    match registry.parse_tracking(api, body, Some(number)) {
        Ok(updates) => Ok(updates.into_iter().next()),
        Err(TrackError::Carrier {
            kind: CarrierErrorKind::NotFound,
            ..
        }) => Ok(None),
        Err(TrackError::Carrier {
            kind: CarrierErrorKind::Unauthorized,
            message,
            ..
        }) => Err(ConnectorError::Unauthorized {
            status: 200,
            message,
        }),
        Err(e @ TrackError::Carrier { .. }) => Err(ConnectorError::Remote {
            status: 200,
            message: e.to_string(),
        }),
        Err(e) => Err(ConnectorError::UnexpectedShape {
            reason: e.to_string(),
            raw: body.to_vec(),
        }),
    }
}

/// Grams as kilograms with three decimals, the unit European carriers price in.
pub(crate) fn kilograms(grams: u32) -> Decimal {
    Decimal::new(i64::from(grams), 3).normalize()
}

/// The UPU S10 check digit of an 8-digit serial (weights 8 6 4 2 3 5 9 7, mod 11).
pub(crate) fn s10_check_digit(serial: u32) -> u32 {
    const WEIGHTS: [u32; 8] = [8, 6, 4, 2, 3, 5, 9, 7];
    let digits = format!("{serial:08}");
    let sum: u32 = digits
        .bytes()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    match 11 - sum % 11 {
        10 => 0,
        11 => 5,
        d => d,
    }
}

/// An S10 number `PP` + serial + check digit + `CC`.
pub(crate) fn s10(prefix: &str, serial: u32, country: &str) -> String {
    let serial = serial % 100_000_000;
    format!("{prefix}{serial:08}{}{country}", s10_check_digit(serial))
}
