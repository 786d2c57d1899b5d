//! Counters of what the pipeline did, for the demo summary and, later, `/metrics`.

use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering};

/// Live counters, shared by every worker.
#[derive(Debug, Default)]
pub struct PipelineStats {
    pub(crate) pulled: AtomicU64,
    pub(crate) normalized: AtomicU64,
    pub(crate) quarantined: AtomicU64,
    pub(crate) pushed: AtomicU64,
    pub(crate) duplicates_prevented_ledger: AtomicU64,
    pub(crate) duplicates_prevented_remote: AtomicU64,
    pub(crate) skipped_cancelled: AtomicU64,
}

/// A point-in-time copy of [`PipelineStats`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StatsSnapshot {
    /// Raw orders pulled from sources.
    pub pulled: u64,
    /// Orders normalized and stored.
    pub normalized: u64,
    /// Inputs sent to quarantine by jobs.
    pub quarantined: u64,
    /// Fulfillments created on storefronts.
    pub pushed: u64,
    /// Pushes skipped because the ledger showed them done.
    pub duplicates_prevented_ledger: u64,
    /// Pushes skipped because the storefront already had the fulfillment.
    pub duplicates_prevented_remote: u64,
    /// Pushes not made because the order was cancelled meanwhile.
    pub skipped_cancelled: u64,
}

impl PipelineStats {
    pub(crate) fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// Reads every counter.
    pub fn snapshot(&self) -> StatsSnapshot {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        StatsSnapshot {
            pulled: get(&self.pulled),
            normalized: get(&self.normalized),
            quarantined: get(&self.quarantined),
            pushed: get(&self.pushed),
            duplicates_prevented_ledger: get(&self.duplicates_prevented_ledger),
            duplicates_prevented_remote: get(&self.duplicates_prevented_remote),
            skipped_cancelled: get(&self.skipped_cancelled),
        }
    }
}
