//! A loopback MyDHL API for tests and `shipgate demo`: HTTP Basic checks with an
//! RFC 7807 `401` problem answer, `/rates` priced from chargeable weight (actual or
//! L×W×H/5000, up to the next half kilogram) by product, `/shipments` with a 10-digit
//! AWB valid under `mappings/carriers/dhl_express.toml` (mod-7 check digit) and a
//! base64 PDF or ZPL label document, and tracking serving DHL's sample answer
//! (`sandbox-data/dhl_express/`, see SOURCES.md there).
//!
//! The problem-answer shape (`instance`, `detail`, `title`, `message`, `status`) is
//! DHL's; the words inside it, other than the tracking sample's, are the sandbox's own.
//! Faults ([`Fault`]) can be injected to test throttling, outages and broken answers.

use crate::adapters::sandbox_kit;
use crate::Registry;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{json, Value};
use shipgate_sdk::sandbox::SandboxServer;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// The API user the sandbox accepts.
pub const USERNAME: &str = "sandbox-mydhl-user";
/// The API password the sandbox accepts.
pub const PASSWORD: &str = "sandbox-mydhl-secret";
/// The shipper account the sandbox bills.
pub const ACCOUNT_NUMBER: &str = "950000002";

const TRACK: &str = include_str!("../../../sandbox-data/dhl_express/track.json");
const TRACK_NOT_FOUND: &str = include_str!("../../../sandbox-data/dhl_express/track.error.json");

pub use crate::adapters::sandbox_kit::Fault;

/// A shipment the sandbox created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    /// The AWB.
    pub awb: String,
    /// The `CU` customer reference the request carried.
    pub customer_reference: Option<String>,
    /// The product code.
    pub product: String,
}

#[derive(Default)]
struct Inner {
    requests: usize,
    shipments: Vec<Created>,
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

/// A running MyDHL API sandbox.
pub struct DhlExpressSandbox {
    server: SandboxServer,
    shared: Arc<Shared>,
}

impl DhlExpressSandbox {
    /// Starts the sandbox on a free loopback port.
    pub async fn start() -> std::io::Result<Self> {
        let registry = crate::adapters::embedded_profile("dhl_express", super::PROFILE)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        let shared = Arc::new(Shared {
            inner: Mutex::new(Inner::default()),
            registry,
        });
        let router = Router::new()
            .route("/rates", post(rates))
            .route("/shipments", post(ship))
            .route("/shipments/{number}/tracking", get(track))
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
            username: USERNAME.into(),
            password: PASSWORD.into(),
            account_number: ACCOUNT_NUMBER.into(),
            base_url: self.base_url(),
            timeout_secs: 5,
            request_budget: crate::adapters::budget::for_sandbox(),
        }
    }

    /// Serves `fault` instead of the next answer.
    pub fn inject(&self, fault: Fault) {
        self.shared.lock().faults.push_back(fault);
    }

    /// How many calls reached the sandbox.
    pub fn requests(&self) -> usize {
        self.shared.lock().requests
    }

    /// Every shipment created so far.
    pub fn shipments(&self) -> Vec<Created> {
        self.shared.lock().shipments.clone()
    }
}

fn problem(status: StatusCode, instance: &str, title: &str, detail: &str) -> Response {
    (
        status,
        Json(json!({
            "instance": instance,
            "detail": detail,
            "title": title,
            "message": title,
            "status": status.as_u16().to_string(),
        })),
    )
        .into_response()
}

/// The injected fault, or the Basic check's refusal, if any.
fn gate(shared: &Shared, headers: &HeaderMap, uri: &Uri) -> Option<Response> {
    let mut inner = shared.lock();
    inner.requests += 1;
    let instance = format!("/mydhlapi{}", uri.path());
    if let Some(fault) = inner.faults.pop_front() {
        return Some(fault.answer(
            || {
                problem(
                    StatusCode::TOO_MANY_REQUESTS,
                    &instance,
                    "Too Many Requests",
                    "The rate limit of the API key was exceeded.",
                )
            },
            || {
                problem(
                    StatusCode::SERVICE_UNAVAILABLE,
                    &instance,
                    "Service Unavailable",
                    "The service is temporarily unavailable.",
                )
            },
        ));
    }
    let expected =
        base64::engine::general_purpose::STANDARD.encode(format!("{USERNAME}:{PASSWORD}"));
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "));
    if basic != Some(expected.as_str()) {
        return Some(problem(
            StatusCode::UNAUTHORIZED,
            &instance,
            "Unauthorized",
            "Invalid Credentials",
        ));
    }
    None
}

