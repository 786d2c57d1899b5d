//! Push messages (消息推送): the platform POSTs a JSON array `[{tag, msg_id, data}]`
//! where `data` is itself a JSON string, signed in header `event-sign` = hex MD5 of
//! `app_key + raw body + app_secret` (official Go SDK `message/doudian_sign.go`,
//! `message/doudian_message.go`). Tags from the SDK's message files: 100 order created,
//! 101 paid, 102 seller shipped, 103 completed, 105 address changed, 106 cancelled.
//!
//! The host calls [`receive`] with the request headers and the raw body, answers
//! [`SUCCESS_REPLY`] when it accepted the batch (or [`FAIL_REPLY`] to have it delivered
//! again), dedupes on `msg_id`, and fetches each event's order.

use crate::sign::{constant_time_eq, event_sign};
use axum::http::HeaderMap;
use serde::Deserialize;
use serde_json::Value;

/// The header carrying the signature.
pub const SIGN_HEADER: &str = "event-sign";
/// The answer that acknowledges a batch (the SDK's `SuccessResponse`).
pub const SUCCESS_REPLY: &str = r#"{"code":0,"msg":"success"}"#;
/// The answer that asks for redelivery (the SDK's `FailResponse`).
pub const FAIL_REPLY: &str = r#"{"code":1,"msg":"fail"}"#;

/// Why a whole delivery was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// No `event-sign` header: not from the platform.
    #[error("missing {SIGN_HEADER} header")]
    MissingSignature,
    /// The signature does not match the body: forged or altered.
    #[error("{SIGN_HEADER} does not match the body")]
    BadSignature,
    /// Signed, but not a JSON array of messages. The body is kept for quarantine.
    #[error("malformed push body: {reason}")]
    Malformed {
        /// What was wrong.
        reason: String,
        /// The body as received.
        raw: Vec<u8>,
    },
}

/// What happened, with the shop order to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// Tag 100: an order was placed.
    OrderCreated,
    /// Tag 101: an order was paid (or confirmed, for cash on delivery).
    OrderPaid,
    /// Tag 102: the seller shipped (perhaps through another tool).
    SellerShipped {
        /// `logistics_msg.logistics_code`, the tracking number, when given.
        tracking_no: Option<String>,
    },
    /// Tag 103: the buyer received it; the trade is complete.
    OrderCompleted,
    /// Tag 105: the buyer changed the recipient.
    AddressChanged,
    /// Tag 106: the order was cancelled.
    OrderCancelled,
    /// Any other tag (after-sale, refund, product…): kept so the host can log it.
    Other,
}

/// One message of a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushMessage {
    /// The message tag (`"100"` …).
    pub tag: String,
    /// The platform's message id, to dedupe redeliveries.
    pub msg_id: String,
    /// What happened.
    pub event: Event,
    /// `p_id`: the shop order to fetch, when the message names one.
    pub order_id: Option<String>,
    /// `s_ids`: the sku orders concerned.
    pub sku_order_ids: Vec<String>,
}

/// A message that could not be read, kept with its position so the rest of the batch
/// still counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadMessage {
    /// Its index in the array.
    pub index: usize,
    /// Why it was refused.
    pub reason: String,
    /// The message as received.
    pub raw: String,
}

#[derive(Deserialize)]
struct Envelope {
    tag: Value,
    msg_id: Value,
    data: Value,
}

/// Verifies the signature in constant time, then parses every message. A bad signature
/// or a body that is not an array refuses the whole delivery; one unreadable message is
/// returned beside the good ones.
pub fn receive(
    headers: &HeaderMap,
    body: &[u8],
    app_key: &str,
    app_secret: &str,
) -> Result<Vec<Result<PushMessage, BadMessage>>, WebhookError> {
    let given = headers
        .get(SIGN_HEADER)
        .ok_or(WebhookError::MissingSignature)?
        .as_bytes();
    let expected = event_sign(app_key, body, app_secret);
    let given = given.to_ascii_lowercase();
    if !constant_time_eq(&given, expected.as_bytes()) {
        return Err(WebhookError::BadSignature);
    }
    parse(body)
}

/// Parses a delivery whose signature was already checked (or a saved one replayed).
pub fn parse(body: &[u8]) -> Result<Vec<Result<PushMessage, BadMessage>>, WebhookError> {
    let items: Vec<Value> = serde_json::from_slice(body).map_err(|e| WebhookError::Malformed {
        reason: format!("expected a JSON array of messages: {e}"),
        raw: body.to_vec(),
    })?;
    Ok(items
        .into_iter()
        .enumerate()
        .map(|(index, item)| {
            parse_one(&item).map_err(|reason| BadMessage {
                index,
                reason,
                raw: item.to_string(),
            })
        })
        .collect())
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        // Ids are int64 on the platform; a float here is not an id.
        Value::Number(n) if n.is_i64() || n.is_u64() => Some(n.to_string()),
        _ => None,
    }
}

fn parse_one(item: &Value) -> Result<PushMessage, String> {
    let env: Envelope =
        serde_json::from_value(item.clone()).map_err(|e| format!("not a message: {e}"))?;
    let tag = text(&env.tag).ok_or("tag is not a string")?;
    let msg_id = text(&env.msg_id).ok_or("msg_id is not a string")?;
    let data: Value = match &env.data {
        Value::String(s) => {
            serde_json::from_str(s).map_err(|e| format!("data is not a JSON string: {e}"))?
        }
        Value::Object(_) => env.data.clone(),
        _ => return Err("data is not a JSON-encoded string".into()),
    };
    if !data.is_object() {
        return Err("data does not hold an object".into());
    }
    let order_id = data.get("p_id").and_then(text);
    let sku_order_ids = data
        .get("s_ids")
        .and_then(Value::as_array)
        .map(|ids| ids.iter().filter_map(text).collect())
        .unwrap_or_default();
    let event = match tag.as_str() {
        "100" => Event::OrderCreated,
        "101" => Event::OrderPaid,
        "102" => Event::SellerShipped {
            tracking_no: data
                .get("logistics_msg")
                .and_then(|l| l.get("logistics_code"))
                .and_then(text),
        },
        "103" => Event::OrderCompleted,
        "105" => Event::AddressChanged,
        "106" => Event::OrderCancelled,
        _ => Event::Other,
    };
    if event != Event::Other && order_id.is_none() {
        return Err(format!("tag {tag} without a p_id (the shop order id)"));
    }
    Ok(PushMessage {
        tag,
        msg_id,
        event,
        order_id,
        sku_order_ids,
    })
}
