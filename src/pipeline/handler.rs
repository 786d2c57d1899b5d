//! The job handler the queue's workers call.

use super::error::StepError;
use super::stats::PipelineStats;
use crate::connectors::Connectors;
use crate::queue::{Envelope, Job, JobError, JobHandler, Queue};
use crate::routing::RoutingRules;
use crate::store::{NewQuarantine, Store};
use shipgate_carriers::Registry;
use shipgate_sdk::model::{Order, Shipment};
use shipgate_sdk::{Source, Storefront};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use ulid::Ulid;

/// Everything a job needs: the store, the queue for follow-up jobs, the connectors.
pub struct Pipeline {
    pub(crate) store: Store,
    pub(crate) queue: Queue,
    pub(crate) connectors: Arc<Connectors>,
    pub(crate) stats: Arc<PipelineStats>,
    /// Carrier names, codes and number formats.
    pub(crate) registry: Arc<Registry>,
    /// Locations and carrier rules per merchant.
    pub(crate) routing: Arc<RoutingRules>,
    /// One pull at a time per connector in this process, so two pulls never race on
    /// the same cursor.
    pull_locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl Pipeline {
    /// Builds the handler.
    pub fn new(
        store: Store,
        queue: Queue,
        connectors: Arc<Connectors>,
        registry: Arc<Registry>,
        routing: Arc<RoutingRules>,
    ) -> Self {
        Self {
            registry,
            routing,
            store,
            queue,
            connectors,
            stats: Arc::default(),
            pull_locks: Mutex::default(),
        }
    }

    /// The carrier registry the pipeline resolves names with.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The counters, for summaries.
    pub fn stats(&self) -> &Arc<PipelineStats> {
        &self.stats
    }

    pub(crate) fn pull_lock(&self, connector_id: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self
            .pull_locks
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        locks.entry(connector_id.to_string()).or_default().clone()
    }

    /// The source connector a job names, or why it has none.
    pub(crate) fn source(&self, connector_id: &str) -> Result<Arc<dyn Source>, StepError> {
        self.connectors
            .source(connector_id)
            .cloned()
            .ok_or_else(|| {
                StepError::Missing(format!(
                    "no source connector {connector_id:?} is configured"
                ))
            })
    }

    /// The storefront an order came from, or why it has none.
    pub(crate) fn storefront(&self, order: &Order) -> Result<Arc<dyn Storefront>, StepError> {
        let connector_id = &order.source.connector_id;
        self.connectors
            .storefront(connector_id)
            .cloned()
            .ok_or_else(|| {
                StepError::Missing(format!(
                    "no storefront connector {connector_id:?} is configured"
                ))
            })
    }

    /// The order a job names, or why it is gone.
    pub(crate) async fn order(&self, order_id: Ulid) -> Result<Order, StepError> {
        self.store
            .get_order(order_id)
            .await?
            .ok_or_else(|| StepError::Missing(format!("order {order_id} does not exist")))
    }

    /// A shipment a job names, with its order, or which of the two is gone.
    pub(crate) async fn shipment_and_order(
        &self,
        shipment_id: i64,
    ) -> Result<(Order, Shipment), StepError> {
        let (order_id, shipment) =
            self.store.get_shipment(shipment_id).await?.ok_or_else(|| {
                StepError::Missing(format!("shipment {shipment_id} does not exist"))
            })?;
        let order = self.store.get_order(order_id).await?.ok_or_else(|| {
            StepError::Missing(format!(
                "order {order_id} of shipment {shipment_id} does not exist"
            ))
        })?;
        Ok((order, shipment))
    }

    /// Files an input that cannot be used, and counts it.
    pub(crate) async fn quarantine(&self, item: NewQuarantine) -> Result<(), StepError> {
        // The reason can quote a field value (a buyer's address line): it stays in the store,
        // the log gets only where it happened.
        tracing::warn!(connector = %item.connector_id, kind = %item.kind, location = %item.location, "quarantined");
        self.store.quarantine(&item).await?;
        PipelineStats::add(&self.stats.quarantined, 1);
        Ok(())
    }
}

#[async_trait::async_trait]
impl JobHandler for Pipeline {
    async fn handle(&self, envelope: &Envelope) -> Result<(), JobError> {
        let result = match &envelope.job {
            Job::PullOrders { connector_id } => self.pull(connector_id).await,
            Job::FetchOrder {
                connector_id,
                external_id,
            } => self.fetch(connector_id, external_id).await,
            Job::Normalize {
                connector_id,
                raw_hash,
            } => self.normalize(connector_id, raw_hash).await,
            Job::PushBack { shipment_id } => self.push_back(*shipment_id).await,
            Job::Route { order_id } => self.route(*order_id).await,
            Job::Book { order_id } => self.book(*order_id).await,
            Job::TrackDue => self.track_due().await,
            Job::Track { shipment_ids } => self.track(shipment_ids).await,
            Job::PushStatus { shipment_id } => self.push_status(*shipment_id).await,
        };
        result.map_err(JobError::from)
    }
}
