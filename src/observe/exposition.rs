//! The `/metrics` document: the queue's job metrics, the queue depth and the pipeline
//! counters, written in the OpenMetrics text format.

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use super::jobs::JobMetrics;
use crate::pipeline::StatsSnapshot;

/// The content type of [`render`]'s text, as Prometheus expects it for OpenMetrics.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// What one scrape shows: live job metrics plus values read at scrape time.
#[derive(Debug)]
pub struct Exposition<'a> {
    /// The queue's job metrics.
    pub jobs: &'a JobMetrics,
    /// Jobs not yet finished, or `None` when the queue could not say (the gauge is then
    /// left out rather than shown as a false zero).
    pub queue_depth: Option<u64>,
    /// The pipeline's counters.
    pub pipeline: StatsSnapshot,
}

/// Writes `what` as OpenMetrics text. A registry is built per scrape: the job families
/// are shared handles, and the other values are read just before.
pub fn render(what: &Exposition<'_>) -> String {
    let mut registry = Registry::with_prefix("shipgate");
    registry.register(
        "jobs",
        "Job attempts settled, by job kind and outcome (succeeded, retried, dead)",
        what.jobs.settled.clone(),
    );
    registry.register(
        "job_duration_seconds",
        "How long job attempts ran, by job kind",
        what.jobs.duration.clone(),
    );
    if let Some(depth) = what.queue_depth {
        let gauge = Gauge::<i64>::default();
        gauge.set(i64::try_from(depth).unwrap_or(i64::MAX));
        registry.register(
            "queue_depth",
            "Jobs not yet finished: queued, scheduled for later, or running",
            gauge,
        );
    }
    let p = what.pipeline;
    let counters = [
        ("orders_pulled", "Raw orders pulled from sources", p.pulled),
        (
            "orders_normalized",
            "Orders normalized and stored",
            p.normalized,
        ),
        (
            "inputs_quarantined",
            "Inputs sent to quarantine by jobs",
            p.quarantined,
        ),
        (
            "fulfillments_pushed",
            "Fulfillments created on storefronts",
            p.pushed,
        ),
        (
            "duplicates_prevented_ledger",
            "Pushes skipped because the ledger showed them done",
            p.duplicates_prevented_ledger,
        ),
        (
            "duplicates_prevented_remote",
            "Pushes skipped because the storefront already had the fulfillment",
            p.duplicates_prevented_remote,
        ),
        (
            "pushes_skipped_cancelled",
            "Pushes not made because the order was cancelled meanwhile",
            p.skipped_cancelled,
        ),
    ];
    for (name, help, value) in counters {
        registry.register(name, help, ConstCounter::new(value));
    }
    let mut text = String::new();
    // Writing to a String cannot fail; an error here would be an encoder bug.
    if let Err(err) = encode(&mut text, &registry) {
        tracing::error!(%err, "encoding metrics failed");
    }
    text
}
