//! A loopback CDEK API v2 for tests and `shipgate demo`, under `/v2` like the real one:
//!
//! - `POST /v2/oauth/token`: client credentials from the form body or the query string
//!   (CDEK's page shows them as `?parameters`); a wrong account or password is refused
//!   with 401 and OAuth's `{"error":"invalid_client","error_description"}` (RFC 6749
//!   §5.2; CDEK documents only the success answer), a wrong grant with 400
//!   `unsupported_grant_type`.
//! - Every other call needs a token it issued: else 401 with a refused `AUTH` request,
//!   error `v2_token_expired` (the code public integrations meet on expired tokens).
//! - `POST /v2/calculator/tarifflist`: tariffs 136–139 priced from weight and whether the
//!   cities differ (the prices and periods are the sandbox's own); missing places or
//!   packages are refused with 400 and CDEK's `v2_sender_location_not_recognized`,
//!   `v2_recipient_location_not_recognized` or `v2_field_is_empty`.
//! - `POST /v2/orders`: pre-validation (tariff; `shipment_point`/`delivery_point` for the
//!   ends of a tariff at an office and an address for the door ends, CDEK's
//!   `v2_shipment_address_multivalued`/`v2_delivery_address_multivalued` when both are
//!   given; recipient name; packages, with items for e-shop orders) refused with 400 and an `INVALID` `CREATE` request; otherwise 202 with the entity uuid and an
//!   `ACCEPTED` request. Registration is asynchronous as at CDEK: the first
//!   `GET /v2/orders/{uuid}` still shows the request `ACCEPTED` and no `cdek_number`, the
//!   next ones the 10-digit number and statuses ACCEPTED, CREATED — or, for an order
//!   without a recipient phone, the request `INVALID` with `v2_field_is_empty`.
//! - `GET /v2/orders?cdek_number=` and `GET /v2/orders/{uuid}`: the order's details; a
//!   delivered order (see [`CdekSandbox::deliver`]) serves `sandbox-data/cdek/
//!   order.delivered.json`, an unknown or deleted one `order.not_found.json` with 400.
//! - `DELETE /v2/orders/{uuid}`: 202 with a `DELETE` request `ACCEPTED` while the order
//!   is only CREATED; a delivered order is refused with 400 and the sandbox's own error
//!   code `sandbox_order_not_deletable` (CDEK's wording of that refusal is not public in
//!   the pages read), an unknown one with `v2_entity_not_found`.
//! - `POST /v2/print/barcodes` and `GET /v2/print/barcodes/{uuid}`: the print form is
//!   PROCESSING on the first read and READY with a `url` on the next; the PDF behind the
//!   url needs the bearer token too.
//!
//! Faults ([`Fault`]) can be injected to test throttling, outages and broken answers, and
//! print-form links can be made to point off the API host
//! ([`CdekSandbox::serve_labels_from`]).

use crate::adapters::sandbox_kit;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{FixedOffset, Offset, Utc};
use reqwest::Url;
use serde_json::{json, Value};
use shipgate_sdk::sandbox::SandboxServer;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

/// The account (`client_id`) the sandbox accepts.
pub const CLIENT_ID: &str = "sandbox-cdek-account";
/// Its secure password (`client_secret`).
pub const CLIENT_SECRET: &str = "sandbox-cdek-secure-password";
/// The drop-off office its settings name (a PVZ code of the shape CDEK's office list
/// uses, e.g. `MSK27`).
pub const SHIPMENT_POINT: &str = "MSK27";

const DELIVERED: &str = include_str!("../../../sandbox-data/cdek/order.delivered.json");
const NOT_FOUND: &str = include_str!("../../../sandbox-data/cdek/order.not_found.json");

/// The parcel tariffs the sandbox prices: (code, name, delivery mode, base price, price
/// per further kilogram), in roubles.
const TARIFFS: &[(u32, &str, u8, i64, i64)] = &[
    (136, "Посылка склад-склад", 4, 250, 40),
    (137, "Посылка склад-дверь", 3, 350, 45),
    (138, "Посылка дверь-склад", 2, 330, 45),
    (139, "Посылка дверь-дверь", 1, 430, 50),
];

pub use crate::adapters::sandbox_kit::Fault;

