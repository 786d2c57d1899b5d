//! The pieces of a running shipgate, opened once from the configuration: the store, the
//! queue, the connectors and the pipeline that ties them.

use crate::config::Config;
use crate::connectors::Connectors;
use crate::pipeline::{Pipeline, StoreDeadLetters};
use crate::queue::{Queue, QueueError, RetryPolicy};
use crate::routing::{RoutingRules, RulesError};
use crate::store::{Store, StoreError};
use shipgate_carriers::{Registry, RegistryError};
use std::sync::Arc;
use std::time::Duration;

/// Why the host could not start.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    /// The store could not be opened.
    #[error("store {url}: {source}")]
    Store {
        /// Its URL, password masked.
        url: String,
        /// Why.
        #[source]
        source: StoreError,
    },
    /// The carrier files could not be read.
    #[error("carrier registry {dir}: {}", errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Carriers {
        /// The folder.
        dir: String,
        /// Every file that failed, with where and why.
        errors: Vec<RegistryError>,
    },
    /// A routing plan could not be read.
    #[error("routing plans: {0}")]
    Routing(#[from] RulesError),
    /// The queue could not be opened.
    #[error("queue {url}: {source}")]
    Queue {
        /// Its URL, password masked.
        url: String,
        /// Why.
        #[source]
        source: QueueError,
    },
}

/// A running host's shared parts.
#[derive(Clone)]
pub struct Host {
    /// The store of truth.
    pub store: Store,
    /// The job queue.
    pub queue: Queue,
    /// The job handler.
    pub pipeline: Arc<Pipeline>,
    /// Where dead jobs go.
    pub dead: Arc<StoreDeadLetters>,
}

impl Host {
    /// Opens the store and the queue named in `config`, loads the carrier registry from
    /// `mappings/carriers`, and wires the pipeline to `connectors`.
    pub async fn open(config: &Config, connectors: Connectors) -> Result<Self, HostError> {
        let store = Store::open(&config.store.url)
            .await
            .map_err(|source| HostError::Store {
                url: crate::config::redacted_url(&config.store.url),
                source,
            })?;
        let policy = RetryPolicy {
            max_attempts: config.queue.max_attempts,
            base_delay: Duration::from_millis(config.queue.base_delay_ms),
            max_delay: Duration::from_secs(config.queue.max_delay_secs),
        };
        let mut queue = Queue::open_named(&config.queue.url, &config.queue.name, policy)
            .await
            .map_err(|source| HostError::Queue {
                url: crate::config::redacted_url(&config.queue.url),
                source,
            })?;
        if let Some(secs) = config.queue.keep_finished_secs {
            queue = queue.keep_finished(Duration::from_secs(secs));
        }
        let carriers_dir = config.mappings.dir.join("carriers");
        let registry = Registry::load_dir(&carriers_dir).map_err(|errors| HostError::Carriers {
            dir: carriers_dir.display().to_string(),
            errors,
        })?;
        let routing_dir = config.mappings.dir.join("routing");
        let routing = RoutingRules::load_dir(&routing_dir).map_err(HostError::Routing)?;
        let pipeline = Arc::new(Pipeline::new(
            store.clone(),
            queue.clone(),
            Arc::new(connectors),
            Arc::new(registry),
            Arc::new(routing),
        ));
        let dead = Arc::new(StoreDeadLetters(store.clone()));
        Ok(Self {
            store,
            queue,
            pipeline,
            dead,
        })
    }
}
