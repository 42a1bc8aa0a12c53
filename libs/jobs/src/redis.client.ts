import Redis, { ChainableCommander, Cluster, ClusterOptions } from 'ioredis';
import type { ConnectionOptions } from 'bullmq';
import { RedisConnectionMonitor } from './redis-connection.monitor';
import {
  APPEND_EVENT_LUA,
  APPEND_SHARD_EVENT_LUA,
  CHECKPOINT_LUA,
  CLAIM_LUA,
  COMPLETE_SHARD_LUA,
  FINISH_LUA,
  PUBLISH_LUA,
  SNAPSHOT_LUA,
} from './redis.scripts';
import { isClusterUrl, parseClusterUrl } from './redis.target';

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

/** A pipeline of a {@link TlbRedis}: ioredis adds defined scripts to pipelines too. */
export type TlbPipeline = ChainableCommander & {
  tlbSnapshot(numKeys: number, ...args: (string | Buffer | number)[]): TlbPipeline;
  tlbPublishBuffer(numKeys: number, ...args: (string | Buffer | number)[]): TlbPipeline;
};

/** An ioredis client (one server, or a Redis Cluster: `isCluster`) with tlbsim's scripts defined. */
export type TlbRedis = (Redis | Cluster) & TlbScripts;

/** Delay between retries of a command while a cluster is down or failing over. @defaultValue 500 */
export const CLUSTER_RETRY_DELAY_MS = 500;

/**
 * How long a command waits at most for a cluster that is down (a master
 * lost, a failover in progress) before it fails: a failover with replicas
 * completes within it; a master lost without a replica fails the command
 * instead of hanging. @defaultValue 20000
 */
export const CLUSTER_DOWN_TOLERANCE_MS = 20000;

/**
 * The options of every cluster client tlbsim opens (its own and BullMQ's):
 * `maxRetriesPerRequest: null` on the nodes as BullMQ requires; redirections
 * (MOVED, ASK, TRYAGAIN, CLUSTERDOWN, a node's connection lost) retried for
 * {@link CLUSTER_DOWN_TOLERANCE_MS}; credentials and TLS from the URL.
 */
export function clusterOptionsOf(url: string, name: string, overrides: Partial<ClusterOptions> = {}): ClusterOptions {
  const t = parseClusterUrl(url);
  return {
    redisOptions: {
      maxRetriesPerRequest: null,
      connectionName: name,
      username: t.username,
      password: t.password,
      ...(t.tls ? { tls: {} } : {}),
    },
    // Managed clusters over TLS (ElastiCache) need the node names kept for certificate checks.
    ...(t.tls
      ? {
          dnsLookup: (address: string, callback: (err: Error | null, address: string) => void) =>
            callback(null, address),
        }
      : {}),
    retryDelayOnClusterDown: CLUSTER_RETRY_DELAY_MS,
    retryDelayOnFailover: CLUSTER_RETRY_DELAY_MS,
    retryDelayOnTryAgain: CLUSTER_RETRY_DELAY_MS,
    maxRedirections: Math.ceil(CLUSTER_DOWN_TOLERANCE_MS / CLUSTER_RETRY_DELAY_MS),
    ...overrides,
  };
}

/** A plain client on `url` (a server or a cluster), watched by the connection monitor, no scripts. */
function open(url: string, name: string): Redis | Cluster {
  const t = isClusterUrl(url) ? parseClusterUrl(url) : null;
  const client = t
    ? new Cluster(t.seeds, clusterOptionsOf(url, name))
    : new Redis(url, { maxRetriesPerRequest: null, connectionName: name, lazyConnect: false });
  // Errors go to the process's one line per state change (and no "Unhandled error event").
  RedisConnectionMonitor.of(url).watch(client);
  return client;
}

/**
 * Opens a connection with the scripts defined (ioredis loads them with
 * EVALSHA and falls back to EVAL once per connection) on a server or, for a
 * `redis-cluster://` URL, a Redis Cluster client. `maxRetriesPerRequest:
 * null` because BullMQ requires it on connections it blocks on, and we share
 * the options.
 */
export function createRedis(url: string, name = 'tlbsim'): TlbRedis {
  const redis = open(url, name);
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

/**
 * The `connection` of a BullMQ queue or worker on `url`: options for one
 * server (BullMQ opens and closes its connections), a cluster client for a
 * cluster (BullMQ cannot open one from options; it shares it, so the owner
 * closes it with {@link releaseBullConnection}).
 */
export function bullConnectionOf(url: string, name = 'tlbsim-bull'): ConnectionOptions {
  return isClusterUrl(url) ? open(url, name) : { url, maxRetriesPerRequest: null };
}

/** Closes a connection made by {@link bullConnectionOf} once its queue or worker is closed (nothing for options). */
export function releaseBullConnection(connection: unknown): void {
  if (connection instanceof Cluster || connection instanceof Redis) connection.disconnect();
}