/// An order the sandbox took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// CDEK's entity uuid.
    pub uuid: String,
    /// The client's order `number`.
    pub number: String,
    /// The CDEK number it gets once registered.
    pub cdek_number: String,
    /// How many times its details were read by uuid.
    pub polls: u32,
    /// The office the parcel is dropped at, for tariffs from an office.
    pub shipment_point: Option<String>,
    /// Why registration fails, for an order that will be `INVALID`.
    pub invalid: Option<String>,
    /// Whether it was deleted.
    pub deleted: bool,
    /// Whether it was delivered ([`CdekSandbox::deliver`]).
    pub delivered: bool,
}

impl Order {
    fn registered(&self) -> bool {
        self.polls >= 2 && self.invalid.is_none()
    }
}

struct Form {
    uuid: String,
    order: String,
    format: String,
    polls: u32,
}

#[derive(Default)]
struct Inner {
    tokens: Vec<String>,
    token_requests: usize,
    orders: Vec<Order>,
    forms: Vec<Form>,
    faults: VecDeque<Fault>,
    serial: u64,
    label_host: Option<String>,
}

struct Shared {
    inner: Mutex<Inner>,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A running CDEK sandbox.
pub struct CdekSandbox {
    server: SandboxServer,
    shared: Arc<Shared>,
}

impl CdekSandbox {
    /// Starts the sandbox on a free loopback port.
    pub async fn start() -> std::io::Result<Self> {
        let shared = Arc::new(Shared {
            inner: Mutex::new(Inner::default()),
        });
        let router = Router::new()
            .route("/v2/oauth/token", post(token))
            .route("/v2/calculator/tarifflist", post(tarifflist))
            .route("/v2/orders", post(create).get(search))
            .route("/v2/orders/{uuid}", get(details).delete(remove))
            .route("/v2/print/barcodes", post(print))
            .route("/v2/print/barcodes/{name}", get(form))
            .with_state(shared.clone());
        Ok(Self {
            server: SandboxServer::start(router).await?,
            shared,
        })
    }

    /// The API root, `http://127.0.0.1:PORT/v2`.
    pub fn base_url(&self) -> String {
        format!("{}/v2", self.server.base_url())
    }

    /// Settings that point the adapter at this sandbox, polling every 10 ms.
    pub fn config(&self) -> super::Config {
        super::Config {
            client_id: CLIENT_ID.into(),
            client_secret: CLIENT_SECRET.into(),
            base_url: self.base_url(),
            currency: "RUB".into(),
            order_type: 2,
            shipment_point: Some(SHIPMENT_POINT.into()),
            label_size: "A6".into(),
            poll_interval_ms: 10,
            poll_attempts: 5,
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

    /// Every order taken so far.
    pub fn orders(&self) -> Vec<Order> {
        self.shared.lock().orders.clone()
    }

    /// Names `host` instead of the sandbox's own in print-form links, as a tampered or
    /// misrouted answer would: the adapter must not send its token there.
    pub fn serve_labels_from(&self, host: &str) {
        self.shared.lock().label_host = Some(host.to_string());
    }

    /// Moves the registered order `cdek_number` through to DELIVERED; false when there
    /// is no such order.
    pub fn deliver(&self, cdek_number: &str) -> bool {
        let mut inner = self.shared.lock();
        match inner
            .orders
            .iter_mut()
            .find(|o| o.cdek_number == cdek_number && o.registered() && !o.deleted)
        {
            Some(order) => {
                order.delivered = true;
                true
            }
            None => false,
        }
    }
}

/// Now as CDEK writes it (`yyyy-MM-dd'T'HH:mm:ssZ`), in the +07:00 of its samples.
fn now() -> String {
    let zone = FixedOffset::east_opt(7 * 3600).unwrap_or_else(|| Utc.fix());
    Utc::now()
        .with_timezone(&zone)
        .format("%Y-%m-%dT%H:%M:%S%z")
        .to_string()
}

fn error(code: &str, message: &str) -> Value {
    json!({"code": code, "message": message})
}

/// A refused entity request: `{"requests":[{"type","state":"INVALID","errors"}]}`.
fn invalid(status: StatusCode, kind: &str, errors: Vec<Value>) -> Response {
    (
        status,
        Json(json!({"requests": [{
            "type": kind,
            "state": "INVALID",
            "date_time": now(),
            "errors": errors,
            "warnings": [],
        }]})),
    )
        .into_response()
}

/// A refused calculation: `{"errors":[{"code","message"}]}`.
fn refused(errors: Vec<Value>) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({"errors": errors}))).into_response()
}

