-- Put a snapshot in place (fenced) and drop inbound batches it no longer needs. The bytes
-- come in a staging key written just before by a plain SET in the same pipeline; a
-- finished job or a stale run only drops its staging copy.
-- KEYS: [1] barrier, [2] result, [3] snapshot, [4] inbound(self), [5] staging.
-- ARGV: [1] shard, [2] token, [3] first window to keep.
-- Returns: 1, -1 (job finished), -2 (superseded) or -3 (no staging copy).
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('DEL', KEYS[5]) return -1 end
if redis.call('HGET', KEYS[1], 'tok:' .. ARGV[1]) ~= ARGV[2] then redis.call('DEL', KEYS[5]) return -2 end
if redis.call('EXISTS', KEYS[5]) == 0 then return -3 end
redis.call('RENAME', KEYS[5], KEYS[3])
redis.call('PERSIST', KEYS[3])
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', '(' .. ARGV[3])
return 1
