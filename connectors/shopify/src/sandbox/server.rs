//! The sandbox's HTTP side: Shopify's endpoint path and token check, fault injection,
//! the optional request-rate limit, and the cost bucket wrapped around each GraphQL
//! execution.
//!
//! Cost model: Shopify's, computed from the parsed document (see `cost`). A query whose
//! requested cost is over [`SandboxConfig::max_query_cost`] is refused before it runs
//! with `MAX_COST_EXCEEDED`; otherwise the bucket is charged the requested cost up
//! front and refunded down to the actual cost once the data is known, and both go in
//! `extensions.cost`.

use super::bucket::{BucketStatus, CostBucket, Refusal};
use super::cost::Pricing;
use super::data::{enlarge_order, generate_orders, GeneratedOrder};
use super::limit::{too_many_requests, RequestLog, CALL_LIMIT_HEADER};
use super::schema::{self, ShopSchema};
use super::state::{OrderRecord, RecordedEvent, RecordedFulfillment, Shared, State};
use crate::ShopifyConfig;
use axum::body::Bytes;
use axum::extract::{Path, State as AxumState};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};
use shipgate_sdk::sandbox::SandboxServer;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Shopify's answer to a missing or wrong token.
pub const INVALID_TOKEN_BODY: &str =
    r#"{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}"#;

/// How to set the sandbox shop up.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// How many orders [`generate_orders`] makes.
    pub orders: usize,
    /// The generator's seed.
    pub seed: u64,
    /// The token the shop accepts.
    pub access_token: String,
    /// Cost bucket size, in points.
    pub bucket_size: f64,
    /// Points restored per second.
    pub restore_rate: f64,
    /// The single-query ceiling: a query whose requested cost is higher is refused with
    /// `MAX_COST_EXCEEDED` before it runs (Shopify's is 1,000 on every plan).
    pub max_query_cost: u64,
    /// When non-zero, the last generated order gets this many lines (see
    /// [`enlarge_order`]), to exercise line-item pagination.
    pub large_order_lines: usize,
    /// When set, the shop refuses requests beyond this many per second (past a bucket of
    /// [`Self::request_bucket`]) with HTTP 429, as Shopify limits each app on each shop.
    pub requests_per_second: Option<f64>,
    /// Requests the request-rate bucket holds (Shopify's: 40 on Standard).
    pub request_bucket: u32,
}

impl Default for SandboxConfig {
    /// 100 orders and a bucket generous enough for `shipgate demo` (1,000 pulls and
    /// pushes in seconds); use [`SandboxConfig::standard_plan`] for Shopify's real
    /// Standard-plan numbers.
    fn default() -> Self {
        Self {
            orders: 100,
            seed: 1,
            access_token: "shpat_sandbox_token".into(),
            bucket_size: 20_000.0,
            restore_rate: 10_000.0,
            max_query_cost: 1_000,
            large_order_lines: 0,
            requests_per_second: None,
            request_bucket: 40,
        }
    }
}

impl SandboxConfig {
    /// Shopify's Standard plan today: a 2,000-point bucket restoring 100 points/s.
    pub fn standard_plan() -> Self {
        Self {
            bucket_size: 2_000.0,
            restore_rate: 100.0,
            ..Self::default()
        }
    }
}

/// A running sandbox shop; stops when dropped.
pub struct ShopifySandbox {
    server: SandboxServer,
    shared: Shared,
    requests_per_second: Option<f64>,
    request_bucket: u32,
}

impl std::fmt::Debug for ShopifySandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShopifySandbox")
            .field("base_url", &self.server.base_url())
            .finish()
    }
}

#[derive(Clone)]
struct AppState {
    shared: Shared,
    schema: ShopSchema,
}