/// An accepted entity operation: 202 with the uuid and the request `ACCEPTED`.
fn accepted(kind: &str, uuid: &str, serial: u64) -> Response {
    (
        StatusCode::ACCEPTED,
        Json(json!({
            "entity": {"uuid": uuid},
            "requests": [{
                "request_uuid": format!("72753031-{serial:04x}-4a19-b233-{serial:012x}"),
                "type": kind,
                "state": "ACCEPTED",
                "date_time": now(),
                "errors": [],
                "warnings": [],
            }],
        })),
    )
        .into_response()
}

/// `order.not_found.json` for a `kind` request about `what`.
fn not_found(kind: &str, what: &str) -> Response {
    let mut body: Value = serde_json::from_str(NOT_FOUND).unwrap_or_else(|_| json!({}));
    if let Some(request) = body["requests"].get_mut(0) {
        request["type"] = json!(kind);
        request["date_time"] = json!(now());
        if let Some(e) = request["errors"].get_mut(0) {
            e["message"] = json!(format!("Entity is not found by {what}"));
        }
    }
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

/// The injected fault, or the bearer check's refusal, if any.
fn gate(shared: &Shared, headers: &HeaderMap) -> Option<Response> {
    let mut inner = shared.lock();
    if let Some(fault) = inner.faults.pop_front() {
        return Some(fault.answer(
            || (StatusCode::TOO_MANY_REQUESTS, "Too Many Requests").into_response(),
            || (StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable").into_response(),
        ));
    }
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match token {
        Some(t) if inner.tokens.iter().any(|known| known == t) => None,
        _ => Some(invalid(
            StatusCode::UNAUTHORIZED,
            "AUTH",
            vec![error("v2_token_expired", "Token is invalid or expired")],
        )),
    }
}

/// Form fields of a body or query string.
fn pairs(text: &str) -> HashMap<String, String> {
    Url::parse(&format!("http://form/?{text}"))
        .map(|u| u.query_pairs().into_owned().collect())
        .unwrap_or_default()
}

async fn token(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
    body: String,
) -> Response {
    let mut inner = shared.lock();
    inner.token_requests += 1;
    let mut fields = pairs(query.as_deref().unwrap_or_default());
    fields.extend(pairs(&body));
    let field = |name: &str| fields.get(name).map(String::as_str);
    if field("grant_type") != Some("client_credentials") {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "unsupported_grant_type",
                "error_description": "Unsupported grant type"})),
        )
            .into_response();
    }
    if field("client_id") != Some(CLIENT_ID) || field("client_secret") != Some(CLIENT_SECRET) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "invalid_client", "error_description": "Bad credentials"})),
        )
            .into_response();
    }
    inner.serial += 1;
    let access = format!("sandbox-cdek-token-{}", inner.serial);
    inner.tokens.push(access.clone());
    Json(json!({
        "access_token": access,
        "token_type": "bearer",
        "expires_in": 3599,
        "scope": "order:all payment:all",
        "jti": format!("sandbox-jti-{}", inner.serial),
    }))
    .into_response()
}

/// Whether a location object names a place (a code, postal code, city or address).
fn place(v: &Value) -> bool {
    ["code", "postal_code", "city", "address"]
        .iter()
        .any(|k| match &v[*k] {
            Value::String(s) => !s.trim().is_empty(),
            Value::Number(_) => true,
            _ => false,
        })
}

/// The place checks shared by the calculator and order registration.
fn place_errors(body: &Value) -> Vec<Value> {
    let mut errors = Vec::new();
    if !place(&body["from_location"]) {
        errors.push(error(
            "v2_sender_location_not_recognized",
            "Sender location is not recognized",
        ));
    }
    if !place(&body["to_location"]) {
        errors.push(error(
            "v2_recipient_location_not_recognized",
            "Recipient location is not recognized",
        ));
    }
    errors
}

/// Whether `v` is a non-empty office code.
fn office(v: &Value) -> bool {
    v.as_str().is_some_and(|p| !p.trim().is_empty())
}

