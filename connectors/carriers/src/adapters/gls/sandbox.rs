//! A loopback GLS for tests and `shipgate demo`, one host for the three APIs:
//!
//! - Authentication API v2 `POST /oauth2/v2/token`: client credentials by Basic header or
//!   form fields, `grant_type=client_credentials` required, refusals in its
//!   `FaultResponse` shape (`{"errors":[{"message","type"}]}`).
//! - ShipIT `POST /backend/rs/shipments` and `…/shipments/cancel/{TrackID}`: HTTP Basic
//!   (401 with `WWW-Authenticate: Basic`), refusals as status plus `error`/`message`
//!   headers; the request is checked (body, `Shipment`, the shipper's `ContactID`,
//!   `Product`, the consignee's mandatory address fields, each unit's weight, the label
//!   format); each unit gets an 8-character TrackID, an 11-digit parcel number and a real
//!   PDF or ZPL label (base64); bookings are remembered for tracking and cancel.
//! - Track And Trace V1 `GET /track-and-trace-v1/tracking/simple/trackids/{unitnos}`:
//!   bearer check (the gateway's 401 body), at most ten numbers (its 400 body), the real
//!   sample (`sandbox-data/gls/`, see SOURCES.md) for its parcel, booked parcels in the
//!   same shape, and the sample's `E_404_01` entry for unknown numbers, side by side with
//!   known ones.
//!
//! The refusal wordings GLS documents are used as documented; where the sandbox checks
//! something GLS's samples do not show a refusal for (a missing address field, a weight
//! outside the sandbox's own 0–40 kg bound, an unknown TrackID on cancel), it follows the documented pattern
//! (`MANDATORY_PARAMETER_NOT_SET` "The Mandatory parameter … is not set",
//! `INVALID_FIELD_VALUE` "Invalid field …. Value … is not a valid value.") and says so
//! here. GLS's registry profile defines no number format (none is public), so the parcel
//! numbers follow the documented 11-digit form without a check digit.
//! Faults ([`Fault`]) can be injected to test throttling, outages and broken answers.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use chrono::Utc;
use serde_json::{json, Value};
use shipgate_sdk::sandbox::SandboxServer;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::adapters::sandbox_kit;

/// The ShipIT user the sandbox accepts.
pub const USERNAME: &str = "shipit-sandbox-user";
/// That user's password.
pub const PASSWORD: &str = "shipit-sandbox-password";
/// The shipper contact id the sandbox knows.
pub const CONTACT_ID: &str = "276a165yPx";
/// The Developer Portal client id the sandbox accepts.
pub const CLIENT_ID: &str = "gls-sandbox-client";
/// That client's secret.
pub const CLIENT_SECRET: &str = "gls-sandbox-secret";
/// The parcel of the real tracking sample.
pub const FIXTURE_NUMBER: &str = "36301917596";

const TRACK_SAMPLE: &str = include_str!("../../../sandbox-data/gls/gls.json");
const TRACK_UNKNOWN: &str = include_str!("../../../sandbox-data/gls/gls.error.json");

pub use crate::adapters::sandbox_kit::Fault;

/// A parcel the sandbox labelled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoldParcel {
    /// The TrackID (what cancel takes).
    pub track_id: String,
    /// The parcel number (what tracking takes).
    pub parcel_number: String,
    /// The `ShipmentUnitReference`s the request carried.
    pub unit_references: Vec<String>,
    /// Whether it was cancelled.
    pub cancelled: bool,
    /// Whether a test delivered it.
    pub delivered: bool,
}

#[derive(Default)]
struct Inner {
    faults: VecDeque<Fault>,
    tokens: Vec<String>,
    token_requests: usize,
    create_calls: usize,
    parcels: Vec<SoldParcel>,
    serial: u64,
}

type Shared = Arc<Mutex<Inner>>;

fn lock(shared: &Mutex<Inner>) -> MutexGuard<'_, Inner> {
    shared.lock().unwrap_or_else(|p| p.into_inner())
}

/// A running GLS sandbox; stops when dropped.
pub struct GlsSandbox {
    server: SandboxServer,
    shared: Shared,
}

impl GlsSandbox {
    /// Starts the sandbox on a free loopback port.
    pub async fn start() -> std::io::Result<Self> {
        let shared: Shared = Arc::new(Mutex::new(Inner::default()));
        let router = Router::new()
            .route("/oauth2/v2/token", post(token))
            .route("/backend/rs/shipments", post(create_parcels))
            .route("/backend/rs/shipments/cancel/{track_id}", post(cancel))
            .route(
                "/track-and-trace-v1/tracking/simple/trackids/{unitnos}",
                get(track),
            )
            .with_state(shared.clone());
        Ok(Self {
            server: SandboxServer::start(router).await?,
            shared,
        })
    }

