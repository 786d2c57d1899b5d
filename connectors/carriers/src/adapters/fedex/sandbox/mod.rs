//! A loopback FedEx for tests and `shipgate demo`: `/oauth/token` (form client
//! credentials, `NOT.AUTHORIZED.ERROR` on refusal), bearer checks, Rate quotes priced
//! from billable weight and zone with ACCOUNT and LIST rates, Ship create with a valid
//! 12-digit FedEx Express number (check digit from `mappings/carriers/fedex.toml`) and a
//! base64 PDF or ZPL label, cancel, and Track serving FedEx's sample answer
//! (`sandbox-data/fedex/`, see SOURCES.md there).
//!
//! Error codes other than `NOT.AUTHORIZED.ERROR`, `SERVICE.UNAVAILABLE.ERROR` and the
//! tracking samples' are the sandbox's own wording. Faults ([`Fault`]) can be injected.

use crate::Registry;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{post, put};
use axum::{Form, Json, Router};
use base64::Engine;
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{json, Value};
use shipgate_sdk::sandbox::SandboxServer;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

/// The API key the sandbox accepts.
pub const CLIENT_ID: &str = "sandbox-fedex-key";
/// The secret key the sandbox accepts.
pub const CLIENT_SECRET: &str = "sandbox-fedex-secret";
/// The account number the sandbox bills.
pub const ACCOUNT_NUMBER: &str = "740561073";

const TRACK: &str = include_str!("../../../../sandbox-data/fedex/track.json");
const TRACK_EMPTY: &str = include_str!("../../../../sandbox-data/fedex/track.error.json");

pub use crate::adapters::sandbox_kit::Fault;

/// A shipment the sandbox sold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoldShipment {
    /// The master tracking number.
    pub master: String,
    /// The piece tracking numbers.
    pub tracking_numbers: Vec<String>,
    /// The `x-customer-transaction-id` the request carried.
    pub customer_transaction_id: Option<String>,
    /// Whether it was cancelled.
    pub cancelled: bool,
}

#[derive(Default)]
struct Inner {
    tokens: Vec<String>,
    token_requests: usize,
    shipments: Vec<SoldShipment>,
    faults: VecDeque<Fault>,
    pieces: u64,
}

struct Shared {
    inner: Mutex<Inner>,
    registry: Registry,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A running FedEx sandbox.
pub struct FedexSandbox {
    server: SandboxServer,
    shared: Arc<Shared>,
}

impl FedexSandbox {
    /// Starts the sandbox on a free loopback port.
    pub async fn start() -> std::io::Result<Self> {
        let registry = crate::adapters::embedded_profile("fedex", super::PROFILE)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        let shared = Arc::new(Shared {
            inner: Mutex::new(Inner::default()),
            registry,
        });
        let router = Router::new()
            .route("/oauth/token", post(token))
            .route("/rate/v1/rates/quotes", post(rate))
            .route("/ship/v1/shipments", post(ship))
            .route("/ship/v1/shipments/cancel", put(cancel))
            .route("/track/v1/trackingnumbers", post(track))
            .with_state(shared.clone());
        Ok(Self {
            server: SandboxServer::start(router).await?,
            shared,
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    /// Settings that point the adapter at this sandbox.
    pub fn config(&self) -> super::Config {
        super::Config {
            client_id: CLIENT_ID.into(),
            client_secret: CLIENT_SECRET.into(),
            account_number: ACCOUNT_NUMBER.into(),
            base_url: self.base_url(),
            timeout_secs: 5,
            request_budget: crate::adapters::budget::for_sandbox(),
        }
    }

    /// Serves `fault` instead of the next API answer (the token endpoint is not affected).
    pub fn inject(&self, fault: Fault) {
        self.shared.lock().faults.push_back(fault);
    }

    /// How many tokens were asked for, granted or not.
    pub fn token_requests(&self) -> usize {
        self.shared.lock().token_requests
    }

    /// Every shipment sold so far.
    pub fn shipments(&self) -> Vec<SoldShipment> {
        self.shared.lock().shipments.clone()
    }
}

fn fedex_error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({
            "transactionId": "sandbox-transaction",
            "errors": [{"code": code, "message": message}],
        })),
    )
        .into_response()
}

/// The injected fault, or the bearer check's refusal, if any.
fn gate(shared: &Shared, headers: &HeaderMap) -> Option<Response> {
    let mut inner = shared.lock();
    if let Some(fault) = inner.faults.pop_front() {
        return Some(fault.answer(
            || fedex_error(
                    StatusCode::TOO_MANY_REQUESTS,
                    "TOO.MANY.REQUESTS",
                    "We have received too many requests in a short duration. Please wait a while to try again.",
                ),
            || fedex_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "SERVICE.UNAVAILABLE.ERROR",
                "The service is currently unavailable and we are working to resolve the issue. We apologize for any inconvenience. Please check back at a later time.",
            ),
        ));
    }
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match token {
        Some(t) if inner.tokens.iter().any(|known| known == t) => None,
        _ => Some(fedex_error(
            StatusCode::UNAUTHORIZED,
            "NOT.AUTHORIZED.ERROR",
            "Access token expired. Please modify your request and try again.",
        )),
    }
}

