-- Claim a shard for one run: a new fencing token, plus its last snapshot.
-- KEYS: [1] barrier, [2] result, [3] snapshot.
-- ARGV: [1] shard.
-- Returns: {token, snapshot|false, t0, stopAt}, or {-1} if the job is finished; t0 is the
--   shard's token when the job last changed its shard count (its first run since then
--   gets t0 + 1), stopAt the window of a resize under way (-1: none).
if redis.call('EXISTS', KEYS[2]) == 1 then return {-1} end
local tok = redis.call('HINCRBY', KEYS[1], 'tok:' .. ARGV[1], 1)
local t0 = tonumber(redis.call('HGET', KEYS[1], 't0:' .. ARGV[1]) or '0')
return {tok, redis.call('GET', KEYS[3]), t0, tonumber(redis.call('HGET', KEYS[1], 'stopAt') or '-1')}