    /// `http://127.0.0.1:PORT`, for both `shipit_url` and `api_url`.
    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    /// Settings that point the adapter at this sandbox, without a tariff.
    pub fn config(&self) -> super::Config {
        super::Config {
            username: USERNAME.into(),
            password: PASSWORD.into(),
            contact_id: CONTACT_ID.into(),
            shipit_url: self.base_url(),
            client_id: CLIENT_ID.into(),
            client_secret: CLIENT_SECRET.into(),
            api_url: self.base_url(),
            tariff: Vec::new(),
            currency: "EUR".into(),
            timeout_secs: 5,
            request_budget: crate::adapters::budget::for_sandbox(),
        }
    }

    /// Serves `fault` instead of the next API answer.
    pub fn inject(&self, fault: Fault) {
        lock(&self.shared).faults.push_back(fault);
    }

    /// How many tokens were asked for, granted or not.
    pub fn token_requests(&self) -> usize {
        lock(&self.shared).token_requests
    }

    /// Forgets every token issued, as if they had expired: the next tracking call is
    /// refused with the gateway's 401 until a new token is fetched.
    pub fn expire_tokens(&self) {
        lock(&self.shared).tokens.clear();
    }

    /// How many `createParcels` calls got past authentication.
    pub fn create_calls(&self) -> usize {
        lock(&self.shared).create_calls
    }

    /// Every parcel labelled so far.
    pub fn parcels(&self) -> Vec<SoldParcel> {
        lock(&self.shared).parcels.clone()
    }

    /// Marks a booked parcel delivered: its tracking gains a `DELIVD.NORMAL` event.
    /// `false` when the sandbox never labelled that parcel number.
    pub fn deliver(&self, parcel_number: &str) -> bool {
        let mut inner = lock(&self.shared);
        match inner
            .parcels
            .iter_mut()
            .find(|p| p.parcel_number == parcel_number)
        {
            Some(parcel) => {
                parcel.delivered = true;
                true
            }
            None => false,
        }
    }
}

/// The gateway's answer for a fault, if one is queued.
fn fault(shared: &Mutex<Inner>) -> Option<Response> {
    let fault = lock(shared).faults.pop_front()?;
    Some(fault.answer(
        || {
            (
                StatusCode::TOO_MANY_REQUESTS,
                Json(json!({"fault": {
                    "faultstring": "Rate limit quota violation. Quota limit  exceeded. Identifier : 14f8edf5-8954-45d8-986b-ee9db7cc68d3",
                    "detail": {"errorcode": "policies.ratelimit.QuotaViolation"},
                }})),
            )
                .into_response()
        },
        || (StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable").into_response(),
    ))
}

fn basic(user: &str, password: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    format!("Basic {encoded}")
}

fn authorization(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
}

/// Authentication API v2: a bearer token for the sandbox client.
async fn token(State(shared): State<Shared>, headers: HeaderMap, body: String) -> Response {
    let mut inner = lock(&shared);
    inner.token_requests += 1;
    let form: Vec<(&str, &str)> = body
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .collect();
    let field = |name: &str| form.iter().find(|(k, _)| *k == name).map(|(_, v)| *v);
    let by_header = authorization(&headers) == Some(basic(CLIENT_ID, CLIENT_SECRET).as_str());
    let by_form =
        field("client_id") == Some(CLIENT_ID) && field("client_secret") == Some(CLIENT_SECRET);
    let refusal = |message: &str| {
        (
            StatusCode::BAD_REQUEST,
            Json(json!({"errors": [{"message": message, "type": "400"}]})),
        )
            .into_response()
    };
    if field("grant_type") != Some("client_credentials") {
        return refusal("Invalid grant type");
    }
    if !(by_header || by_form) {
        return refusal("Invalid client identifier");
    }
    let access = format!("gls-sandbox-token-{}", inner.tokens.len() + 1);
    inner.tokens.push(access.clone());
    Json(json!({"token_type": "Bearer", "access_token": access, "expires_in": 14400}))
        .into_response()
}

/// A ShipIT 400: GLS's `error` code and `message` as response headers, no body.
struct Refusal {
    error: &'static str,
    message: String,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let mut response = StatusCode::BAD_REQUEST.into_response();
        let headers = response.headers_mut();
        headers.insert(
            HeaderName::from_static("error"),
            HeaderValue::from_static(self.error),
        );
        let printable: String = self
            .message
            .chars()
            .map(|c| {
                if c.is_ascii() && !c.is_ascii_control() {
                    c
                } else {
                    '?'
                }
            })
            .collect();
        if let Ok(value) = HeaderValue::from_str(&printable) {
            headers.insert(HeaderName::from_static("message"), value);
        }
        response
    }
}

