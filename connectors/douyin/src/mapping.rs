//! A Douyin shop order (two levels: the shop order and its `sku_order_list`) mapped to the
//! canonical order. Pure: no I/O, so a quarantined payload replays after a mapping fix.
//!
//! Money arrives as integer fen and becomes exact CNY (`Decimal::new(fen, 2)`); times
//! arrive as Unix seconds (older answers: `yyyy-MM-dd HH:mm:ss` in Beijing time, UTC+8,
//! which is converted, never assumed UTC); the recipient must already be decrypted
//! (`post_receiver`, `post_tel`, `post_addr.detail`, filled by the pull from
//! `order.batchDecrypt`): a payload still holding only ciphertext is refused with the
//! field named.

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};
use rust_decimal::Decimal;
use serde_json::{Map, Value};
use shipgate_sdk::model::{
    content_hash, phone, Address, Channel, CountryCode, Currency, DeliveryConditions, Money, Order,
    OrderLine, OrderStatus, Payment, SourceRef,
};
use shipgate_sdk::{MappingError, Origin};
use ulid::Ulid;

/// The channel name orders from this connector carry.
pub const CHANNEL: &str = "douyin";

/// `order_status` values the platform documents, with what they mean for shipping:
/// 1 unpaid, 105 paid, 2 awaiting shipment, 101 partly shipped, 3 shipped, 4 cancelled,
/// 5 completed. An unknown value is an error naming the field: guessing could ship a
/// cancelled order or skip a paid one.
pub fn order_status(code: i64) -> Option<OrderStatus> {
    match code {
        // Unpaid (1) maps to Open because the model has no "awaiting payment" state; the
        // pull asks only for paid states, so 1 arrives only through files.
        1 | 105 | 2 => Some(OrderStatus::Open),
        101 => Some(OrderStatus::PartiallyFulfilled),
        3 | 5 => Some(OrderStatus::Fulfilled),
        4 => Some(OrderStatus::Cancelled),
        _ => None,
    }
}

/// Maps one saved payload: a shop order object as `order.searchList` lists it, or a whole
/// `order.orderDetail` answer (`{code, data: {shop_order_detail}}`, or its `data`).
pub fn normalize(origin: &Origin, bytes: &[u8]) -> Result<Order, MappingError> {
    let root: Value = serde_json::from_slice(bytes).map_err(|e| MappingError::from_json(&e))?;
    let (order, prefix) = locate(&root)?;
    let mut order = map_shop_order(origin, order, prefix)?;
    order.raw_hash = content_hash(bytes);
    order.validate()?;
    Ok(order)
}

fn locate(root: &Value) -> Result<(&Map<String, Value>, &'static str), MappingError> {
    let obj = root.as_object().ok_or_else(|| MappingError::InvalidValue {
        path: "$".into(),
        value: kind(root).into(),
        reason: "expected a shop order object or an order.orderDetail answer".into(),
    })?;
    if let Some(detail) = obj.get("data").and_then(|d| d.get("shop_order_detail")) {
        return as_object(detail, "data.shop_order_detail").map(|o| (o, "data.shop_order_detail."));
    }
    if let Some(detail) = obj.get("shop_order_detail") {
        return as_object(detail, "shop_order_detail").map(|o| (o, "shop_order_detail."));
    }
    Ok((obj, ""))
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn as_object<'a>(v: &'a Value, path: &str) -> Result<&'a Map<String, Value>, MappingError> {
    v.as_object().ok_or_else(|| MappingError::InvalidValue {
        path: path.into(),
        value: kind(v).into(),
        reason: "expected an object".into(),
    })
}

/// A field reader that knows the path prefix of the object it reads.
struct Fields<'a> {
    obj: &'a Map<String, Value>,
    prefix: String,
}

impl<'a> Fields<'a> {
    fn path(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    fn present(&self, key: &str) -> Option<&'a Value> {
        self.obj.get(key).filter(|v| !v.is_null())
    }

    fn invalid(&self, key: &str, v: &Value, reason: &str) -> MappingError {
        let value = match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        MappingError::InvalidValue {
            path: self.path(key),
            value: value.chars().take(200).collect(),
            reason: reason.into(),
        }
    }

    fn missing(&self, key: &str) -> MappingError {
        MappingError::MissingField {
            path: self.path(key),
        }
    }