async fn token(
    State(shared): State<Arc<Shared>>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let mut inner = shared.lock();
    inner.token_requests += 1;
    let field = |k: &str| form.get(k).map(String::as_str);
    if field("grant_type") != Some("client_credentials") {
        return fedex_error(
            StatusCode::BAD_REQUEST,
            "BAD.REQUEST.ERROR",
            "Missing or duplicate parameters. Please modify your request and try again.",
        );
    }
    if field("client_id") != Some(CLIENT_ID) || field("client_secret") != Some(CLIENT_SECRET) {
        return fedex_error(
            StatusCode::UNAUTHORIZED,
            "NOT.AUTHORIZED.ERROR",
            "The given client credentials were not valid. Please modify your request and try again.",
        );
    }
    let access = format!("fedex-sandbox-token-{}", inner.tokens.len() + 1);
    inner.tokens.push(access.clone());
    Json(json!({
        "access_token": access,
        "token_type": "bearer",
        "expires_in": 3599,
        "scope": "CXS",
    }))
    .into_response()
}

/// Services by lane: (serviceType, name, base price, price per billable pound, days).
type Service = (&'static str, &'static str, i64, i64, u32);
const DOMESTIC: &[Service] = &[
    ("FEDEX_GROUND", "FedEx Ground®", 980, 105, 0),
    ("FEDEX_EXPRESS_SAVER", "FedEx Express Saver®", 1600, 180, 3),
    ("FEDEX_2_DAY", "FedEx 2Day®", 2150, 310, 2),
    (
        "PRIORITY_OVERNIGHT",
        "FedEx Priority Overnight®",
        3600,
        470,
        1,
    ),
];
const INTERNATIONAL: &[Service] = &[
    (
        "INTERNATIONAL_ECONOMY",
        "FedEx International Economy®",
        5200,
        720,
        5,
    ),
    (
        "INTERNATIONAL_PRIORITY",
        "FedEx International Priority®",
        6100,
        880,
        3,
    ),
];
/// A service priced for one request: the service, its list price, days in transit.
type Priced = (&'static Service, Decimal, u32);

const DAY_WORDS: [&str; 7] = ["ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN"];

fn num(v: &Value) -> Option<Decimal> {
    match v {
        Value::Number(n) => n.to_string().parse().ok(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Billable pounds of one line item: actual or dimensional (L×W×H / 139), whole up.
fn billable(item: &Value) -> Option<Decimal> {
    if item["weight"]["units"].as_str() != Some("LB") {
        return None;
    }
    let weight = num(&item["weight"]["value"])?;
    let d = &item["dimensions"];
    let dim = match (num(&d["length"]), num(&d["width"]), num(&d["height"])) {
        (Some(l), Some(w), Some(h)) => l * w * h / Decimal::from(139),
        _ => Decimal::ZERO,
    };
    Some(weight.max(dim).ceil().max(Decimal::ONE))
}

/// Zone 2–8 from the first three postal digits, 9 abroad.
fn zone(shipment: &Value, from: &str, to: &str) -> (bool, u32) {
    // `recipient` in rate requests, `recipients[0]` in ship requests.
    let party = |key: &str| match &shipment[key] {
        Value::Array(list) => list.first().cloned().unwrap_or_default(),
        one => one.clone(),
    };
    let (from, to) = (party(from), party(to));
    let (from, to) = (&from["address"], &to["address"]);
    let us = |a: &Value| a["countryCode"].as_str() == Some("US");
    if !(us(from) && us(to)) {
        return (false, 9);
    }
    let prefix = |a: &Value| -> Option<u32> { a["postalCode"].as_str()?.get(..3)?.parse().ok() };
    match (prefix(from), prefix(to)) {
        (Some(a), Some(b)) => (true, 2 + (a.abs_diff(b) / 100).min(6)),
        _ => (true, 8),
    }
}

/// Prices the lane's services (or the one asked for): (service, list price, days).
fn price(shipment: &Value, recipient: &str) -> Result<Vec<Priced>, (&'static str, &'static str)> {
    let (domestic, zone) = zone(shipment, "shipper", recipient);
    let items = shipment["requestedPackageLineItems"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if items.is_empty() {
        return Err((
            "PACKAGES.COUNT.INVALID",
            "requestedPackageLineItems is required.",
        ));
    }
    let mut pounds = Decimal::ZERO;
    for item in &items {
        pounds += billable(item).ok_or((
            "WEIGHT.VALUE.INVALID",
            "Package weight must be a positive number of LB.",
        ))?;
    }
    let factor = Decimal::ONE + Decimal::from(zone.saturating_sub(2).min(6)) * Decimal::new(8, 2);
    let wanted = shipment["serviceType"].as_str();
    let table = if domestic { DOMESTIC } else { INTERNATIONAL };
    let rates: Vec<_> = table
        .iter()
        .filter(|s| wanted.is_none_or(|w| w == s.0))
        .map(|s| {
            let total = ((Decimal::new(s.2, 2) + Decimal::new(s.3, 2) * pounds) * factor)
                .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
            let days = if s.4 == 0 {
                zone.saturating_sub(1).clamp(1, 5)
            } else {
                s.4
            };
            (s, total, days)
        })
        .collect();
    if rates.is_empty() {
        return Err((
            "SERVICE.TYPE.NOTALLOWED",
            "The requested service is not available between the origin and destination.",
        ));
    }
    Ok(rates)
}

fn rated(rate_type: &str, total: Decimal) -> Value {
    let total = serde_json::Number::from_f64(total.to_string().parse().unwrap_or(0.0))
        .map_or(Value::Null, Value::Number);
    json!({"rateType": rate_type, "ratedWeightMethod": "ACTUAL", "totalNetCharge": total, "currency": "USD"})
}

async fn rate(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Some(refusal) = gate(&shared, &headers) {
        return refusal;
    }
    let shipment = &body["requestedShipment"];
    let rates = match price(shipment, "recipient") {
        Ok(r) => r,
        Err((code, message)) => return fedex_error(StatusCode::BAD_REQUEST, code, message),
    };
    let details: Vec<Value> = rates
        .into_iter()
        .map(|(s, list, days)| {
            let account = (list * Decimal::new(90, 2))
                .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
            let word = DAY_WORDS
                .get(days.saturating_sub(1) as usize)
                .copied()
                .unwrap_or("SEVEN");
            json!({
                "serviceType": s.0,
                "serviceName": s.1,
                "packagingType": "YOUR_PACKAGING",
                "ratedShipmentDetails": [rated("ACCOUNT", account), rated("LIST", list)],
                "operationalDetail": {"transitTime": format!("{word}_DAYS")},
            })
        })
        .collect();
    Json(json!({
        "transactionId": "sandbox-transaction",
        "output": {"rateReplyDetails": details, "quoteDate": "2026-01-01", "encoded": false},
    }))
    .into_response()
}

async fn ship(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Some(refusal) = gate(&shared, &headers) {
        return refusal;
    }
    let shipment = &body["requestedShipment"];
    let Some(service) = shipment["serviceType"].as_str().map(str::to_string) else {
        return fedex_error(
            StatusCode::BAD_REQUEST,
            "SERVICETYPE.MISSING",
            "Service type is missing.",
        );
    };
    let image = shipment["labelSpecification"]["imageType"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if image != "PDF" && image != "ZPLII" {
        return fedex_error(
            StatusCode::BAD_REQUEST,
            "LABELSPECIFICATION.IMAGETYPE.INVALID",
            "The sandbox prints PDF and ZPLII labels only.",
        );
    }
    let rates = match price(shipment, "recipients") {
        Ok(r) => r,
        Err((code, message)) => return fedex_error(StatusCode::BAD_REQUEST, code, message),
    };
    let total = rates
        .first()
        .map(|r| r.1 * Decimal::new(90, 2))
        .unwrap_or_default()
        .round_dp(2);
    let items = shipment["requestedPackageLineItems"]
        .as_array()
        .map_or(0, Vec::len);
    let mut inner = shared.lock();
    let mut numbers = Vec::with_capacity(items);
    let mut pieces = Vec::with_capacity(items);
    for _ in 0..items {
        inner.pieces += 1;
        let serial = format!("79{:09}", inner.pieces);
        let Some(digit) = crate::adapters::sandbox_kit::check_digit(
            &shared.registry,
            "fedex",
            "FedEx Express (12)",
            &serial,
        ) else {
            return fedex_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL.SERVER.ERROR",
                "numbering failed",
            );
        };
        let number = format!("{serial}{digit}");
        let file = if image == "PDF" {
            crate::adapters::sandbox_kit::pdf(&["FedEx", &service, &number])
        } else {
            format!("^XA^CF0,40^FO40,40^FDFedEx {service}^FS^FO40,120^BY3^BCN,200,Y,N,N^FD{number}^FS^XZ").into_bytes()
        };
        pieces.push(json!({
            "trackingNumber": number,
            "masterTrackingNumber": numbers.first().cloned().unwrap_or_else(|| number.clone()),
            "packageDocuments": [{
                "contentType": "LABEL",
                "copiesToPrint": 1,
                "encodedLabel": base64::engine::general_purpose::STANDARD.encode(file),
                "docType": image,
            }],
        }));
        numbers.push(number);
    }
    let master = numbers.first().cloned().unwrap_or_default();
    let transaction = headers
        .get("x-customer-transaction-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    inner.shipments.push(SoldShipment {
        master: master.clone(),
        tracking_numbers: numbers,
        customer_transaction_id: transaction.clone(),
        cancelled: false,
    });
    let total = serde_json::Number::from_f64(total.to_string().parse().unwrap_or(0.0))
        .map_or(Value::Null, Value::Number);
    Json(json!({
        "transactionId": "sandbox-transaction",
        "customerTransactionId": transaction,
        "output": {"transactionShipments": [{
            "serviceType": service,
            "masterTrackingNumber": master,
            "pieceResponses": pieces,
            "completedShipmentDetail": {"shipmentRating": {"shipmentRateDetails": [
                {"rateType": "PAYOR_ACCOUNT_PACKAGE", "totalNetCharge": total, "currency": "USD"}
            ]}},
        }]},
    }))
    .into_response()
}

async fn cancel(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Some(refusal) = gate(&shared, &headers) {
        return refusal;
    }
    let number = body["trackingNumber"].as_str().unwrap_or_default();
    let mut inner = shared.lock();
    match inner.shipments.iter_mut().find(|s| s.master == number) {
        Some(s) if s.cancelled => fedex_error(
            StatusCode::BAD_REQUEST,
            "SHIPMENT.ALREADY.CANCELLED",
            "This shipment has already been cancelled.",
        ),
        Some(s) => {
            s.cancelled = true;
            Json(json!({
                "transactionId": "sandbox-transaction",
                "output": {"cancelledShipment": true, "cancelledHistory": true, "message": "Shipment is successfully cancelled"},
            }))
            .into_response()
        }
        None => fedex_error(
            StatusCode::NOT_FOUND,
            "TRACKING.TRACKINGNUMBER.NOTFOUND",
            "Tracking number cannot be found. Please correct the tracking number and try again.",
        ),
    }
}

async fn track(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Some(refusal) = gate(&shared, &headers) {
        return refusal;
    }
    let asked: Vec<String> = body["trackingInfo"]
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|i| i["trackingNumberInfo"]["trackingNumber"].as_str())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    if asked.is_empty() {
        return (StatusCode::BAD_REQUEST, TRACK_EMPTY).into_response();
    }
    let Ok(mut sample) = serde_json::from_str::<Value>(TRACK) else {
        return fedex_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL.SERVER.ERROR",
            "sample unreadable",
        );
    };
    let templates = sample["output"]["completeTrackResults"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let (Some(found), Some(missing)) = (templates.first(), templates.get(1)) else {
        return fedex_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL.SERVER.ERROR",
            "sample incomplete",
        );
    };
    let inner = shared.lock();
    let results: Vec<Value> = asked
        .iter()
        .map(|number| {
            let known = inner
                .shipments
                .iter()
                .any(|s| s.tracking_numbers.contains(number));
            let mut result = if known {
                found.clone()
            } else {
                missing.clone()
            };
            result["trackingNumber"] = json!(number);
            if let Some(list) = result["trackResults"].as_array_mut() {
                for r in list {
                    r["trackingNumberInfo"]["trackingNumber"] = json!(number);
                }
            }
            result
        })
        .collect();
    sample["output"]["completeTrackResults"] = Value::Array(results);
    Json(sample).into_response()
}
