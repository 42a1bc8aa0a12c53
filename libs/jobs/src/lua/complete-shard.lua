-- Store a finished shard's partial result (fenced).
-- KEYS: [1] barrier, [2] result, [3] partials.
-- ARGV: [1] shard, [2] token, [3] json.
-- Returns: the number of shards finished, -1 (job finished) or -2 (superseded).
if redis.call('EXISTS', KEYS[2]) == 1 then return -1 end
if redis.call('HGET', KEYS[1], 'tok:' .. ARGV[1]) ~= ARGV[2] then return -2 end
redis.call('HSET', KEYS[3], ARGV[1], ARGV[3])
return redis.call('HLEN', KEYS[3])
