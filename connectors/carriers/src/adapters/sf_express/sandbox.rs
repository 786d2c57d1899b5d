//! A loopback SF open platform for tests and `shipgate demo`: `POST /std/service` forms
//! checked for a known `partnerID` and a `msgDigest` signed with its checkword (SF's
//! envelope codes `A1001` missing parameter, `A1004` unknown partner, `A1006` bad
//! signature), and the services `EXP_RECE_QUERY_DELIVERTM` (fees from weight and
//! province: first kilogram plus each further one), `EXP_RECE_CREATE_ORDER` (a waybill
//! `SF` + 13 digits, error 8016 on a repeated `orderId`), `COM_RECE_CLOUD_PRINT_WAYBILLS`
//! (a PDF file behind a URL and `X-Auth-token`), `EXP_RECE_SEARCH_ROUTES` (routes in the
//! documented `routeResps` shape, empty for unknown waybills) and `EXP_RECE_UPDATE_ORDER`
//! (dealType 2 cancels).
//!
//! No public SF route answer was available as a fixture: the routes served follow the
//! documented fields (`mailNo`, `routes[{acceptTime, acceptAddress, remark, opCode}]`)
//! with opCodes of `mappings/carriers/sf_express.toml`. Business error codes other than
//! 8016 and the fees are the sandbox's own. Faults ([`Fault`]) can be injected.

use super::digest::msg_digest;
use crate::adapters::sandbox_kit;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use rust_decimal::Decimal;
use serde_json::{json, Value};
use shipgate_sdk::sandbox::SandboxServer;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

/// The partner id the sandbox knows.
pub const PARTNER_ID: &str = "SGSANDBOX01";
/// Its checkword.
pub const CHECKWORD: &str = "sandboxCheckWord0123456789abcdef";
/// Its monthly account.
pub const MONTHLY_CARD: &str = "7551234567";

/// A failure to serve instead of the next API answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// HTTP 429 from the gateway with `Retry-After` in seconds.
    Throttle(u64),
    /// SF's own traffic limit: HTTP 200 with envelope code `A1005`.
    TrafficLimit,
    /// HTTP 503.
    Unavailable,
    /// HTTP 200 with a body that is not JSON.
    Garbage,
}

/// An order the sandbox took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// The client's `orderId`.
    pub order_id: String,
    /// The waybill number.
    pub waybill: String,
    /// Whether it was cancelled.
    pub cancelled: bool,
}

#[derive(Default)]
struct Inner {
    orders: Vec<Order>,
    faults: VecDeque<Fault>,
    files: HashMap<String, String>,
    serial: u64,
}

struct Shared {
    inner: Mutex<Inner>,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A running SF sandbox.
pub struct SfExpressSandbox {
    server: SandboxServer,
    shared: Arc<Shared>,
}

impl SfExpressSandbox {
    /// Starts the sandbox on a free loopback port.
    pub async fn start() -> std::io::Result<Self> {
        let shared = Arc::new(Shared {
            inner: Mutex::new(Inner::default()),
        });
        let router = Router::new()
            .route("/std/service", post(service))
            .route("/sandbox-files/{name}", get(file))
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
            partner_id: PARTNER_ID.into(),
            checkword: CHECKWORD.into(),
            monthly_card: MONTHLY_CARD.into(),
            template_code: None,
            base_url: self.base_url(),
            timeout_secs: 5,
            request_budget: crate::adapters::budget::for_sandbox(),
        }
    }

    /// Serves `fault` instead of the next service answer.
    pub fn inject(&self, fault: Fault) {
        self.shared.lock().faults.push_back(fault);
    }

    /// Every order taken so far.
    pub fn orders(&self) -> Vec<Order> {
        self.shared.lock().orders.clone()
    }
}

fn envelope(code: &str, message: &str, data: Option<Value>) -> Response {
    Json(json!({
        "apiErrorMsg": message,
        "apiResponseID": "0001SANDBOX",
        "apiResultCode": code,
        "apiResultData": data.map(|d| d.to_string()),
    }))
    .into_response()
}

fn success(msg_data: Value) -> Response {
    envelope(
        "A1000",
        "",
        Some(json!({"success": true, "errorCode": "S0000", "errorMsg": null, "msgData": msg_data})),
    )
}

fn failure(code: &str, message: &str) -> Response {
    envelope(
        "A1000",
        "",
        Some(json!({"success": false, "errorCode": code, "errorMsg": message, "msgData": null})),
    )
}

