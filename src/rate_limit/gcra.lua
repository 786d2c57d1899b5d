-- GCRA with booking: one key per remote account holds its theoretical arrival time (TAT),
-- in microseconds of the Redis server's clock, so the clocks of the workers never matter.
--
-- KEYS[1]  the account's key
-- ARGV[1]  emission interval: microseconds between requests at the sustained rate
-- ARGV[2]  burst: requests that may go at once (at least 1)
-- ARGV[3]  the longest wait, in microseconds, the caller accepts
--
-- Returns {1, wait}: a turn is booked `wait` microseconds from now (0: go now);
--         {0, wait}: the next turn is `wait` away, more than ARGV[3]; nothing booked.
-- The key expires once its TAT is past, when the account has its whole burst again.
if redis.replicate_commands then
  redis.replicate_commands()
end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local interval = tonumber(ARGV[1])
local tolerance = interval * (tonumber(ARGV[2]) - 1)
local max_wait = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then
  tat = now
end
local wait = tat - tolerance - now
if wait < 0 then
  wait = 0
end
if wait > max_wait then
  return {0, wait}
end
local booked = tat + interval
local ttl_ms = math.ceil((booked - now) / 1000) + 1000
redis.call('SET', KEYS[1], string.format('%.0f', booked), 'PX', ttl_ms)
return {1, wait}
