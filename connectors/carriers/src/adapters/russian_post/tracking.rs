//! The single-access tracking API's HTTP side (<https://tracking.pochta.ru/specification>,
//! "Single access"): SOAP 1.2 posts to `https://tracking.russianpost.ru/rtm34`, one
//! `getOperationHistory` per barcode, the request exactly as the docs' example writes
//! it: `OperationHistoryRequest` (`Barcode`, `MessageType` 0 for the item's own
//! history, `Language` RUS) and `AuthorizationHeader` (`login`, `password`, with
//! `soapenv:mustUnderstand="1"`) inside `oper:getOperationHistory`, namespaces
//! `http://russianpost.org/operationhistory` and `…/operationhistory/data`.
//!
//! SOAP 1.2 faults come with HTTP 500, so a 500 answer is handed to the parser too: it
//! tells a fault (refused login, untrackable barcode) from a failure.

use quick_xml::escape::escape;
use shipgate_sdk::http::HttpAnswer;
use shipgate_sdk::ConnectorError;
use shipgate_sdk::Pace;
use std::time::Duration;

/// The tracking API client with its own login.
pub(super) struct Tracking {
    http: reqwest::Client,
    url: String,
    login: String,
    password: String,
    timeout: Duration,
    /// The account's request budget, waited on before every call.
    pub(crate) pace: Pace,
}

/// The `getOperationHistory` envelope for `barcode`.
fn envelope(barcode: &str, login: &str, password: &str) -> String {
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8"?>"#,
            r#"<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope" "#,
            r#"xmlns:oper="http://russianpost.org/operationhistory" "#,
            r#"xmlns:data="http://russianpost.org/operationhistory/data" "#,
            r#"xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">"#,
            "<soap:Header/><soap:Body><oper:getOperationHistory>",
            "<data:OperationHistoryRequest><data:Barcode>{}</data:Barcode>",
            "<data:MessageType>0</data:MessageType><data:Language>RUS</data:Language>",
            "</data:OperationHistoryRequest>",
            r#"<data:AuthorizationHeader soapenv:mustUnderstand="1">"#,
            "<data:login>{}</data:login><data:password>{}</data:password>",
            "</data:AuthorizationHeader></oper:getOperationHistory></soap:Body></soap:Envelope>"
        ),
        escape(barcode),
        escape(login),
        escape(password)
    )
}

impl Tracking {
    /// A client for `url` with the tracking login and password.
    pub(super) fn new(
        http: reqwest::Client,
        url: &str,
        (login, password): (&str, &str),
        timeout: Duration,
        pace: Pace,
    ) -> Self {
        Self {
            http,
            url: url.to_string(),
            login: login.to_string(),
            password: password.to_string(),
            timeout,
            pace,
        }
    }

    /// The answer to `getOperationHistory` for `barcode`: a 2xx, or a 500 that may be a
    /// SOAP fault; any other status is its error class.
    pub(super) async fn history(&self, barcode: &str) -> Result<HttpAnswer, ConnectorError> {
        self.pace.turn().await?;
        let what = "russian_post getOperationHistory";
        let response = self
            .http
            .post(&self.url)
            .header(
                reqwest::header::CONTENT_TYPE,
                r#"application/soap+xml; charset=utf-8; action="getOperationHistory""#,
            )
            .body(envelope(barcode, &self.login, &self.password))
            .timeout(self.timeout)
            .send()
            .await
            .map_err(|e| ConnectorError::Transport(format!("{what}: {e}")))?;
        let answer = HttpAnswer::read(response, what).await?;
        if answer.is_success() || answer.status == 500 {
            return Ok(answer);
        }
        Err(answer.error(&String::from_utf8_lossy(&answer.body)))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_envelope_escapes_what_it_carries() {
        let text = super::envelope("RA644000001RU", "me", "p<&>w");
        assert!(text.contains("<data:Barcode>RA644000001RU</data:Barcode>"));
        assert!(text.contains("<data:password>p&lt;&amp;&gt;w</data:password>"));
        assert!(text.contains(r#"<data:AuthorizationHeader soapenv:mustUnderstand="1">"#));
    }
}