    /// An integer given as a JSON integer or a string of digits (ids beyond 2^53 come as
    /// strings in some answers).
    fn int_opt(&self, key: &str) -> Result<Option<i64>, MappingError> {
        match self.present(key) {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .map(Some)
                .ok_or_else(|| self.invalid(key, &Value::Number(n.clone()), "not an integer")),
            Some(v @ Value::String(s)) => s
                .trim()
                .parse::<i64>()
                .map(Some)
                .map_err(|_| self.invalid(key, v, "not an integer")),
            Some(v) => Err(self.invalid(key, v, "expected an integer")),
        }
    }

    fn int(&self, key: &str) -> Result<i64, MappingError> {
        self.int_opt(key)?.ok_or_else(|| self.missing(key))
    }

    fn str_opt(&self, key: &str) -> Result<Option<&'a str>, MappingError> {
        match self.present(key) {
            None => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(v) => Err(self.invalid(key, v, "expected a string")),
        }
    }

    /// An id given as a string or a number.
    fn id(&self, key: &str) -> Result<String, MappingError> {
        match self.present(key) {
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
            Some(Value::Number(n)) if n.is_u64() => Ok(n.to_string()),
            Some(v) => Err(self.invalid(key, v, "expected a non-empty id")),
            None => Err(self.missing(key)),
        }
    }

    fn fen(&self, key: &str) -> Result<Money, MappingError> {
        let fen = self.int(key)?;
        Ok(cny(fen))
    }

    fn time(&self, key: &str) -> Result<Option<DateTime<Utc>>, MappingError> {
        match self.present(key) {
            None => Ok(None),
            Some(v @ Value::String(s)) if s.contains('-') => beijing(s)
                .map(Some)
                .ok_or_else(|| self.invalid(key, v, "expected yyyy-MM-dd HH:mm:ss (UTC+8)")),
            Some(_) => {
                let secs = self.int(key)?;
                if secs <= 0 {
                    return Ok(None);
                }
                DateTime::from_timestamp(secs, 0)
                    .map(Some)
                    .ok_or_else(|| self.invalid(key, &Value::from(secs), "out of range"))
            }
        }
    }

    fn child(&self, key: &str) -> Result<Option<Fields<'a>>, MappingError> {
        match self.present(key) {
            None => Ok(None),
            Some(Value::Object(obj)) => Ok(Some(Fields {
                obj,
                prefix: format!("{}.", self.path(key)),
            })),
            Some(v) => Err(self.invalid(key, v, "expected an object")),
        }
    }
}

fn cny(fen: i64) -> Money {
    Money::new(
        Decimal::new(fen, 2),
        Currency::parse("CNY").unwrap_or_else(|_| unreachable!()),
    )
}

