-- Append one event of a shard run: unless the job is finished, and only while the run
-- holds the shard's fencing token (a replaced run must not report progress).
-- KEYS: [1] events, [2] result, [3] barrier.
-- ARGV: [1] event json, [2] shard, [3] token.
-- Returns: the entry id, -1 (job finished) or -2 (superseded).
if redis.call('EXISTS', KEYS[2]) == 1 then return -1 end
if redis.call('HGET', KEYS[3], 'tok:' .. ARGV[2]) ~= ARGV[3] then return -2 end
return redis.call('XADD', KEYS[1], '*', 'e', ARGV[1])