async fn service(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(fault) = shared.lock().faults.pop_front() {
        return match fault {
            Fault::Throttle(secs) => (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, secs.to_string())],
                "Too Many Requests",
            )
                .into_response(),
            Fault::TrafficLimit => envelope("A1005", "流量受控", None),
            Fault::Unavailable => {
                (StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable").into_response()
            }
            Fault::Garbage => (StatusCode::OK, "<html>upstream proxy page</html>").into_response(),
        };
    }
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    let (partner, code, timestamp, digest, msg) = (
        field("partnerID"),
        field("serviceCode"),
        field("timestamp"),
        field("msgDigest"),
        field("msgData"),
    );
    if [partner, code, timestamp, digest, msg, field("requestID")]
        .iter()
        .any(|v| v.is_empty())
    {
        return envelope("A1001", "必传参数不可为空", None);
    }
    if partner != PARTNER_ID {
        return envelope("A1004", "无对应服务权限", None);
    }
    if msg_digest(msg, timestamp, CHECKWORD) != digest {
        return envelope("A1006", "数字签名无效", None);
    }
    let Ok(data) = serde_json::from_str::<Value>(msg) else {
        return failure("1010", "msgData is not JSON");
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_string();
    match code {
        "EXP_RECE_QUERY_DELIVERTM" => quote(&data),
        "EXP_RECE_CREATE_ORDER" => create(&shared, &data),
        "COM_RECE_CLOUD_PRINT_WAYBILLS" => print(&shared, &data, &host),
        "EXP_RECE_SEARCH_ROUTES" => routes(&shared, &data),
        "EXP_RECE_UPDATE_ORDER" => update(&shared, &data),
        _ => envelope("A1004", "无对应服务权限", None),
    }
}