/// `yyyy-MM-dd HH:mm:ss` in Beijing time (UTC+8, no daylight saving) to UTC.
fn beijing(s: &str) -> Option<DateTime<Utc>> {
    let naive = NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%d %H:%M:%S").ok()?;
    let tz = FixedOffset::east_opt(8 * 3600)?;
    tz.from_local_datetime(&naive)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

fn map_shop_order(
    origin: &Origin,
    obj: &Map<String, Value>,
    prefix: &str,
) -> Result<Order, MappingError> {
    let f = Fields {
        obj,
        prefix: prefix.into(),
    };
    let external_id = f.id("order_id")?;
    let status_code = f.int("order_status")?;
    let status = order_status(status_code).ok_or_else(|| {
        f.invalid(
            "order_status",
            &Value::from(status_code),
            "unknown Douyin order_status (known: 1, 105, 2, 101, 3, 4, 5); add it to \
             mapping::order_status",
        )
    })?;
    let created_at = f
        .time("create_time")?
        .ok_or_else(|| f.missing("create_time"))?;
    let updated_at = f.time("update_time")?.unwrap_or(created_at);
    let total = f.fen("pay_amount")?;
    let lines = map_lines(&f)?;
    let ship_to = map_address(&f)?;
    let payment = match f.int_opt("pay_type")? {
        // 0 is cash on delivery (货到付款); every other documented value (WeChat, Alipay,
        // card, balance, instalments, pay-later…) is paid online before shipping, so a
        // new online method safely reads as prepaid.
        Some(0) => Payment::CashOnDelivery { amount: total },
        _ => Payment::Prepaid,
    };
    Ok(Order {
        id: Ulid::new(),
        tenant: origin.tenant.clone(),
        merchant: origin.merchant.clone(),
        source: SourceRef {
            channel: Channel::new(CHANNEL),
            connector_id: origin.connector_id.clone(),
            external_id,
            external_number: None,
        },
        created_at,
        updated_at,
        status,
        total,
        lines,
        ship_to,
        payment,
        delivery: DeliveryConditions::default(),
        raw_hash: String::new(),
    })
}

fn map_lines(f: &Fields<'_>) -> Result<Vec<OrderLine>, MappingError> {
    let list = match f.present("sku_order_list") {
        Some(Value::Array(items)) => items,
        Some(v) => return Err(f.invalid("sku_order_list", v, "expected an array")),
        None => return Err(f.missing("sku_order_list")),
    };
    let mut lines = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        let path = f.path(&format!("sku_order_list[{i}]"));
        let obj = as_object(item, &path)?;
        let s = Fields {
            obj,
            prefix: format!("{path}."),
        };
        let quantity = s.int("item_num")?;
        let quantity = u32::try_from(quantity)
            .map_err(|_| s.invalid("item_num", &Value::from(quantity), "not a quantity"))?;
        let sku = match s.str_opt("code")? {
            Some(code) => Some(code.to_string()),
            None => s.str_opt("out_sku_id")?.map(str::to_string),
        };
        let title = s
            .str_opt("product_name")?
            .ok_or_else(|| s.missing("product_name"))?;
        lines.push(OrderLine {
            external_id: Some(s.id("order_id")?),
            sku,
            title: title.to_string(),
            quantity,
            unit_price: s.fen("origin_amount")?,
            weight_grams: None,
            dimensions: None,
            requires_shipping: s.int_opt("goods_type")? != Some(1),
        });
    }
    Ok(lines)
}

fn map_address(f: &Fields<'_>) -> Result<Option<Address>, MappingError> {
    let Some(addr) = f.child("post_addr")? else {
        return Ok(None);
    };
    let name = plain(f, "post_receiver", "encrypt_post_receiver")?;
    let tel = plain(f, "post_tel", "encrypt_post_tel")?;
    let detail = match addr.str_opt("detail")? {
        Some(d) => Some(d),
        None if addr.str_opt("encrypt_detail")?.is_some() => {
            return Err(still_encrypted(&addr, "encrypt_detail"))
        }
        None => None,
    };
    let named = |key: &str| -> Result<Option<String>, MappingError> {
        Ok(match addr.child(key)? {
            Some(part) => part.str_opt("name")?.map(str::to_string),
            None => None,
        })
    };
    let town_street: Vec<String> = [named("town")?, named("street")?]
        .into_iter()
        .flatten()
        .collect();
    let country = CountryCode::parse("CN").ok();
    Ok(Some(Address {
        name: name.map(str::to_string),
        company: None,
        line1: detail.map(str::to_string),
        line2: (!town_street.is_empty()).then(|| town_street.join(" ")),
        city: named("city")?,
        region: named("province")?,
        postal_code: None,
        country,
        // A virtual number (`18400913965-7576`, host-extension) has no E.164 form and is
        // kept as given.
        phone: tel.map(|t| phone::e164(t, country).unwrap_or_else(|| t.to_string())),
        email: None,
    }))
}

/// The plain field, or an error when only its ciphertext twin is present.
fn plain<'a>(f: &Fields<'a>, key: &str, cipher: &str) -> Result<Option<&'a str>, MappingError> {
    match f.str_opt(key)? {
        Some(v) => Ok(Some(v)),
        None if f.str_opt(cipher)?.is_some() => Err(still_encrypted(f, cipher)),
        None => Ok(None),
    }
}

fn still_encrypted(f: &Fields<'_>, cipher: &str) -> MappingError {
    MappingError::InvalidValue {
        path: f.path(cipher),
        value: "(ciphertext)".into(),
        reason: "the recipient is still encrypted: decrypt it with order.batchDecrypt before \
                 normalizing"
            .into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beijing_time_is_eight_hours_ahead_of_utc() {
        let t = beijing("2023-11-15 06:13:20").unwrap();
        assert_eq!(t.timestamp(), 1_700_000_000);
    }

    #[test]
    fn fen_become_exact_yuan() {
        assert_eq!(cny(1999).amount.to_string(), "19.99");
        assert_eq!(cny(5).amount.to_string(), "0.05");
    }
}