fn not_set(what: &str) -> Refusal {
    Refusal {
        error: "MANDATORY_PARAMETER_NOT_SET",
        message: format!("The Mandatory parameter {what} is not set"),
    }
}

fn invalid(field: &str, value: &Value, why: &str) -> Refusal {
    let value = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    Refusal {
        error: "INVALID_FIELD_VALUE",
        message: format!("Invalid field {field}. Value {value} is not a valid value. {why}"),
    }
}

/// The fault or the Basic check's refusal, if any.
fn shipit_gate(shared: &Mutex<Inner>, headers: &HeaderMap) -> Option<Response> {
    if let Some(r) = fault(shared) {
        return Some(r);
    }
    (authorization(headers) != Some(basic(USERNAME, PASSWORD).as_str())).then(|| {
        (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Basic")],
        )
            .into_response()
    })
}

fn gls_json(body: &Value) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/glsVersion1+json")],
        body.to_string(),
    )
        .into_response()
}

/// The first refusal the request earns, in the order ShipIT's samples list them.
fn check(request: &Value) -> Result<(&Value, &str), Refusal> {
    let Some(shipment) = request.get("Shipment").filter(|s| s.is_object()) else {
        return Err(not_set("Shipment"));
    };
    let contact = &shipment["Shipper"]["ContactID"];
    if contact != CONTACT_ID {
        return Err(invalid(
            "Shipment.Shipper.ContactID",
            contact,
            "Shipper does not exist or is not available for the user.",
        ));
    }
    let product = &shipment["Product"];
    if !["PARCEL", "EXPRESS"].iter().any(|p| product == p) {
        return Err(invalid(
            "ShipmentRequestData.Shipment.Product",
            product,
            "No matching product available for shipper for the given input data (weight and addresses).",
        ));
    }
    let address = &shipment["Consignee"]["Address"];
    for field in ["Name1", "Street", "ZIPCode", "City", "CountryCode"] {
        if address[field].as_str().is_none_or(|v| v.trim().is_empty()) {
            return Err(not_set(&format!("Shipment.Consignee.Address.{field}")));
        }
    }
    let units = shipment["ShipmentUnit"]
        .as_array()
        .filter(|u| !u.is_empty());
    let Some(units) = units else {
        return Err(not_set("Shipment.ShipmentUnit"));
    };
    for unit in units {
        let weight = &unit["Weight"];
        if !weight.as_f64().is_some_and(|w| w > 0.0 && w <= 40.0) {
            return Err(invalid(
                "Shipment.ShipmentUnit.Weight",
                weight,
                "Weight must be above 0 and at most 40 kg.",
            ));
        }
    }
    let format = &request["PrintingOptions"]["ReturnLabels"]["LabelFormat"];
    match format.as_str() {
        Some(f @ ("PDF" | "ZEBRA")) => Ok((shipment, f)),
        _ => Err(invalid(
            "PrintingOptions.ReturnLabels.LabelFormat",
            format,
            "The sandbox prints PDF or ZEBRA.",
        )),
    }
}

