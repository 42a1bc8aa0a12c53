/**
 * Lua scripts. Each touches only keys of one job (one hash tag), so they run
 * on a Redis Cluster too. Every script that writes job state first checks
 * the job's result record: once a job is finished or cancelled, late writes
 * of its shards are dropped instead of re-creating deleted keys. Writes of a
 * shard also check its fencing token, so a shard run that BullMQ presumed
 * stalled but which is still alive cannot interfere with its successor.
 */

/**
 * Publish a shard's window and check the barrier, in one round trip.
 * KEYS: barrier, result, barrier stream, inbound(self), inbound(dst) per batch.
 * ARGV: shard, window, done (0/1), token, shards, batch per inbound(dst).
 * Returns {status, allDone, fresh, stopAt, entries?}: status 1 passed (entries are the
 * window's batches for this shard), 0 waiting, -1 job finished, -2 superseded;
 * stopAt the window after which every shard stops for a resize (-1: none).
 * The shard completing a window's barrier while a resize is requested
 * (field `resize`) and the job is not done sets `stopAt` to that window.
 * A window already published (a resumed shard re-running it) is not written
 * again: determinism makes it identical, and receivers would drop it anyway;
 * only `re:<shard>` records it, the re-run's progress that the barrier
 * timeout of waiting shards counts (see `ShardExchangeRepository.barrierProgress`).
 */
export const PUBLISH_LUA = `
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
`;

/**
 * Claim a shard for one run: a new fencing token, plus its last snapshot.
 * KEYS: barrier, result, snapshot. ARGV: shard.
 * Returns {token, snapshot|false, t0, stopAt} or {-1} if the job is finished:
 * t0 is the shard's token when the job last changed its shard count (its
 * first run since then gets t0 + 1), stopAt the window of a resize under way
 * (-1: none).
 */
export const CLAIM_LUA = `
if redis.call('EXISTS', KEYS[2]) == 1 then return {-1} end
local tok = redis.call('HINCRBY', KEYS[1], 'tok:' .. ARGV[1], 1)
local t0 = tonumber(redis.call('HGET', KEYS[1], 't0:' .. ARGV[1]) or '0')
return {tok, redis.call('GET', KEYS[3]), t0, tonumber(redis.call('HGET', KEYS[1], 'stopAt') or '-1')}
`;

/**
 * Put a snapshot in place and drop inbound batches it no longer needs. The
 * bytes come in a staging key written just before (in the same pipeline)
 * by a plain SET: a blob passed as a script argument is copied into Lua
 * and costs Redis about twice as much. A finished job or a stale run
 * (fencing token) only drops its staging copy.
 * KEYS: barrier, result, snapshot, inbound(self), staging. ARGV: shard, token, first window to keep.
 * Returns 1, -1 (finished), -2 (superseded) or -3 (no staging copy).
 */
export const SNAPSHOT_LUA = `
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('DEL', KEYS[5]) return -1 end
if redis.call('HGET', KEYS[1], 'tok:' .. ARGV[1]) ~= ARGV[2] then redis.call('DEL', KEYS[5]) return -2 end
if redis.call('EXISTS', KEYS[5]) == 0 then return -3 end
redis.call('RENAME', KEYS[5], KEYS[3])
redis.call('PERSIST', KEYS[3])
redis.call('XTRIM', KEYS[4], 'MINID', ARGV[3] .. '-0')
return 1
`;

/**
 * Store a finished shard's partial result.
 * KEYS: barrier, result, partials. ARGV: shard, token, json.
 * Returns the number of shards finished, -1 (job finished) or -2 (superseded).
 */
export const COMPLETE_SHARD_LUA = `
if redis.call('EXISTS', KEYS[2]) == 1 then return -1 end
if redis.call('HGET', KEYS[1], 'tok:' .. ARGV[1]) ~= ARGV[2] then return -2 end
redis.call('HSET', KEYS[3], ARGV[1], ARGV[3])
return redis.call('HLEN', KEYS[3])
`;

/**
 * Store a shard's checkpoint and drop its older ones, unless the job is
 * finished. Not fenced: a checkpoint is deterministic, whichever run writes it.
 * KEYS: result, checkpoints. ARGV: field, json, then fields to drop.
 * Returns 1, or -1 (job finished).
 */
export const CHECKPOINT_LUA = `
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
if #ARGV > 2 then redis.call('HDEL', KEYS[2], unpack(ARGV, 3)) end
return 1
`;

/**
 * Append one event unless the job is finished.
 * KEYS: events, result. ARGV: event json. Returns the entry id or false.
 */
export const APPEND_EVENT_LUA = `
if redis.call('EXISTS', KEYS[2]) == 1 then return false end
return redis.call('XADD', KEYS[1], '*', 'e', ARGV[1])
`;

/**
 * Append one event of a shard run: unless the job is finished, and only
 * while the run holds the shard's fencing token (a run presumed stalled and
 * replaced must not report progress the job already went back from).
 * KEYS: events, result, barrier. ARGV: event json, shard, token.
 * Returns the entry id, -1 (job finished) or -2 (superseded).
 */
export const APPEND_SHARD_EVENT_LUA = `
if redis.call('EXISTS', KEYS[2]) == 1 then return -1 end
if redis.call('HGET', KEYS[3], 'tok:' .. ARGV[2]) ~= ARGV[3] then return -2 end
return redis.call('XADD', KEYS[1], '*', 'e', ARGV[1])
`;

/**
 * Finish a job once: write its result record (the tombstone), append the
 * final event, start the retention clock of its events and metadata.
 * KEYS: result, events, meta. ARGV: retention seconds, final event json, then field/value pairs.
 * Returns the event id, or false if the job was already finished.
 */
export const FINISH_LUA = `
if redis.call('EXISTS', KEYS[1]) == 1 then return false end
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
local id = redis.call('XADD', KEYS[2], '*', 'e', ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[1])
redis.call('EXPIRE', KEYS[3], ARGV[1])
return id
`;
