-- Publish a shard's window and check whether it may go on, in one round trip.
-- A receiver's inbound batches are a sorted set scored by window, members
-- `<window>:<sender>:<batch>`: senders that run free reach a receiver out of window
-- order, which a stream's increasing ids would refuse.
-- KEYS: [1] barrier, [2] result, [3] barrier stream, [4] inbound(self), [5] ready(self),
--   [6..5+b] inbound(dst) per batch, [6+b..] ready(dst) per out-neighbour.
-- ARGV: [1] shard, [2] window, [3] done (0/1), [4] token, [5] shards, [6] all (1: wait for
--   every shard, 0: for the in-neighbours only), [7] span (1: the shard shares no host and
--   this publish covers every window since its last one), [8] the job's sync period p,
--   [9] b, [10..9+b] batch per inbound(dst), [10+b] own in-neighbours (comma-separated), then
--   per out-neighbour: its shard and how many in-neighbours it has, in the order of their
--   ready keys.
-- Returns: {status, allDone, fresh, stopAt, entries?}: status 1 passed (entries are the
--   window's batches for this shard), 0 waiting, -1 job finished, -2 superseded (fenced);
--   stopAt the window after which every shard stops for a resize (-1: none).
-- A shard may run the next window once the shards it waits for published this one: its
-- in-neighbours (`ready:<s>` holds the latest window all of them published, appended to
-- its ready stream as it grows, which the shard blocks on), or every shard (`top`, the
-- barrier stream) where the job decides something (a done shard: the run ends in the
-- first window every shard is done in, field `end`; a checkpoint). Windows complete in
-- order; a completed window's counts go. A publish past a gap (the store lost this shard's
-- previous one) is refused, except a span's: a shard that shares no host publishes only
-- some windows (barrier-need.protocol.ts `publishesAt`), has no batches to lose, and counts
-- every window from its last publish on. A requested resize (field `resize`) becomes
-- `stopAt` at the next publish: the first sync window (x + 1 a multiple of p) past the
-- furthest window published, so no shard is past it (a shard with neighbours runs at most
-- one window beyond its last publish's reply, a span shard to its next sync window). A window
-- already published (a resumed shard re-running it) is not written again: determinism
-- makes it identical; only `re:<shard>` records it (the progress a waiting shard's
-- barrier timeout counts).
local shard, w, done, tok, n = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4], tonumber(ARGV[5])
local all, span, p, b = ARGV[6], ARGV[7], tonumber(ARGV[8]), tonumber(ARGV[9])
if redis.call('EXISTS', KEYS[2]) == 1 then return {-1, 0, 0} end
if redis.call('HGET', KEYS[1], 'tok:' .. shard) ~= tok then return {-2, 0, 0} end
local function minPub(csv)
  local m = math.huge
  for s in string.gmatch(csv, '%d+') do
    local p = tonumber(redis.call('HGET', KEYS[1], 'pub:' .. s) or '-1')
    if p < m then m = p end
  end
  return m
end
local pub = tonumber(redis.call('HGET', KEYS[1], 'pub:' .. shard) or '-1')
local top = tonumber(redis.call('HGET', KEYS[1], 'top') or '-1')
local fresh = 0
local first = math.max(pub, top) + 1
if w > first and span ~= '1' then
  -- A gap: the store lost this shard's last publish (a restart or failover kept a prefix
  -- of the writes). Counting this one would let its receivers read a window without its
  -- batches; refused, the shards waiting for it stop at the barrier timeout.
  return {0, 0, 0, tonumber(redis.call('HGET', KEYS[1], 'stopAt') or '-1')}
elseif w > pub then
  fresh = 1
  for i = 1, b do
    redis.call('ZADD', KEYS[5 + i], w, w .. ':' .. shard .. ':' .. ARGV[9 + i])
  end
  redis.call('HSET', KEYS[1], 'pub:' .. shard, w)
  -- Count each window covered (one unless a span); windows complete in order, and the
  -- barrier stream gets the last one completed (a later entry means the earlier passed).
  local last, la = -1, '0'
  for x = math.min(first, w), w do
    local c = redis.call('HINCRBY', KEYS[1], 'c:' .. x, 1)
    if done == '1' and x == w then redis.call('HINCRBY', KEYS[1], 'n:' .. x, 1) end
    if c == n then
      local a = tonumber(redis.call('HGET', KEYS[1], 'n:' .. x) or '0') == n and '1' or '0'
      redis.call('HSET', KEYS[1], 'top', x)
      if a == '1' and redis.call('HEXISTS', KEYS[1], 'end') == 0 then redis.call('HSET', KEYS[1], 'end', x) end
      redis.call('HDEL', KEYS[1], 'c:' .. x, 'n:' .. x)
      last, la = x, a
    end
  end
  if last >= 0 then redis.call('XADD', KEYS[3], 'MAXLEN', '~', '128', last .. '-1', 'w', last, 'a', la) end
  if redis.call('HEXISTS', KEYS[1], 'resize') == 1 and redis.call('HEXISTS', KEYS[1], 'stopAt') == 0
      and redis.call('HEXISTS', KEYS[1], 'end') == 0 then
    local far = -1
    for s = 0, n - 1 do
      local q = tonumber(redis.call('HGET', KEYS[1], 'pub:' .. s) or '-1')
      if q > far then far = q end
    end
    redis.call('HSET', KEYS[1], 'stopAt', math.ceil((far + 2) / p) * p - 1)
  end
  -- Each out-neighbour t counts, per window, how many of its in-neighbours published it; the
  -- last one makes t ready for the window (they publish in order, without gaps, so an earlier
  -- window was complete before). One count per out-neighbour: a publish costs O(d), where
  -- recomputing t's readiness from its in-neighbours' `pub:` fields cost O(d) per t.
  local o = 10 + b
  for k = 1, (#ARGV - o) / 2 do
    local t, nt = ARGV[o + 2 * k - 1], tonumber(ARGV[o + 2 * k])
    local f = 'rc:' .. t .. ':' .. w
    if redis.call('HINCRBY', KEYS[1], f, 1) >= nt then
      redis.call('HDEL', KEYS[1], f)
      if w > tonumber(redis.call('HGET', KEYS[1], 'rd:' .. t) or '-1') then
        redis.call('HSET', KEYS[1], 'rd:' .. t, w)
        redis.call('XADD', KEYS[5 + b + k], 'MAXLEN', '~', '16', w .. '-1', 'w', w)
      end
    end
  end
else
  redis.call('HSET', KEYS[1], 're:' .. shard, w)
end
-- This shard's own readiness from its in-neighbours' `pub:` fields (their counts keep it, this
-- mends it after a resume), read once for the readiness and for whether it passed.
local mine = minPub(ARGV[10 + b])
if mine ~= math.huge and mine > tonumber(redis.call('HGET', KEYS[1], 'rd:' .. shard) or '-1') then
  redis.call('HSET', KEYS[1], 'rd:' .. shard, mine)
  redis.call('XADD', KEYS[5], 'MAXLEN', '~', '16', mine .. '-1', 'w', mine)
end
local stopAt = tonumber(redis.call('HGET', KEYS[1], 'stopAt') or '-1')
local passed
if all == '1' then
  passed = tonumber(redis.call('HGET', KEYS[1], 'top') or '-1') >= w
else
  passed = mine >= w
end
if passed then
  local a = (all == '1' and tonumber(redis.call('HGET', KEYS[1], 'end') or '-1') == w) and 1 or 0
  return {1, a, fresh, stopAt, redis.call('ZRANGEBYSCORE', KEYS[4], w, w)}
end
return {0, 0, fresh, stopAt}
