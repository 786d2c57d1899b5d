//! ShipIT `cancelParcelByID` (REST `POST /backend/rs/shipments/cancel/{TrackID}`, no body):
//! the answer is a `CancelParcelResponse` with the `TrackID` and a `Result` (GLS's ShipIT
//! OpenAPI file, `shipit-farm.yaml` as vendored by karrio). The values of `Result` are not
//! enumerated there; `CANCELLED` and `CANCELLATION_PENDING` (accepted) and `SCANNED` (the
//! parcel is already in GLS's hands) are those a public ShipIT client handles
//! (ShippingProAPICollection, `GLSShipmentService.CancelLabel`), so any other value is
//! refused with GLS's word rather than taken for a success.

use serde::Deserialize;
use shipgate_sdk::ConnectorError;

#[derive(Debug, Deserialize)]
struct Answer {
    #[serde(rename = "TrackID")]
    track_id: String,
    #[serde(rename = "Result", alias = "result")]
    result: String,
}

/// `Ok` when GLS cancelled (or will cancel) the parcel `track_id`.
pub(super) fn parse(raw: &[u8], track_id: &str) -> Result<(), ConnectorError> {
    let answer: Answer =
        serde_json::from_slice(raw).map_err(|e| ConnectorError::UnexpectedShape {
            reason: format!("GLS cancel answer for {track_id}: {e}"),
            raw: raw.to_vec(),
        })?;
    if answer.track_id != track_id {
        return Err(ConnectorError::UnexpectedShape {
            reason: format!(
                "GLS cancel answer names TrackID {:?}, asked for {track_id}",
                answer.track_id
            ),
            raw: raw.to_vec(),
        });
    }
    match answer.result.as_str() {
        "CANCELLED" | "CANCELLATION_PENDING" => Ok(()),
        "SCANNED" => Err(ConnectorError::Rejected {
            status: Some(200),
            message: format!(
                "GLS will not cancel {track_id}: the parcel was already scanned in its network"
            ),
        }),
        other => Err(ConnectorError::Rejected {
            status: Some(200),
            message: format!("GLS did not cancel {track_id}: {other}"),
        }),
    }
}
