//! The jobs of the pipeline and the envelope the queue carries each one in.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ulid::Ulid;

/// One step of the pipeline (DESIGN.md, "The way an order travels"). Stored as a tagged
/// object (`{"kind":"pull_orders","connector_id":"shop-1"}`) so a queued or dead job stays
/// readable by a human and by `shipgate jobs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Job {
    /// Fetch the next page of orders from a source and store the raw payloads.
    PullOrders {
        /// The configured connector to pull from.
        connector_id: String,
    },
    /// Read one order a webhook or notification said changed, then store and normalize it
    /// like a pulled one.
    FetchOrder {
        /// The configured connector the order belongs to.
        connector_id: String,
        /// The remote's id of the order.
        external_id: String,
    },
    /// Turn one stored raw payload into a canonical order.
    Normalize {
        /// The connector whose mapping applies.
        connector_id: String,
        /// The content hash keying the raw payload in the store.
        raw_hash: String,
    },
    /// Decide where an order ships from and with which carrier and service.
    Route {
        /// The order, by store id.
        order_id: Ulid,
    },
    /// Buy the routed shipment's label from its carrier, once.
    Book {
        /// The order, by store id.
        order_id: Ulid,
    },
    /// Hand out the parcels due for a tracking poll as `Track` batches, one carrier each.
    TrackDue,
    /// Ask one carrier about a batch of parcels; each status change is stored and pushed.
    Track {
        /// The parcels, by shipment id; all with the same carrier.
        shipment_ids: Vec<i64>,
    },
    /// Tell the storefront a parcel's new status.
    PushStatus {
        /// The shipment whose parcel changed.
        shipment_id: i64,
    },
    /// Tell the storefront an order shipped (fulfillment, tracking number).
    PushBack {
        /// The shipment to report, by store id.
        shipment_id: i64,
    },
}

impl Job {
    /// The job's kind as stored (`pull_orders`, `track`, `push_back`…), for logs,
    /// metrics labels and the dead list.
    pub fn kind(&self) -> &'static str {
        match self {
            Job::PullOrders { .. } => "pull_orders",
            Job::FetchOrder { .. } => "fetch_order",
            Job::Route { .. } => "route",
            Job::Book { .. } => "book",
            Job::TrackDue => "track_due",
            Job::Track { .. } => "track",
            Job::PushStatus { .. } => "push_status",
            Job::Normalize { .. } => "normalize",
            Job::PushBack { .. } => "push_back",
        }
    }

    /// The ids this job is about, for its log span: every log line of the job can be
    /// found by them. Ids only: a job carries no buyer data to leak.
    pub(crate) fn log_ids(&self) -> JobIds<'_> {
        let mut ids = JobIds::default();
        match self {
            Job::PullOrders { connector_id } | Job::Normalize { connector_id, .. } => {
                ids.connector = Some(connector_id);
            }
            Job::FetchOrder {
                connector_id,
                external_id,
            } => {
                ids.connector = Some(connector_id);
                ids.order = Some(external_id.clone());
            }
            Job::Route { order_id } | Job::Book { order_id } => {
                ids.order = Some(order_id.to_string());
            }
            Job::PushStatus { shipment_id } | Job::PushBack { shipment_id } => {
                ids.shipment = Some(*shipment_id);
            }
            Job::TrackDue | Job::Track { .. } => {}
        }
        ids
    }
}

/// The connector, order and shipment a job is about, each when it has one.
#[derive(Debug, Default)]
pub(crate) struct JobIds<'a> {
    pub(crate) connector: Option<&'a str>,
    pub(crate) order: Option<String>,
    pub(crate) shipment: Option<i64>,
}

/// A job as the queue carries it: the same `id` across all its attempts (so logs, the
/// dead list and idempotency keys tie the attempts together) and the attempt number our
/// retry policy counts, since the backend's own counter is not trusted (DESIGN.md, apalis
/// sharp edge 5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// Stable id of the job, shared by every attempt.
    pub id: Ulid,
    /// What to do.
    pub job: Job,
    /// 1 for the first run, incremented by each retry.
    pub attempt: u32,
    /// When this attempt was put on the queue (a retry gets a new time), so a handler
    /// can measure how long it waited.
    pub enqueued_at: DateTime<Utc>,
}

impl Envelope {
    /// The first attempt of a new job.
    pub(crate) fn first(job: Job) -> Self {
        Self {
            id: Ulid::new(),
            job,
            attempt: 1,
            enqueued_at: Utc::now(),
        }
    }

    /// The envelope of the next attempt of the same job.
    pub(crate) fn next_attempt(&self) -> Self {
        Self {
            id: self.id,
            job: self.job.clone(),
            attempt: self.attempt.saturating_add(1),
            enqueued_at: Utc::now(),
        }
    }

    /// The key under which this attempt is stored: pushing the same attempt twice (a
    /// worker crashed after scheduling a retry but before completing its task, and the
    /// task ran again) stores it once.
    pub(crate) fn idempotency_key(&self) -> String {
        format!("{}:{}", self.id, self.attempt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_serialize_as_tagged_snake_case() {
        let job = Job::Normalize {
            connector_id: "shop-1".into(),
            raw_hash: "ab12".into(),
        };
        let json = serde_json::to_value(&job).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"kind": "normalize", "connector_id": "shop-1", "raw_hash": "ab12"})
        );
        assert_eq!(job.kind(), "normalize");
        let back: Job = serde_json::from_value(json).unwrap();
        assert_eq!(back, job);
    }

    #[test]
    fn next_attempt_keeps_the_id_and_counts_up() {
        let first = Envelope::first(Job::PushBack { shipment_id: 7 });
        let second = first.next_attempt();
        assert_eq!(first.attempt, 1);
        assert_eq!(second.attempt, 2);
        assert_eq!(second.id, first.id);
        assert_ne!(first.idempotency_key(), second.idempotency_key());
    }
}
