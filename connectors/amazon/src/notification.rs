//! `ORDER_CHANGE` notifications (SQS or EventBridge): which orders to re-read with
//! `getOrder`. `searchOrders` may only run about every three minutes per seller, so the
//! host reacts to these between pulls, and a buyer-requested cancellation reaches it
//! before the parcel leaves.
//!
//! Shape from Amazon's `OrderChangeNotification.json` schema and its example
//! (notification version 1.0): `Payload.OrderChangeNotification.{AmazonOrderId,
//! OrderChangeType, SellerId, Summary{OrderStatus, OrderItems[{IsBuyerRequestedCancel}]}}`.

use serde::Deserialize;
use shipgate_sdk::MappingError;

/// What one notification says about one order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderChange {
    /// The order to fetch.
    pub order_id: String,
    /// The seller it belongs to (to route it to the right connector).
    pub seller_id: Option<String>,
    /// `OrderStatusChange` or `BuyerRequestedChange`.
    pub change_type: Option<String>,
    /// `Summary.OrderStatus` in v0 vocabulary (`Unshipped`, `Canceled`, `Pending`…).
    pub order_status: Option<String>,
    /// Whether the buyer asked to cancel any item: fulfilment must stop.
    pub buyer_requested_cancel: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Notification {
    notification_type: Option<String>,
    payload: Option<Payload>,
}

#[derive(Deserialize)]
struct EventBridge {
    detail: Notification,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Payload {
    order_change_notification: Option<Change>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Change {
    amazon_order_id: Option<String>,
    seller_id: Option<String>,
    order_change_type: Option<String>,
    summary: Option<Summary>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Summary {
    order_status: Option<String>,
    #[serde(default)]
    order_items: Option<Vec<SummaryItem>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SummaryItem {
    is_buyer_requested_cancel: Option<bool>,
}

/// Parses an `ORDER_CHANGE` notification, bare (as SQS delivers the message body) or in
/// an EventBridge event (`{"detail": …}`). Errors name the field: a notification of
/// another type, or one without `AmazonOrderId`, is refused.
pub fn parse_order_change(bytes: &[u8]) -> Result<OrderChange, MappingError> {
    let n: Notification = match serde_json::from_slice::<EventBridge>(bytes) {
        Ok(e) => e.detail,
        Err(_) => serde_json::from_slice(bytes).map_err(|e| MappingError::from_json(&e))?,
    };
    match n.notification_type.as_deref() {
        Some("ORDER_CHANGE") => {}
        other => {
            return Err(MappingError::InvalidValue {
                path: "NotificationType".into(),
                value: other.unwrap_or("null").into(),
                reason: "not an ORDER_CHANGE notification".into(),
            })
        }
    }
    let change = n
        .payload
        .and_then(|p| p.order_change_notification)
        .ok_or_else(|| MappingError::MissingField {
            path: "Payload.OrderChangeNotification".into(),
        })?;
    let order_id = change
        .amazon_order_id
        .filter(|id| !id.trim().is_empty())
        .ok_or_else(|| MappingError::MissingField {
            path: "Payload.OrderChangeNotification.AmazonOrderId".into(),
        })?;
    let (order_status, buyer_requested_cancel) = match change.summary {
        Some(s) => (
            s.order_status,
            s.order_items
                .iter()
                .flatten()
                .any(|i| i.is_buyer_requested_cancel == Some(true)),
        ),
        None => (None, false),
    };
    Ok(OrderChange {
        order_id,
        seller_id: change.seller_id,
        change_type: change.order_change_type,
        order_status,
        buyer_requested_cancel,
    })
}

/// The order ids to fetch with `getOrder` for a notification: its order, unless the
/// order is still `Pending` / `PendingAvailability` and nothing was asked by the buyer
/// (such an order cannot be shipped yet and will notify again when it can).
pub fn order_ids_to_fetch(bytes: &[u8]) -> Result<Vec<String>, MappingError> {
    let change = parse_order_change(bytes)?;
    let pending = matches!(
        change.order_status.as_deref(),
        Some("Pending" | "PendingAvailability")
    );
    if pending && !change.buyer_requested_cancel {
        return Ok(Vec::new());
    }
    Ok(vec![change.order_id])
}
