//! `order.searchList` by update-time window, page by page, with the recipient decrypted
//! through `order.batchDecrypt` before the raw order is kept.
//!
//! The cursor: `updated_since` is the window start; `page_token` is `"{page}@{end}"`, the
//! next 0-based page of the window that ends at Unix second `end` (fixed when the window
//! opened, so pages do not shift). After the last page the next window starts at `end`
//! minus the configured look-back.

use crate::client::Client;
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};
use shipgate_sdk::{ConnectorError, Cursor, Page, RawOrder, RejectedRecord};
use std::collections::HashMap;

/// Only orders past payment are pulled: an unpaid order (status 1) has nothing to ship
/// yet and comes back with a new update time once it is paid.
const PAID_STATES: &str = "105,2,101,3,4,5";
/// Ciphertexts per `order.batchDecrypt` call (the SDK caps the list; 50 is a safe size).
const DECRYPT_BATCH: usize = 50;

/// The encrypted top-level recipient fields and where their plain text goes (the address detail is handled beside them).
const CIPHER_FIELDS: [(&str, &str); 2] = [
    ("encrypt_post_receiver", "post_receiver"),
    ("encrypt_post_tel", "post_tel"),
];

fn window(cursor: &Cursor) -> Result<(i64, i64, i64), ConnectorError> {
    let start = cursor.updated_since.map(|t| t.timestamp()).unwrap_or(0);
    match &cursor.page_token {
        None => Ok((start, Utc::now().timestamp(), 0)),
        Some(token) => {
            let bad = || ConnectorError::Rejected {
                status: None,
                message: format!("douyin cursor page_token {token:?} is not \"page@end\""),
            };
            let (page, end) = token.split_once('@').ok_or_else(bad)?;
            Ok((
                start,
                end.parse().map_err(|_| bad())?,
                page.parse().map_err(|_| bad())?,
            ))
        }
    }
}

pub(crate) async fn pull(client: &Client, cursor: &Cursor) -> Result<Page, ConnectorError> {
    let (start, end, page) = window(cursor)?;
    let size = i64::from(client.config().page_size);
    let params = json!({
        "update_time_start": start,
        "update_time_end": end,
        "order_by": "update_time",
        "order_asc": true,
        "page": page,
        "size": size,
        "combine_status": [{"order_status": PAID_STATES}],
    });
    let data = client.call("order.searchList", &params).await?;
    let raw_data = || serde_json::to_vec(&data).unwrap_or_default();
    let total = data.get("total").and_then(Value::as_i64).ok_or_else(|| {
        ConnectorError::UnexpectedShape {
            reason: "order.searchList data.total is missing or not an integer".into(),
            raw: raw_data(),
        }
    })?;
    let list = match data.get("shop_order_list") {
        Some(Value::Array(items)) => items.clone(),
        None | Some(Value::Null) => Vec::new(),
        Some(_) => {
            return Err(ConnectorError::UnexpectedShape {
                reason: "order.searchList data.shop_order_list is not an array".into(),
                raw: raw_data(),
            })
        }
    };
    let mut orders = Vec::with_capacity(list.len());
    let mut rejected = Vec::new();
    let mut keep = Vec::with_capacity(list.len());
    for (i, item) in list.into_iter().enumerate() {
        let location = format!("order.searchList page {page} data.shop_order_list[{i}]");
        match item {
            Value::Object(obj) if order_id(&obj).is_some() => keep.push(obj),
            other => rejected.push(RejectedRecord {
                raw: serde_json::to_vec(&other).unwrap_or_default(),
                location,
                reason: "not a shop order: expected an object with an order_id".into(),
            }),
        }
    }
    decrypt(client, &mut keep).await?;
    for obj in keep {
        let external_id = order_id(&obj);
        orders.push(RawOrder {
            external_id,
            content_type: "application/json".into(),
            body: serde_json::to_vec(&Value::Object(obj)).unwrap_or_default(),
        });
    }
    let seen = (page + 1) * size;
    let has_more = seen < total && (orders.len() + rejected.len()) > 0;
    let since = DateTime::from_timestamp(start, 0);
    let next = if has_more {
        Cursor {
            updated_since: since,
            page_token: Some(format!("{}@{end}", page + 1)),
        }
    } else {
        let lookback = client.config().lookback_secs;
        Cursor {
            updated_since: DateTime::from_timestamp((end - lookback).max(start), 0),
            page_token: None,
        }
    };
    Ok(Page {
        orders,
        rejected,
        next,
        has_more,
    })
}

