//! `Normalize`: a stored raw payload becomes a canonical order, or goes to quarantine
//! with the place and reason. A mapping failure is not retried: the same bytes will fail
//! the same way until the mapping is fixed, then the quarantine entry is replayed.

use super::error::StepError;
use super::handler::Pipeline;
use super::stats::PipelineStats;
use crate::queue::Job;
use crate::store::{NewQuarantine, UpsertOutcome};
use shipgate_sdk::model::OrderStatus;
use shipgate_sdk::RawOrder;

impl Pipeline {
    pub(crate) async fn normalize(
        &self,
        connector_id: &str,
        raw_hash: &str,
    ) -> Result<(), StepError> {
        let source = self.source(connector_id)?;
        let stored = self.store.get_raw(raw_hash).await?.ok_or_else(|| {
            StepError::Missing(format!("raw payload {raw_hash} is not in the store"))
        })?;
        let body = stored.body.unwrap_or_default();
        let raw = RawOrder {
            external_id: None,
            content_type: stored.content_type,
            body,
        };
        match source.normalize(&raw) {
            Ok(order) => {
                let upsert = self.store.upsert_order_audited(&order, "pipeline").await?;
                PipelineStats::add(&self.stats.normalized, 1);
                // A new open order of a merchant with a routing plan (a 3PL's client) is
                // routed at once; other merchants ship through their suppliers' files.
                if upsert.outcome == UpsertOutcome::Created
                    && order.status == OrderStatus::Open
                    && self.routing.plan_for(&order.merchant).is_some()
                {
                    self.queue
                        .push(Job::Route {
                            order_id: upsert.id,
                        })
                        .await?;
                }
                Ok(())
            }
            Err(err) => {
                self.quarantine(NewQuarantine {
                    connector_id: connector_id.to_string(),
                    kind: "order".into(),
                    location: err.location(),
                    reason: err.to_string(),
                    input: raw.body,
                    raw_hash: Some(raw_hash.to_string()),
                })
                .await
            }
        }
    }
}
