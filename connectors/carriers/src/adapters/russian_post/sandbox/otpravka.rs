//! The sandbox's Otpravka API. Shapes follow <https://otpravka.pochta.ru/specification>
//! (see the adapter's `book` and `quote` modules); what is the sandbox's own:
//!
//! - prices, in kopecks without VAT: per mail type a first 500 g and each further 500 g
//!   started (`POSTAL_PARCEL` 250.50 + 30.00 ₽, `PARCEL_CLASS_1` 320.40 + 45.00 ₽,
//!   `EMS_OPTIMAL` 450.00 + 60.00 ₽, `ONLINE_PARCEL` 210.00 + 25.00 ₽), 4 % of a
//!   declared value, VAT 20 % of each charge; delivery times 4–8, 2–4, 2–3 and 3–7 days;
//! - `EMS_OPTIMAL` does not serve indexes 689xxx (Chukotka): `TariffErrorCode`
//!   `CODE_1372` "Доставка по указанному маршруту не осуществляется";
//! - refusals of a malformed tariff, order or forms request are `{"code": "1005",
//!   "desc": …}` with HTTP 400 and an unknown order is `{"code": "1001", "desc":
//!   "Отправление не найдено"}` with HTTP 404: the spec shows these codes and this
//!   body for its claims method; it shows none for these methods;
//! - order validation uses the spec's OrderValidationError codes and words.

use super::{Order, Shared};
use crate::adapters::sandbox_kit;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// Mail types: (mail-type, first 500 g, each further 500 g, min days, max days).
const PRODUCTS: &[(&str, i64, i64, u32, u32)] = &[
    ("POSTAL_PARCEL", 25050, 3000, 4, 8),
    ("PARCEL_CLASS_1", 32040, 4500, 2, 4),
    ("EMS_OPTIMAL", 45000, 6000, 2, 3),
    ("ONLINE_PARCEL", 21000, 2500, 3, 7),
];

fn product(mail_type: &str) -> Option<&'static (&'static str, i64, i64, u32, u32)> {
    PRODUCTS.iter().find(|p| p.0 == mail_type)
}

/// The ground charge of `grams` and the insurance of `declared` kopecks, without VAT.
fn charges(product: &(&str, i64, i64, u32, u32), grams: i64, declared: i64) -> (i64, i64) {
    let further = ((grams - 500).max(0) + 499) / 500;
    (product.1 + product.2 * further, declared * 4 / 100)
}

/// 20 % VAT, kopecks rounded down.
fn vat(kopecks: i64) -> i64 {
    kopecks / 5
}

/// The refusal body the spec shows: `{"code", "desc"}`.
fn refusal(status: StatusCode, code: &str, desc: &str) -> Response {
    (status, Json(json!({"code": code, "desc": desc}))).into_response()
}

fn not_found() -> Response {
    refusal(StatusCode::NOT_FOUND, "1001", "Отправление не найдено")
}

/// An injected fault, or a 401 without a body unless both of the account's headers are
/// right.
fn gate(shared: &Shared, headers: &HeaderMap) -> Option<Response> {
    if let Some(fault) = shared.fault() {
        return Some(fault);
    }
    let key = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        super::LOGIN,
        super::PASSWORD
    ));
    let has = |name: &str, expected: &str| {
        headers.get(name).and_then(|v| v.to_str().ok()) == Some(expected)
    };
    let authorized = has(
        header::AUTHORIZATION.as_str(),
        &format!("AccessToken {}", super::ACCESS_TOKEN),
    ) && has("x-user-authorization", &format!("Basic {key}"));
    (!authorized).then(|| StatusCode::UNAUTHORIZED.into_response())
}

fn text<'a>(order: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    order
        .get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// `POST /1.0/tariff`.
pub(super) async fn tariff(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(refused) = gate(&shared, &headers) {
        return refused;
    }
    let Ok(Value::Object(request)) = serde_json::from_slice::<Value>(&body) else {
        return refusal(
            StatusCode::BAD_REQUEST,
            "1005",
            "Invalid request body: a JSON object is expected",
        );
    };
    let Some(product) = text(&request, "mail-type").and_then(product) else {
        return refusal(StatusCode::BAD_REQUEST, "1005", "Invalid mail-type");
    };
    let Some(grams) = request
        .get("mass")
        .and_then(Value::as_i64)
        .filter(|m| *m > 0)
    else {
        return refusal(
            StatusCode::BAD_REQUEST,
            "1005",
            "Invalid mass. It should be a positive number of grams.",
        );
    };
    let Some(index_to) = text(&request, "index-to").filter(|i| super::super::book::is_index(i))
    else {
        return refusal(StatusCode::BAD_REQUEST, "1005", "Invalid index-to");
    };
    if product.0 == "EMS_OPTIMAL" && index_to.starts_with("689") {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({
                "code": "1001",
                "desc": "Доставка по указанному маршруту не осуществляется",
                "sub-code": "CODE_1372",
            })),
        )
            .into_response();
    }
    let declared = request
        .get("declared-value")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let (ground, insurance) = charges(product, grams, declared);
    let mut answer = json!({
        "ground-rate": {"rate": ground, "vat": vat(ground)},
        "total-rate": ground + insurance,
        "total-vat": vat(ground) + vat(insurance),
        "delivery-time": {"min-days": product.3, "max-days": product.4},
        "payment-method": "CASHLESS",
        "notice-payment-method": "CASHLESS",
    });
    if insurance > 0 {
        answer["insurance-rate"] = json!({"rate": insurance, "vat": vat(insurance)});
    }
    Json(answer).into_response()
}

