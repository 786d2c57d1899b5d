//! `PullOrders`: one page from a source; raw orders stored, then one `Normalize` job
//! each, then the cursor saved. A crash between those steps re-pulls the page, which is
//! harmless: raw payloads are keyed by hash and orders are upserted.

use super::error::StepError;
use super::handler::Pipeline;
use super::stats::PipelineStats;
use crate::queue::Job;
use crate::store::NewQuarantine;
use shipgate_sdk::ConnectorError;

impl Pipeline {
    pub(crate) async fn pull(&self, connector_id: &str) -> Result<(), StepError> {
        let source = self.source(connector_id)?;
        let lock = self.pull_lock(connector_id);
        let _held = lock.lock().await;
        let cursor = self
            .store
            .load_cursor(connector_id)
            .await?
            .unwrap_or_default();
        let page = match source.pull(&cursor).await {
            Ok(page) => page,
            Err(ConnectorError::UnexpectedShape { reason, raw }) => {
                self.quarantine(NewQuarantine {
                    connector_id: connector_id.to_string(),
                    kind: "page".into(),
                    input: raw,
                    location: "response body".into(),
                    reason: reason.clone(),
                    raw_hash: None,
                })
                .await?;
                return Err(ConnectorError::UnexpectedShape {
                    reason,
                    raw: Vec::new(),
                }
                .into());
            }
            Err(e) => return Err(e.into()),
        };
        let mut jobs = Vec::with_capacity(page.orders.len() + 1);
        for raw in &page.orders {
            let raw_hash = self
                .store
                .put_raw(connector_id, &raw.content_type, &raw.body)
                .await?;
            jobs.push(Job::Normalize {
                connector_id: connector_id.to_string(),
                raw_hash,
            });
        }
        for rejected in page.rejected {
            self.quarantine(NewQuarantine {
                connector_id: connector_id.to_string(),
                kind: "page".into(),
                input: rejected.raw,
                location: rejected.location,
                reason: rejected.reason,
                raw_hash: None,
            })
            .await?;
        }
        PipelineStats::add(&self.stats.pulled, page.orders.len() as u64);
        if page.has_more {
            jobs.push(Job::PullOrders {
                connector_id: connector_id.to_string(),
            });
        }
        self.queue.push_many(jobs).await?;
        self.store.save_cursor(connector_id, &page.next).await?;
        tracing::info!(
            connector = connector_id,
            orders = page.orders.len(),
            more = page.has_more,
            "pulled a page"
        );
        Ok(())
    }
}