impl ShopifySandbox {
    /// Generates the orders and serves `POST /admin/api/{version}/graphql.json` on a
    /// free loopback port.
    pub async fn start(config: SandboxConfig) -> std::io::Result<Self> {
        let mut generated = generate_orders(config.orders, config.seed);
        if config.large_order_lines > 0 {
            if let Some(last) = generated.last_mut() {
                enlarge_order(last, config.large_order_lines);
            }
        }
        let orders = generated.into_iter().map(OrderRecord::new).collect();
        let shared: Shared = Arc::new(Mutex::new(State {
            token: config.access_token.clone(),
            orders,
            recorded: Vec::new(),
            recorded_events: Vec::new(),
            corruptions: HashMap::new(),
            bucket: CostBucket::new(config.bucket_size, config.restore_rate),
            max_query_cost: config.max_query_cost,
            faults: VecDeque::new(),
            next_fulfillment_id: 255858046,
            next_event_id: 944956391,
            requests: 0,
            mutation_answer_delay: Duration::ZERO,
            request_log: RequestLog::new(config.requests_per_second, config.request_bucket),
        }));
        let app = AppState {
            shared: shared.clone(),
            schema: schema::build(shared.clone()),
        };
        let router = Router::new()
            .route("/admin/api/{version}/graphql.json", post(graphql))
            .with_state(app);
        let server = SandboxServer::start(router).await?;
        Ok(Self {
            server,
            shared,
            requests_per_second: config.requests_per_second,
            request_bucket: config.request_bucket,
        })
    }

    /// `http://127.0.0.1:PORT`: the `shop_url` to configure.
    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    /// The token the shop currently accepts.
    pub fn token(&self) -> String {
        self.with(|s| s.token.clone())
    }

    /// A connector configuration pointing at this sandbox with its token, and a request
    /// budget of the sandbox's request limit; a sandbox without one gets a budget high
    /// enough never to hold the demo or a test back.
    pub fn shopify_config(&self) -> ShopifyConfig {
        let mut config = ShopifyConfig::new(self.base_url(), self.token());
        match self.requests_per_second {
            Some(per_second) => {
                config.requests_per_second = per_second;
                config.burst = self.request_bucket;
            }
            None => {
                config.requests_per_second = UNLIMITED_REQUESTS;
                config.burst = UNLIMITED_REQUESTS as u32;
            }
        }
        config
    }

    /// Changes the accepted token (simulates a revoked or rotated token).
    pub fn set_token(&self, token: impl Into<String>) {
        let token = token.into();
        self.with(|s| s.token = token);
    }

    /// The next `n` requests get HTTP `status` (429 comes with `Retry-After: 1`).
    pub fn fail_next(&self, n: usize, status: u16) {
        self.with(|s| s.faults.extend(std::iter::repeat_n(status, n)));
    }

    /// Overwrites fields of an order node as served in `orders` results: an object patch
    /// is merged into the node (`{"totalPriceSet": "oops"}`), anything else replaces the
    /// whole node. This is how tests feed the connector Shopify data our schema types
    /// could never produce.
    pub fn corrupt_order(&self, order_gid: &str, patch: Value) {
        let gid = order_gid.to_string();
        self.with(|s| s.corruptions.insert(gid, patch));
    }

    /// Cancels an order as the merchant would in the admin (its `cancelledAt` and
    /// `updatedAt` become now), and returns the `orders/cancelled` webhook body Shopify
    /// sends for it (REST shape: the numeric `id` and `admin_graphql_api_id`), or `None`
    /// for an unknown order.
    pub fn cancel_order(&self, order_gid: &str) -> Option<Vec<u8>> {
        let now = chrono::Utc::now();
        self.with(|s| {
            let record = s.orders.iter_mut().find(|r| r.order.gid() == order_gid)?;
            record.order.cancelled_at = Some(now);
            record.order.updated_at = now;
            let body = serde_json::json!({
                "id": record.order.id,
                "admin_graphql_api_id": record.order.gid(),
                "name": record.order.name,
                "cancelled_at": now.to_rfc3339(),
                "cancel_reason": "customer",
                "updated_at": now.to_rfc3339(),
            });
            serde_json::to_vec(&body).ok()
        })
    }

    /// Every fulfillment received, one entry per fulfillment order it covered.
    pub fn fulfillments(&self) -> Vec<RecordedFulfillment> {
        self.with(|s| s.recorded.clone())
    }

    /// Every fulfillment event received, in order of arrival.
    pub fn fulfillment_events(&self) -> Vec<RecordedEvent> {
        self.with(|s| s.recorded_events.clone())
    }

    /// The orders as the shop holds them now (`updated_at` moves on fulfillment).
    pub fn orders(&self) -> Vec<GeneratedOrder> {
        self.with(|s| s.orders.iter().map(|r| r.order.clone()).collect())
    }

