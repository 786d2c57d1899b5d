//! The Octopia REST sandbox. Orders are generated from `tests/data/rest_order.json`
//! (constructed after Octopia's documented sample, see `tests/data/README.md`), each
//! with its own id, amounts and `updatedAt` one minute apart.

use super::faults::Faults;
use crate::config::RestConfig;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{json, Value};
use shipgate_sdk::sandbox::RequestLimit;
use shipgate_sdk::sandbox::SandboxServer;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const TEMPLATE: &str = include_str!("../../tests/data/rest_order.json");
const TOKEN_PATH: &str = "/auth/realms/maas/protocol/openid-connect/token";

/// A shipment the sandbox accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedShipment {
    /// The order.
    pub order_id: String,
    /// `parcelNumber`.
    pub parcel_number: String,
    /// `carrierName`.
    pub carrier_name: String,
    /// `trackingUrl`.
    pub tracking_url: Option<String>,
    /// `orderLineIds`.
    pub order_line_ids: Vec<String>,
}

struct Inner {
    client_secret: String,
    tokens: Vec<String>,
    orders: Vec<Value>,
    shipments: Vec<RecordedShipment>,
    issued: usize,
}

struct Shared {
    client_id: String,
    seller_id: String,
    inner: Mutex<Inner>,
    faults: Faults,
    limit: RequestLimit,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A running Octopia sandbox.
pub struct RestSandbox {
    server: SandboxServer,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for RestSandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RestSandbox")
            .field("addr", &self.server.addr())
            .finish_non_exhaustive()
    }
}

/// `n` orders `InPreparation` from the template, ids `23112310{i:05}`, updated a
/// minute apart from `start`.
pub fn generate_orders(n: usize, start: DateTime<Utc>) -> Vec<Value> {
    let template: Value = serde_json::from_str(TEMPLATE).unwrap_or(Value::Null);
    (0..n)
        .map(|i| {
            let mut o = template.clone();
            let t =
                (start + Duration::minutes(i as i64)).to_rfc3339_opts(SecondsFormat::Secs, true);
            o["orderId"] = json!(format!("23112310{i:05}"));
            o["reference"] = json!(format!("REF-{i}"));
            o["updatedAt"] = json!(t);
            let unit = 10 + (i % 7) as u64;
            o["lines"][0]["sellingPrice"]["unitSalesPrice"] = json!(unit as f64 + 0.99);
            o["totalPrice"]["sellingPrice"] = json!(((unit * 100 + 99) * 2 + 2000) as f64 / 100.0);
            o
        })
        .collect()
}

fn problem(status: StatusCode, title: &str, detail: &str) -> Response {
    let mut resp = (
        status,
        [("content-type", "application/problem+json")],
        json!({
            "type": format!("https://tools.ietf.org/html/rfc7231#section-{}", status.as_u16()),
            "title": title,
            "status": status.as_u16(),
            "detail": detail,
            "traceId": "00-sandbox-00",
        })
        .to_string(),
    )
        .into_response();
    if status == StatusCode::TOO_MANY_REQUESTS {
        resp.headers_mut()
            .insert("retry-after", axum::http::HeaderValue::from_static("1"));
    }
    resp
}

async fn gate(s: &Shared, headers: &HeaderMap) -> Result<(), Response> {
    if let Some(status) = s.faults.take().await {
        let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return Err(problem(
            code,
            code.canonical_reason().unwrap_or("Error"),
            "injected fault",
        ));
    }
    if !s.limit.admit() {
        return Err(problem(
            StatusCode::TOO_MANY_REQUESTS,
            "Too Many Requests",
            "rate limit exceeded",
        ));
    }
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if !s.lock().tokens.iter().any(|t| t == token) {
        return Err(problem(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "invalid or expired bearer token",
        ));
    }
    let seller = headers
        .get("sellerid")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if seller != s.seller_id {
        return Err(problem(
            StatusCode::FORBIDDEN,
            "Forbidden",
            "SellerId header missing or not granted to this client",
        ));
    }
    Ok(())
}