/// The OrderValidationError codes an order earns, with the spec's words.
fn validation(order: &Map<String, Value>) -> Vec<(&'static str, &'static str)> {
    let mut errors = Vec::new();
    let mut check = |ok: bool, code, words| {
        if !ok {
            errors.push((code, words));
        }
    };
    check(
        text(order, "address-type-to").is_some(),
        "EMPTY_ADDRESS_TYPE_TO",
        "Тип адреса не указан",
    );
    match text(order, "mail-type") {
        None => check(
            false,
            "EMPTY_MAIL_TYPE",
            "Тип почтового отправления не указан",
        ),
        Some(t) => check(
            product(t).is_some(),
            "ILLEGAL_MAIL_TYPE",
            "Тип почтового отправления некорректен",
        ),
    }
    match text(order, "mail-category") {
        None => check(
            false,
            "EMPTY_MAIL_CATEGORY",
            "Категория почтового отправления не указана",
        ),
        Some("ORDINARY") => {}
        Some("WITH_DECLARED_VALUE") => check(
            order
                .get("insr-value")
                .and_then(Value::as_i64)
                .is_some_and(|v| v > 0),
            "EMPTY_INSR_VALUE",
            "Объявленная сумма не указана",
        ),
        Some(_) => check(
            false,
            "ILLEGAL_MAIL_CATEGORY",
            "Категория не поддерживается для данного типа отправления",
        ),
    }
    match order.get("mail-direct").and_then(Value::as_u64) {
        None => check(
            false,
            "EMPTY_MAIL_DIRECT",
            "Почтовое направление не указано",
        ),
        Some(direct) => check(
            direct == 643,
            "ILLEGAL_MAIL_DIRECT",
            "Почтовое направление некорректно",
        ),
    }
    match order.get("mass").and_then(Value::as_i64) {
        None => check(false, "EMPTY_MASS", "Масса не указана"),
        Some(mass) => check(mass > 0, "ILLEGAL_MASS", "Масса некорректна"),
    }
    match order.get("index-to") {
        None | Some(Value::Null) => check(false, "EMPTY_INDEX_TO", "Почтовый индекс не указан"),
        Some(index) => check(
            index
                .as_u64()
                .is_some_and(|i| (100_000..=999_999).contains(&i)),
            "ILLEGAL_INDEX_TO",
            "Почтовый индекс некорректен",
        ),
    }
    check(
        text(order, "region-to").is_some(),
        "EMPTY_REGION_TO",
        "Регион не заполнен",
    );
    check(
        text(order, "place-to").is_some(),
        "EMPTY_PLACE_TO",
        "Населенный пункт не указан",
    );
    match text(order, "postoffice-code") {
        None => check(
            false,
            "EMPTY_POSTOFFICE_CODE",
            "Индекс отделения места приема не задан",
        ),
        Some(code) => check(
            code == super::POSTOFFICE_CODE,
            "ILLEGAL_POSTOFFICE_CODE",
            "Индекс приемного почтового отделения некорректен",
        ),
    }
    check(
        ["recipient-name", "surname", "given-name"]
            .iter()
            .all(|k| text(order, k).is_some()),
        "ILLEGAL_INITIALS",
        "ФИО некорректно",
    );
    errors
}

