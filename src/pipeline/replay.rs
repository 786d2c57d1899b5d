//! Replays a quarantined input once its cause is fixed: a mapping corrected in a new
//! release, an order that has arrived since its tracking row did.
//!
//! Orders and page nodes go back through `Normalize` from their stored bytes; tracking
//! rows are matched again; refused pushes are queued again. A CSV row that could not be read cannot be replayed alone (it
//! needs its file's header): the supplier's corrected file is dropped again instead.

use super::carriers;
use super::push_back::{PushReplay, PUSH_KIND};
use super::route::ROUTE_KIND;
use crate::host::Host;
use crate::queue::{Job, QueueError};
use crate::store::{QuarantineState, StoreError};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use shipgate_sdk::model::TrackingNumber;

/// What a replay did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replayed {
    /// The stored bytes were queued for `Normalize` again.
    Normalize,
    /// The tracking row matched an order now; a shipment exists (new or not) and a
    /// push was queued if it is new.
    Shipment {
        /// Whether the shipment is new.
        created: bool,
    },
    /// The refused push was queued again.
    Push,
    /// The order is routed again.
    Route,
    /// The tracking row still matches no order; the item stays open.
    StillUnmatched(String),
}

/// Why an item cannot be replayed.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// No such item.
    #[error("no quarantined item {0}")]
    NotFound(i64),
    /// It was replayed or discarded already.
    #[error("quarantined item {id} is {state:?}, not open")]
    NotOpen {
        /// The item.
        id: i64,
        /// Its state.
        state: QuarantineState,
    },
    /// Its kind cannot be replayed by itself.
    #[error("a {kind} item cannot be replayed alone: {hint}")]
    NotReplayable {
        /// The item's kind.
        kind: String,
        /// What to do instead.
        hint: &'static str,
    },
    /// Its stored input is not what its kind says (a tracking record that is not JSON).
    #[error("quarantined item {id} has an unreadable input: {reason}")]
    Unreadable {
        /// The item.
        id: i64,
        /// Why.
        reason: String,
    },
    /// The store failed.
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// The queue failed.
    #[error("queue: {0}")]
    Queue(#[from] QueueError),
}

/// A tracking row as the import quarantines it.
#[derive(Deserialize)]
struct TrackingInput {
    order_ref: String,
    tracking_number: TrackingNumber,
    carrier: Option<String>,
    tracking_url: Option<String>,
    shipped_at: Option<DateTime<Utc>>,
}

/// Replays item `id`; tracking rows are matched among `tenant`'s orders.
pub async fn replay_quarantined(
    host: &Host,
    id: i64,
    tenant: &str,
) -> Result<Replayed, ReplayError> {
    let item = host
        .store
        .quarantine_item(id)
        .await?
        .ok_or(ReplayError::NotFound(id))?;
    if item.state != QuarantineState::Open {
        return Err(ReplayError::NotOpen {
            id,
            state: item.state,
        });
    }
    let outcome = match item.kind.as_str() {
        "order" | "page" => {
            let raw_hash = match item.raw_hash {
                Some(hash) => hash,
                None => {
                    host.store
                        .put_raw(&item.connector_id, "application/json", &item.input)
                        .await?
                }
            };
            host.queue
                .push(Job::Normalize {
                    connector_id: item.connector_id.clone(),
                    raw_hash,
                })
                .await?;
            Replayed::Normalize
        }
        ROUTE_KIND => {
            let order_id = std::str::from_utf8(&item.input)
                .ok()
                .and_then(|t| ulid::Ulid::from_string(t.trim()).ok())
                .ok_or_else(|| ReplayError::Unreadable {
                    id,
                    reason: "not an order id".into(),
                })?;
            host.queue.push(Job::Route { order_id }).await?;
            Replayed::Route
        }
        PUSH_KIND => {
            let input: PushReplay =
                serde_json::from_slice(&item.input).map_err(|e| ReplayError::Unreadable {
                    id,
                    reason: e.to_string(),
                })?;
            host.queue
                .push(Job::PushBack {
                    shipment_id: input.shipment_id,
                })
                .await?;
            Replayed::Push
        }
        "tracking" => {
            let input: TrackingInput =
                serde_json::from_slice(&item.input).map_err(|e| ReplayError::Unreadable {
                    id,
                    reason: e.to_string(),
                })?;
            let Some(order) = host
                .store
                .find_order(tenant, None, &input.order_ref)
                .await?
            else {
                return Ok(Replayed::StillUnmatched(format!(
                    "no order of tenant {tenant:?} has the number or id {:?} yet",
                    input.order_ref
                )));
            };
            let shipment = carriers::supplier_shipment(
                host.pipeline.registry(),
                input.tracking_number,
                input.carrier,
                input.tracking_url,
                input.shipped_at,
            );
            let (shipment_id, created) = host.store.add_shipment(order.id, &shipment).await?;
            if created {
                host.queue.push(Job::PushBack { shipment_id }).await?;
            }
            Replayed::Shipment { created }
        }
        other => {
            return Err(ReplayError::NotReplayable {
                kind: other.to_string(),
                hint: "fix the row in the supplier's file and drop the file again",
            })
        }
    };
    host.store
        .set_quarantine_state(id, QuarantineState::Replayed)
        .await?;
    host.store
        .audit(
            "cli",
            "quarantine.replay",
            &format!("quarantine:{id}"),
            &serde_json::json!({ "kind": item.kind }),
        )
        .await?;
    Ok(outcome)
}
