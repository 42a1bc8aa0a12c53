/**
 * Lua scripts of resizing a running job (`tlbsim resize`), loaded from
 * `lua/resize-*.lua` (each file's header gives its KEYS, ARGV and return
 * values). Like those of redis.scripts.ts, each touches keys of one job only
 * and checks the job's result record first. They run through EVAL: a resize
 * is rare, so they need no command of their own on every connection.
 */
import { loadLua } from './lua.loader';

/** Ask a running job's shards to stop at the next barrier (lua/resize-request.lua). */
export const RESIZE_REQUEST_LUA = loadLua('resize-request');
/** A shard stopped for the resize, fenced (lua/resize-stop.lua). */
export const RESIZE_STOP_LUA = loadLua('resize-stop');
/** Switch a job to its re-partitioned snapshots (lua/resize-commit.lua). */
export const RESIZE_COMMIT_LUA = loadLua('resize-commit');
