//! A loopback UPS for tests and `shipgate demo`: the OAuth token endpoint (Basic client
//! credentials, UPS's `10401` refusal), bearer checks (`250002`), Rating `Shop`/`Rate`
//! priced from billable weight and zone, Shipping `ship` with a valid `1Z` number (check
//! digit from `mappings/carriers/ups.toml`) and a ZPL label in base64, `void`, and Track
//! serving UPS's sample answer (`sandbox-data/ups/`, see SOURCES.md there).
//!
//! Error codes other than 10401, 250002, 111210 and the tracking samples' TV1002/TW0001
//! are the sandbox's own; UPS's wording of them is not public in the documents read.
//! Faults ([`Fault`]) can be injected to test throttling, outages and broken answers.

use crate::Registry;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use base64::Engine;
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{json, Value};
use shipgate_sdk::sandbox::SandboxServer;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// The client id the sandbox accepts.
pub const CLIENT_ID: &str = "sandbox-ups-client";
/// The client secret the sandbox accepts.
pub const CLIENT_SECRET: &str = "sandbox-ups-secret";
/// The shipper number the sandbox bills.
pub const ACCOUNT_NUMBER: &str = "A1B2C3";

const TRACK: &str = include_str!("../../../sandbox-data/ups/track.json");
const TRACK_NOT_FOUND: &str = include_str!("../../../sandbox-data/ups/track.not_found.json");
const TRACK_INVALID: &str = include_str!("../../../sandbox-data/ups/track.error.json");

pub use crate::adapters::sandbox_kit::Fault;
pub use shipgate_sdk::sandbox::RequestLimit;

/// A shipment the sandbox sold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoldShipment {
    /// `ShipmentIdentificationNumber`.
    pub id: String,
    /// The package tracking numbers.
    pub tracking_numbers: Vec<String>,
    /// The `CustomerContext` the request carried.
    pub customer_context: String,
    /// Whether it was voided.
    pub voided: bool,
}

#[derive(Default)]
struct Inner {
    tokens: Vec<String>,
    token_requests: usize,
    shipments: Vec<SoldShipment>,
    faults: VecDeque<Fault>,
    packages: u32,
}

struct Shared {
    inner: Mutex<Inner>,
    registry: Registry,
    limit: RequestLimit,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A running UPS sandbox.
pub struct UpsSandbox {
    server: SandboxServer,
    shared: Arc<Shared>,
}

impl UpsSandbox {
    /// Starts the sandbox on a free loopback port.
    pub async fn start() -> std::io::Result<Self> {
        let registry = crate::adapters::embedded_profile("ups", super::PROFILE)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        let shared = Arc::new(Shared {
            inner: Mutex::new(Inner::default()),
            registry,
            limit: RequestLimit::default(),
        });
        let router = Router::new()
            .route("/security/v1/oauth/token", post(token))
            .route("/api/rating/{version}/{option}", post(rate))
            .route("/api/shipments/{version}/ship", post(ship))
            .route("/api/shipments/{version}/void/cancel/{id}", delete(void))
            .route("/api/track/v1/details/{number}", get(track))
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
            api_version: "v2409".into(),
            timeout_secs: 5,
            request_budget: crate::adapters::budget::for_sandbox(),
        }
    }

    /// Serves `fault` instead of the next API answer (the token endpoint is not affected).
    pub fn inject(&self, fault: Fault) {
        self.shared.lock().faults.push_back(fault);
    }

    /// The request limit in front of the API (none until set; the token endpoint is not
    /// behind it): calls over it get UPS's 429 with `Retry-After`.
    pub fn limit(&self) -> &RequestLimit {
        &self.shared.limit
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

fn ups_error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({"response": {"errors": [{"code": code, "message": message}]}})),
    )
        .into_response()
}

