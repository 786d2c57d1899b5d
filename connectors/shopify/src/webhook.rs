//! Shopify's order webhooks (`orders/create`, `orders/updated`, `orders/cancelled`):
//! verified against the shop's secret before anything reads them, then reduced to what
//! the host acts on — which order, and whether it was cancelled.
//!
//! Shopify signs the raw request body with HMAC-SHA256 keyed by the app's client secret
//! and sends the base64 digest in `X-Shopify-Hmac-Sha256`; every delivery of the same
//! event carries the same `X-Shopify-Webhook-Id`, which is how duplicates are dropped
//! (<https://shopify.dev/docs/apps/build/webhooks/verify-deliveries>).

use base64::Engine;
use hmac::{KeyInit, Mac};
use serde::Deserialize;

/// The header carrying the base64 HMAC of the body.
pub const HMAC_HEADER: &str = "x-shopify-hmac-sha256";
/// The header naming the topic (`orders/create`).
pub const TOPIC_HEADER: &str = "x-shopify-topic";
/// The header every retry of one event repeats.
pub const WEBHOOK_ID_HEADER: &str = "x-shopify-webhook-id";

/// The order topics shipgate subscribes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    /// `orders/create`.
    OrdersCreate,
    /// `orders/updated`.
    OrdersUpdated,
    /// `orders/cancelled`.
    OrdersCancelled,
}

impl Topic {
    /// Reads the topic header; `None` for topics shipgate does not handle.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim() {
            "orders/create" => Some(Self::OrdersCreate),
            "orders/updated" => Some(Self::OrdersUpdated),
            "orders/cancelled" => Some(Self::OrdersCancelled),
            _ => None,
        }
    }

    /// The topic as Shopify writes it.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::OrdersCreate => "orders/create",
            Self::OrdersUpdated => "orders/updated",
            Self::OrdersCancelled => "orders/cancelled",
        }
    }
}

/// Why a webhook delivery was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// A required header is absent.
    #[error("missing header {0}")]
    MissingHeader(&'static str),
    /// The signature does not match the body under the shop's secret: forged, altered,
    /// or signed with another app's secret.
    #[error("the HMAC signature does not match the body")]
    BadSignature,
    /// A topic shipgate does not subscribe to.
    #[error("unhandled topic {0:?}")]
    UnknownTopic(String),
    /// The body is not an order payload.
    #[error("order payload: {0}")]
    Body(String),
}

/// A verified order event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderEvent {
    /// What happened.
    pub topic: Topic,
    /// Shopify's delivery id, the same on every retry of this event.
    pub webhook_id: String,
    /// The order's GraphQL id (`gid://shopify/Order/…`), the external id pulls store.
    pub order_gid: String,
    /// When Shopify says the order was cancelled, if it was.
    pub cancelled: bool,
}

#[derive(Deserialize)]
struct Payload {
    id: Option<u64>,
    admin_graphql_api_id: Option<String>,
    cancelled_at: Option<serde_json::Value>,
}

/// Checks `signature` (the header's base64 value) against the HMAC-SHA256 of `body` under
/// `secret`, in constant time.
pub fn verify(secret: &[u8], body: &[u8], signature: &str) -> Result<(), WebhookError> {
    let expected = base64::engine::general_purpose::STANDARD
        .decode(signature.trim())
        .map_err(|_| WebhookError::BadSignature)?;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret)
        .map_err(|_| WebhookError::BadSignature)?;
    mac.update(body);
    mac.verify_slice(&expected)
        .map_err(|_| WebhookError::BadSignature)
}

