-- Moves up to ARGV[2] scheduled tasks due at unix second ARGV[1] onto the active list.
-- apalis' fetch promotes every due task at once with one unpack(), which fails above
-- ~8,000 values (many retries due in the same second, or jobs delayed while no worker
-- ran); promoting in slices ahead of it keeps that number small.
--
-- KEYS[1] scheduled set   KEYS[2] active list   KEYS[3] signal list
-- Returns the number of tasks moved.
local due = redis.call('zrangebyscore', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
if #due > 0 then
  redis.call('zrem', KEYS[1], unpack(due))
  redis.call('rpush', KEYS[2], unpack(due))
  redis.call('del', KEYS[3])
  redis.call('lpush', KEYS[3], 1)
end
return #due