    /// The cost bucket now.
    pub fn bucket(&self) -> BucketStatus {
        self.with(|s| s.bucket.status())
    }

    /// The fewest points ever left in the bucket after a charge (never below zero).
    pub fn lowest_available(&self) -> f64 {
        self.with(|s| s.bucket.lowest())
    }

    /// How many HTTP requests reached the endpoint.
    pub fn requests(&self) -> usize {
        self.with(|s| s.requests)
    }

    /// When each request with a valid token that the request-rate limit let through
    /// arrived, in order: what a test measures the rate it was served at with.
    pub fn served_at(&self) -> Vec<Instant> {
        self.with(|s| s.request_log.served().to_vec())
    }

    /// Makes a slow shop: every mutation takes effect at once but its answer comes
    /// `delay` later. That is the window in which a worker can die between a remote
    /// effect and recording it, which crash tests kill workers in.
    pub fn delay_mutation_answers(&self, delay: Duration) {
        self.with(|s| s.mutation_answer_delay = delay);
    }

    /// How many requests the request-rate limit refused with HTTP 429 (injected faults
    /// are not counted).
    pub fn rate_limited(&self) -> usize {
        self.with(|s| s.request_log.refused())
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        let mut guard = self
            .shared
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut guard)
    }
}

/// The request budget [`ShopifySandbox::shopify_config`] gives when the sandbox has no
/// request limit.
const UNLIMITED_REQUESTS: f64 = 100_000.0;

pub(crate) fn json_response(status: StatusCode, body: String) -> Response {
    let mut resp = (status, body).into_response();
    resp.headers_mut().insert(
        "content-type",
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    resp
}

async fn graphql(
    AxumState(app): AxumState<AppState>,
    Path(version): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (fault, token) = {
        let mut s = app.shared.lock().unwrap_or_else(|p| p.into_inner());
        s.requests += 1;
        (s.faults.pop_front(), s.token.clone())
    };
    if let Some(status) = fault {
        return fault_response(status);
    }
    let presented = headers
        .get("x-shopify-access-token")
        .and_then(|v| v.to_str().ok());
    if presented != Some(token.as_str()) {
        return json_response(StatusCode::UNAUTHORIZED, INVALID_TOKEN_BODY.into());
    }
    let admitted = app
        .shared
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .request_log
        .admit();
    match admitted {
        Err(refused) => *refused,
        Ok(call_limit) => {
            let mut response = execute(&app, &version, &body).await;
            if let Some(v) = call_limit {
                response.headers_mut().insert(CALL_LIMIT_HEADER, v);
            }
            response
        }
    }
}

/// Prices, charges and runs one GraphQL request that passed the token and rate checks.
async fn execute(app: &AppState, version: &str, body: &[u8]) -> Response {
    let request: async_graphql::Request = match serde_json::from_slice(body) {
        Ok(r) => r,
        Err(_) => {
            return json_response(
                StatusCode::BAD_REQUEST,
                r#"{"errors":{"query":"Required parameter missing or invalid"}}"#.into(),
            )
        }
    };
    let variables = request.variables.clone();
    let operation_name = request.operation_name.clone();
    let doc = async_graphql::parser::parse_query(&request.query).ok();
    let pricing = doc
        .as_ref()
        .and_then(|d| Pricing::new(d, operation_name.as_deref(), &variables));
    // A document that does not parse still costs a point; execution explains the error.
    let requested = pricing.as_ref().map_or(1, |p| p.requested().max(1));
    let mutation = pricing.as_ref().is_some_and(Pricing::is_mutation);
    let ceiling = app
        .shared
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .max_query_cost;
    if requested > ceiling {
        return max_cost_exceeded(requested, ceiling);
    }
    if let Some(refused) = charge(&app.shared, requested) {
        return refused;
    }
    let out = app.schema.execute(request).await;
    if mutation {
        let delay = app
            .shared
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .mutation_answer_delay;
        tokio::time::sleep(delay).await;
    }
    let mut resp = serde_json::to_value(&out).unwrap_or(Value::Null);
    let actual = match (&pricing, resp.get("data")) {
        (Some(p), Some(data)) => p.actual(data).clamp(1, requested),
        _ => requested,
    };
    refund(&app.shared, requested - actual);
    if !mutation {
        apply_corruptions(&app.shared, &mut resp);
    }
    add_cost(&app.shared, &mut resp, requested, actual);
    if resp
        .get("errors")
        .is_some_and(|e| e.as_array().is_some_and(Vec::is_empty))
    {
        if let Some(obj) = resp.as_object_mut() {
            obj.remove("errors");
        }
    }
    let mut response = json_response(StatusCode::OK, resp.to_string());
    if let Ok(v) = HeaderValue::from_str(version) {
        response.headers_mut().insert("x-shopify-api-version", v);
    }
    response
}

fn fault_response(status: u16) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = match status {
        429 => return too_many_requests(2.0, "1"),
        500..=599 => r#"{"errors":"Internal Server Error"}"#,
        _ => r#"{"errors":"Injected failure"}"#,
    };
    json_response(code, body.into())
}

