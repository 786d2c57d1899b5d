//! Chronopost's three SOAP services over HTTP: one POST per call to
//! `{base_url}/{quickcost,shipping,tracking}-cxf/…ServiceWS`, `text/xml`, the operation
//! in the body. HTTP errors map through the SDK's classes (a CXF fault comes as HTTP 500
//! with its `faultstring` kept); business errors come back with HTTP 200 and a non-zero
//! `errorCode` in `return`, read by [`check_error_code`].
//!
//! Endpoints: https://ws.chronopost.fr/quickcost-cxf/QuickcostServiceWS?wsdl,
//! https://ws.chronopost.fr/shipping-cxf/ShippingServiceWS?wsdl,
//! https://ws.chronopost.fr/tracking-cxf/TrackingServiceWS?wsdl.

use super::soap::fault_string;
use shipgate_sdk::http::HttpAnswer;
use shipgate_sdk::ConnectorError;
use shipgate_sdk::Pace;

/// The quote service path.
pub(crate) const QUICKCOST: &str = "/quickcost-cxf/QuickcostServiceWS";
/// The shipping (label) service path.
pub(crate) const SHIPPING: &str = "/shipping-cxf/ShippingServiceWS";
/// The tracking (and cancel) service path.
pub(crate) const TRACKING: &str = "/tracking-cxf/TrackingServiceWS";

/// `errorCode` Chronopost answers for a wrong account number or password.
pub(crate) const BAD_CREDENTIALS: i64 = 3;

/// Sends SOAP envelopes to one Chronopost host.
#[derive(Clone)]
pub(crate) struct Client {
    http: reqwest::Client,
    base_url: String,
    /// The account's request budget, waited on before every call.
    pub(crate) pace: Pace,
}

impl Client {
    /// A client for `base_url` (no trailing slash).
    pub(crate) fn new(http: reqwest::Client, base_url: &str, pace: Pace) -> Self {
        Self {
            http,
            base_url: base_url.trim_end_matches('/').to_string(),
            pace,
        }
    }

    /// Posts `envelope` to the service at `path` and returns the answer body of a 2xx.
    pub(crate) async fn call(
        &self,
        path: &str,
        envelope: String,
    ) -> Result<Vec<u8>, ConnectorError> {
        self.pace.turn().await?;
        let response = self
            .http
            .post(format!("{}{path}", self.base_url))
            .header(reqwest::header::CONTENT_TYPE, "text/xml; charset=utf-8")
            .header("SOAPAction", "")
            .body(envelope)
            .send()
            .await?;
        let answer = HttpAnswer::read(response, &format!("chronopost {path}")).await?;
        if answer.is_success() {
            return Ok(answer.body);
        }
        let mut error = answer.error(&String::from_utf8_lossy(&answer.body));
        if let (ConnectorError::Remote { message, .. }, Some(fault)) =
            (&mut error, fault_string(&answer.body))
        {
            *message = format!("SOAP fault: {fault}");
        }
        Err(error)
    }
}

/// Turns a non-zero `errorCode` into the error class the host acts on: bad credentials
/// are [`ConnectorError::Unauthorized`] (HTTP 200, as Chronopost sends them), the rest
/// a rejection with Chronopost's code and words.
pub(crate) fn check_error_code(code: i64, message: Option<&str>) -> Result<(), ConnectorError> {
    let message = format!(
        "Chronopost errorCode {code}: {}",
        message.unwrap_or("(no message)")
    );
    match code {
        0 => Ok(()),
        BAD_CREDENTIALS => Err(ConnectorError::Unauthorized {
            status: 200,
            message,
        }),
        _ => Err(ConnectorError::Rejected {
            status: Some(200),
            message,
        }),
    }
}
