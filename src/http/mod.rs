//! The host's HTTP door: the webhook receivers remote systems call, and the probes and
//! metrics operators' tooling reads. Every route answers fast and leaves the work to
//! jobs, because senders time out within seconds (Shopify: 5 s) and retry what they
//! think failed.

mod carrier_webhooks;
mod health;
mod metrics;
mod webhooks;

use crate::connectors::Connectors;
use crate::pipeline::Pipeline;
use crate::queue::Queue;
use crate::store::Store;
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;

/// What the routes need: where to record, where to enqueue, whom to check against.
#[derive(Clone)]
pub struct HttpState {
    /// The store (webhook receipts, order status).
    pub store: Store,
    /// The queue the work goes to.
    pub queue: Queue,
    /// The connectors, for their webhook secrets.
    pub connectors: Arc<Connectors>,
    /// The pipeline, for what a webhook applies at once (carrier statuses).
    pub pipeline: Arc<Pipeline>,
}

/// The router: `POST /webhooks/shopify/{connector_id}`,
/// `POST /webhooks/douyin/{connector_id}`, `POST /webhooks/carriers/{tracking_api}`,
/// and `GET /healthz`, `GET /readyz` and `GET /metrics`.
pub fn router(state: HttpState) -> Router {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::metrics))
        .route("/webhooks/shopify/{connector_id}", post(webhooks::shopify))
        .route("/webhooks/douyin/{connector_id}", post(webhooks::douyin))
        .route("/webhooks/carriers/{api}", post(carrier_webhooks::receive))
        .with_state(state)
}
