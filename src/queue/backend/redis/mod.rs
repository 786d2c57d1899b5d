//! The Redis backend (apalis-redis), for many workers on many machines: connecting,
//! storing tasks, promoting due ones, counting unfinished ones, sweeping finished ones,
//! and the configuration its workers run with.
//!
//! apalis-redis keeps a queue under `{name}:…` keys: a hash of payloads, one metadata
//! hash per task, a scheduled sorted set of delayed tasks, the active list fetches take
//! from, one in-flight set per worker, and done/dead sets. Its connection manager
//! reconnects after a Redis restart. Tasks are stored and promoted by our own scripts
//! (`push.lua`, `promote.lua`): apalis' fetch moves every due scheduled task with one
//! Lua `unpack`, which fails for good once about 8,000 are due at once.
//!
//! `lock_tasks` is off: its lease script removes each started task from the active list
//! with `LREM`, a scan of the whole list per task (seconds per thousand tasks on a long
//! queue), while the task already left that list when it was fetched. A task's lease is
//! its worker's in-flight set and heartbeat either way.
//!
//! `persist_results` stays on (the default): with it off, apalis-core never sends the
//! completion event, so a finished task stays in flight and runs again once its worker
//! is gone.

use std::fmt;
use std::sync::LazyLock;
use std::time::Duration;

use apalis_redis::{Config, ConnectionManager, RedisStorage};
use redis::aio::ConnectionManagerConfig;

use super::{NewTask, BATCH_SIZE, HEARTBEAT, MISSED_HEARTBEATS};
use crate::queue::error::QueueError;

/// How long a pushed attempt's idempotency key is remembered: a retry scheduled twice
/// by a worker that crashed between scheduling and acknowledging is stored once within
/// this window. apalis-redis' default (none) expires the key at once.
const IDEMPOTENCY_TTL: Duration = Duration::from_secs(24 * 3600);

/// How long a reply or a new connection may take. redis-rs gives up after 500 ms by
/// default, and a Redis busy for longer (a large sweep or promotion slice, an AOF fsync
/// stall, a replica loading) then fails every push and stops every worker (sharp edge 3).
const REDIS_TIMEOUT: Duration = Duration::from_secs(5);

/// See `push.lua`.
static PUSH: LazyLock<redis::Script> =
    LazyLock::new(|| redis::Script::new(include_str!("push.lua")));

/// See `promote.lua`.
static PROMOTE: LazyLock<redis::Script> =
    LazyLock::new(|| redis::Script::new(include_str!("promote.lua")));

/// Due tasks one promotion call moves: well under Lua's `unpack` limit, and about a
/// millisecond of Redis time.
const PROMOTE_SLICE: usize = 1000;

/// Counts the tasks of a queue that are not finished: active, scheduled (retries and
/// fresh pushes alike), and in flight with any registered worker (a dead worker's stay
/// counted until they are handed back).
static PENDING: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"local n = redis.call('llen', KEYS[1]) + redis.call('zcard', KEYS[2])
for _, worker in ipairs(redis.call('zrange', KEYS[3], 0, -1)) do
  n = n + redis.call('scard', KEYS[4] .. ':' .. worker)
end
return n",
    )
});

/// Removes up to `ARGV[2]` members of the done set (scanned from cursor `ARGV[3]`) that
/// finished at or before unix second `ARGV[1]`: the set entry, the payload, the result and
/// the metadata hash. apalis' own vacuum reads the whole payload hash in one call and
/// leaves the done set growing, so it is not used. Returns `{next cursor, removed}`;
/// cursor "0" means the scan is complete.
static SWEEP: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"local scan = redis.call('sscan', KEYS[1], ARGV[3], 'count', ARGV[2])
local removed = 0
for _, id in ipairs(scan[2]) do
  local meta = KEYS[3] .. ':' .. id
  local done_at = tonumber(redis.call('hget', meta, 'done_at'))
  if done_at == nil or done_at <= tonumber(ARGV[1]) then
    redis.call('srem', KEYS[1], id)
    redis.call('hdel', KEYS[2], id)
    redis.call('hdel', KEYS[3] .. ':result', id)
    redis.call('del', meta)
    removed = removed + 1
  end
end
return {scan[1], removed}",
    )
});

/// Done-set members one sweep call looks at: the script blocks Redis while it runs, so
/// it runs in slices of about a millisecond.
const SWEEP_SLICE: usize = 500;

/// One Redis queue: its connection and apalis configuration.
#[derive(Clone)]
pub(in crate::queue) struct RedisQueue {
    conn: ConnectionManager,
    config: Config,
    name: String,
}

impl fmt::Debug for RedisQueue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisQueue")
            .field("queue", &self.name)
            .finish_non_exhaustive()
    }
}