/// One shop order by id (`order.orderDetail`), decrypted like a pulled one: what a push
/// message naming the order leads to.
pub(crate) async fn fetch_order(
    client: &Client,
    shop_order_id: &str,
) -> Result<Page, ConnectorError> {
    let data = client
        .call(
            "order.orderDetail",
            &json!({"shop_order_id": shop_order_id}),
        )
        .await?;
    let detail = match data.get("shop_order_detail") {
        Some(Value::Object(obj)) if order_id(obj).is_some() => obj.clone(),
        _ => {
            return Err(ConnectorError::UnexpectedShape {
                reason: "order.orderDetail data.shop_order_detail is missing or has no order_id"
                    .into(),
                raw: serde_json::to_vec(&data).unwrap_or_default(),
            })
        }
    };
    let mut keep = vec![detail];
    decrypt(client, &mut keep).await?;
    let orders = keep
        .into_iter()
        .map(|obj| RawOrder {
            external_id: order_id(&obj),
            content_type: "application/json".into(),
            body: serde_json::to_vec(&Value::Object(obj)).unwrap_or_default(),
        })
        .collect();
    Ok(Page {
        orders,
        ..Page::default()
    })
}

fn order_id(obj: &Map<String, Value>) -> Option<String> {
    match obj.get("order_id") {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

/// Replaces each order's ciphertexts by their plain text, in batches. A ciphertext the
/// platform refuses to decrypt (`err_no` ≠ 0) stays encrypted, so that order alone fails
/// normalization with the field named; the rest of the page goes on.
async fn decrypt(client: &Client, orders: &mut [Map<String, Value>]) -> Result<(), ConnectorError> {
    let mut wanted: Vec<Value> = Vec::new();
    for obj in orders.iter() {
        let Some(id) = order_id(obj) else { continue };
        for cipher in ciphers(obj) {
            wanted.push(json!({"auth_id": id, "cipher_text": cipher}));
        }
    }
    let mut plain: HashMap<String, String> = HashMap::new();
    for batch in wanted.chunks(DECRYPT_BATCH) {
        let data = client
            .call("order.batchDecrypt", &json!({"cipher_infos": batch}))
            .await?;
        let infos = data
            .get("decrypt_infos")
            .and_then(Value::as_array)
            .ok_or_else(|| ConnectorError::UnexpectedShape {
                reason: "order.batchDecrypt data.decrypt_infos is not an array".into(),
                raw: serde_json::to_vec(&data).unwrap_or_default(),
            })?;
        for info in infos {
            let ok = info.get("err_no").and_then(Value::as_i64).unwrap_or(0) == 0;
            let cipher = info.get("cipher_text").and_then(Value::as_str);
            let text = info.get("decrypt_text").and_then(Value::as_str);
            match (ok, cipher, text) {
                (true, Some(c), Some(t)) => {
                    plain.insert(c.to_string(), t.to_string());
                }
                _ => tracing::warn!(
                    err_no = ?info.get("err_no"),
                    err_msg = ?info.get("err_msg"),
                    "douyin refused to decrypt one recipient field"
                ),
            }
        }
    }
    for obj in orders.iter_mut() {
        for (cipher_key, plain_key) in CIPHER_FIELDS {
            let text = obj
                .get(cipher_key)
                .and_then(Value::as_str)
                .and_then(|c| plain.get(c));
            if let Some(t) = text {
                obj.insert(plain_key.into(), Value::String(t.clone()));
            }
        }
        if let Some(Value::Object(addr)) = obj.get_mut("post_addr") {
            let text = addr
                .get("encrypt_detail")
                .and_then(Value::as_str)
                .and_then(|c| plain.get(c));
            if let Some(t) = text {
                addr.insert("detail".into(), Value::String(t.clone()));
            }
        }
    }
    Ok(())
}

fn ciphers(obj: &Map<String, Value>) -> Vec<String> {
    let mut out: Vec<String> = CIPHER_FIELDS
        .iter()
        .filter_map(|(k, _)| obj.get(*k).and_then(Value::as_str))
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect();
    if let Some(c) = obj
        .get("post_addr")
        .and_then(|a| a.get("encrypt_detail"))
        .and_then(Value::as_str)
        .filter(|c| !c.is_empty())
    {
        out.push(c.to_string());
    }
    out
}
