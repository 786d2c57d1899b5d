//! The sandbox's HTTP side: routes on Amazon's paths, the access-token check, buckets,
//! faults, paging and shipment confirmation.

use super::data::generate_orders;
use super::state::{Bucket, ConfirmedShipment, Fault, Shared, State};
use crate::client::Operation;
use crate::usage_plan::UsagePlan;
use axum::extract::{Form, Path, Query, State as AxumState};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};
use shipgate_sdk::sandbox::SandboxServer;
use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// Amazon's 403 body for a missing, expired or revoked access token (as quoted in many
/// SP-API issue threads, e.g. amzn/selling-partner-api-models#2333).
pub const DENIED_BODY: &str = r#"{"errors":[{"message":"Access to requested resource is denied.","code":"Unauthorized","details":"The access token you provided is revoked, malformed or invalid."}]}"#;

/// Amazon's 429 body.
pub const QUOTA_BODY: &str = r#"{"errors":[{"code":"QuotaExceeded","message":"You exceeded your quota for the requested resource."}]}"#;

/// Amazon's 400 body for bad parameters, from the sandbox pair
/// `orders_2026-01-01.searchOrders.400.0.json`.
const INVALID_BODY: &str =
    r#"{"errors":[{"code":"InvalidInput","message":"Invalid Input","details":"Invalid Input"}]}"#;

/// How the sandbox starts.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Orders held (the 8 published samples first, then generated ones).
    pub orders: usize,
    /// Seed of the generator.
    pub seed: u64,
    /// Usage plan per operation. The default is generous so tests are fast; use
    /// [`Operation::default_plan`] values to feel Amazon's real limits.
    pub plans: Vec<(Operation, UsagePlan)>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            orders: 40,
            seed: 42,
            plans: Operation::ALL
                .iter()
                .map(|op| {
                    (
                        *op,
                        UsagePlan {
                            requests_per_second: 50.0,
                            burst: 200,
                        },
                    )
                })
                .collect(),
        }
    }
}

/// A running sandbox.
pub struct AmazonSandbox {
    server: SandboxServer,
    state: Shared,
}

impl std::fmt::Debug for AmazonSandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AmazonSandbox")
            .field("addr", &self.server.addr())
            .finish_non_exhaustive()
    }
}

