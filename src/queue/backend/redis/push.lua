-- Stores tasks the way apalis-redis reads them back (payload hash, metadata hash) and
-- puts each task that is due now straight on the active list; only delayed tasks enter
-- the scheduled set. apalis' own push schedules every task, and its fetch then moves
-- *all* due tasks with one unpack(), which Lua refuses above ~8,000 values: a push of
-- 10,000 jobs would stop every worker of the queue at every fetch.
--
-- KEYS[1] payload hash   KEYS[2] active list   KEYS[3] signal list
-- KEYS[4] metadata key prefix   KEYS[5] scheduled set   KEYS[6] idempotency key prefix
-- ARGV[1] now (unix seconds)   ARGV[2] idempotency key lifetime (seconds)
-- ARGV[3..] groups of: task id, payload, run_at (unix seconds), idempotency key
-- Returns the number of tasks stored (a task whose idempotency key is taken is skipped).
local now = tonumber(ARGV[1])
local stored, ready = 0, 0
for i = 3, #ARGV, 4 do
  local id, payload, run_at, key = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2]), ARGV[i + 3]
  if redis.call('set', KEYS[6] .. ':' .. key, id, 'NX', 'EX', ARGV[2])
    and redis.call('hsetnx', KEYS[1], id, payload) == 1 then
    redis.call('hset', KEYS[4] .. ':' .. id, 'attempts', 0, 'max_attempts', 1,
      'status', 'Pending', 'idempotency_key', key)
    if run_at > now then
      redis.call('zadd', KEYS[5], run_at, id)
    else
      redis.call('rpush', KEYS[2], id)
      ready = ready + 1
    end
    stored = stored + 1
  end
end
if ready > 0 then
  redis.call('del', KEYS[3])
  redis.call('lpush', KEYS[3], 1)
end
return stored