/// The injected fault, the request limit's 429, or the bearer check's refusal, if any.
fn gate(shared: &Shared, headers: &HeaderMap) -> Option<Response> {
    let mut inner = shared.lock();
    if let Some(fault) = inner
        .faults
        .pop_front()
        .or_else(|| (!shared.limit.admit()).then_some(Fault::Throttle(1)))
    {
        return Some(fault.answer(
            || ups_error(StatusCode::TOO_MANY_REQUESTS, "429", "Rate limit exceeded"),
            || {
                ups_error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "503",
                    "Service Unavailable",
                )
            },
        ));
    }
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match token {
        Some(t) if inner.tokens.iter().any(|known| known == t) => None,
        _ => Some(ups_error(
            StatusCode::UNAUTHORIZED,
            "250002",
            "Invalid Authentication Information.",
        )),
    }
}

async fn token(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: String) -> Response {
    let mut inner = shared.lock();
    inner.token_requests += 1;
    let expected =
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"));
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "));
    if basic != Some(expected.as_str()) {
        return ups_error(StatusCode::UNAUTHORIZED, "10401", "ClientId is Invalid");
    }
    if !body
        .split('&')
        .any(|kv| kv == "grant_type=client_credentials")
    {
        return ups_error(
            StatusCode::BAD_REQUEST,
            "10400",
            "Invalid/Missing Grant Type",
        );
    }
    let access = format!("ups-sandbox-token-{}", inner.tokens.len() + 1);
    inner.tokens.push(access.clone());
    Json(json!({
        "token_type": "Bearer",
        "issued_at": "1700000000000",
        "client_id": CLIENT_ID,
        "access_token": access,
        "expires_in": "14399",
        "status": "approved",
    }))
    .into_response()
}

/// UPS's service codes by lane: (code, base price, price per billable pound).
const DOMESTIC: &[(&str, &str, &str)] = &[
    ("03", "9.50", "1.10"),
    ("12", "14.00", "1.90"),
    ("02", "22.00", "3.20"),
    ("01", "35.00", "4.80"),
];
const INTERNATIONAL: &[(&str, &str, &str)] = &[
    ("08", "50.00", "7.50"),
    ("65", "55.00", "8.20"),
    ("07", "60.00", "9.00"),
];

fn text(v: &Value) -> Option<&str> {
    v.as_str()
}

fn num(v: &Value) -> Option<Decimal> {
    text(v).and_then(|t| t.trim().parse().ok())
}

/// Billable pounds of one package: actual or dimensional (L×W×H / 139), whole pounds up.
fn billable(package: &Value) -> Option<Decimal> {
    let weight = num(&package["PackageWeight"]["Weight"])?;
    let d = &package["Dimensions"];
    let dim = match (num(&d["Length"]), num(&d["Width"]), num(&d["Height"])) {
        (Some(l), Some(w), Some(h)) => l * w * h / Decimal::from(139),
        _ => Decimal::ZERO,
    };
    Some(weight.max(dim).ceil().max(Decimal::ONE))
}

/// Zone 2–8 from the distance between the first three ZIP digits; 9 abroad.
fn zone(shipment: &Value) -> (bool, u32) {
    let from = &shipment["ShipFrom"]["Address"];
    let to = &shipment["ShipTo"]["Address"];
    let domestic =
        text(&from["CountryCode"]) == Some("US") && text(&to["CountryCode"]) == Some("US");
    if !domestic {
        return (false, 9);
    }
    let prefix = |a: &Value| -> Option<u32> { text(&a["PostalCode"])?.get(..3)?.parse().ok() };
    match (prefix(from), prefix(to)) {
        (Some(a), Some(b)) => (true, 2 + (a.abs_diff(b) / 100).min(6)),
        _ => (true, 8),
    }
}

fn packages(shipment: &Value) -> Vec<Value> {
    match &shipment["Package"] {
        Value::Array(list) => list.clone(),
        Value::Object(_) => vec![shipment["Package"].clone()],
        _ => Vec::new(),
    }
}

/// Prices every service of the lane (or the one asked for) over all packages.
/// UPS's refusal of a request: status, code, message.
type Refusal = (StatusCode, &'static str, &'static str);