/// The checks of an order's two ends by its tariff's `delivery_mode` (3 and 4 start at an
/// office, 2 and 4 end at one): an office end needs its point and no address, a door
/// end an address.
fn end_errors(order: &Value, mode: u8) -> Vec<Value> {
    let mut errors = Vec::new();
    let (from_office, to_office) = (matches!(mode, 3 | 4), matches!(mode, 2 | 4));
    if from_office {
        if !office(&order["shipment_point"]) {
            errors.push(error("v2_field_is_empty", "Field shipment_point is empty"));
        } else if !order["from_location"].is_null() {
            errors.push(error(
                "v2_shipment_address_multivalued",
                "Both shipment_point and from_location are given",
            ));
        }
    } else if !place(&order["from_location"]) {
        errors.push(error(
            "v2_sender_location_not_recognized",
            "Sender location is not recognized",
        ));
    }
    if to_office {
        if !office(&order["delivery_point"]) {
            errors.push(error("v2_field_is_empty", "Field delivery_point is empty"));
        } else if !order["to_location"].is_null() {
            errors.push(error(
                "v2_delivery_address_multivalued",
                "Both delivery_point and to_location are given",
            ));
        }
    } else if !place(&order["to_location"]) {
        errors.push(error(
            "v2_recipient_location_not_recognized",
            "Recipient location is not recognized",
        ));
    }
    errors
}

/// Total grams of `packages`, or the error naming the first package without a weight.
fn grams(packages: &Value) -> Result<u64, Value> {
    let list = packages
        .as_array()
        .filter(|l| !l.is_empty())
        .ok_or_else(|| error("v2_field_is_empty", "Field packages is empty"))?;
    list.iter().enumerate().try_fold(0u64, |total, (i, p)| {
        p["weight"]
            .as_u64()
            .filter(|w| *w > 0)
            .map(|w| total + w)
            .ok_or_else(|| {
                error(
                    "v2_field_is_empty",
                    &format!("Field packages[{i}].weight is empty"),
                )
            })
    })
}

fn city(v: &Value) -> String {
    v["city"].as_str().unwrap_or_default().trim().to_lowercase()
}

async fn tarifflist(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: String,
) -> Response {
    if let Some(refusal) = gate(&shared, &headers) {
        return refusal;
    }
    let Ok(request) = serde_json::from_str::<Value>(&body) else {
        return refused(vec![error("v2_bad_request", "Request body is not JSON")]);
    };
    let mut errors = place_errors(&request);
    let weight = grams(&request["packages"]).map_err(|e| errors.push(e)).ok();
    let Some(weight) = weight.filter(|_| errors.is_empty()) else {
        return refused(errors);
    };
    let kg = weight.div_ceil(1000).max(1);
    let far = city(&request["from_location"]) != city(&request["to_location"]);
    let (period_min, period_max) = if far { (2, 5) } else { (1, 2) };
    let tariffs: Vec<Value> = TARIFFS
        .iter()
        .map(|(code, name, mode, base, per_kg)| {
            let sum = base + per_kg * (kg as i64 - 1) + if far { 150 } else { 0 };
            json!({
                "tariff_code": code,
                "tariff_name": name,
                "tariff_description": name,
                "delivery_mode": mode,
                "delivery_sum": sum as f64,
                "period_min": period_min,
                "period_max": period_max,
                "calendar_min": period_min,
                "calendar_max": period_max + 2,
            })
        })
        .collect();
    Json(json!({"tariff_codes": tariffs})).into_response()
}

