//! A loopback Chronopost: the QuickcostServiceWS, ShippingServiceWS and
//! TrackingServiceWS paths of ws.chronopost.fr answering SOAP envelopes as Chronopost
//! does — credentials checked from the body (errorCode 3 "invalid account or password"
//! with HTTP 200), prices computed from weight and zone, S10 skybill numbers with their
//! check digit and a real PDF or ZPL label in base64, the real `trackSkybillV2` answer
//! (sandbox-data/chronopost) for its skybill, CXF faults with HTTP 500, and fault
//! injection (429 with `Retry-After`, 5xx, a cut answer) for tests.

use super::soap::{fault, Leaves};
use super::support::s10;
use crate::adapters::sandbox_kit;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use base64::Engine;
use rust_decimal::Decimal;
use shipgate_sdk::sandbox::SandboxServer;
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

/// The real `trackSkybillV2` answer the sandbox serves (see sandbox-data/chronopost).
const TRACKING_ANSWER: &str = include_str!("../../../sandbox-data/chronopost/trackSkybillV2.xml");
/// The skybill that answer is about.
pub const FIXTURE_SKYBILL: &str = "89108749065090";
/// The sandbox account number.
pub const ACCOUNT: &str = "19869502";
/// The sandbox password.
pub const PASSWORD: &str = "255562";

const EU: &[&str] = &[
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
];

#[derive(Default)]
struct Sandbox {
    faults: VecDeque<Fault>,
    next_serial: u32,
    skybills: BTreeMap<String, Skybill>,
    calls: BTreeMap<String, usize>,
}

struct Skybill {
    reference: String,
    cancelled: bool,
}

#[derive(Clone, Copy)]
enum Fault {
    Status(u16),
    Garbled,
}

/// The running sandbox; stops when dropped.
pub struct ChronopostSandbox {
    server: SandboxServer,
    state: Arc<Mutex<Sandbox>>,
}

impl ChronopostSandbox {
    /// Starts the sandbox on a free loopback port.
    pub async fn start() -> std::io::Result<Self> {
        let state = Arc::new(Mutex::new(Sandbox {
            next_serial: 69_698_248,
            ..Sandbox::default()
        }));
        let router = Router::new()
            .route("/quickcost-cxf/QuickcostServiceWS", post(quickcost))
            .route("/shipping-cxf/ShippingServiceWS", post(shipping))
            .route("/tracking-cxf/TrackingServiceWS", post(tracking))
            .with_state(state.clone());
        Ok(Self {
            server: SandboxServer::start(router).await?,
            state,
        })
    }

    /// The base URL to give the adapter.
    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    /// The next call answers with this HTTP status (429 carries `Retry-After: 2`).
    pub fn fail_next(&self, status: u16) {
        lock(&self.state).faults.push_back(Fault::Status(status));
    }

    /// The next call answers 200 with a cut envelope.
    pub fn garble_next(&self) {
        lock(&self.state).faults.push_back(Fault::Garbled);
    }

    /// How many times an operation was called.
    pub fn calls(&self, operation: &str) -> usize {
        lock(&self.state).calls.get(operation).copied().unwrap_or(0)
    }

    /// The `customerSkybillNumber` a skybill was booked under.
    pub fn reference_of(&self, skybill: &str) -> Option<String> {
        lock(&self.state)
            .skybills
            .get(skybill)
            .map(|s| s.reference.clone())
    }

    /// Whether a skybill was cancelled.
    pub fn is_cancelled(&self, skybill: &str) -> bool {
        lock(&self.state)
            .skybills
            .get(skybill)
            .is_some_and(|s| s.cancelled)
    }
}

fn lock(state: &Mutex<Sandbox>) -> MutexGuard<'_, Sandbox> {
    state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

type Shared = State<Arc<Mutex<Sandbox>>>;

