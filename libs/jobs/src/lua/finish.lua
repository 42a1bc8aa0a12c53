-- Finish a job once: write its result record (the tombstone every shard write checks),
-- append the final event, start the retention clock of its events and metadata.
-- KEYS: [1] result, [2] events, [3] meta.
-- ARGV: [1] retention seconds, [2] final event json, [3..] field/value pairs of the record.
-- Returns: the event id, or false if the job was already finished.
if redis.call('EXISTS', KEYS[1]) == 1 then return false end
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
local id = redis.call('XADD', KEYS[2], '*', 'e', ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[1])
redis.call('EXPIRE', KEYS[3], ARGV[1])
return id
