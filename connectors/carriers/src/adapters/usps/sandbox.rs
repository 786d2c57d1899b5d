//! A loopback USPS for tests and `shipgate demo`: `/oauth2/v3/token` taking the JSON
//! body USPS documents (refusing with USPS's OAuth answer `invalid_client`, as in
//! `shared/fixtures/carriers/tracking/usps.autherrorresponse.json`), bearer checks,
//! payment authorization for the account's CRID/MID, Domestic Prices `base-rates/search`
//! priced from weight and zone, Labels create (PDF or ZPL label in base64, an IMpb
//! number valid under `mappings/carriers/usps.toml`, replay of an `X-Idempotency-Key`)
//! and cancel, and Tracking serving USPS's sample answer (`sandbox-data/usps/`, see
//! SOURCES.md there).
//!
//! The error envelope is USPS's (`{"apiVersion","error":{"code","message","errors"}}`);
//! the codes and words inside it, other than the OAuth refusal, are the sandbox's own.
//! Faults ([`Fault`]) can be injected to test throttling, outages and broken answers.

use crate::adapters::sandbox_kit;
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
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

/// The consumer key the sandbox accepts.
pub const CLIENT_ID: &str = "sandbox-usps-key";
/// The consumer secret the sandbox accepts.
pub const CLIENT_SECRET: &str = "sandbox-usps-secret";
/// The Customer Registration ID of the sandbox account.
pub const CRID: &str = "56982563";
/// The Mailer ID of the sandbox account (9 digits, printed in the IMpb).
pub const MID: &str = "904128936";
/// The EPS account of the sandbox account.
pub const EPS_ACCOUNT: &str = "1000405525";

const TRACK: &str = include_str!("../../../sandbox-data/usps/track.json");
const TRACK_ERROR: &str = include_str!("../../../sandbox-data/usps/track.error.json");

pub use crate::adapters::sandbox_kit::Fault;

/// A label the sandbox sold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoldLabel {
    /// The IMpb tracking number.
    pub tracking_number: String,
    /// The `X-Idempotency-Key` the request carried.
    pub idempotency_key: Option<String>,
    /// The `mailClass` bought.
    pub mail_class: String,
    /// Whether it was cancelled.
    pub cancelled: bool,
}

#[derive(Default)]
struct Inner {
    tokens: Vec<String>,
    token_requests: usize,
    payment_tokens: Vec<String>,
    labels: Vec<SoldLabel>,
    answers: HashMap<String, Value>,
    faults: VecDeque<Fault>,
    serial: u32,
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

/// A running USPS sandbox.
pub struct UspsSandbox {
    server: SandboxServer,
    shared: Arc<Shared>,
}

impl UspsSandbox {
    /// Starts the sandbox on a free loopback port.
    pub async fn start() -> std::io::Result<Self> {
        let registry = crate::adapters::embedded_profile("usps", super::PROFILE)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        let shared = Arc::new(Shared {
            inner: Mutex::new(Inner::default()),
            registry,
        });
        let router = Router::new()
            .route("/oauth2/v3/token", post(token))
            .route("/payments/v3/payment-authorization", post(payment))
            .route("/prices/v3/base-rates/search", post(rate))
            .route("/labels/v3/label", post(label))
            .route("/labels/v3/label/{number}", delete(cancel))
            .route("/tracking/v3/tracking/{number}", get(track))
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
            crid: CRID.into(),
            mid: MID.into(),
            eps_account: EPS_ACCOUNT.into(),
            base_url: self.base_url(),
            timeout_secs: 5,
            request_budget: crate::adapters::budget::for_sandbox(),
        }
    }

    /// Serves `fault` instead of the next API answer (the token endpoint is not affected).
    pub fn inject(&self, fault: Fault) {
        self.shared.lock().faults.push_back(fault);
    }

    /// How many access tokens were asked for, granted or not.
    pub fn token_requests(&self) -> usize {
        self.shared.lock().token_requests
    }

    /// How many payment authorization tokens were granted.
    pub fn payment_authorizations(&self) -> usize {
        self.shared.lock().payment_tokens.len()
    }

    /// Every label sold so far.
    pub fn labels(&self) -> Vec<SoldLabel> {
        self.shared.lock().labels.clone()
    }
}