fn price(shipment: &Value) -> Result<Vec<(&'static str, Decimal, u32)>, Refusal> {
    let (domestic, zone) = zone(shipment);
    let mut pounds = Decimal::ZERO;
    let list = packages(shipment);
    if list.is_empty() {
        return Err((StatusCode::BAD_REQUEST, "111500", "Missing Package"));
    }
    for p in &list {
        pounds += billable(p).ok_or((
            StatusCode::BAD_REQUEST,
            "111050",
            "Missing or invalid package weight",
        ))?;
    }
    let factor = Decimal::ONE + Decimal::from(zone.saturating_sub(2).min(6)) * Decimal::new(8, 2);
    let table = if domestic { DOMESTIC } else { INTERNATIONAL };
    let wanted = text(&shipment["Service"]["Code"]);
    let mut rates = Vec::new();
    for (code, base, per_lb) in table {
        if wanted.is_some_and(|w| w != *code) {
            continue;
        }
        let base: Decimal = base.parse().unwrap_or_default();
        let per_lb: Decimal = per_lb.parse().unwrap_or_default();
        let total = ((base + per_lb * pounds) * factor)
            .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        let days = match *code {
            "01" | "07" => 1,
            "02" | "65" => 2,
            "12" => 3,
            "08" => 4,
            _ => zone.saturating_sub(1).clamp(1, 5),
        };
        rates.push((*code, total, days));
    }
    if rates.is_empty() {
        return Err((
            StatusCode::BAD_REQUEST,
            "111210",
            "The requested service is unavailable between the selected locations.",
        ));
    }
    Ok(rates)
}

fn charge(amount: Decimal) -> Value {
    json!({"CurrencyCode": "USD", "MonetaryValue": amount.to_string()})
}

async fn rate(
    State(shared): State<Arc<Shared>>,
    Path((_version, option)): Path<(String, String)>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Some(refusal) = gate(&shared, &headers) {
        return refusal;
    }
    if !["Rate", "Shop", "Ratetimeintransit", "Shoptimeintransit"].contains(&option.as_str()) {
        return ups_error(StatusCode::BAD_REQUEST, "111100", "Invalid request option");
    }
    let shipment = &body["RateRequest"]["Shipment"];
    let rates = match price(shipment) {
        Ok(r) => r,
        Err((status, code, message)) => return ups_error(status, code, message),
    };
    let rated: Vec<Value> = rates
        .into_iter()
        .map(|(code, total, days)| {
            json!({
                "Service": {"Code": code, "Description": ""},
                "TransportationCharges": charge(total),
                "ServiceOptionsCharges": charge(Decimal::ZERO),
                "TotalCharges": charge(total),
                "GuaranteedDelivery": {"BusinessDaysInTransit": days.to_string()},
            })
        })
        .collect();
    let context = body["RateRequest"]["Request"]["TransactionReference"]["CustomerContext"].clone();
    // A single rated service comes as an object, as UPS's XML-born JSON does.
    let rated = if rated.len() == 1 {
        rated.into_iter().next().unwrap_or_default()
    } else {
        Value::Array(rated)
    };
    Json(json!({"RateResponse": {
        "Response": {
            "ResponseStatus": {"Code": "1", "Description": "Success"},
            "TransactionReference": {"CustomerContext": context},
        },
        "RatedShipment": rated,
    }}))
    .into_response()
}

fn zpl_label(service: &str, tracking: &str) -> String {
    format!("^XA^CF0,40^FO40,40^FDUPS {service}^FS^FO40,120^BY3^BCN,200,Y,N,N^FD{tracking}^FS^XZ")
}

