-- A shard stopped for the resize at window `stopAt` (its snapshot is stored).
-- KEYS: [1] barrier, [2] result.
-- ARGV: [1] shard, [2] token, [3] stopAt.
-- Returns: the number of shards stopped so far, -1 (job finished), -2 (superseded: another
--   run holds the shard) or -3 (no such stop under way).
if redis.call('EXISTS', KEYS[2]) == 1 then return -1 end
if redis.call('HGET', KEYS[1], 'tok:' .. ARGV[1]) ~= ARGV[2] then return -2 end
if redis.call('HGET', KEYS[1], 'stopAt') ~= ARGV[3] then return -3 end
if redis.call('HSETNX', KEYS[1], 'rs:' .. ARGV[1], 1) == 1 then redis.call('HINCRBY', KEYS[1], 'rsn', 1) end
return tonumber(redis.call('HGET', KEYS[1], 'rsn'))
