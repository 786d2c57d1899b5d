//! The sandbox gateway's HTTP side: one handler for every method path, checking the
//! common parameters and signature before the operation, answering in the platform's
//! envelope.

use super::data::{shop_order, BASE_TIME};
use super::state::{Shared, State};
use crate::config::DouyinConfig;
use crate::errors::{CODE_OK, CODE_THROTTLED};
use crate::sign::{constant_time_eq, request_sign, SignMethod};
use axum::body::Bytes;
use axum::extract::{Path, Query, State as AxState};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};
use shipgate_sdk::sandbox::SandboxServer;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How the sandbox starts.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// How many orders the shop holds.
    pub orders: usize,
    /// The app key clients must sign with.
    pub app_key: String,
    /// The app secret.
    pub app_secret: String,
    /// The shop id `token.create` accepts.
    pub shop_id: i64,
    /// Business calls admitted per second before code 60000; `None` for no limit.
    pub qps: Option<u32>,
    /// Access-token lifetime `token.create` announces (the SDK says 7 days).
    pub expires_in: u64,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            orders: 25,
            app_key: "7000000000000000001".into(),
            app_secret: "sandbox-app-secret".into(),
            shop_id: 4_463_798,
            qps: None,
            expires_in: 604_800,
        }
    }
}

/// One `order.logisticsAdd` the sandbox accepted: what a push test asserts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogisticsCall {
    /// `order_id`.
    pub order_id: String,
    /// `company_code`.
    pub company_code: String,
    /// `logistics_code` (the tracking number).
    pub logistics_code: String,
}

/// A running sandbox gateway; stops when dropped.
pub struct DouyinSandbox {
    server: SandboxServer,
    state: Shared,
    config: SandboxConfig,
}

impl std::fmt::Debug for DouyinSandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DouyinSandbox")
            .field("base_url", &self.base_url())
            .finish()
    }
}

