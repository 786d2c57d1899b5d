//! What the sandbox shop holds: orders with their fulfillment orders and fulfillments,
//! the cost bucket, the fault-injection queue, the request log and the record tests
//! assert on.

use super::bucket::CostBucket;
use super::data::GeneratedOrder;
use super::limit::RequestLog;
use super::schema::{
    FulfillmentEventStatus, FulfillmentOrderStatus, OrderDisplayFulfillmentStatus,
};
use chrono::{DateTime, Utc};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

/// The state shared by the HTTP handler and the GraphQL resolvers.
pub(crate) type Shared = Arc<Mutex<State>>;

/// One fulfillment as the sandbox received it, per fulfillment order it covered: what a
/// test checks to prove a push reached Shopify once, with the right tracking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedFulfillment {
    /// The order gid.
    pub order_id: String,
    /// The fulfillment gid the sandbox created.
    pub fulfillment_id: String,
    /// The fulfillment order gid.
    pub fulfillment_order_id: String,
    /// `trackingInfo.number`.
    pub tracking_number: Option<String>,
    /// `trackingInfo.company`.
    pub company: Option<String>,
    /// `trackingInfo.url`.
    pub url: Option<String>,
    /// `notifyCustomer`.
    pub notify_customer: bool,
}

/// One fulfillment event as the sandbox received it: what a test checks to prove a
/// delivery status reached Shopify once, on the right fulfillment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedEvent {
    /// The fulfillment gid.
    pub fulfillment_id: String,
    /// The event gid the sandbox created.
    pub event_id: String,
    /// `FulfillmentEventStatus`, as Shopify spells it (`DELIVERED`).
    pub status: String,
    /// `happenedAt` (the time of creation when none was sent, as Shopify does).
    pub happened_at: DateTime<Utc>,
    /// `message`.
    pub message: Option<String>,
}

/// The sandbox shop.
pub(crate) struct State {
    pub(crate) token: String,
    pub(crate) orders: Vec<OrderRecord>,
    pub(crate) recorded: Vec<RecordedFulfillment>,
    pub(crate) recorded_events: Vec<RecordedEvent>,
    pub(crate) corruptions: HashMap<String, serde_json::Value>,
    pub(crate) bucket: CostBucket,
    pub(crate) max_query_cost: u64,
    pub(crate) faults: VecDeque<u16>,
    pub(crate) next_fulfillment_id: u64,
    pub(crate) next_event_id: u64,
    pub(crate) requests: usize,
    pub(crate) request_log: RequestLog,
    pub(crate) mutation_answer_delay: std::time::Duration,
}

/// An order with what Shopify keeps beside it.
#[derive(Debug, Clone)]
pub(crate) struct OrderRecord {
    pub(crate) order: GeneratedOrder,
    pub(crate) fulfillment_orders: Vec<FulfillmentOrderRecord>,
    pub(crate) fulfillments: Vec<FulfillmentRecord>,
}

/// A fulfillment order (one per order here: one location).
#[derive(Debug, Clone)]
pub(crate) struct FulfillmentOrderRecord {
    pub(crate) id: u64,
    pub(crate) status: FulfillmentOrderStatus,
    pub(crate) lines: Vec<FulfillmentOrderLineRecord>,
}

/// A fulfillment order line: which line item, how many in all, how many left.
#[derive(Debug, Clone)]
pub(crate) struct FulfillmentOrderLineRecord {
    pub(crate) id: u64,
    pub(crate) total: u32,
    pub(crate) remaining: u32,
}

/// A fulfillment created on the order.
#[derive(Debug, Clone)]
pub(crate) struct FulfillmentRecord {
    pub(crate) id: u64,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) tracking: Vec<TrackingRecord>,
    pub(crate) events: Vec<EventRecord>,
}

/// A `FulfillmentEvent` on a fulfillment.
#[derive(Debug, Clone)]
pub(crate) struct EventRecord {
    pub(crate) id: u64,
    pub(crate) status: FulfillmentEventStatus,
    pub(crate) happened_at: DateTime<Utc>,
}

/// `FulfillmentTrackingInfo`.
#[derive(Debug, Clone)]
pub(crate) struct TrackingRecord {
    pub(crate) number: Option<String>,
    pub(crate) company: Option<String>,
    pub(crate) url: Option<String>,
}

impl OrderRecord {
    /// Wraps a generated order with one fulfillment order covering its shippable lines:
    /// open, or closed with nothing remaining when the order is cancelled.
    pub(crate) fn new(order: GeneratedOrder) -> Self {
        let cancelled = order.cancelled_at.is_some();
        let lines = order
            .lines
            .iter()
            .filter(|l| l.requires_shipping)
            .map(|l| FulfillmentOrderLineRecord {
                id: l.id + 1_000_000_000,
                total: l.quantity,
                remaining: if cancelled { 0 } else { l.quantity },
            })
            .collect();
        let fo = FulfillmentOrderRecord {
            id: 519788021 + (order.id - 450789469),
            status: if cancelled {
                FulfillmentOrderStatus::Closed
            } else {
                FulfillmentOrderStatus::Open
            },
            lines,
        };
        Self {
            order,
            fulfillment_orders: vec![fo],
            fulfillments: Vec::new(),
        }
    }

    /// `displayFulfillmentStatus`, derived from the fulfillment orders as Shopify does.
    pub(crate) fn display_fulfillment_status(&self) -> OrderDisplayFulfillmentStatus {
        let remaining: u32 = self
            .fulfillment_orders
            .iter()
            .flat_map(|f| &f.lines)
            .map(|l| l.remaining)
            .sum();
        match (self.fulfillments.is_empty(), remaining) {
            (true, _) => OrderDisplayFulfillmentStatus::Unfulfilled,
            (false, 0) => OrderDisplayFulfillmentStatus::Fulfilled,
            (false, _) => OrderDisplayFulfillmentStatus::PartiallyFulfilled,
        }
    }
}

/// `gid://shopify/{kind}/{id}` → id, when the kind matches.
pub(crate) fn parse_gid(gid: &str, kind: &str) -> Option<u64> {
    gid.strip_prefix("gid://shopify/")?
        .strip_prefix(kind)?
        .strip_prefix('/')?
        .parse()
        .ok()
}