/// Products: (code, name, base EUR, EUR per chargeable kg, transit days).
const DOMESTIC: &[(&str, &str, &str, &str, u32)] = &[("N", "EXPRESS DOMESTIC", "18.00", "2.10", 1)];
const INTERNATIONAL: &[(&str, &str, &str, &str, u32)] = &[
    ("P", "EXPRESS WORLDWIDE", "45.00", "8.50", 3),
    ("T", "EXPRESS 12:00", "55.00", "9.50", 2),
    ("K", "EXPRESS 9:00", "70.00", "11.00", 2),
];

fn num(v: &Value) -> Option<Decimal> {
    match v {
        Value::Number(n) => n.to_string().parse().ok(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn json_number(d: Decimal) -> Value {
    serde_json::from_str(&d.normalize().to_string()).unwrap_or(Value::Null)
}

/// Chargeable kilograms of all packages, each up to the next half kilogram.
fn chargeable(packages: &Value) -> Option<Decimal> {
    let list = packages.as_array().filter(|l| !l.is_empty())?;
    let half = Decimal::new(5, 1);
    let mut total = Decimal::ZERO;
    for p in list {
        let weight = num(&p["weight"]).filter(|w| *w > Decimal::ZERO)?;
        let d = &p["dimensions"];
        let volume = match (num(&d["length"]), num(&d["width"]), num(&d["height"])) {
            (Some(l), Some(w), Some(h)) => l * w * h / Decimal::from(5000),
            _ => Decimal::ZERO,
        };
        total += (weight.max(volume) / half).ceil() * half;
    }
    Some(total)
}

/// The lane's products priced for `kg`, or the one asked for.
fn products(
    from: &str,
    to: &str,
    kg: Decimal,
    wanted: Option<&str>,
) -> Vec<(&'static str, &'static str, Decimal, u32)> {
    let table = if from == to { DOMESTIC } else { INTERNATIONAL };
    table
        .iter()
        .filter(|(code, ..)| wanted.is_none_or(|w| w == *code))
        .filter_map(|(code, name, base, per_kg, days)| {
            let base: Decimal = base.parse().ok()?;
            let per_kg: Decimal = per_kg.parse().ok()?;
            let price = (base + per_kg * kg)
                .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
            Some((*code, *name, price, *days))
        })
        .collect()
}

fn eur(price: Decimal) -> Value {
    json!([{"currencyType": "BILLC", "priceCurrency": "EUR", "price": json_number(price)}])
}

async fn rates(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
    Json(body): Json<Value>,
) -> Response {
    if let Some(refusal) = gate(&shared, &headers, &uri) {
        return refusal;
    }
    let instance = "/mydhlapi/rates";
    if body["accounts"][0]["number"] != ACCOUNT_NUMBER {
        return problem(
            StatusCode::BAD_REQUEST,
            instance,
            "Bad request",
            "accounts[0].number is not an account of this user",
        );
    }
    let from = body["customerDetails"]["shipperDetails"]["countryCode"]
        .as_str()
        .unwrap_or_default();
    let to = body["customerDetails"]["receiverDetails"]["countryCode"]
        .as_str()
        .unwrap_or_default();
    let Some(kg) = chargeable(&body["packages"]) else {
        return problem(
            StatusCode::BAD_REQUEST,
            instance,
            "Bad request",
            "packages: every package needs a positive weight",
        );
    };
    let list: Vec<Value> = products(from, to, kg, None)
        .into_iter()
        .map(|(code, name, price, days)| {
            json!({
                "productName": name,
                "productCode": code,
                "localProductCode": code,
                "networkTypeCode": "TD",
                "isCustomerAgreement": false,
                "weight": {"volumetric": json_number(kg), "provided": json_number(kg),
                           "unitOfMeasurement": "metric"},
                "totalPrice": eur(price),
                "deliveryCapabilities": {"totalTransitDays": days.to_string()},
            })
        })
        .collect();
    Json(json!({"products": list})).into_response()
}

/// The next AWB: 9 serial digits and the registry's mod-7 check digit.
fn next_awb(shared: &Shared, inner: &mut Inner) -> Option<String> {
    inner.serial += 1;
    let serial = format!("{}", 356_000_000 + inner.serial);
    let digit = sandbox_kit::check_digit(&shared.registry, "dhl_express", "DHL Express", &serial)?;
    Some(format!("{serial}{digit}"))
}

async fn ship(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
    Json(body): Json<Value>,
) -> Response {
    if let Some(refusal) = gate(&shared, &headers, &uri) {
        return refusal;
    }
    let instance = "/mydhlapi/shipments";
    let bad = |detail: &str| problem(StatusCode::BAD_REQUEST, instance, "Bad request", detail);
    if body["accounts"][0]["number"] != ACCOUNT_NUMBER {
        return bad("accounts[0].number is not an account of this user");
    }
    let details = &body["customerDetails"];
    let from = details["shipperDetails"]["postalAddress"]["countryCode"]
        .as_str()
        .unwrap_or_default();
    let to = details["receiverDetails"]["postalAddress"]["countryCode"]
        .as_str()
        .unwrap_or_default();
    let Some(kg) = chargeable(&body["content"]["packages"]) else {
        return bad("content.packages: every package needs a positive weight");
    };
    let product = body["productCode"].as_str().unwrap_or_default().to_string();
    let Some((_, name, price, _)) = products(from, to, kg, Some(&product)).into_iter().next()
    else {
        return bad("productCode: the product is not available on this lane");
    };
    let (format, image_format) = match body["outputImageProperties"]["encodingFormat"].as_str() {
        Some("pdf") => ("pdf", "PDF"),
        Some("zpl") => ("zpl", "ZPL"),
        _ => return bad("outputImageProperties.encodingFormat must be pdf or zpl"),
    };
    let mut inner = shared.lock();
    let Some(awb) = next_awb(&shared, &mut inner) else {
        return problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            instance,
            "Internal Server Error",
            "numbering failed",
        );
    };
    let label = if format == "pdf" {
        sandbox_kit::pdf(&["DHL Express", name, &awb])
    } else {
        format!("^XA^CF0,40^FO40,40^FDDHL {name}^FS^FO40,120^BY3^BCN,200,Y,N,N^FD{awb}^FS^XZ")
            .into_bytes()
    };
    let pieces: Vec<Value> = body["content"]["packages"]
        .as_array()
        .map(|l| l.len())
        .map(|n| {
            (1..=n)
                .map(|i| {
                    json!({
                        "referenceNumber": i,
                        "trackingNumber": format!("JD01460000{:06}{i:04}", inner.serial),
                        "trackingUrl": format!("{instance}/{awb}/tracking?pieceTrackingNumber"),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let reference = body["customerReferences"]
        .as_array()
        .and_then(|l| l.iter().find(|r| r["typeCode"] == "CU"))
        .and_then(|r| r["value"].as_str())
        .map(str::to_string);
    inner.shipments.push(Created {
        awb: awb.clone(),
        customer_reference: reference,
        product,
    });
    Json(json!({
        "url": format!("{instance}/{awb}"),
        "shipmentTrackingNumber": awb,
        "trackingUrl": format!("{instance}/{awb}/tracking"),
        "packages": pieces,
        "documents": [{
            "imageFormat": image_format,
            "content": base64::engine::general_purpose::STANDARD.encode(label),
            "typeCode": "label",
        }],
        "shipmentCharges": eur(price),
    }))
    .into_response()
}

async fn track(
    State(shared): State<Arc<Shared>>,
    Path(number): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    if let Some(refusal) = gate(&shared, &headers, &uri) {
        return refusal;
    }
    let known = shared.lock().shipments.iter().any(|s| s.awb == number);
    if known {
        let Ok(mut answer) = serde_json::from_str::<Value>(TRACK) else {
            return problem(
                StatusCode::INTERNAL_SERVER_ERROR,
                "",
                "sample",
                "unreadable",
            );
        };
        answer["shipments"][0]["shipmentTrackingNumber"] = json!(number);
        return Json(answer).into_response();
    }
    let valid = shared
        .registry
        .detect(&number)
        .iter()
        .any(|d| d.code == "dhl_express");
    if !valid {
        return problem(
            StatusCode::BAD_REQUEST,
            &format!("/mydhlapi/shipments/{number}/tracking"),
            "Bad request",
            "shipmentTrackingNumber is not a valid DHL Express waybill number",
        );
    }
    let Ok(mut answer) = serde_json::from_str::<Value>(TRACK_NOT_FOUND) else {
        return problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            "",
            "sample",
            "unreadable",
        );
    };
    answer["instance"] = json!(format!("/tracking?shipmentTrackingNumber={number}"));
    (StatusCode::NOT_FOUND, Json(answer)).into_response()
}