/// Shopify's answer to a query over the single-query ceiling, shaped like a captured
/// live response: the cost sits in the error's extensions, and there is no top-level
/// `extensions.cost` (nothing was charged).
fn max_cost_exceeded(cost: u64, limit: u64) -> Response {
    let message = format!(
        "Query cost is {cost}, which exceeds the single query max cost limit ({limit}).\n\n\
         See https://shopify.dev/docs/api/usage/rate-limits for more information on how the\n\
         cost of a query is calculated.\n\n\
         To query larger amounts of data with fewer limits, bulk operations should be used instead.\n\
         See https://shopify.dev/docs/api/usage/bulk-operations/queries for usage details.\n"
    );
    let body = json!({
        "errors": [{ "message": message, "extensions": {
            "code": "MAX_COST_EXCEEDED",
            "cost": cost,
            "maxCost": limit,
            "documentation": "https://shopify.dev/api/usage/rate-limits",
        } }],
    });
    json_response(StatusCode::OK, body.to_string())
}

/// Takes the requested points or returns Shopify's refusal (with the bucket as it
/// stands).
fn charge(shared: &Shared, cost: u64) -> Option<Response> {
    let mut s = shared.lock().unwrap_or_else(|p| p.into_inner());
    let refusal = s.bucket.try_take(cost as f64).err()?;
    let status = s.bucket.status();
    drop(s);
    if refusal == Refusal::TooExpensive {
        // Cheaper than the ceiling but larger than the whole bucket: it can never run.
        return Some(max_cost_exceeded(cost, status.maximum_available as u64));
    }
    let body = json!({
        "errors": [{ "message": "Throttled", "extensions": { "code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits" } }],
        "extensions": { "cost": cost_json(cost, None, status) },
    });
    Some(json_response(StatusCode::OK, body.to_string()))
}

fn refund(shared: &Shared, points: u64) {
    if points > 0 {
        let mut s = shared.lock().unwrap_or_else(|p| p.into_inner());
        s.bucket.refund(points as f64);
    }
}

fn cost_json(requested: u64, actual: Option<u64>, s: BucketStatus) -> Value {
    json!({
        "requestedQueryCost": requested,
        "actualQueryCost": actual,
        "throttleStatus": {
            "maximumAvailable": s.maximum_available,
            "currentlyAvailable": s.currently_available.floor(),
            "restoreRate": s.restore_rate,
        }
    })
}

fn add_cost(shared: &Shared, v: &mut Value, requested: u64, actual: u64) {
    let status = shared
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .bucket
        .status();
    if let Some(obj) = v.as_object_mut() {
        obj.insert(
            "extensions".into(),
            json!({ "cost": cost_json(requested, Some(actual), status) }),
        );
    }
}

fn apply_corruptions(shared: &Shared, v: &mut Value) {
    let patches = shared
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .corruptions
        .clone();
    if patches.is_empty() {
        return;
    }
    let Some(edges) = v
        .pointer_mut("/data/orders/edges")
        .and_then(Value::as_array_mut)
    else {
        return;
    };
    for edge in edges {
        let Some(node) = edge.get_mut("node") else {
            continue;
        };
        let Some(patch) = node
            .get("id")
            .and_then(Value::as_str)
            .and_then(|id| patches.get(id))
        else {
            continue;
        };
        match (node.as_object_mut(), patch) {
            (Some(fields), Value::Object(p)) => fields.extend(p.clone()),
            _ => *node = patch.clone(),
        }
    }
}