/// Counts the call, then plays an injected fault or reads the envelope.
fn intake(state: &Mutex<Sandbox>, body: &[u8]) -> Result<Leaves, Box<Response>> {
    let mut s = lock(state);
    let leaves = Leaves::read(body);
    if let Some(l) = &leaves {
        *s.calls.entry(l.operation.clone()).or_default() += 1;
    }
    match s.faults.pop_front() {
        Some(Fault::Status(429)) => {
            return Err(Box::new((
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, "2")],
                "Too Many Requests",
            )
                .into_response()))
        }
        Some(Fault::Status(code)) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return Err(Box::new(xml(status, fault("Internal server error"))));
        }
        Some(Fault::Garbled) => {
            return Err(Box::new(xml(
                StatusCode::OK,
                r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><ns1:calc"#.into(),
            )))
        }
        None => {}
    }
    leaves.ok_or_else(|| {
        Box::new(xml(
            StatusCode::INTERNAL_SERVER_ERROR,
            fault("Unmarshalling Error: not a SOAP envelope"),
        ))
    })
}

fn xml(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/xml;charset=UTF-8")],
        body,
    )
        .into_response()
}

fn answer(namespace: &str, operation: &str, inner: &str) -> Response {
    xml(
        StatusCode::OK,
        format!(
            r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><ns1:{operation}Response xmlns:ns1="{namespace}"><return>{inner}</return></ns1:{operation}Response></soap:Body></soap:Envelope>"#
        ),
    )
}

fn authorized(leaves: &Leaves) -> bool {
    leaves.get("accountNumber") == ACCOUNT && leaves.get("password") == PASSWORD
}

fn bad_credentials(namespace: &str, operation: &str) -> Response {
    answer(
        namespace,
        operation,
        "<errorCode>3</errorCode><errorMessage>invalid account or password</errorMessage>",
    )
}

const QUICKCOST_NS: &str = "http://cxf.quickcost.soap.chronopost.fr/";
const SHIPPING_NS: &str = "http://cxf.shipping.soap.chronopost.fr/";
const TRACKING_NS: &str = "http://cxf.tracking.soap.chronopost.fr/";

async fn quickcost(State(state): Shared, body: axum::body::Bytes) -> Response {
    let leaves = match intake(&state, &body) {
        Ok(l) => l,
        Err(r) => return *r,
    };
    if leaves.operation != "calculateProducts" {
        return xml(
            StatusCode::INTERNAL_SERVER_ERROR,
            fault(&format!("Unexpected wrapper element {}", leaves.operation)),
        );
    }
    if !authorized(&leaves) {
        return bad_credentials(QUICKCOST_NS, "calculateProducts");
    }
    let Ok(weight) = leaves.get("weight").parse::<Decimal>() else {
        return answer(
            QUICKCOST_NS,
            "calculateProducts",
            "<errorCode>1</errorCode><errorMessage>weight is mandatory</errorMessage>",
        );
    };
    let (from, to) = (leaves.get("depCountryCode"), leaves.get("arrCountryCode"));
    let mut inner = String::from("<errorCode>0</errorCode>");
    for (code, amount) in tariff(from, to, weight) {
        let vat = if EU.contains(&to) {
            (amount * Decimal::new(20, 2)).round_dp(2)
        } else {
            Decimal::ZERO
        };
        inner.push_str(&format!(
            "<productList><amount>{amount}</amount><amountTTC>{}</amountTTC><amountTVA>{vat}</amountTVA><productCode>{code}</productCode></productList>",
            amount + vat
        ));
    }
    answer(QUICKCOST_NS, "calculateProducts", &inner)
}

/// The sandbox's price list (before VAT): a base plus a price per started kilogram,
/// domestic products inside France, international ones across borders; a product not
/// sold on the lane is listed at 0, as Chronopost does.
fn tariff(from: &str, to: &str, weight_kg: Decimal) -> Vec<(&'static str, Decimal)> {
    let kilos = weight_kg.ceil().max(Decimal::ONE);
    let domestic = from == "FR" && to == "FR";
    let far = if EU.contains(&to) {
        Decimal::ONE
    } else {
        Decimal::new(15, 1)
    };
    let price = |base: i64, per_kg: i64, sold: bool, factor: Decimal| {
        if sold {
            ((Decimal::new(base, 2) + Decimal::new(per_kg, 2) * kilos) * factor).round_dp(2)
        } else {
            Decimal::ZERO
        }
    };
    vec![
        ("01", price(1250, 110, domestic, Decimal::ONE)),
        ("02", price(1990, 140, domestic, Decimal::ONE)),
        ("16", price(1120, 95, domestic, Decimal::ONE)),
        ("86", price(790, 60, domestic, Decimal::ONE)),
        ("44", price(2400, 400, !domestic, far)),
        ("17", price(3900, 600, !domestic, far)),
    ]
}

