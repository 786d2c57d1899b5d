//! A loopback Canada Post for tests and `shipgate demo`: HTTP Basic and customer-number
//! checks answered with Canada Post's `<messages>`, media-type checks (406), Get Rates
//! priced from billed weight (actual or L×W×H/6000, up to the next half kilogram), the
//! lane and GST, non-contract shipments with a 16-digit PIN valid under
//! `mappings/carriers/canada_post.toml` and a PDF label artifact behind the answer's
//! `label` link, refund requests, and Tracking serving Canada Post's sample answer
//! (`sandbox-data/canada_post/`, see SOURCES.md there).
//!
//! Message codes other than the tracking sample's `004` and `AA004` are the sandbox's
//! own. Faults ([`Fault`]) can be injected to test throttling, outages and broken answers.

use crate::adapters::sandbox_kit;
use crate::Registry;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use base64::Engine;
use rust_decimal::{Decimal, RoundingStrategy};
use shipgate_sdk::sandbox::SandboxServer;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// The API user name the sandbox accepts.
pub const USERNAME: &str = "sandbox-cpc-user";
/// The API password the sandbox accepts.
pub const PASSWORD: &str = "sandbox-cpc-secret";
/// The customer number of the sandbox account.
pub const CUSTOMER_NUMBER: &str = "0007023210";

const TRACK: &str = include_str!("../../../sandbox-data/canada_post/track.xml");
const TRACK_NOT_FOUND: &str = include_str!("../../../sandbox-data/canada_post/track.error.xml");

pub use crate::adapters::sandbox_kit::Fault;

/// A non-contract shipment the sandbox created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    /// Canada Post's shipment id.
    pub shipment_id: String,
    /// The tracking PIN.
    pub pin: String,
    /// `customer-ref-2` of the request (the adapter's idempotency key).
    pub customer_ref_2: String,
    /// Whether a refund was requested.
    pub refunded: bool,
}

#[derive(Default)]
struct Inner {
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

/// A running Canada Post sandbox.
pub struct CanadaPostSandbox {
    server: SandboxServer,
    shared: Arc<Shared>,
}

impl CanadaPostSandbox {
    /// Starts the sandbox on a free loopback port.
    pub async fn start() -> std::io::Result<Self> {
        let registry = crate::adapters::embedded_profile("canada_post", super::PROFILE)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        let shared = Arc::new(Shared {
            inner: Mutex::new(Inner::default()),
            registry,
        });
        let router = Router::new()
            .route("/rs/ship/price", post(price))
            .route("/rs/{customer}/ncshipment", post(create))
            .route("/rs/{customer}/ncshipment/{id}/refund", post(refund))
            .route("/ers/artifact/{key}/{id}/{page}", get(artifact))
            .route("/vis/track/pin/{pin}/detail", get(track))
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
            customer_number: CUSTOMER_NUMBER.into(),
            refund_email: "refunds@example.com".into(),
            base_url: self.base_url(),
            timeout_secs: 5,
            request_budget: crate::adapters::budget::for_sandbox(),
        }
    }

    /// Serves `fault` instead of the next answer.
    pub fn inject(&self, fault: Fault) {
        self.shared.lock().faults.push_back(fault);
    }

    /// Every shipment created so far.
    pub fn shipments(&self) -> Vec<Created> {
        self.shared.lock().shipments.clone()
    }
}

fn xml(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/xml")], body).into_response()
}

fn messages(status: StatusCode, code: &str, description: &str) -> Response {
    xml(
        status,
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
             <messages xmlns=\"http://www.canadapost.ca/ws/messages\"><message>\
             <code>{code}</code><description>{description}</description></message></messages>"
        ),
    )
}

