//! Crash safety of the Redis queue when Redis itself goes down, checked the way Kafka
//! Connect's system tests check it: every job carries a sequence number, and afterwards
//! no number is missing and no remote effect is duplicated.
//!
//! The test runs a `redis-server` of its own (a free loopback port, a temporary folder,
//! append-only file fsynced on every write, no RDB snapshots), pushes 10,000 jobs
//! (`PushBack` with the sequence number as shipment id) and drains them with in-process
//! workers. Once 3,000 remote effects are done, the server is killed with SIGKILL and
//! started again on the same port and folder, so it reloads its append-only file; the
//! workers must reconnect and finish the run on their own.
//!
//! Each job performs its "remote effect" the way the pipeline's push does
//! (`pipeline::push_back`): the store's effects ledger records the intent under an
//! idempotency key before the call (`begin_effect`) and the remote's reference after it
//! (`complete_effect`), and the remote, as `Storefront::push_fulfillment` must, looks for
//! an existing effect before creating one. A job may run again after the restart (its
//! effect was done but the queue's acknowledgement died with the server); such a rerun
//! must be absorbed by the ledger, which says `Done` and makes no call. A call to the
//! remote repeats only when the ledger was left `Pending` — a run cut off mid-job, since
//! a worker that stops on the broken connection drops the job it was running at whatever
//! await it had reached — and then the remote's own lookup absorbs it. The test counts
//! both and requires exactly one effect created per sequence number.
//!
//! What the workers do meanwhile: apalis ends each worker's stream on the broken
//! connection ("broken pipe", then "LOADING" while the server reads its file), the
//! queue's supervisor restarts the worker under a new name, and the connection manager
//! has reconnected by then; nothing hangs. The tasks the dead incarnations had claimed
//! but not acknowledged come back when their lease ends (3 missed 5 s heartbeats), which
//! is most of the ten-odd seconds the run takes after the restart (about 20 s in all in
//! a debug build on two cores).
//!
//! All jobs are pushed before the workers start, as an import does. That is what showed
//! that apalis-redis' fetch fails for good once more than about 8,000 tasks are due at
//! once; the queue now moves due tasks in slices when it pushes (`queue::backend::redis`).
//!
//! The store is an in-memory SQLite: it is not what crashes here, and a file store's
//! fsync per ledger write would make the run minutes long for nothing.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod support {
    pub mod redis_server;
}

use support::redis_server::RedisServer;

use shipgate::queue::{DeadLetters, Envelope, Job, JobError, JobHandler, Queue, RetryPolicy};
use shipgate::store::{Effect, Store};

/// Jobs in the run, numbered 0..JOBS.
const JOBS: usize = 10_000;
/// Effects done when Redis is killed: about a third of the run.
const KILL_AFTER: u64 = 3_000;
/// How long Redis stays down.
const DOWN_FOR: Duration = Duration::from_millis(1000);
/// Worker slots in this process.
const WORKERS: usize = 4;
/// The whole run must end within this, restart included.
const DEADLINE: Duration = Duration::from_secs(50);
/// The remote's pause between looking for an effect and creating it: a round trip, and
/// the window in which a worker stopping on the broken connection cuts a call off.
const ROUND_TRIP: Duration = Duration::from_millis(2);
/// The effects-ledger kind of the test's remote effect.
const KIND: &str = "remote_effect";

/// The ledger key of sequence number `seq`.
fn effect_key(seq: usize) -> String {
    format!("remote-effect:{seq}")
}

/// The remote system: it counts every call and every effect it creates per sequence
/// number. Like `Storefront::push_fulfillment` it first looks for an existing effect and
/// returns it instead of creating another; the lookup and the creation are two steps
/// with a pause between them ([`ROUND_TRIP`]), so two runs of one job at
/// the same time would both create, and the test would see it.
struct Remote {
    calls: Vec<AtomicU32>,
    created: Vec<AtomicU32>,
    total_created: AtomicU64,
    found_existing: AtomicU64,
}

impl Remote {
    fn new() -> Remote {
        Remote {
            calls: (0..JOBS).map(|_| AtomicU32::new(0)).collect(),
            created: (0..JOBS).map(|_| AtomicU32::new(0)).collect(),
            total_created: AtomicU64::new(0),
            found_existing: AtomicU64::new(0),
        }
    }

