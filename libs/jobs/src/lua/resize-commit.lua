-- Switch a job to its re-partitioned snapshots, atomically: the new snapshots replace
-- the old ones (extra ones and every inbound stream are deleted: the snapshots carry the
-- messages in flight), the resize fields of the barrier go, each shard's token base is
-- recorded (its next run is not taken for a lost one), the metadata gets the new shard
-- count and epoch and, with `requeue`, the flag that puts the job back in the queue. The
-- old shards' checkpoints go; each new shard's takes their place.
-- KEYS: [1] result, [2] meta, [3] barrier, [4] events, [5] checkpoints,
--   [6..5+m] snapshot(0..m-1), [6+m..5+2m] inbound(0..m-1).
-- ARGV: [1] epoch expected, [2] shards, [3] event json, [4] resize field expected ('' when
--   none is: a job not running), [5] requeue (0/1), [6] windows done, then one snapshot
--   per shard, then one checkpoint (ShardPartial JSON) per shard.
-- Returns: the new epoch, -1 (finished), -2 (epoch moved: done already) or -3 (another
--   resize was requested meanwhile: redo it).
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
local epoch = tonumber(redis.call('HGET', KEYS[2], 'epoch') or '0')
if epoch ~= tonumber(ARGV[1]) then return -2 end
if ARGV[4] ~= '' and redis.call('HGET', KEYS[3], 'resize') ~= ARGV[4] then return -3 end
local n = tonumber(ARGV[2])
local m = (#KEYS - 5) / 2
for i = 1, m do
  redis.call('DEL', KEYS[5 + m + i])
  if i <= n then redis.call('SET', KEYS[5 + i], ARGV[6 + i]) else redis.call('DEL', KEYS[5 + i]) end
end
redis.call('DEL', KEYS[5])
for i = 1, n do redis.call('HSET', KEYS[5], ARGV[6] .. ':' .. (i - 1), ARGV[6 + n + i]) end
for _, f in ipairs(redis.call('HKEYS', KEYS[3])) do
  if string.sub(f, 1, 3) == 'rs:' then redis.call('HDEL', KEYS[3], f) end
end
redis.call('HDEL', KEYS[3], 'resize', 'stopAt', 'rsn')
for s = 0, n - 1 do
  redis.call('HSET', KEYS[3], 't0:' .. s, redis.call('HGET', KEYS[3], 'tok:' .. s) or '0')
end
redis.call('HSET', KEYS[2], 'shards', n, 'epoch', epoch + 1)
redis.call('HDEL', KEYS[2], 'resizeTo', 'waitNote')
if ARGV[5] == '1' then redis.call('HSET', KEYS[2], 'requeue', 1) end
redis.call('XADD', KEYS[4], '*', 'e', ARGV[3])
return epoch + 1