fn num(v: &Value) -> Option<Decimal> {
    match v {
        Value::Number(n) => n.to_string().parse().ok(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Products: (businessType, name, first kg same province, each further kg, first kg
/// across provinces, each further kg).
const PRODUCTS: &[(&str, &str, i64, i64, i64, i64)] = &[
    ("1", "顺丰标快", 12, 2, 23, 13),
    ("2", "顺丰特惠", 10, 1, 18, 8),
];

/// The fee of `product` for `kg` (whole kilograms up, at least one).
fn fee(product: &(&str, &str, i64, i64, i64, i64), kg: Decimal, same: bool) -> Decimal {
    let kg = kg.ceil().max(Decimal::ONE);
    let (first, more) = if same {
        (product.2, product.3)
    } else {
        (product.4, product.5)
    };
    Decimal::from(first) + Decimal::from(more) * (kg - Decimal::ONE)
}

fn quote(data: &Value) -> Response {
    let Some(kg) = num(&data["weight"]).filter(|w| *w > Decimal::ZERO) else {
        return failure("20032", "weight is required");
    };
    let same = data["srcAddress"]["province"] == data["destAddress"]["province"];
    let wanted = data["businessType"].as_str();
    let offers: Vec<Value> = PRODUCTS
        .iter()
        .filter(|p| wanted.is_none_or(|w| w == p.0))
        .map(|p| {
            let fee = fee(p, kg, same);
            json!({
                "businessType": p.0,
                "businessTypeDesc": p.1,
                "deliverTime": "2026-11-25 18:00:00,2026-11-25 18:00:00",
                "fee": serde_json::from_str::<Value>(&fee.to_string()).unwrap_or(Value::Null),
                "searchPrice": "1",
            })
        })
        .collect();
    success(json!({"searchNo": "SANDBOX", "deliverTmDto": offers}))
}

fn create(shared: &Shared, data: &Value) -> Response {
    let Some(order_id) = data["orderId"].as_str().filter(|o| !o.is_empty()) else {
        return failure("8013", "orderId is required");
    };
    if data["monthlyCard"] != MONTHLY_CARD {
        return failure("8096", "monthlyCard is not an account of this partner");
    }
    let contacts = data["contactInfoList"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if !(contacts.iter().any(|c| c["contactType"] == 1)
        && contacts.iter().any(|c| c["contactType"] == 2))
    {
        return failure("8114", "contactInfoList needs a sender and a receiver");
    }
    let mut inner = shared.lock();
    if inner.orders.iter().any(|o| o.order_id == order_id) {
        return failure("8016", "重复下单");
    }
    inner.serial += 1;
    let waybill = format!("SF{:013}", 1_440_000_000_000u64 + inner.serial);
    inner.orders.push(Order {
        order_id: order_id.to_string(),
        waybill: waybill.clone(),
        cancelled: false,
    });
    success(json!({
        "orderId": order_id,
        "originCode": "755",
        "destCode": "010",
        "filterResult": 2,
        "waybillNoInfoList": [{"waybillType": 1, "waybillNo": waybill}],
    }))
}

fn print(shared: &Shared, data: &Value, host: &str) -> Response {
    let Some(waybill) = data["documents"][0]["masterWaybillNo"].as_str() else {
        return failure("8001", "documents[0].masterWaybillNo is required");
    };
    if data["fileType"] != "pdf" {
        return failure("8002", "the sandbox prints pdf files only");
    }
    let mut inner = shared.lock();
    if !inner.orders.iter().any(|o| o.waybill == waybill) {
        return failure("8003", "unknown waybill");
    }
    let token = format!("AUTH_tkn_{waybill}");
    inner.files.insert(format!("{waybill}.pdf"), token.clone());
    // The cloud-print answer names its payload `obj`.
    envelope(
        "A1000",
        "",
        Some(
            json!({"success": true, "errorCode": null, "errorMsg": null, "obj": {
                "clientCode": PARTNER_ID,
                "templateCode": data["templateCode"],
                "files": [{
                    "url": format!("http://{host}/sandbox-files/{waybill}.pdf"),
                    "token": token,
                    "waybillNo": waybill,
                    "seqNo": 1, "areaNo": 1, "pageNo": 1,
                }],
            }}),
        ),
    )
}

async fn file(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    let token = headers.get("X-Auth-token").and_then(|v| v.to_str().ok());
    let known = shared.lock().files.get(&name).cloned();
    match known {
        Some(expected) if token == Some(expected.as_str()) => {
            let waybill = name.trim_end_matches(".pdf");
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/pdf")],
                sandbox_kit::pdf(&["SF Express", waybill]),
            )
                .into_response()
        }
        Some(_) => (StatusCode::UNAUTHORIZED, "invalid token").into_response(),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

/// The routes of a taken order: picked up in Shenzhen through delivery in Beijing.
fn route_list() -> Value {
    json!([
        {"acceptTime": "2026-11-20 16:56:54", "acceptAddress": "深圳市", "remark": "顺丰速运 已收取快件", "opCode": "50"},
        {"acceptTime": "2026-11-20 21:10:03", "acceptAddress": "深圳市", "remark": "快件在【深圳宝安中转场】完成分拣，准备发往下一站", "opCode": "30"},
        {"acceptTime": "2026-11-21 09:42:17", "acceptAddress": "北京市", "remark": "快件到达【北京顺义集散中心】", "opCode": "31"},
        {"acceptTime": "2026-11-22 08:05:40", "acceptAddress": "北京市", "remark": "快件交给张三，正在派送途中", "opCode": "44"},
        {"acceptTime": "2026-11-22 11:31:26", "acceptAddress": "北京市", "remark": "快件已签收，感谢使用顺丰", "opCode": "80"},
    ])
}

fn routes(shared: &Shared, data: &Value) -> Response {
    let asked: Vec<String> = match &data["trackingNumber"] {
        Value::Array(list) => list
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        Value::String(s) => s.split(',').map(str::to_string).collect(),
        _ => Vec::new(),
    };
    if asked.is_empty() {
        return failure("4001", "trackingNumber is required");
    }
    let inner = shared.lock();
    let resps: Vec<Value> = asked
        .iter()
        .map(|number| {
            let known = inner.orders.iter().any(|o| &o.waybill == number);
            json!({
                "mailNo": number,
                "routes": if known { route_list() } else { json!([]) },
            })
        })
        .collect();
    success(json!({"routeResps": resps}))
}

fn update(shared: &Shared, data: &Value) -> Response {
    if data["dealType"] != 2 {
        return failure("8004", "the sandbox supports dealType 2 (cancel) only");
    }
    let order_id = data["orderId"].as_str().unwrap_or_default();
    let mut inner = shared.lock();
    match inner.orders.iter_mut().find(|o| o.order_id == order_id) {
        Some(o) if o.cancelled => failure("8037", "订单已取消"),
        Some(o) => {
            o.cancelled = true;
            success(json!({"orderId": order_id, "resStatus": 2}))
        }
        None => failure("8018", "未获取到订单信息"),
    }
}