async fn ship(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Some(refusal) = gate(&shared, &headers) {
        return refusal;
    }
    let request = &body["ShipmentRequest"];
    let shipment = &request["Shipment"];
    let Some(service) = text(&shipment["Service"]["Code"]).map(str::to_string) else {
        return ups_error(StatusCode::BAD_REQUEST, "120100", "Missing Service Code");
    };
    if text(&request["LabelSpecification"]["LabelImageFormat"]["Code"]) != Some("ZPL") {
        return ups_error(
            StatusCode::BAD_REQUEST,
            "120500",
            "The sandbox prints ZPL labels only",
        );
    }
    let rates = match price(shipment) {
        Ok(r) => r,
        Err((status, code, message)) => return ups_error(status, code, message),
    };
    let total = rates.first().map(|r| r.1).unwrap_or_default();
    let shipper = text(&shipment["Shipper"]["ShipperNumber"])
        .unwrap_or(ACCOUNT_NUMBER)
        .to_ascii_uppercase();
    let mut inner = shared.lock();
    let mut numbers = Vec::new();
    let mut results = Vec::new();
    for _ in packages(shipment) {
        inner.packages += 1;
        let serial = format!("{shipper:0>6.6}{:0>2.2}{:07}", service, inner.packages);
        let Some(digit) =
            crate::adapters::sandbox_kit::check_digit(&shared.registry, "ups", "UPS", &serial)
        else {
            return ups_error(StatusCode::INTERNAL_SERVER_ERROR, "500", "numbering failed");
        };
        let number = format!("1Z{serial}{digit}");
        let label = base64::engine::general_purpose::STANDARD.encode(zpl_label(&service, &number));
        results.push(json!({
            "TrackingNumber": number,
            "ShippingLabel": {
                "ImageFormat": {"Code": "ZPL", "Description": "ZPL"},
                "GraphicImage": label,
            },
        }));
        numbers.push(number);
    }
    let id = numbers.first().cloned().unwrap_or_default();
    inner.shipments.push(SoldShipment {
        id: id.clone(),
        tracking_numbers: numbers,
        customer_context: text(&request["Request"]["TransactionReference"]["CustomerContext"])
            .unwrap_or_default()
            .to_string(),
        voided: false,
    });
    let results = if results.len() == 1 {
        results.into_iter().next().unwrap_or_default()
    } else {
        Value::Array(results)
    };
    Json(json!({"ShipmentResponse": {
        "Response": {"ResponseStatus": {"Code": "1", "Description": "Success"}},
        "ShipmentResults": {
            "ShipmentCharges": {
                "TransportationCharges": charge(total),
                "ServiceOptionsCharges": charge(Decimal::ZERO),
                "TotalCharges": charge(total),
            },
            "BillingWeight": {"UnitOfMeasurement": {"Code": "LBS"}, "Weight": "1.0"},
            "ShipmentIdentificationNumber": id,
            "PackageResults": results,
        },
    }}))
    .into_response()
}

async fn void(
    State(shared): State<Arc<Shared>>,
    Path((_version, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Some(refusal) = gate(&shared, &headers) {
        return refusal;
    }
    let mut inner = shared.lock();
    match inner.shipments.iter_mut().find(|s| s.id == id) {
        Some(s) if s.voided => ups_error(
            StatusCode::BAD_REQUEST,
            "190117",
            "The shipment has already been voided",
        ),
        Some(s) => {
            s.voided = true;
            Json(json!({"VoidShipmentResponse": {
                "Response": {"ResponseStatus": {"Code": "1", "Description": "Success"}},
                "SummaryResult": {"Status": {"Code": "1", "Description": "Voided"}},
            }}))
            .into_response()
        }
        None => ups_error(
            StatusCode::BAD_REQUEST,
            "190102",
            "No shipment found within the allowed void period",
        ),
    }
}

async fn track(
    State(shared): State<Arc<Shared>>,
    Path(number): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(refusal) = gate(&shared, &headers) {
        return refusal;
    }
    let number = number.trim().to_ascii_uppercase();
    let known = shared
        .lock()
        .shipments
        .iter()
        .any(|s| s.tracking_numbers.contains(&number));
    let valid = shared
        .registry
        .detect(&number)
        .iter()
        .any(|d| d.code == "ups");
    if !valid {
        return (StatusCode::BAD_REQUEST, TRACK_INVALID).into_response();
    }
    if !known {
        return (StatusCode::OK, TRACK_NOT_FOUND).into_response();
    }
    let Ok(mut answer) = serde_json::from_str::<Value>(TRACK) else {
        return ups_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "500",
            "sample unreadable",
        );
    };
    let shipment = &mut answer["trackResponse"]["shipment"][0];
    shipment["inquiryNumber"] = json!(number);
    shipment["package"][0]["trackingNumber"] = json!(number);
    Json(answer).into_response()
}