/// `PUT /1.0/user/backlog`.
pub(super) async fn create(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(refused) = gate(&shared, &headers) {
        return refused;
    }
    let Ok(Value::Array(orders)) = serde_json::from_slice::<Value>(&body) else {
        return refusal(
            StatusCode::BAD_REQUEST,
            "1005",
            "Invalid request body: an array of orders is expected",
        );
    };
    let mut ids = Vec::new();
    let mut errors = Vec::new();
    for (position, order) in orders.iter().enumerate() {
        let Some(order) = order.as_object() else {
            errors.push(json!({"error-codes": [{"code": "UNDEFINED", "description": "Неопределенная ошибка", "position": position}], "position": position}));
            continue;
        };
        let refused = validation(order);
        if !refused.is_empty() {
            let codes: Vec<Value> = refused
                .iter()
                .map(|(code, words)| json!({"code": code, "description": words, "position": position}))
                .collect();
            errors.push(json!({"error-codes": codes, "position": position}));
            continue;
        }
        match take(&shared, order) {
            Some(id) => ids.push(id),
            None => errors.push(json!({"error-codes": [{"code": "BARCODE_ERROR", "description": "Ошибка при получении ШПИ", "position": position}], "position": position})),
        }
    }
    let mut answer = json!({"result-ids": ids});
    if !errors.is_empty() {
        answer["errors"] = Value::Array(errors);
    }
    Json(answer).into_response()
}

/// Records a valid order with a fresh S10 barcode; `None` if no check digit fits.
fn take(shared: &Shared, order: &Map<String, Value>) -> Option<u64> {
    let mail_type = text(order, "mail-type")?.to_string();
    let product = product(&mail_type)?;
    let grams = order.get("mass").and_then(Value::as_i64)?;
    let declared = order.get("insr-value").and_then(Value::as_i64).unwrap_or(0);
    let index_to = u32::try_from(order.get("index-to").and_then(Value::as_u64)?).ok()?;
    let (ground, insurance) = charges(product, grams, declared);
    let mut inner = shared.lock();
    inner.serial += 1;
    let serial = format!("{:08}", 80_000_000 + inner.serial);
    let digit = sandbox_kit::check_digit(&shared.registry, super::super::CODE, "S10", &serial)?;
    let letters = if mail_type.starts_with("EMS") {
        "EA"
    } else {
        "CA"
    };
    let id = 500_000_000 + inner.serial;
    inner.orders.push(Order {
        id,
        order_num: text(order, "order-num").unwrap_or_default().to_string(),
        barcode: format!("{letters}{serial}{digit}RU"),
        mail_type,
        index_to,
        rate: ground + insurance,
        vat: vat(ground) + vat(insurance),
        deleted: false,
    });
    Some(id)
}

fn live(shared: &Shared, id: &str) -> Option<Order> {
    let id: u64 = id.parse().ok()?;
    shared
        .lock()
        .orders
        .iter()
        .find(|o| o.id == id && !o.deleted)
        .cloned()
}

/// `GET /1.0/backlog/{id}`.
pub(super) async fn order(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = gate(&shared, &headers) {
        return refused;
    }
    let Some(order) = live(&shared, &id) else {
        return not_found();
    };
    Json(json!({
        "id": order.id,
        "barcode": order.barcode,
        "order-num": order.order_num,
        "mail-type": order.mail_type,
        "mail-direct": 643,
        "index-to": order.index_to,
        "postoffice-code": super::POSTOFFICE_CODE,
        "total-rate-wo-vat": order.rate,
        "total-vat": order.vat,
        "is-deleted": false,
        "version": 0,
    }))
    .into_response()
}

/// `GET /1.0/forms/{id}/forms`: a PDF label.
pub(super) async fn forms(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = gate(&shared, &headers) {
        return refused;
    }
    if let Some(kind) = query.get("print-type") {
        if kind != "THERMO" && kind != "PAPER" {
            return refusal(StatusCode::BAD_REQUEST, "1005", "Invalid print-type");
        }
    }
    let Some(order) = live(&shared, &id) else {
        return not_found();
    };
    let to = format!("to {}", order.index_to);
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/pdf")],
        sandbox_kit::pdf(&["Russian Post", "F7p", &order.barcode, &to]),
    )
        .into_response()
}

/// `DELETE /1.0/backlog`.
pub(super) async fn remove(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(refused) = gate(&shared, &headers) {
        return refused;
    }
    let Ok(ids) = serde_json::from_slice::<Vec<u64>>(&body) else {
        return refusal(
            StatusCode::BAD_REQUEST,
            "1005",
            "Invalid request body: an array of order ids is expected",
        );
    };
    let mut removed = Vec::new();
    let mut errors = Vec::new();
    let mut inner = shared.lock();
    for (position, id) in ids.into_iter().enumerate() {
        match inner.orders.iter_mut().find(|o| o.id == id && !o.deleted) {
            Some(order) => {
                order.deleted = true;
                removed.push(id);
            }
            None => errors.push(json!({"error-codes": [{"code": "NOT_FOUND", "description": "Не найден", "position": position}], "position": position})),
        }
    }
    let mut answer = json!({"result-ids": removed});
    if !errors.is_empty() {
        answer["errors"] = Value::Array(errors);
    }
    Json(answer).into_response()
}
