//! Counts and durations of job attempts by job kind, recorded where the queue settles
//! each attempt. Labels are the job's kind and the attempt's outcome only: never an
//! order, a connector's customer or anything else a person could be found by.

use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};

/// How an attempt was settled; the `outcome` label of `shipgate_jobs_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The handler succeeded.
    Succeeded,
    /// A transient failure, scheduled for another attempt.
    Retried,
    /// Given up: a permanent failure or retries exhausted.
    Dead,
}

impl Outcome {
    /// The label value, as the queue's `RunStats` fields name the same outcomes.
    fn label(self) -> &'static str {
        match self {
            Outcome::Succeeded => "succeeded",
            Outcome::Retried => "retried",
            Outcome::Dead => "dead",
        }
    }
}

/// Labels of a settled attempt.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub(super) struct Settled {
    kind: &'static str,
    outcome: &'static str,
}

/// Labels of an attempt's duration.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub(super) struct Kind {
    kind: &'static str,
}

/// The job metrics of one queue handle and its clones: cheap to clone, every clone
/// counts into the same families, so workers record and `/metrics` reads one set.
#[derive(Debug, Clone)]
pub struct JobMetrics {
    pub(super) settled: Family<Settled, Counter>,
    pub(super) duration: Family<Kind, Histogram>,
}

impl Default for JobMetrics {
    fn default() -> Self {
        Self {
            settled: Family::default(),
            // 5 ms to ~20 s: a no-op job to a slow remote answering near its timeout.
            duration: Family::new_with_constructor(|| {
                Histogram::new(exponential_buckets(0.005, 2.0, 13))
            }),
        }
    }
}

impl JobMetrics {
    /// Counts one attempt of a job of `kind` settled with `outcome`.
    pub fn count(&self, kind: &'static str, outcome: Outcome) {
        self.settled
            .get_or_create(&Settled {
                kind,
                outcome: outcome.label(),
            })
            .inc();
    }

    /// Records how long the handler ran one attempt of a job of `kind`.
    pub fn time(&self, kind: &'static str, took: Duration) {
        self.duration
            .get_or_create(&Kind { kind })
            .observe(took.as_secs_f64());
    }
}