fn usps_error(status: StatusCode, code: &str, message: &str, detail: &str) -> Response {
    let s = status.as_u16().to_string();
    (
        status,
        Json(json!({"apiVersion": "3.0", "error": {
            "code": code,
            "message": message,
            "errors": [{"status": s, "code": code, "title": message, "detail": detail}],
        }})),
    )
        .into_response()
}

/// The injected fault, or the bearer check's refusal, if any.
fn gate(shared: &Shared, headers: &HeaderMap) -> Option<Response> {
    let mut inner = shared.lock();
    if let Some(fault) = inner.faults.pop_front() {
        return Some(fault.answer(
            || {
                usps_error(
                    StatusCode::TOO_MANY_REQUESTS,
                    "429",
                    "Too Many Requests",
                    "The hourly quota of the application was exceeded.",
                )
            },
            || {
                usps_error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "503",
                    "Service Unavailable",
                    "The service is temporarily unavailable.",
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
        _ => Some(usps_error(
            StatusCode::UNAUTHORIZED,
            "401",
            "Unauthorized",
            "The OAuth access token is missing, invalid or expired.",
        )),
    }
}

async fn token(State(shared): State<Arc<Shared>>, body: String) -> Response {
    let mut inner = shared.lock();
    inner.token_requests += 1;
    let Ok(body) = serde_json::from_str::<Value>(&body) else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_request",
                "error_description": "The request body must be JSON."})),
        )
            .into_response();
    };
    if body["grant_type"] != "client_credentials" {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "unsupported_grant_type",
                "error_description": "The grant type is not supported."})),
        )
            .into_response();
    }
    if body["client_id"] != CLIENT_ID || body["client_secret"] != CLIENT_SECRET {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({
                "error": "invalid_client",
                "error_description": "Client authentication failed.",
                "error_uri": "https://datatracker.ietf.org/doc/html/rfc6749#page-45",
            })),
        )
            .into_response();
    }
    let access = format!("usps-sandbox-token-{}", inner.tokens.len() + 1);
    inner.tokens.push(access.clone());
    Json(json!({
        "access_token": access,
        "token_type": "Bearer",
        "issued_at": "1700000000000",
        "expires_in": "28799",
        "status": "approved",
        "scope": "addresses prices labels tracking payments",
        "issuer": "api.usps.com",
        "client_id": CLIENT_ID,
    }))
    .into_response()
}

async fn payment(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Some(refusal) = gate(&shared, &headers) {
        return refusal;
    }
    let roles = body["roles"].as_array().cloned().unwrap_or_default();
    let has = |name: &str| {
        roles.iter().any(|r| {
            r["roleName"] == name && r["CRID"] == CRID && r["MID"] == MID && {
                name != "PAYER" || r["accountNumber"] == EPS_ACCOUNT
            }
        })
    };
    if !has("PAYER") || !has("LABEL_OWNER") {
        return usps_error(
            StatusCode::BAD_REQUEST,
            "400",
            "Bad Request",
            "roles: a PAYER and a LABEL_OWNER of the account (CRID, MID, EPS) are required.",
        );
    }
    let mut inner = shared.lock();
    let token = format!("usps-sandbox-payment-{}", inner.payment_tokens.len() + 1);
    inner.payment_tokens.push(token.clone());
    Json(json!({"paymentAuthorizationToken": token})).into_response()
}

/// Mail classes: (class, base price, price per pound) at zone 1–2.
const CLASSES: &[(&str, &str, &str)] = &[
    ("USPS_GROUND_ADVANTAGE", "5.40", "0.95"),
    ("PRIORITY_MAIL", "9.35", "1.60"),
    ("PRIORITY_MAIL_EXPRESS", "30.45", "4.10"),
];

/// A decimal as a JSON number, as USPS writes prices.
fn json_number(d: Decimal) -> Value {
    serde_json::from_str(&d.normalize().to_string()).unwrap_or(Value::Null)
}