/// Verifies a delivery and reads its order event. `header` looks a header up by its
/// lower-case name.
pub fn receive<'h>(
    secret: &[u8],
    header: impl Fn(&str) -> Option<&'h str>,
    body: &[u8],
) -> Result<OrderEvent, WebhookError> {
    let signature = header(HMAC_HEADER).ok_or(WebhookError::MissingHeader(HMAC_HEADER))?;
    verify(secret, body, signature)?;
    let topic_raw = header(TOPIC_HEADER).ok_or(WebhookError::MissingHeader(TOPIC_HEADER))?;
    let topic =
        Topic::parse(topic_raw).ok_or_else(|| WebhookError::UnknownTopic(topic_raw.to_string()))?;
    let webhook_id = header(WEBHOOK_ID_HEADER)
        .ok_or(WebhookError::MissingHeader(WEBHOOK_ID_HEADER))?
        .to_string();
    let payload: Payload =
        serde_json::from_slice(body).map_err(|e| WebhookError::Body(e.to_string()))?;
    let order_gid = match (payload.admin_graphql_api_id, payload.id) {
        (Some(gid), _) if gid.starts_with("gid://shopify/Order/") => gid,
        (_, Some(id)) => format!("gid://shopify/Order/{id}"),
        _ => {
            return Err(WebhookError::Body(
                "neither admin_graphql_api_id nor id names the order".into(),
            ))
        }
    };
    let cancelled =
        topic == Topic::OrdersCancelled || payload.cancelled_at.is_some_and(|v| !v.is_null());
    Ok(OrderEvent {
        topic,
        webhook_id,
        order_gid,
        cancelled,
    })
}

/// The signature Shopify would send for `body` under `secret`: for the sandbox and tests
/// that play Shopify's part.
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret)
        .expect("HMAC-SHA256 takes keys of any length");
    mac.update(body);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"hush";

    fn headers<'a>(sig: &'a str, topic: &'a str) -> impl Fn(&str) -> Option<&'a str> {
        move |name| match name {
            HMAC_HEADER => Some(sig),
            TOPIC_HEADER => Some(topic),
            WEBHOOK_ID_HEADER => Some("b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"),
            _ => None,
        }
    }

    #[test]
    fn a_signed_cancellation_is_read() {
        let body = br#"{"id":820982911946154508,"admin_graphql_api_id":"gid://shopify/Order/820982911946154508","cancelled_at":"2021-12-31T19:00:00-05:00"}"#;
        let sig = sign(SECRET, body);
        let event = receive(SECRET, headers(&sig, "orders/cancelled"), body).expect("valid");
        assert_eq!(event.order_gid, "gid://shopify/Order/820982911946154508");
        assert!(event.cancelled);
        assert_eq!(event.topic, Topic::OrdersCancelled);
    }

    #[test]
    fn the_signature_matches_an_independent_hmac() {
        // Computed with Python's hmac module for ../shared/notes/marketplaces.md §1.3.
        let body = br##"{"id":450789469,"name":"#1001"}"##;
        assert_eq!(
            sign(SECRET, body),
            "Y3S0OcgdRab3yE7clVq/m9rzY5a6y13OKkjMFe0FjeI="
        );
    }

    #[test]
    fn one_changed_byte_breaks_the_signature() {
        let body = br#"{"id":1}"#.to_vec();
        let sig = sign(SECRET, &body);
        let mut altered = body.clone();
        altered[6] = b'2';
        assert_eq!(
            receive(SECRET, headers(&sig, "orders/create"), &altered),
            Err(WebhookError::BadSignature)
        );
        assert_eq!(
            receive(b"other", headers(&sig, "orders/create"), &body),
            Err(WebhookError::BadSignature)
        );
        assert_eq!(
            receive(SECRET, headers("not base64!", "orders/create"), &body),
            Err(WebhookError::BadSignature)
        );
    }

    #[test]
    fn unknown_topics_and_bodies_without_an_order_are_refused() {
        let body = br#"{"id":1}"#;
        let sig = sign(SECRET, body);
        assert_eq!(
            receive(SECRET, headers(&sig, "products/create"), body),
            Err(WebhookError::UnknownTopic("products/create".into()))
        );
        let empty = b"{}";
        let sig = sign(SECRET, empty);
        assert!(matches!(
            receive(SECRET, headers(&sig, "orders/create"), empty),
            Err(WebhookError::Body(_))
        ));
    }
}
