//! `PullOrders`: one page from a source; raw orders stored, then one `Normalize` job
//! each, then the cursor saved. A crash between those steps re-pulls the page, which is
//! harmless: raw payloads are keyed by hash and orders are upserted.
//!
//! `FetchOrder` reads one order a webhook named and takes the same path, without cursor.

use super::error::StepError;
use super::handler::Pipeline;
use super::stats::PipelineStats;
use crate::queue::Job;
use crate::store::NewQuarantine;
use shipgate_sdk::{ConnectorError, Page};

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
        let page = self
            .remote_page(connector_id, source.pull(&cursor).await)
            .await?;
        let mut jobs = self.keep_page(connector_id, &page).await?;
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

    pub(crate) async fn fetch(
        &self,
        connector_id: &str,
        external_id: &str,
    ) -> Result<(), StepError> {
        let source = self.source(connector_id)?;
        let page = self
            .remote_page(connector_id, source.fetch(external_id).await)
            .await?;
        if page.orders.is_empty() && page.rejected.is_empty() {
            return Err(StepError::Connector(ConnectorError::NotFound(format!(
                "order {external_id} of {connector_id}"
            ))));
        }
        let jobs = self.keep_page(connector_id, &page).await?;
        self.queue.push_many(jobs).await?;
        tracing::info!(connector = connector_id, "fetched one order");
        Ok(())
    }

    /// A page as the remote answered, with an answer of the wrong shape quarantined whole.
    async fn remote_page(
        &self,
        connector_id: &str,
        answer: Result<Page, ConnectorError>,
    ) -> Result<Page, StepError> {
        match answer {
            Ok(page) => Ok(page),
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
                Err(ConnectorError::UnexpectedShape {
                    reason,
                    raw: Vec::new(),
                }
                .into())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Stores a page's raw orders and quarantines its rejected records; the `Normalize`
    /// jobs to enqueue come back.
    async fn keep_page(&self, connector_id: &str, page: &Page) -> Result<Vec<Job>, StepError> {
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
        for rejected in &page.rejected {
            self.quarantine(NewQuarantine {
                connector_id: connector_id.to_string(),
                kind: "page".into(),
                input: rejected.raw.clone(),
                location: rejected.location.clone(),
                reason: rejected.reason.clone(),
                raw_hash: None,
            })
            .await?;
        }
        PipelineStats::add(&self.stats.pulled, page.orders.len() as u64);
        Ok(jobs)
    }
}
