-- Publish a shard's window and check the barrier, in one round trip.
-- KEYS: [1] barrier, [2] result, [3] barrier stream, [4] inbound(self), [5..] inbound(dst) per batch.
-- ARGV: [1] shard, [2] window, [3] done (0/1), [4] token, [5] shards, [6..] batch per inbound(dst).
-- Returns: {status, allDone, fresh, stopAt, entries?}: status 1 passed (entries are the
--   window's batches for this shard), 0 waiting, -1 job finished, -2 superseded (fenced);
--   stopAt the window after which every shard stops for a resize (-1: none).
-- The shard completing a window's barrier while a resize is requested (field `resize`)
-- and the job is not done sets `stopAt` to that window. A window already published
-- (a resumed shard re-running it) is not written again: determinism makes it identical;
-- only `re:<shard>` records it (the progress a waiting shard's barrier timeout counts).
local shard, w, done, tok, n = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4], tonumber(ARGV[5])
if redis.call('EXISTS', KEYS[2]) == 1 then return {-1, 0, 0} end
if redis.call('HGET', KEYS[1], 'tok:' .. shard) ~= tok then return {-2, 0, 0} end
local pub = tonumber(redis.call('HGET', KEYS[1], 'pub:' .. shard) or '-1')
local fresh = 0
if w > pub then
  fresh = 1
  for i = 6, #ARGV do
    redis.call('XADD', KEYS[i - 1], w .. '-*', 's', shard, 'd', ARGV[i])
  end
  redis.call('HSET', KEYS[1], 'pub:' .. shard, w)
  local c = redis.call('HINCRBY', KEYS[1], 'c:' .. w, 1)
  if done == '1' then redis.call('HINCRBY', KEYS[1], 'n:' .. w, 1) end
  if w >= 2 then redis.call('HDEL', KEYS[1], 'c:' .. (w - 2), 'n:' .. (w - 2)) end
  if c == n then
    local all = tonumber(redis.call('HGET', KEYS[1], 'n:' .. w) or '0') == n and '1' or '0'
    redis.call('HSET', KEYS[1], 'top', w)
    if all == '0' and redis.call('HEXISTS', KEYS[1], 'resize') == 1 and redis.call('HEXISTS', KEYS[1], 'stopAt') == 0 then
      redis.call('HSET', KEYS[1], 'stopAt', w)
    end
    redis.call('XADD', KEYS[3], 'MAXLEN', '~', '128', w .. '-1', 'w', w, 'a', all)
  end
else
  redis.call('HSET', KEYS[1], 're:' .. shard, w)
end
local stopAt = tonumber(redis.call('HGET', KEYS[1], 'stopAt') or '-1')
local top = tonumber(redis.call('HGET', KEYS[1], 'top') or '-1')
if top >= w then
  local all = tonumber(redis.call('HGET', KEYS[1], 'n:' .. w) or '0') == n and 1 or 0
  return {1, all, fresh, stopAt, redis.call('XRANGE', KEYS[4], w .. '-0', w .. '-18446744073709551615')}
end
return {0, 0, fresh, stopAt}
