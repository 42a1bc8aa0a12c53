/**
 * Lua scripts of resizing a running job (`tlbsim resize`). Like those of
 * redis.scripts.ts, each touches keys of one job only (one hash tag) and
 * checks the job's result record first. They run through EVAL: a resize is
 * rare, so they need no command of their own on every connection.
 */

/**
 * Ask a running job's shards to stop for a resize: field `resize` of the
 * barrier; the shard completing the next window barrier turns it into
 * `stopAt` (see `PUBLISH_LUA`). A later request before that replaces it.
 * KEYS: barrier, result, events, meta. ARGV: shards, event json.
 * Returns 1, or -1 if the job is finished.
 */
export const RESIZE_REQUEST_LUA = `
if redis.call('EXISTS', KEYS[2]) == 1 then return -1 end
redis.call('HSET', KEYS[1], 'resize', ARGV[1])
redis.call('HSET', KEYS[4], 'resizeTo', ARGV[1])
redis.call('XADD', KEYS[3], '*', 'e', ARGV[2])
return 1
`;

/**
 * A shard stopped for the resize at window `stopAt` (its snapshot is stored).
 * KEYS: barrier, result. ARGV: shard, token, stopAt.
 * Returns the number of shards stopped so far, -1 (job finished), -2
 * (superseded: another run holds the shard) or -3 (no such stop under way).
 */
export const RESIZE_STOP_LUA = `
if redis.call('EXISTS', KEYS[2]) == 1 then return -1 end
if redis.call('HGET', KEYS[1], 'tok:' .. ARGV[1]) ~= ARGV[2] then return -2 end
if redis.call('HGET', KEYS[1], 'stopAt') ~= ARGV[3] then return -3 end
if redis.call('HSETNX', KEYS[1], 'rs:' .. ARGV[1], 1) == 1 then redis.call('HINCRBY', KEYS[1], 'rsn', 1) end
return tonumber(redis.call('HGET', KEYS[1], 'rsn'))
`;

/**
 * Switch a job to its re-partitioned snapshots, atomically: the new
 * snapshots replace the old ones (extra ones and every inbound stream are
 * deleted: the snapshots carry the messages in flight), the resize fields of
 * the barrier go, each shard's token base is recorded (so its next run is
 * not taken for a lost one), and the metadata gets the new shard count and
 * epoch (the BullMQ jobs of the old epoch are void) and, with `requeue`, the
 * flag that makes the next admission pass put the job back in the queue.
 * The checkpoints of the old shards go; each new shard's takes their place
 * (so a partial report right after the switch sums the new shards).
 * KEYS: result, meta, barrier, events, checkpoints, snapshot(0..m-1), inbound(0..m-1).
 * ARGV: epoch expected, shards, event json, resize field expected ('' when
 * none is, a job not running), requeue (0/1), windows done, then one
 * snapshot per shard, then one checkpoint (ShardPartial JSON) per shard.
 * Returns the new epoch, -1 (finished), -2 (epoch moved: done already) or -3
 * (another resize was requested meanwhile: redo it).
 */
export const RESIZE_COMMIT_LUA = `
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
`;
