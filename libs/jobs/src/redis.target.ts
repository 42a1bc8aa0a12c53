/**
 * Where tlbsim's Redis is: one server (a `redis://` or `rediss://` URL) or a
 * Redis Cluster, written as a URL too so every layer that passes a Redis URL
 * passes a cluster unchanged: `redis-cluster://[user:password@]host:port[,host:port...]`
 * (`rediss-cluster://` for TLS). The nodes are seeds: the client learns the
 * others from the cluster.
 */

/** Scheme of a cluster target without TLS. */
export const CLUSTER_SCHEME = 'redis-cluster://';
/** Scheme of a cluster target over TLS (managed clusters with in-transit encryption). */
export const CLUSTER_TLS_SCHEME = 'rediss-cluster://';
/** Seed nodes of one cluster target at most. @defaultValue 64 */
export const CLUSTER_SEEDS_MAX = 64;

/** One seed node of a cluster. */
export interface ClusterSeed {
  host: string;
  port: number;
}

/** A parsed cluster target. */
export interface ClusterTarget {
  seeds: ClusterSeed[];
  username?: string;
  password?: string;
  tls: boolean;
}

/** True if `url` names a Redis Cluster (see {@link clusterUrlOf}). */
export function isClusterUrl(url: string): boolean {
  return url.startsWith(CLUSTER_SCHEME) || url.startsWith(CLUSTER_TLS_SCHEME);
}

/** `host:port` with a port in 1..65535 (IPv6 hosts in brackets). */
function parseSeed(text: string, field: string): ClusterSeed {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^\s:,@/[\]]+):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[2]) : 0;
  if (!m || port < 1 || port > 65535) {
    throw new Error(`${field}: expected host:port[,host:port...] (port 1..65535), got ${JSON.stringify(text.trim())}`);
  }
  return { host: m[1].replace(/^\[|\]$/g, ''), port };
}

/**
 * Parses a cluster target. @param field - the flag or variable it came from,
 * named in the error. @throws Error (one line) when it is not `host:port[,...]`.
 */
export function parseClusterUrl(url: string, field = '--redis-cluster'): ClusterTarget {
  const tls = url.startsWith(CLUSTER_TLS_SCHEME);
  let rest = url.slice(tls ? CLUSTER_TLS_SCHEME.length : CLUSTER_SCHEME.length);
  let username: string | undefined;
  let password: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const auth = rest.slice(0, at);
    rest = rest.slice(at + 1);
    const colon = auth.indexOf(':');
    username = decodeURIComponent(colon >= 0 ? auth.slice(0, colon) : auth) || undefined;
    password = colon >= 0 ? decodeURIComponent(auth.slice(colon + 1)) : undefined;
  }
  const parts = rest
    .replace(/\/$/, '')
    .split(',')
    .filter((p) => p.trim() !== '');
  if (parts.length === 0) throw new Error(`${field}: expected host:port[,host:port...], got nothing`);
  if (parts.length > CLUSTER_SEEDS_MAX)
    throw new Error(`${field}: at most ${CLUSTER_SEEDS_MAX} nodes, got ${parts.length}`);
  return { seeds: parts.map((p) => parseSeed(p, field)), username, password, tls };
}

/**
 * The cluster target of `--redis-cluster` / `REDIS_CLUSTER_NODES`: either
 * `host:port[,host:port...]` or a full `redis-cluster://` / `rediss-cluster://` URL.
 * @throws Error naming `field` when a node is not `host:port`.
 */
export function clusterUrlOf(nodes: string, field = '--redis-cluster'): string {
  const url = isClusterUrl(nodes.trim()) ? nodes.trim() : `${CLUSTER_SCHEME}${nodes.trim()}`;
  parseClusterUrl(url, field);
  return url;
}

/** The `--redis-cluster` value of a cluster URL, for handing to a child process (the inverse of {@link clusterUrlOf}). */
export function clusterNodesOf(url: string): string {
  return url.startsWith(CLUSTER_SCHEME) ? url.slice(CLUSTER_SCHEME.length) : url;
}

/** The Redis flags of a command as given (absent: not given). */
export interface RedisFlags {
  /** `--redis <url>` */
  redis?: string;
  /** `--redis-cluster <host:port,...>` */
  redisCluster?: string;
}

/**
 * The Redis target of a process, one rule for the CLI and the coordinator:
 * `--redis` or `--redis-cluster` (not both), else `$REDIS_CLUSTER_NODES` or
 * `$TLBSIM_REDIS_URL` / `$REDIS_URL` (not both; an empty variable counts as
 * unset), else undefined. A cluster comes back as a `redis-cluster://` URL.
 * `useEnv: false` for commands whose `--redis` is opt-in (`sweep`, `hunt`).
 * @throws Error (one line naming the flags or variables) when both kinds are given or a node is malformed.
 */
export function redisTargetOf(
  flags: RedisFlags,
  env: NodeJS.ProcessEnv = process.env,
  useEnv = true,
): string | undefined {
  if (flags.redis !== undefined && flags.redisCluster !== undefined) {
    throw new Error(
      "--redis and --redis-cluster exclude each other: give one (a single Redis URL, or the cluster's host:port list)",
    );
  }
  if (flags.redisCluster !== undefined) return clusterUrlOf(flags.redisCluster, '--redis-cluster');
  if (flags.redis !== undefined) return flags.redis;
  if (!useEnv) return undefined;
  const url = env.TLBSIM_REDIS_URL || env.REDIS_URL;
  const nodes = env.REDIS_CLUSTER_NODES;
  if (url && nodes) {
    const which = env.TLBSIM_REDIS_URL ? 'TLBSIM_REDIS_URL' : 'REDIS_URL';
    throw new Error(`REDIS_CLUSTER_NODES and ${which} are both set: unset one (or give --redis / --redis-cluster)`);
  }
  return nodes ? clusterUrlOf(nodes, 'REDIS_CLUSTER_NODES') : url || undefined;
}
