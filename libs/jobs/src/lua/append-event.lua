-- Append one event unless the job is finished.
-- KEYS: [1] events, [2] result.
-- ARGV: [1] event json.
-- Returns: the entry id, or false (job finished).
if redis.call('EXISTS', KEYS[2]) == 1 then return false end
return redis.call('XADD', KEYS[1], '*', 'e', ARGV[1])
