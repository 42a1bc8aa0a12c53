-- Put a snapshot in place (fenced) and drop inbound batches it no longer needs.
-- A full segment (ARGV[4] empty) comes in a staging key written just before by a plain SET
-- in the same pipeline, and replaces the shard's snapshot by a rename (no copy of its tens
-- of MB); a finished job or a stale run only drops its staging copy. A delta segment
-- (ARGV[4], the id of the segment it was taken against) comes in ARGV[5] and is appended
-- to the chain only if the chain ends with that id (its last bytes): the AOF then holds
-- the delta once, as the APPEND this script's effects are. A delta sent again after it
-- was appended (a client's retry after a lost reply) finds the chain ending with its own
-- id and is refused: an append happens once.
-- KEYS: [1] barrier, [2] result, [3] snapshot, [4] inbound(self), [5] staging.
-- ARGV: [1] shard, [2] token, [3] first window to keep, [4] base id ('' for a full segment),
--       [5] the delta segment (with a base id).
-- Returns: 1, -1 (job finished), -2 (superseded), -3 (no staging copy) or -4 (a delta whose
-- base is not the chain's end: nothing written).
local base = ARGV[4] or ''
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('DEL', KEYS[5]) return -1 end
if redis.call('HGET', KEYS[1], 'tok:' .. ARGV[1]) ~= ARGV[2] then redis.call('DEL', KEYS[5]) return -2 end
if base == '' then
  if redis.call('EXISTS', KEYS[5]) == 0 then return -3 end
  redis.call('RENAME', KEYS[5], KEYS[3])
  redis.call('PERSIST', KEYS[3])
else
  local len = redis.call('STRLEN', KEYS[3])
  if len < #base or redis.call('GETRANGE', KEYS[3], len - #base, len - 1) ~= base then return -4 end
  redis.call('APPEND', KEYS[3], ARGV[5])
end
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', '(' .. ARGV[3])
return 1
