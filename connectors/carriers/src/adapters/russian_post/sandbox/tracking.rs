//! The sandbox's tracking API: SOAP 1.2 `getOperationHistory` at `/rtm34`. The request
//! is read as the docs write it (`OperationHistoryRequest` `Barcode`, `MessageType`,
//! `Language`; `AuthorizationHeader` `login`, `password`). Answers, from
//! `sandbox-data/russian_post/` (see SOURCES.md there):
//!
//! - wrong login or password: `authorizationFault.xml` (HTTP 500, as SOAP 1.2 faults go);
//! - a `Language` other than RUS or ENG: a `LanguageFaultReason` fault;
//! - a barcode of neither documented format (13 characters S10, 14 digits) or a
//!   `MessageType` other than 0 or 1: `operationHistoryFault.xml`;
//! - a barcode of a live order: `getOperationHistory.xml` with its barcode, from приём
//!   in Moscow to вручение адресату in Norilsk;
//! - any other barcode: `getOperationHistory.empty.xml` (no operations yet);
//! - a body that is not such an envelope: a `S:Sender` fault with HTTP 400 (the
//!   sandbox's own words).

use super::Shared;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::sync::Arc;

const HISTORY: &str = include_str!("../../../../sandbox-data/russian_post/getOperationHistory.xml");
const EMPTY: &str =
    include_str!("../../../../sandbox-data/russian_post/getOperationHistory.empty.xml");
const AUTHORIZATION_FAULT: &str =
    include_str!("../../../../sandbox-data/russian_post/authorizationFault.xml");
const HISTORY_FAULT: &str =
    include_str!("../../../../sandbox-data/russian_post/operationHistoryFault.xml");

/// The barcode of the sample history, replaced by the one asked about.
const SAMPLE_BARCODE: &str = "EA123456789RU";

#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "Body")]
    body: Body,
}

#[derive(Deserialize)]
struct Body {
    #[serde(rename = "getOperationHistory")]
    call: Call,
}

#[derive(Deserialize)]
struct Call {
    #[serde(rename = "OperationHistoryRequest")]
    request: HistoryRequest,
    #[serde(rename = "AuthorizationHeader")]
    authorization: Authorization,
}

#[derive(Deserialize)]
struct HistoryRequest {
    #[serde(rename = "Barcode")]
    barcode: String,
    #[serde(rename = "MessageType")]
    message_type: String,
    #[serde(rename = "Language", default)]
    language: Option<String>,
}

#[derive(Deserialize)]
struct Authorization {
    login: String,
    password: String,
}

fn soap(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/soap+xml; charset=utf-8")],
        body,
    )
        .into_response()
}

/// A fault without a WSDL detail, in SOAP 1.2's shape.
fn plain_fault(status: StatusCode, code: &str, reason: &str, detail: &str) -> Response {
    soap(
        status,
        format!(
            concat!(
                r#"<S:Envelope xmlns:S="http://www.w3.org/2003/05/soap-envelope"><S:Body><S:Fault>"#,
                "<S:Code><S:Value>{}</S:Value></S:Code>",
                r#"<S:Reason><S:Text xml:lang="en">{}</S:Text></S:Reason>{}"#,
                "</S:Fault></S:Body></S:Envelope>"
            ),
            code, reason, detail
        ),
    )
}

/// Whether `barcode` has a documented format: S10 (two letters, nine digits, two
/// letters) or the 14-digit domestic number.
fn well_formed(barcode: &str) -> bool {
    let b = barcode.as_bytes();
    let s10 = b.len() == 13
        && b[..2].iter().all(u8::is_ascii_uppercase)
        && b[2..11].iter().all(u8::is_ascii_digit)
        && b[11..].iter().all(u8::is_ascii_uppercase);
    let domestic = b.len() == 14 && b.iter().all(u8::is_ascii_digit);
    s10 || domestic
}

/// `POST /rtm34`.
pub(super) async fn history(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    if let Some(fault) = shared.fault() {
        return fault;
    }
    let call = std::str::from_utf8(&body)
        .ok()
        .and_then(|text| quick_xml::de::from_str::<Envelope>(text).ok())
        .map(|e| e.body.call);
    let Some(call) = call else {
        return plain_fault(
            StatusCode::BAD_REQUEST,
            "S:Sender",
            "The request is not a getOperationHistory envelope",
            "",
        );
    };
    if call.authorization.login != super::TRACKING_LOGIN
        || call.authorization.password != super::TRACKING_PASSWORD
    {
        return soap(
            StatusCode::INTERNAL_SERVER_ERROR,
            AUTHORIZATION_FAULT.into(),
        );
    }
    if let Some(language) = call.request.language.as_deref() {
        if language != "RUS" && language != "ENG" {
            return plain_fault(
                StatusCode::INTERNAL_SERVER_ERROR,
                "S:Receiver",
                "Language is not supported",
                concat!(
                    r#"<S:Detail><ns3:LanguageFaultReason xmlns:ns3="http://russianpost.org/operationhistory/data">"#,
                    "Язык не поддерживается</ns3:LanguageFaultReason></S:Detail>"
                ),
            );
        }
    }
    let barcode = call.request.barcode.trim();
    let message_type = call.request.message_type.trim();
    if !well_formed(barcode) || (message_type != "0" && message_type != "1") {
        return soap(StatusCode::INTERNAL_SERVER_ERROR, HISTORY_FAULT.into());
    }
    let known = message_type == "0"
        && shared
            .lock()
            .orders
            .iter()
            .any(|o| o.barcode == barcode && !o.deleted);
    if known {
        soap(StatusCode::OK, HISTORY.replace(SAMPLE_BARCODE, barcode))
    } else {
        soap(StatusCode::OK, EMPTY.into())
    }
}