async fn create(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: String) -> Response {
    if let Some(refusal) = gate(&shared, &headers) {
        return refusal;
    }
    let Ok(order) = serde_json::from_str::<Value>(&body) else {
        return invalid(
            StatusCode::BAD_REQUEST,
            "CREATE",
            vec![error("v2_bad_request", "Request body is not JSON")],
        );
    };
    let mut errors = Vec::new();
    match order["tariff_code"].as_u64() {
        None => errors.push(error("v2_field_is_empty", "Field tariff_code is empty")),
        Some(code) if !TARIFFS.iter().any(|t| u64::from(t.0) == code) => errors.push(error(
            "v2_invalid_format",
            &format!("Invalid value [{code}] of tariff_code"),
        )),
        Some(_) => {}
    }
    if let Some((_, _, mode, ..)) = order["tariff_code"]
        .as_u64()
        .and_then(|code| TARIFFS.iter().find(|t| u64::from(t.0) == code))
    {
        errors.extend(end_errors(&order, *mode));
    }
    if order["recipient"]["name"]
        .as_str()
        .is_none_or(|n| n.trim().is_empty())
    {
        errors.push(error("v2_field_is_empty", "Field recipient.name is empty"));
    }
    if let Err(e) = grams(&order["packages"]) {
        errors.push(e);
    }
    if order["type"].as_u64().unwrap_or(1) == 1 {
        // E-shop orders (type 1, the default) list their goods in every package.
        let packages = order["packages"].as_array().cloned().unwrap_or_default();
        for (i, p) in packages.iter().enumerate() {
            if p["items"].as_array().is_none_or(|items| items.is_empty()) {
                errors.push(error(
                    "v2_field_is_empty",
                    &format!("Field packages[{i}].items is empty"),
                ));
            }
        }
    }
    if !errors.is_empty() {
        return invalid(StatusCode::BAD_REQUEST, "CREATE", errors);
    }
    let no_phone = order["recipient"]["phones"]
        .as_array()
        .is_none_or(|p| p.is_empty());
    let mut inner = shared.lock();
    inner.serial += 1;
    let serial = inner.serial;
    let uuid = format!("72753031-{serial:04x}-4f43-8a3a-{serial:012x}");
    inner.orders.push(Order {
        uuid: uuid.clone(),
        number: order["number"].as_str().unwrap_or(&uuid).to_string(),
        cdek_number: (1_106_000_000 + serial).to_string(),
        shipment_point: order["shipment_point"].as_str().map(str::to_string),
        polls: 0,
        invalid: no_phone.then(|| "Field recipient.phones is empty".to_string()),
        deleted: false,
        delivered: false,
    });
    accepted("CREATE", &uuid, serial)
}

/// An order's details as CDEK shows them at this point of its life.
fn view(order: &Order) -> Value {
    if order.delivered {
        let mut body: Value = serde_json::from_str(DELIVERED).unwrap_or_else(|_| json!({}));
        body["entity"]["uuid"] = json!(order.uuid);
        body["entity"]["number"] = json!(order.number);
        body["entity"]["cdek_number"] = json!(order.cdek_number);
        return body;
    }
    let status = |code: &str, name: &str| json!({"code": code, "name": name, "date_time": now(), "city": "Офис СДЭК"});
    let (entity, request) = if order.polls < 2 {
        (
            json!({"uuid": order.uuid, "number": order.number,
                "statuses": [status("ACCEPTED", "Принят")]}),
            json!({"type": "CREATE", "state": "ACCEPTED", "date_time": now(),
                "errors": [], "warnings": []}),
        )
    } else if let Some(why) = &order.invalid {
        (
            json!({"uuid": order.uuid, "number": order.number, "statuses": [
                status("ACCEPTED", "Принят"), status("INVALID", "Некорректный заказ")]}),
            json!({"type": "CREATE", "state": "INVALID", "date_time": now(),
                "errors": [error("v2_field_is_empty", why)], "warnings": []}),
        )
    } else {
        (
            json!({"uuid": order.uuid, "number": order.number,
                "cdek_number": order.cdek_number, "statuses": [
                status("ACCEPTED", "Принят"), status("CREATED", "Создан")]}),
            json!({"type": "CREATE", "state": "SUCCESSFUL", "date_time": now(),
                "errors": [], "warnings": []}),
        )
    };
    json!({"entity": entity, "requests": [request], "related_entities": []})
}

async fn details(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(uuid): Path<String>,
) -> Response {
    if let Some(refusal) = gate(&shared, &headers) {
        return refusal;
    }
    let mut inner = shared.lock();
    match inner
        .orders
        .iter_mut()
        .find(|o| o.uuid == uuid && !o.deleted)
    {
        Some(order) => {
            order.polls += 1;
            Json(view(order)).into_response()
        }
        None => not_found("GET", &format!("uuid {uuid}")),
    }
}

async fn search(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    if let Some(refusal) = gate(&shared, &headers) {
        return refusal;
    }
    let fields = pairs(query.as_deref().unwrap_or_default());
    let Some(number) = fields.get("cdek_number").filter(|n| !n.is_empty()) else {
        return invalid(
            StatusCode::BAD_REQUEST,
            "GET",
            vec![error("v2_parameters_empty", "All parameters are empty")],
        );
    };
    let inner = shared.lock();
    match inner
        .orders
        .iter()
        .find(|o| &o.cdek_number == number && o.registered() && !o.deleted)
    {
        Some(order) => Json(view(order)).into_response(),
        None => not_found("GET", &format!("cdek_number {number}")),
    }
}

