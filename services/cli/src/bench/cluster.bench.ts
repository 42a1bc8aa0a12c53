/**
 * The Redis Cluster benchmark: the same job (scenarios/fleet.yaml, 2 shards
 * on 2 worker processes, as in the distributed benchmark) over one
 * redis-server and over a local three-master Redis Cluster, with accesses
 * per second, Redis round trips per window per shard and the commands each
 * Redis process served (where the load lands: the job's slot, the
 * `{prefix}` slot of BullMQ and the global keys).
 */
import { join } from 'path';
import Redis from 'ioredis';
import type { SimConfig } from '@tlbsim/sim-core';
import { findOnPath, startLocalRedis } from '../local-cluster';
import { startLocalRedisCluster } from '../local-redis-cluster';
import { loadScenarioFile } from '../scenario.loader';
import { BENCH_ACCESSES_PER_VCPU, benchRunOverrides } from './bench.args';
import { DistributedRun, measure } from './distributed.bench';

const ROOT = join(__dirname, '..', '..', '..', '..');

/** One run plus the commands each Redis process served during it. */
export interface ClusterBenchRun extends DistributedRun {
  /** `total_commands_processed` added during the run, by port (a script counts as one command). */
  commandsByNode: Record<string, number>;
}

/** `total_commands_processed` of the Redis on `port`. */
async function commandsOf(port: number): Promise<number> {
  const r = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await r.connect();
    return Number(/total_commands_processed:(\d+)/.exec(await r.info('stats'))?.[1] ?? NaN);
  } finally {
    r.disconnect();
  }
}

/** {@link measure} with each node's command count before and after. */
async function measureOn(url: string, ports: number[], cfg: SimConfig, prefix: string): Promise<ClusterBenchRun> {
  const before = await Promise.all(ports.map(commandsOf));
  const run = await measure(url, cfg, 2, 1, 2, prefix);
  const after = await Promise.all(ports.map(commandsOf));
  return { ...run, commandsByNode: Object.fromEntries(ports.map((p, i) => [String(p), after[i] - before[i]])) };
}

/** One Redis vs a three-master cluster, best of two runs each (the machine may be shared). */
export async function benchCluster(): Promise<object> {
  if (!findOnPath('redis-server') || !findOnPath('redis-cli'))
    return { skipped: 'redis-server and redis-cli are needed on PATH' };
  const cfg = loadScenarioFile(join(ROOT, 'scenarios', 'fleet.yaml'), benchRunOverrides([]));
  const best = (a: ClusterBenchRun, b: ClusterBenchRun): ClusterBenchRun => (a.wallSec <= b.wallSec ? a : b);
  const single = await startLocalRedis('redis-server');
  let one: ClusterBenchRun;
  try {
    one = best(
      await measureOn(single.url, [single.port], cfg, 'benchs1'),
      await measureOn(single.url, [single.port], cfg, 'benchs2'),
    );
  } finally {
    await single.stop();
  }
  const cluster = await startLocalRedisCluster(3);
  let three: ClusterBenchRun;
  try {
    const ports = cluster.nodes.map((n) => n.port);
    three = best(
      await measureOn(cluster.url, ports, cfg, 'benchc1'),
      await measureOn(cluster.url, ports, cfg, 'benchc2'),
    );
  } finally {
    await cluster.stop();
  }
  return {
    scenario: cfg.name,
    accessesPerVcpu: BENCH_ACCESSES_PER_VCPU,
    workers: 2,
    shards: 2,
    singleRedis: one,
    cluster3Masters: three,
    clusterOverAccessesPerSec: three.accessesPerSec / one.accessesPerSec,
    sameDigest: one.digest === three.digest,
  };
}

if (require.main === module) {
  benchCluster().then(
    (r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`),
    (e) => {
      process.stderr.write(`${e.stack}\n`);
      process.exit(1);
    },
  );
}