async fn shipping(State(state): Shared, body: axum::body::Bytes) -> Response {
    let leaves = match intake(&state, &body) {
        Ok(l) => l,
        Err(r) => return *r,
    };
    let op = leaves.operation.clone();
    if op != "shippingMultiParcelV4" {
        return xml(
            StatusCode::INTERNAL_SERVER_ERROR,
            fault(&format!("Unexpected wrapper element {op}")),
        );
    }
    if !authorized(&leaves) {
        return bad_credentials(SHIPPING_NS, &op);
    }
    let weights = leaves.all("weight");
    if weights.is_empty() || weights.iter().any(|w| w.parse::<Decimal>().is_err()) {
        return answer(
            SHIPPING_NS,
            &op,
            "<errorCode>1</errorCode><errorMessage>skybillValue.weight is invalid</errorMessage>",
        );
    }
    let zpl = leaves.get("mode").starts_with("ZPL");
    let reference = leaves.get("customerSkybillNumber").to_string();
    let mut s = lock(&state);
    let mut inner = String::from("<errorCode>0</errorCode><errorMessage/>");
    for _ in weights {
        s.next_serial += 1;
        let skybill = s10("XP", s.next_serial, "FR");
        let label = if zpl {
            sandbox_kit::zpl("Chronopost", &skybill)
        } else {
            sandbox_kit::pdf(&["Chronopost", &skybill])
        };
        inner.push_str(&format!(
            "<resultMultiParcelValue><pdfEtiquette>{}</pdfEtiquette><skybillNumber>{skybill}</skybillNumber></resultMultiParcelValue>",
            base64::engine::general_purpose::STANDARD.encode(label)
        ));
        s.skybills.insert(
            skybill,
            Skybill {
                reference: reference.clone(),
                cancelled: false,
            },
        );
    }
    answer(SHIPPING_NS, &op, &inner)
}

async fn tracking(State(state): Shared, body: axum::body::Bytes) -> Response {
    let leaves = match intake(&state, &body) {
        Ok(l) => l,
        Err(r) => return *r,
    };
    let skybill = leaves.get("skybillNumber").to_string();
    match leaves.operation.as_str() {
        "trackSkybillV2" => {
            if skybill == FIXTURE_SKYBILL {
                return xml(StatusCode::OK, TRACKING_ANSWER.to_string());
            }
            let events = match lock(&state).skybills.get(&skybill) {
                Some(s) if !s.cancelled => "<events><code>DC</code><eventDate>2026-11-02T09:00:00+01:00</eventDate><eventLabel>Shipment in preparation to be shipped</eventLabel><officeLabel>Web Services</officeLabel></events>",
                _ => "",
            };
            answer(
                TRACKING_NS,
                "trackSkybillV2",
                &format!(
                    "<errorCode>0</errorCode><listEventInfoComp>{events}<skybillNumber>{}</skybillNumber></listEventInfoComp>",
                    quick_xml::escape::escape(skybill.as_str())
                ),
            )
        }
        "cancelSkybill" => {
            if !authorized(&leaves) {
                return bad_credentials(TRACKING_NS, "cancelSkybill");
            }
            let mut s = lock(&state);
            match s.skybills.get_mut(&skybill) {
                Some(found) => {
                    found.cancelled = true;
                    answer(
                        TRACKING_NS,
                        "cancelSkybill",
                        "<errorCode>0</errorCode><statusCode>0</statusCode>",
                    )
                }
                None => answer(
                    TRACKING_NS,
                    "cancelSkybill",
                    "<errorCode>2</errorCode><errorMessage>the parcel doesn't match account or parcel information not found</errorMessage><statusCode>0</statusCode>",
                ),
            }
        }
        other => xml(
            StatusCode::INTERNAL_SERVER_ERROR,
            fault(&format!("Unexpected wrapper element {other}")),
        ),
    }
}
