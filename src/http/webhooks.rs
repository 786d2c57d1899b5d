//! Webhook receivers. A delivery is verified on its raw bytes before anything parses it,
//! dropped when its delivery id was already acted on, and turned into a `FetchOrder` job
//! at once; a cancellation also marks the stored order cancelled right away, so a push
//! still waiting in the queue for it does not go out.

use super::HttpState;
use crate::connectors::WebhookAuth;
use crate::queue::{Job, QueueError};
use crate::store::StoreError;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use shipgate_shopify::webhook::{self, WebhookError};

/// The source name Shopify receipts are filed under, with the connector id.
fn receipt_source(connector_id: &str) -> String {
    format!("shopify:{connector_id}")
}

/// `POST /webhooks/shopify/{connector_id}`.
pub(super) async fn shopify(
    State(state): State<HttpState>,
    Path(connector_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    let Some(WebhookAuth::Shopify { secret }) = state.connectors.webhook_auth(&connector_id) else {
        return (
            StatusCode::NOT_FOUND,
            format!("no Shopify connector {connector_id:?} takes webhooks"),
        );
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let event = match webhook::receive(secret, header, &body) {
        Ok(event) => event,
        Err(WebhookError::UnknownTopic(topic)) => {
            // Acknowledged so Shopify stops re-sending a topic nobody here acts on.
            return (StatusCode::OK, format!("topic {topic} ignored"));
        }
        Err(e @ (WebhookError::BadSignature | WebhookError::MissingHeader(_))) => {
            tracing::warn!(connector = %connector_id, error = %e, "webhook refused");
            return (StatusCode::UNAUTHORIZED, e.to_string());
        }
        Err(e @ WebhookError::Body(_)) => {
            tracing::warn!(connector = %connector_id, error = %e, "webhook refused");
            return (StatusCode::BAD_REQUEST, e.to_string());
        }
    };
    let delivery = OrderDelivery {
        source: &receipt_source(&connector_id),
        delivery_id: &event.webhook_id,
        topic: event.topic.as_str(),
        connector_id: &connector_id,
        order_id: &event.order_gid,
        cancelled: event.cancelled,
    };
    match delivery.accept(&state).await {
        Ok(true) => {
            tracing::info!(connector = %connector_id, topic = event.topic.as_str(), "webhook accepted");
            (StatusCode::OK, "accepted".into())
        }
        Ok(false) => (StatusCode::OK, "duplicate delivery ignored".into()),
        Err(e) => unavailable(&connector_id, &e),
    }
}

/// Why a delivery could not be recorded: the sender should retry.
#[derive(Debug, thiserror::Error)]
enum NotRecorded {
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error("queue: {0}")]
    Queue(#[from] QueueError),
}

/// One delivered event naming an order, from any storefront's webhook.
struct OrderDelivery<'a> {
    /// The receipts' source (`shopify:<connector>`).
    source: &'a str,
    /// The sender's id of the delivery, the same on every retry.
    delivery_id: &'a str,
    /// What the sender says happened.
    topic: &'a str,
    /// The connector the order belongs to.
    connector_id: &'a str,
    /// The order's external id.
    order_id: &'a str,
    /// Whether the event cancels the order.
    cancelled: bool,
}

impl OrderDelivery<'_> {
    /// Acts on a delivery once: `false` when it was already acted on. A cancellation marks
    /// the stored order cancelled at once; the order is fetched by a queued job either way.
    async fn accept(&self, state: &HttpState) -> Result<bool, NotRecorded> {
        if state
            .store
            .webhook_seen(self.source, self.delivery_id)
            .await?
        {
            return Ok(false);
        }
        if self.cancelled {
            state
                .store
                .cancel_source_order(self.connector_id, self.order_id)
                .await?;
        }
        let job = Job::FetchOrder {
            connector_id: self.connector_id.to_string(),
            external_id: self.order_id.to_string(),
        };
        state.queue.push(job).await?;
        // Recorded after the job is queued: a crash in between makes the sender re-send,
        // and the second FetchOrder is harmless, while the other order would lose the event.
        state
            .store
            .record_webhook(self.source, self.delivery_id, self.topic)
            .await?;
        Ok(true)
    }
}

/// 503 makes the sender retry later, which is what a store or queue hiccup needs.
fn unavailable(connector_id: &str, error: &dyn std::fmt::Display) -> (StatusCode, String) {
    tracing::error!(connector = %connector_id, %error, "webhook could not be recorded");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        "could not record the delivery; retry later".into(),
    )
}

/// `POST /webhooks/douyin/{connector_id}`: a batch of 抖店 push messages, signed with
/// `event-sign`. Each message naming an order fetches it (a cancellation also marks it
/// cancelled at once); messages are deduplicated by `msg_id`, and an unreadable message
/// is logged without failing the batch the platform would otherwise re-send whole.
pub(super) async fn douyin(
    State(state): State<HttpState>,
    Path(connector_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    let Some(WebhookAuth::Douyin {
        app_key,
        app_secret,
    }) = state.connectors.webhook_auth(&connector_id)
    else {
        return (
            StatusCode::NOT_FOUND,
            format!("no Douyin connector {connector_id:?} takes push messages"),
        );
    };
    let messages = match shipgate_douyin::webhook::receive(&headers, &body, app_key, app_secret) {
        Ok(messages) => messages,
        Err(e) => {
            tracing::warn!(connector = %connector_id, error = %e, "push refused");
            let status = match e {
                shipgate_douyin::webhook::WebhookError::Malformed { .. } => StatusCode::BAD_REQUEST,
                _ => StatusCode::UNAUTHORIZED,
            };
            return (status, e.to_string());
        }
    };
    let source = format!("douyin:{connector_id}");
    for message in messages {
        let message = match message {
            Ok(m) => m,
            Err(bad) => {
                tracing::warn!(connector = %connector_id, index = bad.index, reason = %bad.reason, "unreadable push message skipped");
                continue;
            }
        };
        let Some(order_id) = message.order_id.as_deref() else {
            continue;
        };
        let delivery = OrderDelivery {
            source: &source,
            delivery_id: &message.msg_id,
            topic: &message.tag,
            connector_id: &connector_id,
            order_id,
            cancelled: message.event == shipgate_douyin::webhook::Event::OrderCancelled,
        };
        if let Err(e) = delivery.accept(&state).await {
            return unavailable(&connector_id, &e);
        }
    }
    // The platform reads this body as the acknowledgement.
    (StatusCode::OK, r#"{"code":0,"msg":"success"}"#.into())
}