impl RedisQueue {
    /// Connects to `url` for queue `name`. The error names what failed, never the URL
    /// (it may carry a password).
    pub(super) async fn open(url: &str, name: &str) -> Result<Self, QueueError> {
        let client = redis::Client::open(url)
            .map_err(|e| QueueError::backend("read the Redis URL", format!("{:?}", e.kind())))?;
        let settings = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(REDIS_TIMEOUT))
            .set_response_timeout(Some(REDIS_TIMEOUT));
        let conn = client
            .get_connection_manager_with_config(settings)
            .await
            .map_err(|e| QueueError::backend("connect to Redis", e))?;
        Ok(Self {
            conn,
            config: Config::default()
                .queue(name)
                .batch_size(BATCH_SIZE)
                .heartbeat_interval(HEARTBEAT)
                .missed_heartbeats(MISSED_HEARTBEATS)
                .emit_events(false)
                .lock_tasks(false)
                .idempotency_ttl(Some(IDEMPOTENCY_TTL)),
            name: name.to_owned(),
        })
    }

    /// Stores the tasks with one script call, all or none; `now` decides which are due.
    pub(super) async fn push(&self, tasks: &[NewTask], now: u64) -> Result<(), QueueError> {
        let mut call = PUSH.prepare_invoke();
        call.key(self.config.job_data_hash())
            .key(self.config.active_jobs_list())
            .key(self.config.signal_list())
            .key(self.config.job_meta_hash())
            .key(self.config.scheduled_jobs_set())
            .key(self.config.idempotency_key_set())
            .arg(now)
            .arg(IDEMPOTENCY_TTL.as_secs());
        for task in tasks {
            call.arg(ulid::Ulid::new().to_string())
                .arg(&task.payload)
                .arg(task.run_at)
                .arg(&task.idempotency_key);
        }
        let mut conn = self.conn.clone();
        call.invoke_async::<u64>(&mut conn)
            .await
            .map_err(|e| QueueError::backend("push jobs", e))?;
        Ok(())
    }

    /// Moves every scheduled task due at unix second `now` onto the active list, a
    /// slice per script call.
    pub(super) async fn promote_due(&self, now: u64) -> Result<u64, QueueError> {
        let mut conn = self.conn.clone();
        let mut moved = 0;
        loop {
            let n: u64 = PROMOTE
                .key(self.config.scheduled_jobs_set())
                .key(self.config.active_jobs_list())
                .key(self.config.signal_list())
                .arg(now)
                .arg(PROMOTE_SLICE)
                .invoke_async(&mut conn)
                .await
                .map_err(|e| QueueError::backend("promote due jobs", e))?;
            moved += n;
            if n < PROMOTE_SLICE as u64 {
                return Ok(moved);
            }
        }
    }

    /// Tasks of this queue not finished yet.
    pub(super) async fn pending(&self) -> Result<u64, QueueError> {
        let mut conn = self.conn.clone();
        PENDING
            .key(self.config.active_jobs_list())
            .key(self.config.scheduled_jobs_set())
            .key(self.config.workers_set())
            .key(self.config.inflight_jobs_set())
            .invoke_async::<u64>(&mut conn)
            .await
            .map_err(|e| QueueError::backend("count pending jobs", e))
    }

    /// Finished tasks still kept: the done and dead sets.
    pub(super) async fn finished(&self) -> Result<u64, QueueError> {
        let mut conn = self.conn.clone();
        let (done, dead): (u64, u64) = redis::pipe()
            .scard(self.config.done_jobs_set())
            .scard(self.config.dead_jobs_set())
            .query_async(&mut conn)
            .await
            .map_err(|e| QueueError::backend("count finished jobs", e))?;
        Ok(done + dead)
    }

    /// Removes the done tasks that finished at or before unix second `cutoff`, one
    /// slice of the done set per script call.
    pub(super) async fn sweep(&self, cutoff: u64) -> Result<u64, QueueError> {
        let mut conn = self.conn.clone();
        let mut cursor = String::from("0");
        let mut removed = 0;
        loop {
            let (next, n): (String, u64) = SWEEP
                .key(self.config.done_jobs_set())
                .key(self.config.job_data_hash())
                .key(self.config.job_meta_hash())
                .arg(cutoff)
                .arg(SWEEP_SLICE)
                .arg(&cursor)
                .invoke_async(&mut conn)
                .await
                .map_err(|e| QueueError::backend("sweep finished jobs", e))?;
            removed += n;
            if next == "0" {
                return Ok(removed);
            }
            cursor = next;
        }
    }

    /// A storage for one worker over this queue's connection.
    pub(in crate::queue) fn storage(&self) -> RedisStorage<Vec<u8>> {
        RedisStorage::new(self.conn.clone()).with_config(self.config.clone())
    }
}
