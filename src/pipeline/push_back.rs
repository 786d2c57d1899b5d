//! `PushBack`: a shipment's tracking goes to the storefront its order came from, once.
//!
//! The effects ledger records the intent before the call and the remote reference after.
//! A ledger entry already done ends the job at once; one that was begun but never
//! completed (a worker died mid-call) is handed to the storefront, which looks for an
//! existing fulfillment with the same tracking number before creating one. An order
//! cancelled since the shipment was recorded is not pushed at all, and a push the
//! storefront refuses as such (Douyin has no code for the carrier) goes to quarantine
//! with the storefront's reason, to be replayed once the mapping is fixed.

use super::carriers;
use super::error::StepError;
use super::handler::Pipeline;
use super::stats::PipelineStats;
use crate::store::{Effect, NewQuarantine};
use serde::{Deserialize, Serialize};
use shipgate_sdk::model::{Order, OrderStatus, Shipment};
use shipgate_sdk::ConnectorError;

/// The quarantine kind of a push the storefront refused.
pub(crate) const PUSH_KIND: &str = "push";

/// What a refused push keeps in quarantine: enough to read why, and the shipment to push
/// again on replay.
#[derive(Serialize)]
struct PushInput<'a> {
    shipment_id: i64,
    order_external_id: &'a str,
    shipment: &'a Shipment,
}

/// The part of [`PushInput`] a replay needs.
#[derive(Deserialize)]
pub(crate) struct PushReplay {
    pub(crate) shipment_id: i64,
}

/// The effects-ledger key of a fulfillment: one per (shop, order, tracking number), the
/// unit Shopify and the others must never receive twice.
pub fn fulfillment_key(order: &Order, shipment: &Shipment) -> String {
    format!(
        "fulfillment:{}:{}:{}",
        order.source.connector_id, order.source.external_id, shipment.tracking_number
    )
}

impl Pipeline {
    pub(crate) async fn push_back(&self, shipment_id: i64) -> Result<(), StepError> {
        let (order, shipment) = self.shipment_and_order(shipment_id).await?;
        let order_id = order.id;
        if order.status == OrderStatus::Cancelled {
            tracing::info!(%order_id, "order cancelled; its tracking is not pushed");
            PipelineStats::add(&self.stats.skipped_cancelled, 1);
            return Ok(());
        }
        let connector_id = &order.source.connector_id;
        let storefront = self.storefront(&order)?;
        let key = fulfillment_key(&order, &shipment);
        if let Effect::Done(remote) = self.store.begin_effect(&key, "fulfillment").await? {
            tracing::info!(%order_id, remote = %remote, "fulfillment already pushed; skipped");
            PipelineStats::add(&self.stats.duplicates_prevented_ledger, 1);
            return Ok(());
        }
        let spelled = carriers::for_storefront(&self.registry, &order, &shipment);
        let remote = match storefront.push_fulfillment(&order, &spelled).await {
            Ok(remote) => remote,
            Err(ConnectorError::Rejected { message, .. }) => {
                // The storefront refuses this push as it stands (a carrier it cannot
                // name, an order it will not ship): retrying cannot help, a fix can, so
                // it waits in quarantine to be replayed instead of dying in the queue.
                let input = serde_json::to_vec(&PushInput {
                    shipment_id,
                    order_external_id: &order.source.external_id,
                    shipment: &spelled,
                })
                .unwrap_or_default();
                self.quarantine(NewQuarantine {
                    connector_id: connector_id.clone(),
                    kind: PUSH_KIND.into(),
                    input,
                    location: format!("shipment {shipment_id}"),
                    reason: message,
                    raw_hash: None,
                })
                .await?;
                return Ok(());
            }
            Err(e) => return Err(e.into()),
        };
        self.store.complete_effect(&key, &remote.id).await?;
        if remote.already_existed {
            PipelineStats::add(&self.stats.duplicates_prevented_remote, 1);
        } else {
            PipelineStats::add(&self.stats.pushed, 1);
        }
        self.store
            .set_order_status(order_id, OrderStatus::Fulfilled)
            .await?;
        // From here on the parcel's statuses follow the fulfillment, when its carrier
        // has an adapter that tracks.
        if let Some(code) = shipment.carrier.code.as_deref() {
            if self
                .connectors
                .carrier(code)
                .is_some_and(|c| c.info().capabilities.track)
            {
                self.store
                    .watch_parcel(
                        shipment_id,
                        code,
                        &shipment.tracking_number,
                        chrono::Utc::now(),
                    )
                    .await?;
            }
        }
        tracing::info!(%order_id, remote = %remote.id, carrier = %shipment.carrier.name, "fulfillment pushed");
        Ok(())
    }
}
