import Redis, { Cluster } from 'ioredis';
import { clusterOptionsOf } from './redis.client';
import { RedisUnreachableError } from './redis-unreachable.error';
import { isClusterUrl, parseClusterUrl } from './redis.target';

/** Bounds of {@link probeRedis}. */
export interface RedisProbeOptions {
  /** Connection attempts before giving up. @defaultValue 4 */
  attempts?: number;
  /** Delay before the second attempt, doubled after each further one. @defaultValue 250 */
  firstDelayMs?: number;
  /** Time one attempt may take to connect and answer PING (a black-holed host never refuses). @defaultValue 2000 */
  attemptTimeoutMs?: number;
}

/** The cause of a failed attempt as users read it (`connect ECONNREFUSED 127.0.0.1:1`, `getaddrinfo ENOTFOUND host`). */
function causeOf(error: unknown): string {
  const e = error as { message?: string; code?: string; lastNodeError?: Error };
  const message = (e?.message ?? String(error)).split('\n')[0];
  // A cluster client's "Failed to refresh slots cache." says why in its last node's error.
  const node = e?.lastNodeError ? ` (${causeOf(e.lastNodeError)})` : '';
  return (message || e?.code || 'unknown error') + node;
}

/**
 * Why a cluster's seeds do not answer, as one seed says it (`127.0.0.1:7000:
 * connect ECONNREFUSED ...`): the cluster client only says "None of startup
 * nodes is available". Null if a seed answers (the slot map is the problem).
 */
async function seedCause(url: string, timeoutMs: number): Promise<string | null> {
  const t = parseClusterUrl(url);
  const auth =
    t.password !== undefined ? `${encodeURIComponent(t.username ?? '')}:${encodeURIComponent(t.password)}@` : '';
  let cause: string | null = null;
  for (const seed of t.seeds) {
    try {
      await attempt(
        `${t.tls ? 'rediss' : 'redis'}://${auth}${seed.host.includes(':') ? `[${seed.host}]` : seed.host}:${seed.port}`,
        timeoutMs,
      );
      return null;
    } catch (error) {
      cause ??= `${seed.host}:${seed.port}: ${causeOf(error)}`;
    }
  }
  return cause;
}

/**
 * One attempt on a cluster: connect (which reads the slot map), then PING
 * every master and check `cluster_state:ok`, so a cluster with a master
 * lost is reported instead of failing later on that master's slots.
 */
async function attemptCluster(url: string, timeoutMs: number): Promise<void> {
  const base = clusterOptionsOf(url, 'tlbsim-probe');
  const cluster = new Cluster(parseClusterUrl(url).seeds, {
    ...base,
    lazyConnect: true,
    enableOfflineQueue: false,
    clusterRetryStrategy: () => null,
    maxRedirections: 0,
    slotsRefreshTimeout: timeoutMs,
    redisOptions: {
      ...base.redisOptions,
      maxRetriesPerRequest: 0,
      connectTimeout: timeoutMs,
      commandTimeout: timeoutMs,
    },
  });
  cluster.on('error', () => undefined); // the rejection of connect() is the one reported
  try {
    await cluster.connect().catch(async (error: unknown) => {
      throw new Error((await seedCause(url, timeoutMs)) ?? causeOf(error));
    });
    const masters = cluster.nodes('master');
    if (masters.length === 0) throw new Error('no master node in the slot map');
    for (const node of masters) {
      await node.ping().catch((e: Error) => {
        throw new Error(`master ${node.options.host}:${node.options.port}: ${causeOf(e)}`);
      });
    }
    const info = String(await masters[0].cluster('INFO'));
    const state = /cluster_state:(\w+)/.exec(info)?.[1] ?? 'unknown';
    if (state !== 'ok') throw new Error(`cluster_state:${state}`);
  } finally {
    cluster.disconnect();
  }
}

/** One attempt: connect, PING, disconnect. */
async function attempt(url: string, timeoutMs: number): Promise<void> {
  if (isClusterUrl(url)) return attemptCluster(url, timeoutMs);
  // No retries of its own and no offline queue: the loop in probeRedis owns the retry policy.
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    connectionName: 'tlbsim-probe',
  });
  // The error event carries the cause (ECONNREFUSED ...); the rejection only says "Connection is closed".
  let cause: unknown;
  redis.on('error', (e) => (cause ??= e));
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw cause ?? error;
  } finally {
    redis.disconnect();
  }
}

/**
 * Checks that Redis at `url` answers, with bounded retries and exponential
 * backoff, before a command opens its long-lived connections (which retry
 * forever by design: BullMQ needs `maxRetriesPerRequest: null`). Throws
 * {@link RedisUnreachableError} after the last failed attempt.
 */
export async function probeRedis(url: string, opts: RedisProbeOptions = {}): Promise<void> {
  const attempts = opts.attempts ?? 4;
  let delayMs = opts.firstDelayMs ?? 250;
  let cause = '';
  for (let i = 1; i <= attempts; i++) {
    try {
      await attempt(url, opts.attemptTimeoutMs ?? 2000);
      return;
    } catch (error) {
      cause = causeOf(error);
    }
    if (i < attempts) {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      delayMs *= 2;
    }
  }
  throw new RedisUnreachableError(url, cause, attempts);
}
