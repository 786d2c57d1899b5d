//! What shipgate tells its operators about itself: the job metrics the queue records
//! and the Prometheus exposition `/metrics` serves.
//!
//! The registry is `prometheus-client`, the Prometheus project's own Rust client: it is
//! maintained under the `prometheus` organisation, has no RustSec advisory, adds three
//! small crates, and keeps its metrics in values we own rather than in a process-wide
//! recorder (the `metrics` facade's model), so each queue handle, and each test, counts
//! for itself. It writes the OpenMetrics text format, which Prometheus asks for first
//! when it scrapes.

mod exposition;
mod jobs;

pub use exposition::{render, Exposition, CONTENT_TYPE};
pub use jobs::{JobMetrics, Outcome};