impl DouyinSandbox {
    /// Generates the shop's orders and serves the gateway on a free loopback port.
    pub async fn start(config: SandboxConfig) -> std::io::Result<Self> {
        let state = Arc::new(Mutex::new(State {
            app_key: config.app_key.clone(),
            app_secret: config.app_secret.clone(),
            shop_id: config.shop_id,
            authorized: true,
            tokens: HashMap::new(),
            refresh_tokens: Vec::new(),
            issued: 0,
            expires_in: config.expires_in,
            orders: (0..config.orders)
                .map(|i| shop_order(i, config.shop_id))
                .collect(),
            corruptions: HashMap::new(),
            undecryptable: Vec::new(),
            faults: Default::default(),
            delay: None,
            qps: config.qps,
            second: (Instant::now(), 0),
            logistics: Vec::new(),
            requests: 0,
            token_calls: 0,
            rate_limited: 0,
        }));
        let router = Router::new()
            .route("/{ns}/{op}", post(handle))
            .with_state(state.clone());
        let server = SandboxServer::start(router).await?;
        Ok(Self {
            server,
            state,
            config,
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    /// A connector config pointing at this sandbox as a self-use app of its shop.
    pub fn douyin_config(&self) -> DouyinConfig {
        let mut c = DouyinConfig::new(&self.config.app_key, &self.config.app_secret);
        c.base_url = self.base_url();
        c.shop_id = Some(self.config.shop_id);
        c.page_size = 10;
        c.timeout_secs = 2;
        // Tests and the demo are not slowed down by a guess made for production.
        c.requests_per_second = 50.0;
        c.burst = 50;
        c
    }

    /// The shop orders (plain recipient), as the sandbox holds them.
    pub fn orders(&self) -> Vec<Value> {
        self.lock().orders.clone()
    }

    /// Their ids.
    pub fn order_ids(&self) -> Vec<String> {
        self.lock()
            .orders
            .iter()
            .filter_map(|o| o["order_id"].as_str().map(str::to_string))
            .collect()
    }

    /// The next `n` requests answer HTTP `status` (429 with `Retry-After: 1`).
    pub fn fail_next(&self, n: usize, status: u16) {
        self.lock().faults.extend(std::iter::repeat_n(status, n));
    }

    /// The next request waits `delay` before answering (to provoke client timeouts).
    pub fn delay_next(&self, delay: Duration) {
        self.lock().delay = Some(delay);
    }

    /// Replaces fields of one order in listings and details (`patch` an object), or the
    /// whole record (`patch` anything else).
    pub fn corrupt_order(&self, order_id: &str, patch: Value) {
        self.lock().corruptions.insert(order_id.into(), patch);
    }

    /// Sets one order's `order_status`, to show a value the connector does not know.
    pub fn set_status(&self, order_id: &str, status: i64) {
        let mut s = self.lock();
        if let Some(o) = s.orders.iter_mut().find(|o| o["order_id"] == order_id) {
            o["order_status"] = json!(status);
        }
    }

    /// `order.batchDecrypt` refuses this order's ciphertexts from now on.
    pub fn refuse_decrypt(&self, order_id: &str) {
        self.lock().undecryptable.push(order_id.into());
    }

    /// Every access token issued so far expires (`isv.access-token-expired`).
    pub fn expire_tokens(&self) {
        for t in self.lock().tokens.values_mut() {
            t.expired = true;
        }
    }

    /// The merchant withdrew the authorization: every token is gone and new ones are
    /// refused (`dop.token-generate-failed:no-authorization`).
    pub fn revoke(&self) {
        let mut s = self.lock();
        s.authorized = false;
        s.tokens.clear();
        s.refresh_tokens.clear();
    }

    /// The latest access token issued, for secrecy checks.
    pub fn current_token(&self) -> Option<String> {
        let s = self.lock();
        (s.issued > 0).then(|| format!("sbx-at-{}-{}", s.shop_id, s.issued))
    }

    /// Every accepted `order.logisticsAdd`.
    pub fn logistics_calls(&self) -> Vec<LogisticsCall> {
        self.lock().logistics.clone()
    }

    /// Requests received so far.
    pub fn requests(&self) -> usize {
        self.lock().requests
    }

    /// Business calls the per-second limit refused with code 60000 so far.
    pub fn rate_limited(&self) -> usize {
        self.lock().rate_limited
    }

    /// `token.create` / `token.refresh` calls received so far.
    pub fn token_calls(&self) -> usize {
        self.lock().token_calls
    }
}

fn envelope(code: i64, msg: &str, sub_code: &str, sub_msg: &str, data: Value) -> Response {
    let body = json!({
        "code": code, "msg": msg, "sub_code": sub_code, "sub_msg": sub_msg,
        "data": data, "log_id": "2023111500000000000000SANDBOX"
    });
    (StatusCode::OK, axum::Json(body)).into_response()
}

fn ok(data: Value) -> Response {
    envelope(CODE_OK, "success", "", "", data)
}

fn bad_param(sub_code: &str, sub_msg: &str) -> Response {
    envelope(40003, "非法的参数", sub_code, sub_msg, json!({}))
}

fn business(sub_msg: &str) -> Response {
    envelope(
        50002,
        "业务处理失败",
        "isv.business-failed",
        sub_msg,
        json!({}),
    )
}

async fn handle(
    AxState(state): AxState<Shared>,
    Path((ns, op)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let (fault, delay) = {
        let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
        s.requests += 1;
        (s.faults.pop_front(), s.delay.take())
    };
    if let Some(d) = delay {
        tokio::time::sleep(d).await;
    }
    if let Some(status) = fault {
        return fault_response(status);
    }
    let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
    let method = format!("{ns}.{op}");
    if let Err(refusal) = check_common(&s, &q, &method, &body) {
        return refusal;
    }
    let params: Value = match serde_json::from_slice(&body) {
        Ok(v @ Value::Object(_)) => v,
        _ => {
            return bad_param(
                "isv.parameter-format-invalid",
                "业务参数json解析失败，所有参数需为string类型",
            )
        }
    };
    if ns == "token" {
        s.token_calls += 1;
        return token(&mut s, &op, &params);
    }
    if let Err(refusal) = check_token(&s, &q) {
        return refusal;
    }
    if !s.admit() {
        return envelope(
            CODE_THROTTLED,
            "触发限流，请稍后重试",
            "isv.flow-limit",
            "",
            json!({}),
        );
    }
    match method.as_str() {
        "order.searchList" => search_list(&s, &params),
        "order.orderDetail" => order_detail(&s, &params),
        "order.batchDecrypt" => batch_decrypt(&s, &params),
        "order.logisticsAdd" => logistics_add(&mut s, &params),
        _ => envelope(
            70000,
            "接口服务已下线",
            "isp.api-service-off",
            "API不存在或API已下线",
            json!({}),
        ),
    }
}

fn fault_response(status: u16) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = if status == 429 {
        json!({"code": CODE_THROTTLED, "msg": "触发限流，请稍后重试", "sub_code": "", "sub_msg": "", "data": {}})
    } else {
        json!({"code": 20000, "msg": "服务不可用", "sub_code": "dop.service-error", "sub_msg": "", "data": {}})
    };
    let mut resp = (code, axum::Json(body)).into_response();
    if status == 429 {
        resp.headers_mut()
            .insert("retry-after", HeaderValue::from_static("1"));
    }
    resp
}

/// `timestamp` as Unix seconds or `yyyy-MM-dd HH:mm:ss` in Beijing time.
fn parse_timestamp(raw: &str) -> Option<i64> {
    if let Ok(secs) = raw.parse::<i64>() {
        return Some(secs);
    }
    let naive = chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%d %H:%M:%S").ok()?;
    Some(naive.and_utc().timestamp() - 8 * 3600)
}

// The refusal is the response itself, built once and sent as is; boxing it buys nothing.
#[allow(clippy::result_large_err)]
fn check_common(
    s: &State,
    q: &HashMap<String, String>,
    method: &str,
    body: &[u8],
) -> Result<(), Response> {
    let get = |k: &str| q.get(k).map(String::as_str);
    let app_key = get("app_key").ok_or_else(|| {
        envelope(
            40001,
            "缺少必选参数（平台校验）",
            "isv.app-id-missing",
            "认证失败，app_key不存在",
            json!({}),
        )
    })?;
    if app_key != s.app_key {
        return Err(bad_param(
            "isv.app-id-invalid",
            "认证失败，app_key格式不正确",
        ));
    }
    if get("method") != Some(method) || get("v") != Some("2") {
        return Err(bad_param(
            "isv.parameter-invalid",
            "method 与路径不符或 v 不是 2",
        ));
    }
    let ts_raw = get("timestamp").unwrap_or_default();
    let ts = parse_timestamp(ts_raw)
        .ok_or_else(|| bad_param("isv.timestamp-format-error", "时间戳格式错误"))?;
    if (chrono::Utc::now().timestamp() - ts).abs() > 600 {
        return Err(bad_param("isv.timestamp-invalid", "时间戳不合法"));
    }
    let sign = get("sign").ok_or_else(|| {
        envelope(
            40001,
            "缺少必选参数（平台校验）",
            "isv.signature-missing",
            "获取签名失败",
            json!({}),
        )
    })?;
    let how = SignMethod::parse(get("sign_method"))
        .ok_or_else(|| bad_param("isv.signature-invalid", "sign_method 不支持"))?;
    let param_json = String::from_utf8_lossy(body);
    let expected = request_sign(how, app_key, &s.app_secret, method, &param_json, ts_raw);
    if !constant_time_eq(expected.as_bytes(), sign.as_bytes()) {
        return Err(bad_param("isv.signature-invalid", "签名校验失败"));
    }
    Ok(())
}

// The refusal is the response itself, built once and sent as is; boxing it buys nothing.
#[allow(clippy::result_large_err)]
fn check_token(s: &State, q: &HashMap<String, String>) -> Result<(), Response> {
    let token = q
        .get("access_token")
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            envelope(
                40001,
                "缺少必选参数（平台校验）",
                "isv.access-token-missing",
                "认证失败，access_token不能为空",
                json!({}),
            )
        })?;
    match s.tokens.get(token) {
        None => Err(bad_param(
            "isv.access-token-no-existed",
            "access_token不存在，请使用最新的access_token访问",
        )),
        Some(t) if t.expired => Err(bad_param("isv.access-token-expired", "access_token已过期")),
        Some(_) => Ok(()),
    }
}

fn token(s: &mut State, op: &str, params: &Value) -> Response {
    let failed = |sub: &str, msg: &str| envelope(50001, "平台处理失败", sub, msg, json!({}));
    if !s.authorized {
        return failed(
            "dop.token-generate-failed:no-authorization",
            "生成token失败，店铺授权已失效，请重新引导商家完成店铺授权",
        );
    }
    match (op, params["grant_type"].as_str()) {
        ("create", Some("authorization_self")) => {
            if params["shop_id"].as_i64() != Some(s.shop_id) {
                return failed(
                    "dop.token-generate-failed:no-authorization",
                    "生成token失败，店铺未授权该应用",
                );
            }
        }
        ("refresh", Some("refresh_token")) => {
            let rt = params["refresh_token"].as_str().unwrap_or_default();
            let Some(pos) = s.refresh_tokens.iter().position(|t| t == rt) else {
                return failed(
                    "dop.token-generate-failed:token-invalid",
                    "生成token失败，token不存在",
                );
            };
            s.refresh_tokens.remove(pos);
        }
        _ => {
            return failed(
                "dop.token-generate-failed:grant-type-invalid",
                "生成token失败，grant_type参数取值不正确",
            )
        }
    }
    let (access, refresh) = s.issue();
    ok(json!({
        "access_token": access, "expires_in": s.expires_in, "refresh_token": refresh,
        "scope": "SCOPE", "shop_id": s.shop_id.to_string(), "shop_name": "shipgate 沙盒小店",
        "authority_id": "", "auth_subject_type": "MiniApp"
    }))
}

/// The XOR key of the sandbox's stand-in cipher (the platform's is opaque to sellers).
const CIPHER_KEY: &[u8] = b"shipgate-sandbox";

fn encrypt(plain: &str) -> String {
    let bytes: Vec<u8> = plain
        .bytes()
        .zip(CIPHER_KEY.iter().cycle())
        .map(|(b, k)| b ^ k)
        .collect();
    format!("#{}#", hex::encode(bytes))
}

fn decrypt(cipher: &str) -> Option<String> {
    let inner = cipher.strip_prefix('#')?.strip_suffix('#')?;
    let bytes = hex::decode(inner).ok()?;
    let plain: Vec<u8> = bytes
        .iter()
        .zip(CIPHER_KEY.iter().cycle())
        .map(|(b, k)| b ^ k)
        .collect();
    String::from_utf8(plain).ok()
}

/// An order as the gateway shows it: recipient encrypted and masked, corruption applied.
fn served(s: &State, order: &Value) -> Value {
    let id = order["order_id"].as_str().unwrap_or_default();
    let mut out = order.clone();
    if let Some(obj) = out.as_object_mut() {
        for (plain, cipher, mask) in [
            (
                "post_receiver",
                "encrypt_post_receiver",
                "mask_post_receiver",
            ),
            ("post_tel", "encrypt_post_tel", "mask_post_tel"),
        ] {
            if let Some(Value::String(p)) = obj.remove(plain) {
                let masked: String = p.chars().take(1).chain("**".chars()).collect();
                obj.insert(cipher.into(), json!(encrypt(&p)));
                obj.insert(mask.into(), json!(masked));
            }
        }
        if let Some(Value::Object(addr)) = obj.get_mut("post_addr") {
            if let Some(Value::String(d)) = addr.remove("detail") {
                addr.insert("encrypt_detail".into(), json!(encrypt(&d)));
                addr.insert("detail".into(), json!("***"));
            }
        }
    }
    match s.corruptions.get(id) {
        Some(Value::Object(patch)) => {
            if let Some(obj) = out.as_object_mut() {
                for (k, v) in patch {
                    obj.insert(k.clone(), v.clone());
                }
            }
            out
        }
        Some(other) => other.clone(),
        None => out,
    }
}

fn int_param(params: &Value, key: &str) -> Option<i64> {
    match &params[key] {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn search_list(s: &State, params: &Value) -> Response {
    let page = int_param(params, "page").unwrap_or(0);
    let size = int_param(params, "size").unwrap_or(10);
    if page < 0 || !(1..=100).contains(&size) {
        return envelope(
            40004,
            "非法的参数（业务校验）",
            "isv.business-failed",
            "page 从 0 开始, size 不超过 100",
            json!({}),
        );
    }
    let start = int_param(params, "update_time_start").unwrap_or(0);
    let end = int_param(params, "update_time_end").unwrap_or(i64::MAX);
    let states: Option<Vec<i64>> = params["combine_status"][0]["order_status"]
        .as_str()
        .map(|l| l.split(',').filter_map(|x| x.trim().parse().ok()).collect());
    let mut hits: Vec<&Value> = s
        .orders
        .iter()
        .filter(|o| {
            let t = o["update_time"].as_i64().unwrap_or(BASE_TIME);
            let st = o["order_status"].as_i64().unwrap_or(0);
            t >= start && t <= end && states.as_ref().is_none_or(|l| l.contains(&st))
        })
        .collect();
    hits.sort_by_key(|o| o["update_time"].as_i64().unwrap_or(0));
    if params["order_asc"] != json!(true) {
        hits.reverse();
    }
    let total = hits.len() as i64;
    let list: Vec<Value> = hits
        .into_iter()
        .skip((page * size) as usize)
        .take(size as usize)
        .map(|o| served(s, o))
        .collect();
    ok(json!({"page": page, "size": size, "total": total, "shop_order_list": list}))
}

fn order_detail(s: &State, params: &Value) -> Response {
    let id = params["shop_order_id"].as_str().unwrap_or_default();
    match s.orders.iter().find(|o| o["order_id"] == id) {
        Some(o) => ok(json!({"shop_order_detail": served(s, o)})),
        None => business("订单不存在"),
    }
}

fn batch_decrypt(s: &State, params: &Value) -> Response {
    let Some(infos) = params["cipher_infos"].as_array() else {
        return envelope(
            40002,
            "缺少必选参数（业务校验）",
            "isv.business-failed",
            "cipher_infos 不能为空",
            json!({}),
        );
    };
    let out: Vec<Value> = infos
        .iter()
        .map(|c| {
            let auth_id = c["auth_id"].as_str().unwrap_or_default();
            let cipher = c["cipher_text"].as_str().unwrap_or_default();
            let refused = s.undecryptable.iter().any(|u| u == auth_id);
            match decrypt(cipher).filter(|_| !refused) {
                Some(text) => json!({"auth_id": auth_id, "cipher_text": cipher,
                    "decrypt_text": text, "err_no": 0, "err_msg": "", "data_type": 1,
                    "is_virtual_tel": false}),
                None => json!({"auth_id": auth_id, "cipher_text": cipher,
                    "decrypt_text": "", "err_no": 300008, "err_msg": "解密失败"}),
            }
        })
        .collect();
    ok(json!({"decrypt_infos": out, "custom_err": {"err_code": 0, "err_msg": ""}}))
}

fn logistics_add(s: &mut State, params: &Value) -> Response {
    let field = |k: &str| {
        params[k]
            .as_str()
            .map(str::trim)
            .unwrap_or_default()
            .to_string()
    };
    let (order_id, company, code) = (
        field("order_id"),
        field("company_code"),
        field("logistics_code"),
    );
    if order_id.is_empty() || company.is_empty() || code.is_empty() {
        return envelope(
            40002,
            "缺少必选参数（业务校验）",
            "isv.business-failed",
            "order_id, company_code, logistics_code 必填",
            json!({}),
        );
    }
    let now = chrono::Utc::now().timestamp();
    let Some(order) = s
        .orders
        .iter_mut()
        .find(|o| o["order_id"] == order_id.as_str())
    else {
        return business("订单不存在");
    };
    match order["order_status"].as_i64() {
        Some(2 | 105 | 101) => {}
        Some(3 | 5) => return business("订单已发货，不能重复发货"),
        _ => return business("订单状态不允许发货"),
    }
    order["order_status"] = json!(3);
    order["update_time"] = json!(now);
    let parcel = json!({"tracking_no": code, "company": company, "company_name": company,
        "ship_time": now, "delivery_id": format!("D{order_id}")});
    if let Some(list) = order["logistics_info"].as_array_mut() {
        list.push(parcel);
    }
    s.logistics.push(LogisticsCall {
        order_id,
        company_code: company,
        logistics_code: code,
    });
    ok(json!({}))
}