async fn remove(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(uuid): Path<String>,
) -> Response {
    if let Some(refusal) = gate(&shared, &headers) {
        return refusal;
    }
    let mut inner = shared.lock();
    inner.serial += 1;
    let serial = inner.serial;
    match inner
        .orders
        .iter_mut()
        .find(|o| o.uuid == uuid && !o.deleted)
    {
        None => not_found("DELETE", &format!("uuid {uuid}")),
        Some(order) if order.delivered => invalid(
            StatusCode::BAD_REQUEST,
            "DELETE",
            vec![error(
                "sandbox_order_not_deletable",
                "The order has left status CREATED and cannot be deleted",
            )],
        ),
        Some(order) => {
            order.deleted = true;
            accepted("DELETE", &uuid, serial)
        }
    }
}

async fn print(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: String) -> Response {
    if let Some(refusal) = gate(&shared, &headers) {
        return refusal;
    }
    let Ok(request) = serde_json::from_str::<Value>(&body) else {
        return invalid(
            StatusCode::BAD_REQUEST,
            "CREATE",
            vec![error("v2_bad_request", "Request body is not JSON")],
        );
    };
    if let Some(format) = request.get("format") {
        if !["A4", "A5", "A6"].iter().any(|f| format == f) {
            return invalid(
                StatusCode::BAD_REQUEST,
                "CREATE",
                vec![error(
                    "v2_invalid_format",
                    &format!("Invalid value [{format}] of format"),
                )],
            );
        }
    }
    let order_uuid = request["orders"][0]["order_uuid"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let mut inner = shared.lock();
    if !inner
        .orders
        .iter()
        .any(|o| o.uuid == order_uuid && o.registered() && !o.deleted)
    {
        return invalid(
            StatusCode::BAD_REQUEST,
            "CREATE",
            vec![error(
                "v2_entity_not_found",
                &format!("Entity is not found by uuid {order_uuid}"),
            )],
        );
    }
    inner.serial += 1;
    let serial = inner.serial;
    let uuid = format!("72753031-{serial:04x}-4b5c-9d2e-{serial:012x}");
    inner.forms.push(Form {
        uuid: uuid.clone(),
        order: order_uuid,
        format: request["format"].as_str().unwrap_or("A4").to_string(),
        polls: 0,
    });
    accepted("CREATE", &uuid, serial)
}

async fn form(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> Response {
    if let Some(refusal) = gate(&shared, &headers) {
        return refusal;
    }
    let mut inner = shared.lock();
    let host = inner.label_host.clone().unwrap_or_else(|| {
        headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("127.0.0.1")
            .to_string()
    });
    let (uuid, file) = match name.strip_suffix(".pdf") {
        Some(uuid) => (uuid.to_string(), true),
        None => (name.clone(), false),
    };
    let Some(at) = inner.forms.iter().position(|f| f.uuid == uuid) else {
        return not_found("GET", &format!("uuid {uuid}"));
    };
    let order = inner.forms[at].order.clone();
    let number = inner
        .orders
        .iter()
        .find(|o| o.uuid == order)
        .map(|o| o.cdek_number.clone())
        .unwrap_or_default();
    let form = &mut inner.forms[at];
    if file {
        if form.polls < 2 {
            return not_found("GET", &format!("uuid {uuid}"));
        }
        return (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/pdf")],
            sandbox_kit::pdf(&["CDEK", &number, &format!("order {order}")]),
        )
            .into_response();
    }
    form.polls += 1;
    let status = |code: &str, name: &str| json!({"code": code, "name": name, "date_time": now()});
    let mut entity = json!({
        "uuid": uuid,
        "orders": [{"order_uuid": order, "cdek_number": number}],
        "copy_count": 1,
        "format": form.format,
        "statuses": [status("ACCEPTED", "Принят"), status("PROCESSING", "Формируется")],
    });
    if form.polls >= 2 {
        entity["url"] = json!(format!("http://{host}/v2/print/barcodes/{uuid}.pdf"));
        if let Some(list) = entity["statuses"].as_array_mut() {
            list.push(status("READY", "Сформирован"));
        }
    }
    Json(json!({"entity": entity, "requests": []})).into_response()
}