    /// Creates the effect of `seq` unless it exists; its reference either way.
    async fn create_once(&self, seq: usize) -> String {
        self.calls[seq].fetch_add(1, Ordering::SeqCst);
        let reference = format!("effect-{seq}");
        if self.created[seq].load(Ordering::SeqCst) > 0 {
            self.found_existing.fetch_add(1, Ordering::SeqCst);
            return reference;
        }
        tokio::time::sleep(ROUND_TRIP).await;
        self.created[seq].fetch_add(1, Ordering::SeqCst);
        self.total_created.fetch_add(1, Ordering::SeqCst);
        reference
    }
}

/// Runs a job's effect through the effects ledger, as the pipeline's push does.
struct Pusher {
    store: Store,
    remote: Arc<Remote>,
    /// Per sequence number, the runs the ledger let act first (`Fresh`) and that saw it.
    fresh: Vec<AtomicU32>,
    /// Runs that found the effect done in the ledger and made no call.
    absorbed_by_ledger: AtomicU64,
    /// Runs that found the effect pending in the ledger and asked the remote again.
    pending_reruns: AtomicU64,
}

#[async_trait::async_trait]
impl JobHandler for Pusher {
    async fn handle(&self, envelope: &Envelope) -> Result<(), JobError> {
        let Job::PushBack { shipment_id } = envelope.job else {
            return Err(JobError::permanent(format!(
                "unexpected job {:?}",
                envelope.job
            )));
        };
        let seq = usize::try_from(shipment_id)
            .ok()
            .filter(|&seq| seq < JOBS)
            .ok_or_else(|| JobError::permanent(format!("sequence {shipment_id} out of range")))?;
        let key = effect_key(seq);
        let found = self
            .store
            .begin_effect(&key, KIND)
            .await
            .map_err(|e| JobError::transient(e.to_string()))?;
        match found {
            Effect::Done(_) => {
                self.absorbed_by_ledger.fetch_add(1, Ordering::SeqCst);
                return Ok(());
            }
            Effect::Pending => {
                self.pending_reruns.fetch_add(1, Ordering::SeqCst);
            }
            Effect::Fresh => {
                self.fresh[seq].fetch_add(1, Ordering::SeqCst);
            }
        }
        let reference = self.remote.create_once(seq).await;
        self.store
            .complete_effect(&key, &reference)
            .await
            .map_err(|e| JobError::transient(e.to_string()))
    }
}

/// The dead list: no job may end there.
#[derive(Default)]
struct Graveyard(Mutex<Vec<String>>);

