//! What the demo did, checked against what the sandbox shop received.

use super::supplier_file::SupplierFile;
use shipgate::host::Host;
use shipgate::pipeline::tracking_import::ImportReport;
use shipgate::pipeline::StatsSnapshot;
use shipgate::queue::RunStats;
use shipgate_sdk::model::Order;
use shipgate_shopify::sandbox::ShopifySandbox;
use std::collections::HashMap;
use std::time::Duration;

/// Job counts added up over several queue runs.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct JobTotals {
    succeeded: u64,
    retried: u64,
    dead: u64,
}

impl std::ops::AddAssign<RunStats> for JobTotals {
    fn add_assign(&mut self, run: RunStats) {
        self.succeeded += run.succeeded;
        self.retried += run.retried;
        self.dead += run.dead;
    }
}

pub(super) struct Summary {
    stats: StatsSnapshot,
    jobs: JobTotals,
    to_ship: usize,
    exactly_once: usize,
    missing: Vec<String>,
    doubled: Vec<String>,
    unexpected: usize,
    fulfillments: usize,
    corrupted_quarantined: bool,
    quarantine: Vec<(String, u64)>,
    import: ImportReport,
    resent: ImportReport,
    file_bad_rows: usize,
    file_unknown: usize,
    file_repeated: usize,
    replayed: u64,
    dead_listed: usize,
    shop_requests: usize,
}

impl Summary {
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn collect(
        host: &Host,
        sandbox: &ShopifySandbox,
        to_ship: &[(String, Order)],
        corrupted: &str,
        file: &SupplierFile,
        import: &ImportReport,
        resent: &ImportReport,
        replayed: u64,
        jobs: JobTotals,
    ) -> anyhow::Result<Self> {
        let received = sandbox.fulfillments();
        let mut per_order: HashMap<&str, Vec<&str>> = HashMap::new();
        for f in &received {
            per_order
                .entry(f.order_id.as_str())
                .or_default()
                .push(f.fulfillment_id.as_str());
        }
        for ids in per_order.values_mut() {
            ids.sort_unstable();
            ids.dedup();
        }
        let (mut exactly_once, mut missing, mut doubled) = (0, Vec::new(), Vec::new());
        for (name, order) in to_ship {
            match per_order
                .get(order.source.external_id.as_str())
                .map(Vec::len)
                .unwrap_or(0)
            {
                1 => exactly_once += 1,
                0 => missing.push(name.clone()),
                _ => doubled.push(name.clone()),
            }
        }
        let shipped: std::collections::HashSet<&str> = to_ship
            .iter()
            .map(|(_, o)| o.source.external_id.as_str())
            .collect();
        let unexpected = per_order.keys().filter(|id| !shipped.contains(*id)).count();
        let quarantine = host.store.quarantine_counts().await?;
        let corrupted_quarantined = host
            .store
            .list_quarantine(None, 1000)
            .await?
            .iter()
            .any(|q| q.kind == "order" && String::from_utf8_lossy(&q.input).contains(corrupted));
        Ok(Self {
            stats: host.pipeline.stats().snapshot(),
            jobs,
            to_ship: to_ship.len(),
            exactly_once,
            missing,
            doubled,
            unexpected,
            fulfillments: per_order.values().map(Vec::len).sum(),
            corrupted_quarantined,
            quarantine,
            import: import.clone(),
            resent: resent.clone(),
            file_bad_rows: file.bad_rows,
            file_unknown: file.unknown_orders,
            file_repeated: file.repeated_rows,
            replayed,
            dead_listed: host.store.list_dead(1000).await?.len(),
            shop_requests: sandbox.requests(),
        })
    }

    /// Every order to ship got exactly one fulfillment, nothing else got one, nothing
    /// died, and every planted bad input was caught.
    pub(super) fn verified(&self) -> bool {
        self.exactly_once == self.to_ship
            && self.unexpected == 0
            && self.jobs.dead == 0
            && self.dead_listed == 0
            && self.corrupted_quarantined
            && self.import.bad_rows == self.file_bad_rows as u64
            && self.import.unmatched == self.file_unknown as u64
            && self.import.duplicate_rows == self.file_repeated as u64
            && self.resent.shipments_created == 0
    }

    pub(super) fn print(&self, orders: usize, elapsed: Duration) {
        let s = &self.stats;
        println!(
            "shipgate demo — {orders} Shopify sandbox orders + 1 malformed, {:.1} s",
            elapsed.as_secs_f64()
        );
        println!();
        println!(
            "  pulled          {:>6}  order nodes over GraphQL pages ({} shop requests)",
            s.pulled, self.shop_requests
        );
        println!(
            "  normalized      {:>6}  canonical orders stored",
            s.normalized
        );
        println!(
            "  to ship         {:>6}  (cancelled orders excluded)",
            self.to_ship
        );
        println!(
            "  supplier rows   {:>6}  read from the drop folder",
            self.import.rows
        );
        println!(
            "  shipments       {:>6}  matched and queued for push-back",
            self.import.shipments_created
        );
        println!(
            "  pushed          {:>6}  fulfillments created by the pipeline",
            s.pushed
        );
        println!();
        println!("  duplicates prevented");
        println!(
            "    repeated supplier rows      {:>6}",
            self.import.duplicate_rows
        );
        println!(
            "    re-sent supplier file rows  {:>6}",
            self.resent.duplicate_rows
        );
        println!(
            "    replayed push jobs (ledger) {:>6} of {} replayed",
            s.duplicates_prevented_ledger, self.replayed
        );
        println!(
            "    crashed-worker pushes found {:>6}  (already on the shop)",
            s.duplicates_prevented_remote
        );
        println!();
        println!("  quarantined (open)");
        for (reason, count) in &self.quarantine {
            println!("    {count:>4}  {reason}");
        }
        println!();
        println!(
            "  jobs            {} done, {} retried, {} dead",
            self.jobs.succeeded, self.jobs.retried, self.jobs.dead
        );
        println!(
            "  shop received   {} fulfillments; {} of {} orders exactly once, {} missing, {} twice or more, {} unexpected",
            self.fulfillments,
            self.exactly_once,
            self.to_ship,
            self.missing.len(),
            self.doubled.len(),
            self.unexpected
        );
        if !self.missing.is_empty() {
            println!(
                "    missing: {}",
                self.missing
                    .iter()
                    .take(10)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        if !self.doubled.is_empty() {
            println!(
                "    twice: {}",
                self.doubled
                    .iter()
                    .take(10)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        println!();
        if self.verified() {
            println!("OK: every order got exactly one fulfillment");
        } else {
            println!("FAILED: see the counts above");
        }
    }
}
