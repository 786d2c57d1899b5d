//! What the sandbox holds: orders, credentials, buckets, queued faults, and the record
//! of confirmed shipments tests assert on.

use crate::usage_plan::UsagePlan;
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The state shared by the handlers.
pub(crate) type Shared = Arc<Mutex<State>>;

/// One `confirmShipment` the sandbox accepted: what a test counts to prove a push
/// reached Amazon once, with the right package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmedShipment {
    /// The order id of the path.
    pub order_id: String,
    /// `packageDetail.packageReferenceId`.
    pub package_reference_id: String,
    /// `packageDetail.carrierCode`.
    pub carrier_code: String,
    /// `packageDetail.carrierName`.
    pub carrier_name: Option<String>,
    /// `packageDetail.trackingNumber`.
    pub tracking_number: String,
    /// `(orderItemId, quantity)` of `packageDetail.orderItems`.
    pub items: Vec<(String, u32)>,
}

/// One queued fault: the status, the body, and a delay before answering.
#[derive(Debug, Clone)]
pub(crate) struct Fault {
    pub(crate) status: u16,
    pub(crate) body: String,
    pub(crate) delay: Duration,
}

/// A token bucket as Amazon runs one per operation, seller and application.
#[derive(Debug, Clone)]
pub(crate) struct Bucket {
    pub(crate) plan: UsagePlan,
    pub(crate) tokens: f64,
    pub(crate) at: Instant,
}

impl Bucket {
    pub(crate) fn new(plan: UsagePlan) -> Self {
        Self {
            plan,
            tokens: f64::from(plan.burst),
            at: Instant::now(),
        }
    }

    /// Takes a token when there is one.
    pub(crate) fn take(&mut self) -> bool {
        let now = Instant::now();
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens =
            (self.tokens + elapsed * self.plan.requests_per_second).min(f64::from(self.plan.burst));
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// The sandbox account.
pub(crate) struct State {
    pub(crate) client_id: String,
    pub(crate) client_secret: String,
    pub(crate) refresh_token: String,
    pub(crate) access_tokens: Vec<String>,
    pub(crate) tokens_issued: usize,
    pub(crate) orders: Vec<Value>,
    pub(crate) corruptions: HashMap<String, Value>,
    pub(crate) buckets: HashMap<&'static str, Bucket>,
    pub(crate) faults: VecDeque<Fault>,
    pub(crate) requests: usize,
    pub(crate) rate_limited: usize,
    pub(crate) confirmed: Vec<ConfirmedShipment>,
}

impl State {
    /// The order as served: with its corruption applied, when a test asked for one (an
    /// object patch merges into the order, anything else replaces it).
    pub(crate) fn served(&self, order: &Value) -> Value {
        let id = order["orderId"].as_str().unwrap_or_default();
        match self.corruptions.get(id) {
            Some(Value::Object(patch)) => {
                let mut o = order.clone();
                if let Some(obj) = o.as_object_mut() {
                    for (k, v) in patch {
                        if v.is_null() {
                            obj.remove(k);
                        } else {
                            obj.insert(k.clone(), v.clone());
                        }
                    }
                }
                o
            }
            Some(other) => other.clone(),
            None => order.clone(),
        }
    }
}