fn num(v: &Value) -> Option<Decimal> {
    match v {
        Value::Number(n) => n.to_string().parse().ok(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Zone 1–9 from the distance between the first three digits of the ZIP Codes.
fn zone(from: &str, to: &str) -> u32 {
    let prefix = |z: &str| -> Option<u32> { z.get(..3)?.parse().ok() };
    match (prefix(from), prefix(to)) {
        (Some(a), Some(b)) => 1 + (a.abs_diff(b) / 100).min(8),
        _ => 9,
    }
}

/// Price of one package: (base + per pound × whole pounds up, of actual or dimensional
/// weight L×W×H/166) × (1 + 7% per zone above 1).
fn price(class: &str, weight: Decimal, dims: Decimal, zone: u32) -> Option<(Decimal, Decimal)> {
    let (_, base, per_lb) = CLASSES.iter().find(|(c, ..)| *c == class)?;
    let base: Decimal = base.parse().ok()?;
    let per_lb: Decimal = per_lb.parse().ok()?;
    let dim_weight = dims / Decimal::from(166);
    let billed = weight.max(dim_weight).ceil().max(Decimal::ONE);
    let factor = Decimal::ONE + Decimal::from(zone - 1) * Decimal::new(7, 2);
    Some((
        ((base + per_lb * billed) * factor)
            .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero),
        billed,
    ))
}

/// Prices a `packageDescription`-like object with the two ZIP Codes.
fn quote(
    package: &Value,
    from: &str,
    to: &str,
) -> Result<(Decimal, Decimal, u32), (&'static str, &'static str)> {
    let class = package["mailClass"]
        .as_str()
        .ok_or(("mailClass", "mailClass is required."))?;
    let weight = num(&package["weight"])
        .filter(|w| *w > Decimal::ZERO && *w <= Decimal::from(70))
        .ok_or(("weight", "weight must be between 0 and 70 pounds."))?;
    let dims = match (
        num(&package["length"]),
        num(&package["width"]),
        num(&package["height"]),
    ) {
        (Some(l), Some(w), Some(h)) => l * w * h,
        _ => Decimal::ZERO,
    };
    let zone = zone(from, to);
    let (total, billed) =
        price(class, weight, dims, zone).ok_or(("mailClass", "mailClass is not valid."))?;
    Ok((total, billed, zone))
}

async fn rate(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Some(refusal) = gate(&shared, &headers) {
        return refusal;
    }
    let from = body["originZIPCode"].as_str().unwrap_or_default();
    let to = body["destinationZIPCode"].as_str().unwrap_or_default();
    if from.len() != 5 || to.len() != 5 {
        return usps_error(
            StatusCode::BAD_REQUEST,
            "400",
            "Bad Request",
            "originZIPCode and destinationZIPCode must be 5-digit ZIP Codes.",
        );
    }
    match quote(&body, from, to) {
        Ok((total, billed, zone)) => Json(json!({
            "totalBasePrice": json_number(total),
            "rates": [{
                "SKU": "DUXP0XXXXC01010",
                "description": format!("{} Machinable Single-piece",
                    body["mailClass"].as_str().unwrap_or_default()),
                "priceType": body["priceType"].as_str().unwrap_or("RETAIL"),
                "price": json_number(total),
                "weight": json_number(billed),
                "dimWeight": json_number(billed),
                "fees": [],
                "startDate": "2026-01-18",
                "endDate": "",
                "mailClass": body["mailClass"],
                "zone": format!("{zone:02}"),
            }],
        }))
        .into_response(),
        Err((field, detail)) => usps_error(StatusCode::BAD_REQUEST, "400", field, detail),
    }
}

/// The next IMpb number: `94001` (channel and service type), the Mailer ID, a 7-digit
/// serial and the mod-10 check digit of the registry's `USPS IMpb N` format.
fn next_number(shared: &Shared, inner: &mut Inner) -> Option<String> {
    inner.serial += 1;
    let serial = format!("94001{MID}{:07}", inner.serial);
    let digit = sandbox_kit::check_digit(&shared.registry, "usps", "USPS IMpb N", &serial)?;
    Some(format!("{serial}{digit}"))
}

async fn label(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Some(refusal) = gate(&shared, &headers) {
        return refusal;
    }
    let header_text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let payment = header_text("X-Payment-Authorization-Token");
    if !payment.is_some_and(|p| shared.lock().payment_tokens.contains(&p)) {
        return usps_error(
            StatusCode::UNAUTHORIZED,
            "401",
            "Unauthorized",
            "X-Payment-Authorization-Token is missing or not valid.",
        );
    }
    if header_text("Accept").as_deref() != Some("application/vnd.usps.labels+json") {
        return usps_error(
            StatusCode::NOT_ACCEPTABLE,
            "406",
            "Not Acceptable",
            "The sandbox answers application/vnd.usps.labels+json only, not multipart/mixed.",
        );
    }
    let key = header_text("X-Idempotency-Key");
    if let Some(done) = key
        .as_ref()
        .and_then(|k| shared.lock().answers.get(k).cloned())
    {
        return Json(done).into_response();
    }
    let package = &body["packageDescription"];
    let from = body["fromAddress"]["ZIPCode"].as_str().unwrap_or_default();
    let to = body["toAddress"]["ZIPCode"].as_str().unwrap_or_default();
    let (postage, _, zone) = match quote(package, from, to) {
        Ok(q) => q,
        Err((field, detail)) => return usps_error(StatusCode::BAD_REQUEST, "400", field, detail),
    };
    let class = package["mailClass"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let mut inner = shared.lock();
    let Some(number) = next_number(&shared, &mut inner) else {
        return usps_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "500",
            "Internal Server Error",
            "numbering failed",
        );
    };
    let image = match body["imageInfo"]["imageType"].as_str() {
        Some("PDF") => sandbox_kit::pdf(&["USPS", &class, &number]),
        Some("ZPL203DPI") => format!(
            "^XA^CF0,40^FO40,40^FDUSPS {class}^FS^FO40,120^BY3^BCN,200,Y,N,N^FD{number}^FS^XZ"
        )
        .into_bytes(),
        _ => {
            return usps_error(
                StatusCode::BAD_REQUEST,
                "400",
                "imageInfo.imageType",
                "imageType must be PDF or ZPL203DPI in the sandbox.",
            )
        }
    };
    let answer = json!({
        "labelMetadata": {
            "labelAddress": body["toAddress"],
            "routingInformation": format!("420{to}"),
            "trackingNumber": number,
            "constructCode": "C01",
            "SKU": "DUXP0XXXXC01010",
            "postage": json_number(postage),
            "extraServices": [],
            "zone": format!("{zone:02}"),
            "weightUOM": "lb",
            "weight": package["weight"],
            "fees": [],
        },
        "labelImage": base64::engine::general_purpose::STANDARD.encode(image),
        "receiptImage": null,
    });
    inner.labels.push(SoldLabel {
        tracking_number: number,
        idempotency_key: key.clone(),
        mail_class: class,
        cancelled: false,
    });
    if let Some(key) = key {
        inner.answers.insert(key, answer.clone());
    }
    Json(answer).into_response()
}

async fn cancel(
    State(shared): State<Arc<Shared>>,
    Path(number): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(refusal) = gate(&shared, &headers) {
        return refusal;
    }
    let mut inner = shared.lock();
    match inner
        .labels
        .iter_mut()
        .find(|l| l.tracking_number == number)
    {
        Some(l) if l.cancelled => usps_error(
            StatusCode::BAD_REQUEST,
            "400",
            "Bad Request",
            "The label has already been cancelled.",
        ),
        Some(l) => {
            l.cancelled = true;
            Json(json!({"trackingNumber": number, "status": "CANCELED"})).into_response()
        }
        None => usps_error(
            StatusCode::NOT_FOUND,
            "404",
            "Not Found",
            "No label with this tracking number.",
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
        .labels
        .iter()
        .any(|l| l.tracking_number == number);
    if known {
        let Ok(mut answer) = serde_json::from_str::<Value>(TRACK) else {
            return usps_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "500",
                "sample",
                "unreadable",
            );
        };
        answer["trackingNumber"] = json!(number);
        return Json(answer).into_response();
    }
    let Ok(mut answer) = serde_json::from_str::<Value>(TRACK_ERROR) else {
        return usps_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "500",
            "sample",
            "unreadable",
        );
    };
    let valid = shared
        .registry
        .detect(&number)
        .iter()
        .any(|d| d.code == "usps");
    let (status, code, message, detail) = if valid {
        (
            StatusCode::NOT_FOUND,
            "404",
            "Not Found",
            "The tracking number was not found.",
        )
    } else {
        (
            StatusCode::BAD_REQUEST,
            "400",
            "Bad Request",
            "The tracking number is not valid.",
        )
    };
    answer["apiVersion"] = json!("3.0");
    answer["error"]["code"] = json!(code);
    answer["error"]["message"] = json!(message);
    answer["error"]["errors"][0]["status"] = json!(code);
    answer["error"]["errors"][0]["code"] = json!(code);
    answer["error"]["errors"][0]["title"] = json!(message);
    answer["error"]["errors"][0]["detail"] = json!(detail);
    answer["error"]["errors"][0]["source"] =
        json!({"parameter": "trackingNumber", "example": "9400100000000000000000"});
    (status, Json(answer)).into_response()
}
