import { spawn, spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import Redis from 'ioredis';
import { CLUSTER_SCHEME } from '@tlbsim/jobs';
import { freePort, listenError, LocalProcess, managed } from './local-cluster';

/** One master of a {@link LocalRedisCluster}. */
export interface LocalClusterNode extends LocalProcess {
  port: number;
}

/** A Redis Cluster of local `redis-server` processes (tests and `npm run bench`). */
export interface LocalRedisCluster {
  /** `redis-cluster://127.0.0.1:<p1>,127.0.0.1:<p2>,...` */
  url: string;
  nodes: LocalClusterNode[];
  /** The master port serving `key`'s hash slot (as the nodes see it now). */
  ownerOf(key: string): Promise<number>;
  /** Stops every node (SIGTERM, then SIGKILL after `graceMs`) and removes the data directory. */
  stop(graceMs?: number): Promise<void>;
}

/** A free port whose cluster bus port (+10000) is free too. */
async function freeClusterPort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await freePort();
    if (port + 10000 <= 65535 && !(await listenError(port + 10000, '127.0.0.1'))) return port;
  }
  throw new Error('no free port pair (port, port + 10000) for a cluster node');
}

/** Polls `fn` every 100 ms until true; throws naming `what` after `timeoutMs`. */
async function until(what: string, fn: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`Redis Cluster: timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs `fn` on a plain connection to one node (no retries: it answers now or not). */
async function onNode<T>(port: number, fn: (r: Redis) => Promise<T>): Promise<T> {
  const r = new Redis(port, '127.0.0.1', {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1000,
  });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return await fn(r);
  } finally {
    r.disconnect();
  }
}

/**
 * Starts `masters x (1 + replicas)` cluster-enabled `redis-server`s on free
 * ports of 127.0.0.1 (no persistence), joins them with `redis-cli --cluster
 * create --cluster-replicas <replicas>`, and waits until every node reports
 * `cluster_state:ok` (up to 30 s). `nodeTimeoutMs` is how soon the others
 * mark a dead master failed (then a replica takes over, or with none the
 * cluster is down). Everything is stopped if a step fails.
 */
export async function startLocalRedisCluster(
  masters = 3,
  nodeTimeoutMs = 2000,
  replicas = 0,
): Promise<LocalRedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'tlbsim-cluster-'));
  const nodes: LocalClusterNode[] = [];
  const stop = async (graceMs = 2000): Promise<void> => {
    await Promise.all(nodes.map((n) => n.stop(graceMs)));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters * (1 + replicas); i++) {
      const port = await freeClusterPort();
      // A directory per node: a replica's sync writes dump.rdb there.
      const nodeDir = join(dir, String(port));
      mkdirSync(nodeDir);
      const args = [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        nodeDir,
        '--save',
        '',
        '--appendonly',
        'no',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        'nodes.conf',
        '--cluster-node-timeout',
        String(nodeTimeoutMs),
        '--logfile',
        join(nodeDir, 'redis.log'),
        '--repl-diskless-sync-delay',
        '0',
      ];
      nodes.push({ ...managed(spawn('redis-server', args, { stdio: 'ignore' })), port });
      await until(`node ${port} to answer`, () => onNode(port, async (r) => (await r.ping()) === 'PONG'), 10000);
    }
    const create = spawnSync(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...nodes.map((n) => `127.0.0.1:${n.port}`),
        '--cluster-replicas',
        String(replicas),
        '--cluster-yes',
      ],
      { encoding: 'utf8', timeout: 30000 },
    );
    if (create.status !== 0)
      throw new Error(
        `redis-cli --cluster create failed: ${(create.stderr || create.stdout || String(create.error)).trim().split('\n').pop()}`,
      );
    for (const n of nodes) {
      await until(
        `cluster_state:ok on ${n.port}`,
        () => onNode(n.port, async (r) => String(await r.cluster('INFO')).includes('cluster_state:ok')),
        30000,
      );
      // A replica that has not synced yet could not take over its master.
      await until(
        `replica ${n.port} in sync`,
        () =>
          onNode(
            n.port,
            async (r) =>
              !/role:slave/.test(await r.info('replication')) ||
              /master_link_status:up/.test(await r.info('replication')),
          ),
        30000,
      );
    }
  } catch (error) {
    await stop(0);
    throw error;
  }
  const url = `${CLUSTER_SCHEME}${nodes.map((n) => `127.0.0.1:${n.port}`).join(',')}`;
  const ownerOf = async (key: string): Promise<number> => {
    for (const n of nodes) {
      const owner = await onNode(n.port, async (r) => {
        const slot = Number(await r.cluster('KEYSLOT', key));
        const ranges = await r.cluster('SLOTS');
        return ranges.find(([from, to]) => slot >= from && slot <= to)?.[2]?.[1];
      }).catch(() => undefined);
      if (owner !== undefined) return owner;
    }
    throw new Error(`no node of the cluster answers for the slot of ${key}`);
  };
  return { url, nodes, ownerOf, stop };
}
