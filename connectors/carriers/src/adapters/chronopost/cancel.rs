//! `cancelSkybill` of TrackingServiceWS: voids a skybill not yet handed over.
//! errorCode 2 means the skybill is unknown to (or not of) this account.
//!
//! Shape: https://ws.chronopost.fr/tracking-cxf/TrackingServiceWS?wsdl; request and
//! error answer as in karrio's Chronopost tests (github.com/karrioapi/karrio,
//! modules/connectors/chronopost/tests/chronopost/test_shipment.py).

use super::client::check_error_code;
use super::soap::{read_return, Envelope};
use super::Credentials;
use serde::Deserialize;
use shipgate_sdk::ConnectorError;

/// The TrackingServiceWS namespace (tracking and cancel).
pub(crate) const NAMESPACE: &str = "http://cxf.tracking.soap.chronopost.fr/";

/// `errorCode` of a skybill this account does not have.
const UNKNOWN_SKYBILL: i64 = 2;

/// The `cancelSkybill` envelope.
pub(crate) fn request(credentials: &Credentials, skybill: &str) -> String {
    let mut env = Envelope::new(NAMESPACE, "cancelSkybill");
    env.leaf("accountNumber", &credentials.account_number)
        .leaf("password", &credentials.password)
        .leaf("language", "en_GB")
        .leaf("skybillNumber", skybill);
    env.finish()
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Return {
    error_code: i64,
    #[serde(default)]
    error_message: Option<String>,
}

/// Reads a `cancelSkybillResponse`.
pub(crate) fn parse(raw: &[u8], skybill: &str) -> Result<(), ConnectorError> {
    let result: Return = read_return(raw)?;
    if result.error_code == UNKNOWN_SKYBILL {
        return Err(ConnectorError::NotFound(format!(
            "Chronopost skybill {skybill}: {}",
            result.error_message.unwrap_or_default()
        )));
    }
    check_error_code(result.error_code, result.error_message.as_deref())
}
