-- Ask a running job's shards to stop for a resize: field `resize` of the barrier; the
-- next publish turns it into `stopAt`, one past the furthest window published (see publish.lua).
-- A later request before that replaces it.
-- KEYS: [1] barrier, [2] result, [3] events, [4] meta.
-- ARGV: [1] shards, [2] event json.
-- Returns: 1, or -1 if the job is finished.
if redis.call('EXISTS', KEYS[2]) == 1 then return -1 end
redis.call('HSET', KEYS[1], 'resize', ARGV[1])
redis.call('HSET', KEYS[4], 'resizeTo', ARGV[1])
redis.call('XADD', KEYS[3], '*', 'e', ARGV[2])
return 1