impl AmazonSandbox {
    /// Generates the data and starts serving on `127.0.0.1:0`.
    pub async fn start(config: SandboxConfig) -> std::io::Result<Self> {
        let buckets = config
            .plans
            .iter()
            .map(|(op, plan)| (op.name(), Bucket::new(*plan)))
            .collect();
        let state: Shared = Arc::new(Mutex::new(State {
            client_id: "amzn1.application-oa2-client.sandbox".into(),
            client_secret: "amzn1.oa2-cs.v1.sandbox-secret".into(),
            refresh_token: "Atzr|sandbox-refresh-token".into(),
            access_tokens: Vec::new(),
            tokens_issued: 0,
            orders: generate_orders(config.orders, config.seed, Utc::now()),
            corruptions: HashMap::new(),
            buckets,
            faults: VecDeque::new(),
            requests: 0,
            rate_limited: 0,
            confirmed: Vec::new(),
        }));
        let router = Router::new()
            .route("/auth/o2/token", post(token))
            .route("/orders/2026-01-01/orders", get(search_orders))
            .route("/orders/2026-01-01/orders/{order_id}", get(get_order))
            .route(
                "/orders/v0/orders/{order_id}/shipmentConfirmation",
                post(confirm_shipment),
            )
            .with_state(state.clone());
        let server = SandboxServer::start(router).await?;
        Ok(Self { server, state })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    /// A connector configuration pointing at this sandbox, with its credentials.
    pub fn amazon_config(&self) -> crate::AmazonConfig {
        let s = self.lock();
        let mut c = crate::AmazonConfig::new(
            self.base_url(),
            s.client_id.clone(),
            s.client_secret.clone(),
            s.refresh_token.clone(),
            "ATVPDKIKX0DER",
            "A3TH9S8BH6GOGM",
        );
        c.lwa_token_url = format!("{}/auth/o2/token", self.base_url());
        let mut marketplaces: Vec<String> = s
            .orders
            .iter()
            .filter_map(|o| {
                o["salesChannel"]["marketplaceId"]
                    .as_str()
                    .map(str::to_string)
            })
            .collect();
        marketplaces.sort();
        marketplaces.dedup();
        if !marketplaces.is_empty() {
            c.marketplace_ids = marketplaces;
        }
        c.backfill_days = 7;
        c
    }

    /// The refresh token the sandbox accepts (the secret a connector holds).
    pub fn refresh_token(&self) -> String {
        self.lock().refresh_token.clone()
    }

    /// Revokes the refresh token and every access token issued, as a seller removing the
    /// app's authorization does.
    pub fn revoke(&self) {
        let mut s = self.lock();
        s.refresh_token = "Atzr|rotated".into();
        s.access_tokens.clear();
    }

    /// Expires every access token issued (the refresh token stays valid).
    pub fn expire_access_tokens(&self) {
        self.lock().access_tokens.clear();
    }

    /// How many access tokens the LWA endpoint issued.
    pub fn tokens_issued(&self) -> usize {
        self.lock().tokens_issued
    }

    /// The orders held, as stored (corruptions not applied).
    pub fn orders(&self) -> Vec<Value> {
        self.lock().orders.clone()
    }

    /// The order ids held, in order.
    pub fn order_ids(&self) -> Vec<String> {
        self.lock()
            .orders
            .iter()
            .filter_map(|o| o["orderId"].as_str().map(str::to_string))
            .collect()
    }

    /// Serves order `id` spoiled: an object is merged into it (a `null` member removes
    /// the field), anything else replaces it.
    pub fn corrupt_order(&self, id: &str, patch: Value) {
        self.lock().corruptions.insert(id.to_string(), patch);
    }

    /// Makes the next `n` SP-API requests answer `status` with Amazon's body for it (a
    /// 429 carries `Retry-After: 1`).
    pub fn fail_next(&self, n: usize, status: u16) {
        let body = match status {
            429 => QUOTA_BODY.to_string(),
            403 => DENIED_BODY.to_string(),
            404 => json!({"errors":[{"code":"NotFound","message":"The requested resource was not found."}]}).to_string(),
            500 => json!({"errors":[{"code":"InternalFailure","message":"We encountered an internal error. Please try again."}]}).to_string(),
            503 => json!({"errors":[{"code":"ServiceUnavailable","message":"Service temporarily unavailable. Please try again."}]}).to_string(),
            400 => INVALID_BODY.to_string(),
            _ => json!({"errors":[{"code":"InvalidInput","message":format!("Injected HTTP {status}")}]}).to_string(),
        };
        for _ in 0..n {
            self.fail_next_with(status, &body);
        }
    }

    /// Makes the next request answer `status` with exactly `body` (truncated JSON, HTML…).
    pub fn fail_next_with(&self, status: u16, body: &str) {
        self.lock().faults.push_back(Fault {
            status,
            body: body.to_string(),
            delay: Duration::ZERO,
        });
    }

    /// Makes the next request wait `delay` before answering normally (for timeouts).
    pub fn delay_next(&self, delay: Duration) {
        self.lock().faults.push_back(Fault {
            status: 0,
            body: String::new(),
            delay,
        });
    }

    /// SP-API requests received (token requests excluded).
    pub fn requests(&self) -> usize {
        self.lock().requests
    }

    /// Requests the usage plans refused with 429 `QuotaExceeded` (injected faults not
    /// counted).
    pub fn rate_limited(&self) -> usize {
        self.lock().rate_limited
    }

    /// Every shipment confirmation accepted.
    pub fn confirmed(&self) -> Vec<ConfirmedShipment> {
        self.lock().confirmed.clone()
    }
}

fn now_iso() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn answer(status: u16, rate: Option<f64>, body: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut headers = HeaderMap::new();
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    let id = format!("{:x}", rand::random::<u64>());
    if let Ok(v) = HeaderValue::from_str(&id) {
        headers.insert("x-amzn-RequestId", v);
    }
    if let Some(rate) = rate {
        if let Ok(v) = HeaderValue::from_str(&rate.to_string()) {
            headers.insert("x-amzn-RateLimit-Limit", v);
        }
    }
    if status == StatusCode::TOO_MANY_REQUESTS {
        headers.insert("retry-after", HeaderValue::from_static("1"));
    }
    (status, headers, body).into_response()
}

/// What every SP-API request goes through before its handler: count, faults, token,
/// bucket. `Err` is the answer to send instead.
async fn admit(
    state: &Shared,
    op: Operation,
    headers: &HeaderMap,
) -> Result<Option<f64>, Response> {
    let (fault, rate) = {
        let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
        s.requests += 1;
        let rate = s.buckets.get(op.name()).map(|b| b.plan.requests_per_second);
        (s.faults.pop_front(), rate)
    };
    if let Some(f) = fault {
        tokio::time::sleep(f.delay).await;
        if f.status != 0 {
            return Err(answer(f.status, rate, f.body));
        }
    }
    let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
    let token = headers
        .get("x-amz-access-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !s.access_tokens.iter().any(|t| t == token) {
        return Err(answer(403, rate, DENIED_BODY.to_string()));
    }
    let refused = s.buckets.get_mut(op.name()).is_some_and(|b| !b.take());
    if refused {
        s.rate_limited += 1;
        // A real bucket's 429 carries the rate, not Retry-After.
        let mut r = answer(429, rate, QUOTA_BODY.to_string());
        r.headers_mut().remove("retry-after");
        return Err(r);
    }
    Ok(rate)
}

async fn token(
    AxumState(state): AxumState<Shared>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
    let field = |k: &str| form.get(k).map(String::as_str).unwrap_or_default();
    if field("client_id") != s.client_id || field("client_secret") != s.client_secret {
        return answer(
            401,
            None,
            json!({"error":"invalid_client","error_description":"Client authentication failed"})
                .to_string(),
        );
    }
    if field("grant_type") != "refresh_token" || field("refresh_token") != s.refresh_token {
        return answer(400, None, json!({"error":"invalid_grant","error_description":"The request has an invalid grant parameter : refresh_token. User may have revoked or didn't grant the permission."}).to_string());
    }
    s.tokens_issued += 1;
    let token = format!("Atza|sandbox-access-{}", s.tokens_issued);
    s.access_tokens.push(token.clone());
    let body = json!({"access_token": token, "refresh_token": s.refresh_token, "token_type": "bearer", "expires_in": 3600});
    answer(200, None, body.to_string())
}

fn time(v: &Value) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(v.as_str()?)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn list(q: &HashMap<String, String>, key: &str) -> Vec<String> {
    q.get(key)
        .map(|v| {
            v.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

fn params_key(q: &HashMap<String, String>) -> u64 {
    let mut keys: Vec<_> = q
        .iter()
        .filter(|(k, _)| {
            !matches!(
                k.as_str(),
                "paginationToken" | "maxResultsPerPage" | "includedData"
            )
        })
        .collect();
    keys.sort();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    keys.hash(&mut h);
    h.finish()
}

async fn search_orders(
    AxumState(state): AxumState<Shared>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let rate = match admit(&state, Operation::SearchOrders, &headers).await {
        Ok(rate) => rate,
        Err(r) => return r,
    };
    let invalid = |details: &str| {
        answer(
            400,
            rate,
            json!({"errors":[{"code":"InvalidInput","message":"Invalid Input","details":details}]})
                .to_string(),
        )
    };
    let (field, after) = match (q.get("createdAfter"), q.get("lastUpdatedAfter")) {
        (Some(c), None) => ("createdTime", c),
        (None, Some(u)) => ("lastUpdatedTime", u),
        _ => return invalid("Exactly one of createdAfter and lastUpdatedAfter must be provided."),
    };
    let Some(after) = time(&Value::String(after.clone())) else {
        return invalid("The date must be in ISO 8601 format.");
    };
    let size: usize = match q.get("maxResultsPerPage").map(|v| v.parse::<usize>()) {
        None => 100,
        Some(Ok(n)) if (1..=100).contains(&n) => n,
        _ => return invalid("maxResultsPerPage must be between 1 and 100."),
    };
    let key = params_key(&q);
    let offset = match q.get("paginationToken") {
        None => 0,
        Some(t) => match t.split_once('.') {
            Some((off, k)) if k == format!("{key:x}") => match off.parse::<usize>() {
                Ok(o) => o,
                Err(_) => return invalid("Invalid paginationToken."),
            },
            _ => return invalid("Invalid paginationToken: the other parameters must not change."),
        },
    };
    let marketplaces = list(&q, "marketplaceIds");
    let statuses = list(&q, "fulfillmentStatuses");
    let s = state.lock().unwrap_or_else(|p| p.into_inner());
    let mut matching: Vec<&Value> = s
        .orders
        .iter()
        .filter(|o| time(&o[field]).is_some_and(|t| t >= after))
        .filter(|o| {
            marketplaces.is_empty()
                || o["salesChannel"]["marketplaceId"]
                    .as_str()
                    .is_some_and(|m| marketplaces.iter().any(|x| x == m))
        })
        .filter(|o| {
            statuses.is_empty()
                || o["fulfillment"]["fulfillmentStatus"]
                    .as_str()
                    .is_some_and(|st| statuses.iter().any(|x| x == st))
        })
        .collect();
    matching.sort_by(|a, b| {
        (time(&a["lastUpdatedTime"]), a["orderId"].as_str())
            .cmp(&(time(&b["lastUpdatedTime"]), b["orderId"].as_str()))
    });
    let page: Vec<Value> = matching
        .iter()
        .skip(offset)
        .take(size)
        .map(|o| s.served(o))
        .collect();
    let mut body = json!({ "orders": page });
    if offset + size < matching.len() {
        body["pagination"] = json!({ "nextToken": format!("{}.{key:x}", offset + size) });
    }
    let bound = if field == "lastUpdatedTime" {
        "lastUpdatedBefore"
    } else {
        "createdBefore"
    };
    body[bound] = now_iso().into();
    answer(200, rate, body.to_string())
}

async fn get_order(
    AxumState(state): AxumState<Shared>,
    headers: HeaderMap,
    Path(order_id): Path<String>,
) -> Response {
    let rate = match admit(&state, Operation::GetOrder, &headers).await {
        Ok(rate) => rate,
        Err(r) => return r,
    };
    let s = state.lock().unwrap_or_else(|p| p.into_inner());
    match s.orders.iter().find(|o| o["orderId"] == order_id.as_str()) {
        Some(o) => answer(200, rate, json!({ "order": s.served(o) }).to_string()),
        None => answer(404, rate, json!({"errors":[{"code":"NotFound","message":format!("Order {order_id} not found.")}]}).to_string()),
    }
}

async fn confirm_shipment(
    AxumState(state): AxumState<Shared>,
    headers: HeaderMap,
    Path(order_id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let rate = match admit(&state, Operation::ConfirmShipment, &headers).await {
        Ok(rate) => rate,
        Err(r) => return r,
    };
    // The sandbox pair ordersV0.confirmShipment.400.0.json: a bad field gets this body.
    let invalid = || {
        answer(
            400,
            rate,
            r#"{"errors":[{"code":"Invalid Input","message":"Invalid Input"}]}"#.to_string(),
        )
    };
    let refuse = |message: String| {
        answer(
            400,
            rate,
            json!({"errors":[{"code":"InvalidInput","message":message}]}).to_string(),
        )
    };
    let Ok(req) = serde_json::from_slice::<Value>(&body) else {
        return invalid();
    };
    let d = &req["packageDetail"];
    let reference = match &d["packageReferenceId"] {
        Value::String(r) if r.parse::<u64>().is_ok_and(|n| n > 0) => r.clone(),
        Value::String(_) => {
            return refuse("PackageReferenceId must be a positive numeric value.".into())
        }
        _ => return invalid(),
    };
    let (Some(code), Some(tracking)) = (d["carrierCode"].as_str(), d["trackingNumber"].as_str())
    else {
        return invalid();
    };
    let name = d["carrierName"].as_str().map(str::to_string);
    if code == "Other" && name.is_none() {
        return refuse("carrierName is required when carrierCode is Other.".into());
    }
    if req["marketplaceId"].as_str().is_none()
        || d["shipDate"]
            .as_str()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .is_none()
    {
        return invalid();
    }
    let mut items = Vec::new();
    for item in d["orderItems"].as_array().into_iter().flatten() {
        match (
            item["orderItemId"].as_str(),
            item["quantity"]
                .as_u64()
                .and_then(|q| u32::try_from(q).ok()),
        ) {
            (Some(id), Some(q)) if q > 0 => items.push((id.to_string(), q)),
            _ => return invalid(),
        }
    }
    if items.is_empty() {
        return invalid();
    }
    let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
    let Some(order) = s
        .orders
        .iter_mut()
        .find(|o| o["orderId"] == order_id.as_str())
    else {
        return answer(404, rate, json!({"errors":[{"code":"NotFound","message":format!("Order {order_id} not found.")}]}).to_string());
    };
    if order["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|p| p["packageReferenceId"] == reference.as_str())
    {
        return refuse(format!("Unable to find package to update. PackageReferenceId {reference} is already used on this order."));
    }
    for (id, q) in &items {
        let Some(line) = order["orderItems"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|l| l["orderItemId"] == id.as_str())
        else {
            return refuse(format!("OrderItemId {id} is invalid."));
        };
        let left = line["fulfillment"]["quantityUnfulfilled"]
            .as_u64()
            .or_else(|| line["quantityOrdered"].as_u64())
            .unwrap_or(0);
        if u64::from(*q) > left {
            return refuse(
                "Unable to find package to update. The order is already fulfilled.".into(),
            );
        }
    }
    let mut all_shipped = true;
    for line in order["orderItems"].as_array_mut().into_iter().flatten() {
        let ordered = line["quantityOrdered"].as_u64().unwrap_or(0);
        let done = line["fulfillment"]["quantityFulfilled"]
            .as_u64()
            .unwrap_or(0);
        let add = items
            .iter()
            .find(|(id, _)| line["orderItemId"] == id.as_str())
            .map_or(0, |(_, q)| u64::from(*q));
        let done = (done + add).min(ordered);
        line["fulfillment"] =
            json!({"quantityFulfilled": done, "quantityUnfulfilled": ordered - done});
        all_shipped &= done == ordered;
    }
    let package = json!({
        "packageReferenceId": reference,
        "createdTime": now_iso(),
        "packageStatus": {"status": "SHIPPED"},
        "carrier": name.clone().unwrap_or_else(|| code.to_string()),
        "shipTime": d["shipDate"].clone(),
        "trackingNumber": tracking,
        "packageItems": items.iter().map(|(id, q)| json!({"orderItemId": id, "quantity": q})).collect::<Vec<_>>(),
    });
    match order["packages"].as_array_mut() {
        Some(list) => list.push(package),
        None => order["packages"] = json!([package]),
    }
    order["fulfillment"]["fulfillmentStatus"] = if all_shipped {
        "SHIPPED"
    } else {
        "PARTIALLY_SHIPPED"
    }
    .into();
    order["lastUpdatedTime"] = now_iso().into();
    s.confirmed.push(ConfirmedShipment {
        order_id,
        package_reference_id: reference,
        carrier_code: code.to_string(),
        carrier_name: name,
        tracking_number: tracking.to_string(),
        items,
    });
    let mut r = answer(204, rate, String::new());
    r.headers_mut().remove("content-type");
    r
}
