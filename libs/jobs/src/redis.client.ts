import Redis from 'ioredis';
import { RedisConnectionMonitor } from './redis-connection.monitor';
import {
  APPEND_EVENT_LUA, APPEND_SHARD_EVENT_LUA, CHECKPOINT_LUA, CLAIM_LUA, COMPLETE_SHARD_LUA, FINISH_LUA, PUBLISH_LUA, SNAPSHOT_LUA,
} from './redis.scripts';

/** Raw reply of a Lua script (Buffers when called through a `...Buffer` variant). */
export type LuaReply = unknown;

/** The scripts of {@link redis.scripts}, as ioredis commands (first argument: number of keys). */
export interface TlbScripts {
  tlbPublishBuffer(numKeys: number, ...args: (string | Buffer | number)[]): Promise<LuaReply>;
  tlbClaimBuffer(numKeys: number, ...args: (string | Buffer | number)[]): Promise<LuaReply>;
  tlbSnapshot(numKeys: number, ...args: (string | Buffer | number)[]): Promise<number>;
  tlbCompleteShard(numKeys: number, ...args: (string | number)[]): Promise<number>;
  tlbCheckpoint(numKeys: number, ...args: (string | number)[]): Promise<number>;
  tlbAppendEvent(numKeys: number, ...args: string[]): Promise<string | null>;
  tlbAppendShardEvent(numKeys: number, ...args: (string | number)[]): Promise<string | number>;
  tlbFinish(numKeys: number, ...args: (string | number)[]): Promise<string | null>;
}

/** An ioredis client with tlbsim's scripts defined. */
export type TlbRedis = Redis & TlbScripts;

/**
 * Opens a connection with the scripts defined (ioredis loads them with
 * EVALSHA and falls back to EVAL once per connection).
 * `maxRetriesPerRequest: null` because BullMQ requires it on connections it
 * blocks on, and we share the options.
 */
export function createRedis(url: string, name = 'tlbsim'): TlbRedis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, connectionName: name, lazyConnect: false });
  // Errors go to the process's one line per state change (and no "Unhandled error event").
  RedisConnectionMonitor.of(url).watch(redis);
  redis.defineCommand('tlbPublish', { lua: PUBLISH_LUA });
  redis.defineCommand('tlbClaim', { lua: CLAIM_LUA });
  redis.defineCommand('tlbSnapshot', { lua: SNAPSHOT_LUA });
  redis.defineCommand('tlbCompleteShard', { lua: COMPLETE_SHARD_LUA });
  redis.defineCommand('tlbCheckpoint', { lua: CHECKPOINT_LUA });
  redis.defineCommand('tlbAppendEvent', { lua: APPEND_EVENT_LUA });
  redis.defineCommand('tlbAppendShardEvent', { lua: APPEND_SHARD_EVENT_LUA });
  redis.defineCommand('tlbFinish', { lua: FINISH_LUA });
  return redis as TlbRedis;
}