async fn token(
    State(s): State<Arc<Shared>>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let ok = form.get("grant_type").map(String::as_str) == Some("client_credentials")
        && form.get("client_id") == Some(&s.client_id)
        && form.get("client_secret") == Some(&s.lock().client_secret);
    if !ok {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "unauthorized_client", "error_description": "Invalid client or Invalid client credentials"})),
        )
            .into_response();
    }
    let mut inner = s.lock();
    inner.issued += 1;
    let t = format!("sbx-token-{}", inner.issued);
    inner.tokens.push(t.clone());
    Json(json!({"access_token": t, "expires_in": 7200, "token_type": "Bearer"})).into_response()
}

fn updated(o: &Value) -> Option<DateTime<Utc>> {
    o.get("updatedAt")
        .and_then(Value::as_str)
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
}

async fn list(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if let Err(r) = gate(&s, &headers).await {
        return r;
    }
    let index: usize = q.get("pageIndex").and_then(|v| v.parse().ok()).unwrap_or(1);
    let size: usize = q
        .get("pageSize")
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    if index == 0 || size == 0 || size > 100 {
        return problem(
            StatusCode::BAD_REQUEST,
            "Bad Request",
            "pageIndex must be >= 1 and pageSize in 1..=100",
        );
    }
    let min = match q.get("updatedAtMin") {
        Some(v) => match DateTime::parse_from_rfc3339(v) {
            Ok(t) => Some(t.with_timezone(&Utc)),
            Err(_) => {
                return problem(
                    StatusCode::BAD_REQUEST,
                    "Bad Request",
                    "updatedAtMin is not a date-time",
                )
            }
        },
        None => None,
    };
    let inner = s.lock();
    let mut hits: Vec<&Value> = inner
        .orders
        .iter()
        .filter(|o| min.is_none_or(|m| updated(o).is_none_or(|u| u >= m)))
        .collect();
    hits.sort_by_key(|o| updated(o));
    let items: Vec<Value> = hits
        .into_iter()
        .skip((index - 1) * size)
        .take(size)
        .cloned()
        .collect();
    Json(json!({"itemsPerPage": items.len(), "items": items})).into_response()
}

fn find<'a>(orders: &'a mut [Value], id: &str) -> Option<&'a mut Value> {
    orders
        .iter_mut()
        .find(|o| o.get("orderId").and_then(Value::as_str) == Some(id))
}

async fn one(State(s): State<Arc<Shared>>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Err(r) = gate(&s, &headers).await {
        return r;
    }
    match find(&mut s.lock().orders, &id) {
        Some(o) => Json(o.clone()).into_response(),
        None => problem(
            StatusCode::NOT_FOUND,
            "Not Found",
            &format!("order {id} not found"),
        ),
    }
}

async fn ship(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: String,
) -> Response {
    if let Err(r) = gate(&s, &headers).await {
        return r;
    }
    let Ok(b) = serde_json::from_str::<Value>(&body) else {
        return problem(StatusCode::BAD_REQUEST, "Bad Request", "body is not JSON");
    };
    let field = |k: &str| b.get(k).and_then(Value::as_str).map(str::to_string);
    let (Some(parcel), Some(carrier)) = (field("parcelNumber"), field("carrierName")) else {
        return problem(
            StatusCode::BAD_REQUEST,
            "Bad Request",
            "parcelNumber and carrierName are required",
        );
    };
    let line_ids: Vec<String> = b
        .get("orderLineIds")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    if line_ids.is_empty() {
        return problem(
            StatusCode::BAD_REQUEST,
            "Bad Request",
            "orderLineIds is required",
        );
    }
    let mut inner = s.lock();
    let Some(order) = find(&mut inner.orders, &id) else {
        return problem(
            StatusCode::NOT_FOUND,
            "Not Found",
            &format!("order {id} not found"),
        );
    };
    let lines = order["lines"].as_array_mut();
    let Some(lines) = lines else {
        return problem(StatusCode::BAD_REQUEST, "Bad Request", "order has no lines");
    };
    for lid in &line_ids {
        match lines
            .iter()
            .find(|l| l["orderLineId"].as_str() == Some(lid))
        {
            Some(l) if l["status"] == "InPreparation" => {}
            Some(_) => {
                return problem(
                    StatusCode::BAD_REQUEST,
                    "Bad Request",
                    &format!("order line {lid} is not InPreparation"),
                )
            }
            None => {
                return problem(
                    StatusCode::BAD_REQUEST,
                    "Bad Request",
                    &format!("unknown order line {lid}"),
                )
            }
        }
    }
    for l in lines.iter_mut() {
        if l["orderLineId"]
            .as_str()
            .is_some_and(|x| line_ids.iter().any(|i| i == x))
        {
            l["status"] = json!("Shipped");
        }
    }
    if lines.iter().all(|l| l["status"] == "Shipped") {
        order["status"] = json!("Shipped");
    }
    order["updatedAt"] = json!(Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true));
    inner.shipments.push(RecordedShipment {
        order_id: id,
        parcel_number: parcel,
        carrier_name: carrier,
        tracking_url: field("trackingUrl"),
        order_line_ids: line_ids,
    });
    StatusCode::CREATED.into_response()
}