/// ShipIT `createParcels`.
async fn create_parcels(
    State(shared): State<Shared>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Some(r) = shipit_gate(&shared, &headers) {
        return r;
    }
    lock(&shared).create_calls += 1;
    let request = match serde_json::from_slice::<Value>(&body) {
        Ok(value) if value.is_object() => value,
        _ => return not_set("ShipmentRequestData").into_response(),
    };
    let (shipment, format) = match check(&request) {
        Ok(checked) => checked,
        Err(refusal) => return refusal.into_response(),
    };
    let units = shipment["ShipmentUnit"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut parcel_data = Vec::new();
    let mut print_data = Vec::new();
    for unit in &units {
        let (track_id, parcel_number) = {
            let mut inner = lock(&shared);
            inner.serial += 1;
            let serial = inner.serial;
            let parcel_number = format!("{:011}", 48_123_450_000 + serial);
            let track_id = track_id(serial);
            let unit_references = unit["ShipmentUnitReference"]
                .as_array()
                .map(|refs| {
                    refs.iter()
                        .filter_map(|r| r.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            inner.parcels.push(SoldParcel {
                track_id: track_id.clone(),
                parcel_number: parcel_number.clone(),
                unit_references,
                cancelled: false,
                delivered: false,
            });
            (track_id, parcel_number)
        };
        let label = if format == "ZEBRA" {
            sandbox_kit::zpl("GLS", &parcel_number)
        } else {
            sandbox_kit::pdf(&["GLS", &parcel_number, &format!("TrackID {track_id}")])
        };
        parcel_data.push(json!({
            "TrackID": track_id,
            "ParcelNumber": parcel_number,
            "Barcodes": { "Primary1D": parcel_number, "Primary1DPrint": true },
            "RoutingInfo": {
                "Tour": "1234", "InboundSortingFlag": "003", "FinalLocationCode": "DE 777",
                "HubLocation": "esa", "LastRoutingDate": Utc::now().format("%Y-%m-%d").to_string(),
            },
        }));
        print_data.push(json!({
            "Data": base64::engine::general_purpose::STANDARD.encode(label),
            "LabelFormat": format,
        }));
    }
    gls_json(&json!({
        "CreatedShipment": {
            "ShipmentReference": shipment["ShipmentReference"],
            "ParcelData": parcel_data,
            "PrintData": print_data,
            "CustomerID": "2764200001",
            "PickupLocation": "DE 777",
            "GDPR": ["Informationen zum Datenschutz in der GLS-Gruppe finden Sie unter", "gls-group.eu/dataprotection"],
        }
    }))
}

/// ShipIT `cancelParcelByID`.
async fn cancel(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(track_id): Path<String>,
) -> Response {
    if let Some(r) = shipit_gate(&shared, &headers) {
        return r;
    }
    let mut inner = lock(&shared);
    let Some(parcel) = inner.parcels.iter_mut().find(|p| p.track_id == track_id) else {
        return invalid("TrackID", &Value::String(track_id), "Parcel not found.").into_response();
    };
    let result = if parcel.delivered {
        "SCANNED"
    } else {
        parcel.cancelled = true;
        "CANCELLED"
    };
    gls_json(&json!({"TrackID": track_id, "Result": result}))
}

/// An 8-character TrackID (GLS: "Track ID: 8-characters format"), `ZX` and the serial in
/// base 36.
fn track_id(serial: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut rest = serial;
    let mut tail = [b'0'; 6];
    for slot in tail.iter_mut().rev() {
        *slot = DIGITS[(rest % 36) as usize];
        rest /= 36;
    }
    format!("ZX{}", String::from_utf8_lossy(&tail))
}

/// The `ParcelDTO` of a parcel the sandbox booked.
fn booked_parcel(parcel: &SoldParcel) -> Value {
    let mut events = vec![json!({
        "code": "INTIAL.PREADVICE", "city": "", "postalCode": "", "country": "DE",
        "description": "The parcel data was entered into the GLS IT system.",
        "eventDateTime": "2026-11-02T09:30:00+0100",
    })];
    let mut status = "PREADVICE";
    if parcel.delivered {
        status = "DELIVERED";
        events.insert(
            0,
            json!({
                "code": "DELIVD.NORMAL", "city": "Berlin", "postalCode": "10437", "country": "DE",
                "description": "The parcel has been delivered.",
                "eventDateTime": Utc::now().format("%Y-%m-%dT%H:%M:%S+0000").to_string(),
            }),
        );
    }
    json!({
        "requested": parcel.parcel_number,
        "unitno": parcel.parcel_number,
        "status": status,
        "statusDateTime": events[0]["eventDateTime"],
        "events": events,
    })
}

fn apigee_unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        Json(json!({"fault": {
            "faultstring": "The Token has expired: policy(Verify-JWT)",
            "detail": {"errorcode": "steps.jwt.TokenExpired"},
        }})),
    )
        .into_response()
}

/// Track And Trace V1 by parcel numbers.
async fn track(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(unitnos): Path<String>,
) -> Response {
    if let Some(r) = fault(&shared) {
        return r;
    }
    let inner = lock(&shared);
    let bearer = authorization(&headers).and_then(|v| v.strip_prefix("Bearer "));
    if !bearer.is_some_and(|t| inner.tokens.iter().any(|known| known == t)) {
        return apigee_unauthorized();
    }
    let asked: Vec<&str> = unitnos.split(',').filter(|n| !n.is_empty()).collect();
    if asked.len() > 10 {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({
                "type": "about:blank", "title": "Bad Request", "status": 400,
                "detail": format!("Provided references of size '{}' is more than allowed limit of 10", asked.len()),
                "instance": format!("/tracking/simple/trackids/{unitnos}"),
            })),
        )
            .into_response();
    }
    let sample: Value = serde_json::from_str(TRACK_SAMPLE).unwrap_or(Value::Null);
    let unknown: Value = serde_json::from_str(TRACK_UNKNOWN).unwrap_or(Value::Null);
    let parcels: Vec<Value> = asked
        .iter()
        .map(|number| {
            if *number == FIXTURE_NUMBER {
                return sample["parcels"][0].clone();
            }
            if let Some(parcel) = inner.parcels.iter().find(|p| p.parcel_number == *number) {
                return booked_parcel(parcel);
            }
            let mut entry = unknown["parcels"][0].clone();
            entry["requested"] = Value::String((*number).to_string());
            entry
        })
        .collect();
    Json(json!({ "parcels": parcels })).into_response()
}