/// The injected fault, the Basic check's refusal or the media-type refusal, if any.
fn gate(shared: &Shared, headers: &HeaderMap, media: &str) -> Option<Response> {
    if let Some(fault) = shared.lock().faults.pop_front() {
        return Some(fault.answer(
            || {
                messages(
                    StatusCode::TOO_MANY_REQUESTS,
                    "Server",
                    "Rejected by SLM Monitor",
                )
            },
            || {
                messages(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Server",
                    "Service temporarily unavailable",
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
        return Some(messages(StatusCode::UNAUTHORIZED, "E002", "Unauthorized"));
    }
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    if accept != Some(media) {
        return Some(messages(
            StatusCode::NOT_ACCEPTABLE,
            "Server",
            "Not Acceptable: the Accept header must name the service's media type",
        ));
    }
    None
}

/// The text of the first `<name>` element of `doc` (the sandbox reads its own client's
/// requests; anything missing reads as empty).
fn tag<'a>(doc: &'a str, name: &str) -> &'a str {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    doc.find(&open)
        .map(|at| &doc[at + open.len()..])
        .and_then(|rest| rest.find(&close).map(|end| &rest[..end]))
        .unwrap_or_default()
}

fn dec(text: &str) -> Option<Decimal> {
    text.trim().parse().ok()
}

/// Services by lane: (code, name, base CAD, CAD per billed kg, transit days).
type Service = (&'static str, &'static str, &'static str, &'static str, u32);
const DOMESTIC: &[Service] = &[
    ("DOM.RP", "Regular Parcel", "10.00", "1.50", 4),
    ("DOM.EP", "Expedited Parcel", "11.50", "1.80", 2),
    ("DOM.XP", "Xpresspost", "16.00", "2.60", 1),
    ("DOM.PC", "Priority", "24.00", "3.90", 1),
];
const USA: &[Service] = &[
    ("USA.EP", "Expedited Parcel USA", "18.00", "4.00", 5),
    ("USA.XP", "Xpresspost USA", "26.00", "6.00", 3),
];
const INTERNATIONAL: &[Service] = &[("INT.XP", "Xpresspost International", "45.00", "11.00", 6)];

/// Billed kilograms of a `<parcel-characteristics>`: actual or volumetric
/// (L×W×H / 6000), up to the next half kilogram.
fn billed(doc: &str) -> Option<Decimal> {
    let weight =
        dec(tag(doc, "weight")).filter(|w| *w > Decimal::ZERO && *w <= Decimal::from(30))?;
    let volume = match (
        dec(tag(doc, "length")),
        dec(tag(doc, "width")),
        dec(tag(doc, "height")),
    ) {
        (Some(l), Some(w), Some(h)) => l * w * h / Decimal::from(6000),
        _ => Decimal::ZERO,
    };
    let half = Decimal::new(5, 1);
    Some((weight.max(volume) / half).ceil() * half)
}

/// (base, GST, due) of one service for `kg`, with 25% more between postal regions.
fn charge(
    service: &Service,
    kg: Decimal,
    cross_region: bool,
) -> Option<(Decimal, Decimal, Decimal)> {
    let base: Decimal = service.2.parse().ok()?;
    let per_kg: Decimal = service.3.parse().ok()?;
    let factor = if cross_region {
        Decimal::new(125, 2)
    } else {
        Decimal::ONE
    };
    let round = |d: Decimal| d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let base = round((base + per_kg * kg) * factor);
    let gst = round(base * Decimal::new(5, 2));
    Some((base, gst, base + gst))
}

/// The lane's services: domestic (with whether the regions differ), USA or abroad.
fn lane(doc: &str, origin: &str) -> (&'static [Service], bool) {
    let domestic = tag(doc, "domestic");
    if !domestic.is_empty() {
        let to = tag(domestic, "postal-code");
        let cross = origin.chars().next() != to.chars().next();
        return (DOMESTIC, cross);
    }
    if !tag(doc, "united-states").is_empty() {
        return (USA, true);
    }
    (INTERNATIONAL, true)
}

async fn price(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: String) -> Response {
    if let Some(refusal) = gate(&shared, &headers, super::quote::MEDIA) {
        return refusal;
    }
    if tag(&body, "customer-number") != CUSTOMER_NUMBER {
        return messages(
            StatusCode::FORBIDDEN,
            "AA004",
            "You cannot mail on behalf of the requested customer.",
        );
    }
    let Some(kg) = billed(tag(&body, "parcel-characteristics")) else {
        return messages(
            StatusCode::BAD_REQUEST,
            "Server",
            "parcel-characteristics/weight must be between 0 and 30 kg",
        );
    };
    let (services, cross) = lane(tag(&body, "destination"), tag(&body, "origin-postal-code"));
    let mut quotes = String::new();
    for service in services {
        let Some((base, gst, due)) = charge(service, kg, cross) else {
            continue;
        };
        quotes.push_str(&format!(
            "<price-quote><service-code>{}</service-code><service-name>{}</service-name>\
             <price-details><base>{base}</base><taxes><gst>{gst}</gst><pst>0.00</pst>\
             <hst>0.00</hst></taxes><due>{due}</due><options/><adjustments/></price-details>\
             <weight-details/><service-standard><am-delivery>false</am-delivery>\
             <guaranteed-delivery>true</guaranteed-delivery>\
             <expected-transit-time>{}</expected-transit-time></service-standard>\
             </price-quote>",
            service.0, service.1, service.4
        ));
    }
    xml(
        StatusCode::OK,
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
             <price-quotes xmlns=\"http://www.canadapost.ca/ws/ship/rate-v4\">{quotes}</price-quotes>"
        ),
    )
}

/// The next PIN: the customer number's last 7 digits (origin id), an 8-digit serial and
/// the registry's mod-10 check digit.
fn next_pin(shared: &Shared, serial: u32) -> Option<String> {
    let origin = &CUSTOMER_NUMBER[CUSTOMER_NUMBER.len() - 7..];
    let body = format!("{origin}{serial:08}");
    let digit =
        sandbox_kit::check_digit(&shared.registry, "canada_post", "Canada Post (16)", &body)?;
    Some(format!("{body}{digit}"))
}

async fn create(
    State(shared): State<Arc<Shared>>,
    Path(customer): Path<String>,
    headers: HeaderMap,
    body: String,
) -> Response {
    if let Some(refusal) = gate(&shared, &headers, super::book::MEDIA) {
        return refusal;
    }
    if customer != CUSTOMER_NUMBER {
        return messages(
            StatusCode::FORBIDDEN,
            "AA004",
            "You cannot mail on behalf of the requested customer.",
        );
    }
    let spec = tag(&body, "delivery-spec");
    let destination = tag(spec, "destination");
    let origin = tag(&body, "requested-shipping-point");
    let (services, _) = if tag(destination, "country-code") == "CA" {
        (DOMESTIC, false)
    } else if tag(destination, "country-code") == "US" {
        (USA, true)
    } else {
        (INTERNATIONAL, true)
    };
    let code = tag(spec, "service-code");
    if !services.iter().any(|s| s.0 == code) || origin.is_empty() {
        return messages(
            StatusCode::BAD_REQUEST,
            "9111",
            "The service-code is not available for this destination.",
        );
    }
    if billed(tag(spec, "parcel-characteristics")).is_none() {
        return messages(
            StatusCode::BAD_REQUEST,
            "Server",
            "parcel-characteristics/weight must be between 0 and 30 kg",
        );
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_string();
    let mut inner = shared.lock();
    inner.serial += 1;
    let Some(pin) = next_pin(&shared, inner.serial) else {
        return messages(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Server",
            "numbering failed",
        );
    };
    let id = format!("4069513219837{:05}", inner.serial);
    inner.shipments.push(Created {
        shipment_id: id.clone(),
        pin: pin.clone(),
        customer_ref_2: tag(spec, "customer-ref-2").to_string(),
        refunded: false,
    });
    let root = format!("http://{host}");
    xml(
        StatusCode::OK,
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
             <non-contract-shipment-info xmlns=\"http://www.canadapost.ca/ws/ncshipment-v4\">\
             <shipment-id>{id}</shipment-id><tracking-pin>{pin}</tracking-pin><links>\
             <link rel=\"self\" href=\"{root}/rs/{customer}/ncshipment/{id}\" media-type=\"{m}\"/>\
             <link rel=\"details\" href=\"{root}/rs/{customer}/ncshipment/{id}/details\" media-type=\"{m}\"/>\
             <link rel=\"receipt\" href=\"{root}/rs/{customer}/ncshipment/{id}/receipt\" media-type=\"{m}\"/>\
             <link rel=\"label\" href=\"{root}/ers/artifact/76108cb5192002d5/{id}/0\" media-type=\"application/pdf\" index=\"0\"/>\
             </links></non-contract-shipment-info>",
            m = super::book::MEDIA
        ),
    )
}

async fn artifact(
    State(shared): State<Arc<Shared>>,
    Path((_key, id, _page)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Some(refusal) = gate(&shared, &headers, "application/pdf") {
        return refusal;
    }
    let pin = shared
        .lock()
        .shipments
        .iter()
        .find(|s| s.shipment_id == id)
        .map(|s| s.pin.clone());
    match pin {
        Some(pin) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/pdf")],
            sandbox_kit::pdf(&["Canada Post", &pin]),
        )
            .into_response(),
        None => messages(StatusCode::NOT_FOUND, "Server", "Artifact not found"),
    }
}

async fn refund(
    State(shared): State<Arc<Shared>>,
    Path((customer, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: String,
) -> Response {
    if let Some(refusal) = gate(&shared, &headers, super::book::MEDIA) {
        return refusal;
    }
    if customer != CUSTOMER_NUMBER {
        return messages(
            StatusCode::FORBIDDEN,
            "AA004",
            "You cannot mail on behalf of the requested customer.",
        );
    }
    if !tag(&body, "email").contains('@') {
        return messages(StatusCode::BAD_REQUEST, "Server", "email is required");
    }
    let mut inner = shared.lock();
    match inner.shipments.iter_mut().find(|s| s.shipment_id == id) {
        Some(s) if s.refunded => messages(
            StatusCode::BAD_REQUEST,
            "8062",
            "A refund has already been requested for this shipment.",
        ),
        Some(s) => {
            s.refunded = true;
            xml(
                StatusCode::OK,
                format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
                     <non-contract-shipment-refund-request-info \
                     xmlns=\"http://www.canadapost.ca/ws/ncshipment-v4\">\
                     <service-ticket-date>2026-11-23</service-ticket-date>\
                     <service-ticket-id>GT{}</service-ticket-id>\
                     </non-contract-shipment-refund-request-info>",
                    &id[id.len().saturating_sub(8)..]
                ),
            )
        }
        None => messages(StatusCode::NOT_FOUND, "Server", "Shipment not found"),
    }
}

async fn track(
    State(shared): State<Arc<Shared>>,
    Path(pin): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(refusal) = gate(&shared, &headers, "application/vnd.cpc.track-v2+xml") {
        return refusal;
    }
    let known = shared.lock().shipments.iter().any(|s| s.pin == pin);
    if known {
        return xml(
            StatusCode::OK,
            TRACK.replacen(
                "<pin>7023210039414604</pin>",
                &format!("<pin>{pin}</pin>"),
                1,
            ),
        );
    }
    let valid = shared
        .registry
        .detect(&pin)
        .iter()
        .any(|d| d.code == "canada_post");
    if !valid {
        return messages(StatusCode::BAD_REQUEST, "001", "Invalid PIN format");
    }
    xml(StatusCode::NOT_FOUND, TRACK_NOT_FOUND.to_string())
}