impl RestSandbox {
    /// Starts a sandbox holding `orders` generated orders.
    pub async fn start(orders: usize) -> std::io::Result<Self> {
        let start = Utc::now() - Duration::days(2);
        Self::with_orders(generate_orders(orders, start)).await
    }

    /// Starts a sandbox holding exactly these orders.
    pub async fn with_orders(orders: Vec<Value>) -> std::io::Result<Self> {
        let shared = Arc::new(Shared {
            client_id: "sbx-client".into(),
            seller_id: "98979".into(),
            inner: Mutex::new(Inner {
                client_secret: "sbx-secret-4f1c".into(),
                tokens: Vec::new(),
                orders,
                shipments: Vec::new(),
                issued: 0,
            }),
            faults: Faults::default(),
            limit: RequestLimit::default(),
        });
        let router = Router::new()
            .route(TOKEN_PATH, post(token))
            .route("/seller/v2/orders", get(list))
            .route("/seller/v2/orders/{id}", get(one))
            .route("/seller/v2/orders/{id}/shipments", post(ship))
            .with_state(shared.clone());
        Ok(Self {
            server: SandboxServer::start(router).await?,
            shared,
        })
    }

    /// A connector configuration pointing at this sandbox.
    pub fn config(&self) -> RestConfig {
        let base = self.server.base_url();
        RestConfig {
            base_url: format!("{base}/seller/v2"),
            token_url: format!("{base}{TOKEN_PATH}"),
            client_id: self.shared.client_id.clone(),
            client_secret: self.shared.lock().client_secret.clone(),
            seller_id: self.shared.seller_id.clone(),
            sales_channel_id: None,
            page_size: 10,
            lookback_secs: 60,
            request_timeout_secs: 5,
            // Tests and the demo are not slowed down by a guess made for production.
            budget: crate::BudgetConfig {
                requests_per_second: 50.0,
                burst: 50,
                ..crate::BudgetConfig::default()
            },
        }
    }

    /// The client secret the sandbox accepts.
    pub fn client_secret(&self) -> String {
        self.shared.lock().client_secret.clone()
    }

    /// Rotates the client secret and revokes every token issued.
    pub fn rotate_secret(&self, secret: &str) {
        let mut inner = self.shared.lock();
        inner.client_secret = secret.to_string();
        inner.tokens.clear();
    }

    /// Tokens issued so far.
    pub fn tokens_issued(&self) -> usize {
        self.shared.lock().issued
    }

    /// The orders as held now.
    pub fn orders(&self) -> Vec<Value> {
        self.shared.lock().orders.clone()
    }

    /// Ids of the orders held.
    pub fn order_ids(&self) -> Vec<String> {
        self.orders()
            .iter()
            .filter_map(|o| o["orderId"].as_str().map(str::to_string))
            .collect()
    }

    /// Overwrites fields of order `id` with those of `patch`; a non-object `patch`
    /// replaces the whole item (a record that is not an order at all).
    pub fn corrupt_order(&self, id: &str, patch: Value) {
        let mut inner = self.shared.lock();
        if let Some(o) = find(&mut inner.orders, id) {
            match patch {
                Value::Object(fields) => {
                    for (k, v) in fields {
                        o[k] = v;
                    }
                }
                other => *o = other,
            }
        }
    }

    /// Shipments accepted so far.
    pub fn shipments(&self) -> Vec<RecordedShipment> {
        self.shared.lock().shipments.clone()
    }

    /// Fault injection.
    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }

    /// The request limit in front of the API (none until set): calls over it get a 429
    /// problem with `Retry-After`, as throttled calls do.
    pub fn limit(&self) -> &RequestLimit {
        &self.shared.limit
    }
}