#[async_trait::async_trait]
impl DeadLetters for Graveyard {
    async fn bury(&self, envelope: &Envelope, attempts: u32, error: &str) -> Result<(), String> {
        self.0.lock().unwrap().push(format!(
            "{:?} after {attempts} attempts: {error}",
            envelope.job
        ));
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_restart_mid_run_loses_no_job_and_duplicates_no_effect() {
    let began = Instant::now();
    let mut redis = RedisServer::start(
        None,
        &[
            "--appendonly",
            "yes",
            "--appendfsync",
            "always",
            "--save",
            "",
        ],
    );
    let policy = RetryPolicy {
        max_attempts: 8,
        base_delay: Duration::from_millis(50),
        max_delay: Duration::from_secs(1),
    };
    let queue = Queue::open_named(&redis.url(), "restart", policy)
        .await
        .unwrap();
    let jobs: Vec<Job> = (0..JOBS as i64)
        .map(|shipment_id| Job::PushBack { shipment_id })
        .collect();
    for chunk in jobs.chunks(1000) {
        queue.push_many(chunk.to_vec()).await.unwrap();
    }
    assert_eq!(queue.pending().await.unwrap(), JOBS as u64);
    let pushed = began.elapsed();

    let remote = Arc::new(Remote::new());
    let pusher = Arc::new(Pusher {
        store: Store::open("sqlite::memory:").await.unwrap(),
        remote: remote.clone(),
        fresh: (0..JOBS).map(|_| AtomicU32::new(0)).collect(),
        absorbed_by_ledger: AtomicU64::new(0),
        pending_reruns: AtomicU64::new(0),
    });
    let dead = Arc::new(Graveyard::default());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let run = tokio::spawn({
        let queue = queue.clone();
        let (pusher, dead) = (pusher.clone(), dead.clone());
        async move {
            queue
                .run(pusher, dead, WORKERS, async {
                    let _ = stopped.await;
                })
                .await
        }
    });

    let progress = || remote.total_created.load(Ordering::SeqCst);
    while progress() < KILL_AFTER {
        assert!(
            began.elapsed() < DEADLINE,
            "only {} effects before the kill: do the workers fetch at all?",
            progress()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    redis.kill();
    let at_kill = progress();
    let killed_at = began.elapsed();
    tokio::time::sleep(DOWN_FOR).await;
    let during_outage = progress() - at_kill;
    redis.start_again();
    let restarted = Instant::now();
    let at_restart = progress();
    assert!(
        at_restart < JOBS as u64 / 2,
        "the restart came in the middle of the run"
    );

    // Until every job is finished. While the workers reconnect, counting may fail.
    let mut left = None;
    while left != Some(0) || progress() < JOBS as u64 {
        assert!(
            began.elapsed() < DEADLINE,
            "the run did not finish after the Redis restart: {} of {JOBS} effects \
             ({at_restart} at the restart), {left:?} jobs pending; did the workers hang?\n{}",
            progress(),
            redis.log_tail()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
        left = queue.pending().await.ok();
    }
    let finished_after_restart = restarted.elapsed();
    stop.send(()).unwrap();
    let stats = run.await.unwrap().unwrap();

    let buried = dead.0.lock().unwrap().clone();
    assert!(buried.is_empty(), "jobs died: {buried:?}");
    assert_eq!(stats.dead, 0);
    assert_eq!(queue.pending().await.unwrap(), 0);
    let mut missing = Vec::new();
    let mut twice = Vec::new();
    for seq in 0..JOBS {
        match remote.created[seq].load(Ordering::SeqCst) {
            0 => missing.push(seq),
            1 => {}
            n => twice.push((seq, n)),
        }
        assert_eq!(
            pusher
                .store
                .begin_effect(&effect_key(seq), KIND)
                .await
                .unwrap(),
            Effect::Done(format!("effect-{seq}")),
            "the ledger's record of {seq}"
        );
    }
    assert!(
        missing.is_empty(),
        "no effect for {} numbers: {missing:?}",
        missing.len()
    );
    assert!(
        twice.is_empty(),
        "effects created more than once: {twice:?}"
    );
    assert_eq!(pusher.store.count_effects(KIND).await.unwrap(), JOBS as u64);

    // Repeated runs are allowed, but only as absorbed ones. The ledger let at most one run
    // of each job act first (none is seen when that run was cut off inside
    // `begin_effect`); every later run found the effect done (and made no call) or found
    // it pending, because an earlier run was cut off before `complete_effect`, and asked
    // the remote again, which found the effect or created the one the cut-off run had
    // not. Runs are cut off when a worker stops on the broken connection: apalis drops
    // the job it was running, at whatever await it had reached.
    let twice_first: Vec<usize> = (0..JOBS)
        .filter(|&seq| pusher.fresh[seq].load(Ordering::SeqCst) > 1)
        .collect();
    assert!(
        twice_first.is_empty(),
        "the ledger let two runs act first: {twice_first:?}"
    );
    let calls: u64 = remote
        .calls
        .iter()
        .map(|n| u64::from(n.load(Ordering::SeqCst)))
        .sum();
    let absorbed_by_ledger = pusher.absorbed_by_ledger.load(Ordering::SeqCst);
    let pending_reruns = pusher.pending_reruns.load(Ordering::SeqCst);
    let found_existing = remote.found_existing.load(Ordering::SeqCst);
    assert!(
        calls <= JOBS as u64 + pending_reruns,
        "a call beyond the first came from no pending rerun"
    );
    assert!(found_existing <= pending_reruns);
    let cut_off_calls = calls - JOBS as u64 - found_existing;
    eprintln!(
        "pushed {JOBS} jobs in {pushed:?}; Redis killed at {killed_at:?} after {at_kill} \
         effects, down for {DOWN_FOR:?} ({during_outage} effects meanwhile); the rest finished \
         {finished_after_restart:?} after the restart; {absorbed_by_ledger} reruns absorbed by the ledger, \
         {pending_reruns} reruns of pending effects ({found_existing} found on the remote, \
         {cut_off_calls} calls cut off before creating); \
         {} successful runs, {} retries; {:?} in all",
        stats.succeeded,
        stats.retried,
        began.elapsed()
    );
}
