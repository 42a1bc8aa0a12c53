-- Store a shard's checkpoint and drop its older ones, unless the job is finished. Not
-- fenced: a checkpoint is deterministic, whichever run writes it.
-- KEYS: [1] result, [2] checkpoints.
-- ARGV: [1] field, [2] json, [3..] fields to drop.
-- Returns: 1, or -1 (job finished).
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
if #ARGV > 2 then redis.call('HDEL', KEYS[2], unpack(ARGV, 3)) end
return 1
