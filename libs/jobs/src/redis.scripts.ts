/**
 * The Lua scripts of a job's shards, loaded from `lua/*.lua` (each file's
 * header gives its KEYS, ARGV and return values). Each touches only keys of
 * one job (one hash tag), so they run on a Redis Cluster too. Every script
 * that writes job state first checks the job's result record: once a job is
 * finished or cancelled, late writes of its shards are dropped instead of
 * re-creating deleted keys. Writes of a shard also check its fencing token,
 * so a shard run that BullMQ presumed stalled but which is still alive
 * cannot interfere with its successor. `InMemoryShardStore` implements the
 * same rules for the protocol simulator; `test/shard-store.contract.test.ts`
 * holds both to them.
 */
import { loadLua } from './lua.loader';

/** Publish a window and check its barrier (lua/publish.lua). */
export const PUBLISH_LUA = loadLua('publish');
/** Claim a shard for one run: a fencing token and the last snapshot (lua/claim.lua). */
export const CLAIM_LUA = loadLua('claim');
/** Put a staged snapshot in place, fenced (lua/snapshot.lua). */
export const SNAPSHOT_LUA = loadLua('snapshot');
/** Store a finished shard's partial result, fenced (lua/complete-shard.lua). */
export const COMPLETE_SHARD_LUA = loadLua('complete-shard');
/** Store a checkpoint unless the job is finished (lua/checkpoint.lua). */
export const CHECKPOINT_LUA = loadLua('checkpoint');
/** Append an event unless the job is finished (lua/append-event.lua). */
export const APPEND_EVENT_LUA = loadLua('append-event');
/** Append a shard run's event, fenced (lua/append-shard-event.lua). */
export const APPEND_SHARD_EVENT_LUA = loadLua('append-shard-event');
/** Finish a job once: the tombstone (lua/finish.lua). */
export const FINISH_LUA = loadLua('finish');
