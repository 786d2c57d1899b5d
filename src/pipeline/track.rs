//! Tracking: `TrackDue` hands out the parcels due for a poll in batches per carrier,
//! `Track` asks the carrier's adapter and applies the answer, and `PushStatus` tells the
//! order's storefront about each status change, once. Carrier webhooks enter through
//! [`Pipeline::apply_tracking`], the same path a poll's answer takes.

use super::error::StepError;
use super::handler::Pipeline;
use super::push_back::fulfillment_key;
use super::track_policy::next_poll;
use crate::queue::Job;
use crate::store::{Effect, WatchedParcel};
use chrono::{Duration, Utc};
use shipgate_sdk::model::{TrackingStatus, TrackingUpdate};
use shipgate_sdk::StatusPush;
use std::collections::BTreeMap;

/// Parcels handed out per `TrackDue` round.
const DUE_PER_ROUND: u32 = 2_000;
/// Numbers per `Track` job: what most tracking APIs take in one request or a few.
pub const TRACK_BATCH: usize = 25;
/// How long a handed-out parcel is kept from the next round while its job waits.
const LEASE: Duration = Duration::minutes(15);

impl Pipeline {
    pub(crate) async fn track_due(&self) -> Result<(), StepError> {
        let now = Utc::now();
        let due = self
            .store
            .take_due_parcels(now, now + LEASE, DUE_PER_ROUND)
            .await?;
        let mut by_carrier: BTreeMap<String, Vec<i64>> = BTreeMap::new();
        for parcel in due {
            by_carrier
                .entry(parcel.carrier_code)
                .or_default()
                .push(parcel.shipment_id);
        }
        let jobs: Vec<Job> = by_carrier
            .into_values()
            .flat_map(|ids| {
                ids.chunks(TRACK_BATCH)
                    .map(|chunk| Job::Track {
                        shipment_ids: chunk.to_vec(),
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        tracing::info!(jobs = jobs.len(), "tracking polls handed out");
        self.queue.push_many(jobs).await?;
        Ok(())
    }

    pub(crate) async fn track(&self, shipment_ids: &[i64]) -> Result<(), StepError> {
        let parcels = self.store.parcels(shipment_ids).await?;
        let Some(code) = parcels.first().map(|p| p.carrier_code.clone()) else {
            return Ok(());
        };
        let carrier = self.connectors.carrier(&code).ok_or_else(|| {
            StepError::Missing(format!("no carrier adapter {code:?} is configured"))
        })?;
        let numbers: Vec<_> = parcels.iter().map(|p| p.tracking_number.clone()).collect();
        let updates = carrier.track(&numbers).await?;
        self.apply_tracking(&code, &parcels, &updates).await
    }

    /// Applies carrier answers to the watched parcels they name: every new event stored,
    /// the status and next poll recorded, and a `PushStatus` queued for each change.
    pub(crate) async fn apply_tracking(
        &self,
        carrier_code: &str,
        parcels: &[WatchedParcel],
        updates: &[TrackingUpdate],
    ) -> Result<(), StepError> {
        let now = Utc::now();
        let mut pushes = Vec::new();
        for parcel in parcels {
            let update = updates
                .iter()
                .find(|u| u.tracking_number == parcel.tracking_number);
            // A parcel the answer leaves out keeps its status and is polled again later.
            let (status, changed_at) = match update {
                None => (parcel.status, parcel.changed_at),
                Some(update) => {
                    let order_id = self
                        .store
                        .get_shipment(parcel.shipment_id)
                        .await?
                        .map(|(order_id, _)| order_id);
                    for event in &update.events {
                        self.store.add_tracking_event(order_id, event).await?;
                    }
                    let changed = parcel.status != Some(update.status);
                    if changed && update.status != TrackingStatus::Unknown {
                        pushes.push(Job::PushStatus {
                            shipment_id: parcel.shipment_id,
                        });
                    }
                    let changed_at = if changed { now } else { parcel.changed_at };
                    (Some(update.status), changed_at)
                }
            };
            let next = next_poll(status, now - changed_at).map(|wait| now + wait);
            self.store
                .record_parcel_check(parcel.shipment_id, status, changed_at, next)
                .await?;
            tracing::info!(
                carrier = carrier_code,
                shipment = parcel.shipment_id,
                ?status,
                "tracked"
            );
        }
        self.queue.push_many(pushes).await?;
        Ok(())
    }

    pub(crate) async fn push_status(&self, shipment_id: i64) -> Result<(), StepError> {
        let (order, shipment) = self.shipment_and_order(shipment_id).await?;
        let Some(parcel) = self.store.parcels(&[shipment_id]).await?.pop() else {
            return Err(StepError::Missing(format!(
                "shipment {shipment_id} is not tracked"
            )));
        };
        let Some(status) = parcel.status else {
            return Ok(());
        };
        let fulfillment_key = fulfillment_key(&order, &shipment);
        let Some(fulfillment) = self.store.effect_ref(&fulfillment_key).await? else {
            // The status will be current when the fulfillment goes out; nothing to add.
            return Ok(());
        };
        let key = format!("status:{fulfillment_key}:{}", status_text(status));
        if let Effect::Done(_) = self.store.begin_effect(&key, "status").await? {
            return Ok(());
        }
        let storefront = self.storefront(&order)?;
        let update = TrackingUpdate {
            tracking_number: shipment.tracking_number.clone(),
            status,
            events: self
                .store
                .tracking_events(&shipment.tracking_number)
                .await?,
            estimated_delivery: None,
        };
        let remote = match storefront
            .push_status(&order, &fulfillment, &update)
            .await?
        {
            StatusPush::Recorded(id) => id,
            StatusPush::Unsupported => "unsupported".to_string(),
        };
        self.store.complete_effect(&key, &remote).await?;
        Ok(())
    }
}

/// Why a pushed tracking answer was not applied.
#[derive(Debug, thiserror::Error)]
pub enum PushedTrackingError {
    /// The body is not a tracking answer of that API: the sender should not retry.
    #[error("{0}")]
    Unreadable(String),
    /// The store or queue failed: the sender should retry.
    #[error("{0}")]
    Store(String),
}

impl Pipeline {
    /// Applies a tracking answer a carrier pushed (`api` names its parser, `code` its
    /// carrier): parsed like a polled answer, then applied to every watched parcel with
    /// those numbers. Returns how many parcels it touched.
    pub async fn apply_pushed_tracking(
        &self,
        api: &str,
        code: &str,
        body: &[u8],
    ) -> Result<usize, PushedTrackingError> {
        let updates = self
            .registry
            .parse_tracking(api, body, None)
            .map_err(|e| PushedTrackingError::Unreadable(e.to_string()))?;
        let mut parcels = Vec::new();
        for update in &updates {
            parcels.extend(
                self.store
                    .parcels_by_number(code, &update.tracking_number)
                    .await
                    .map_err(|e| PushedTrackingError::Store(e.to_string()))?,
            );
        }
        self.apply_tracking(code, &parcels, &updates)
            .await
            .map_err(|e| PushedTrackingError::Store(e.to_string()))?;
        Ok(parcels.len())
    }
}

fn status_text(status: TrackingStatus) -> String {
    serde_json::to_value(status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{status:?}"))
}
