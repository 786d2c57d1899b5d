//! `/metrics`: the Prometheus scrape target. The queue depth is read at scrape time, so
//! a scrape costs one small query to the queue's store, bounded by a timeout.

use std::time::Duration;

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;

use super::HttpState;
use crate::observe::{self, Exposition};

/// How long a scrape waits for the queue depth before leaving it out.
const DEPTH_TIMEOUT: Duration = Duration::from_secs(2);

/// The exposition; without the queue depth when the queue does not answer in time, so a
/// queue outage still leaves the other metrics visible.
pub(super) async fn metrics(State(state): State<HttpState>) -> impl IntoResponse {
    let queue_depth = match tokio::time::timeout(DEPTH_TIMEOUT, state.queue.pending()).await {
        Ok(Ok(depth)) => Some(depth),
        Ok(Err(err)) => {
            tracing::warn!(%err, "queue depth unavailable for /metrics");
            None
        }
        Err(_) => {
            tracing::warn!("queue depth timed out for /metrics");
            None
        }
    };
    let text = observe::render(&Exposition {
        jobs: state.queue.job_metrics(),
        queue_depth,
        pipeline: state.pipeline.stats().snapshot(),
    });
    ([(CONTENT_TYPE, observe::CONTENT_TYPE)], text)
}
