/**
 * The barrier timeout on a real Redis Cluster (three masters, no replicas),
 * as test/redis-transport.test.ts shows it on one redis-server: the
 * connections are cluster clients (`createRedis` on a `redis-cluster://`
 * URL) and each job's keys live on a master other than the first seed.
 * - shard 0 publishes window 0 and waits; shard 1 never publishes: the wait
 *   fails with BarrierTimeoutError naming shard 1 and window 0, within a
 *   bound;
 * - a claim of the missing shard (a worker resuming it), or a window it
 *   re-runs, is progress: the timeout restarts from it.
 */
import { Cluster } from 'ioredis';
import {
  BarrierTimeoutError,
  createRedis,
  JobKeys,
  RedisTransport,
  ShardExchangeRepository,
  TlbRedis,
} from '@tlbsim/jobs';
import { BARRIER_PROGRESS } from './support/barrier.fixture';
import { LocalRedisCluster, startRedisCluster } from './support/redis-cluster';

jest.setTimeout(60000);

const PREFIX = 'btc';
const TIMEOUT_MS = 1500;
/** Slack over the timeout for the probe interval (a tenth of it), a blocked XREAD and the round trips. */
const SLACK_MS = 1500;

let cluster: LocalRedisCluster;
let conns: TlbRedis[] = [];

/** A cluster connection, disconnected after the test. */
function connect(): TlbRedis {
  const conn = createRedis(cluster.url);
  conns.push(conn);
  return conn;
}

/** What `p` settles to (a rejection as its error), or `no outcome within <ms> ms`: a wait that never ends fails the test, not jest's timeout. */
async function outcomeWithin(p: Promise<unknown>, ms: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise((r) => (timer = setTimeout(() => r(`no outcome within ${ms} ms`), ms)));
  try {
    return await Promise.race([p.catch((e: unknown) => e), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A job id starting with `stem` whose keys a master other than the first
 * seed serves, so every command of the test is routed by the cluster client
 * (a client on the seed alone would be answered MOVED).
 */
async function jobOffSeed(stem: string): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const id = `${stem}${i}`;
    if ((await cluster.ownerOf(new JobKeys(PREFIX, id).barrier)) !== cluster.nodes[0].port) return id;
  }
  throw new Error(`no job id ${stem}0..49 off the first seed`);
}

/** Shards 0..shards-1 of job `jobId`, each claimed on its own cluster connection, with a transport. */
async function transports(
  jobId: string,
  shards: number,
): Promise<{ keys: JobKeys; repos: ShardExchangeRepository[]; ts: RedisTransport[]; tokens: string[] }> {
  const keys = new JobKeys(PREFIX, jobId);
  const repos: ShardExchangeRepository[] = [];
  const ts: RedisTransport[] = [];
  const tokens: string[] = [];
  for (let s = 0; s < shards; s++) {
    const conn = connect();
    const repo = new ShardExchangeRepository(conn, keys, s, shards);
    const claim = (await repo.claim())!;
    repos.push(repo);
    tokens.push(claim.token);
    ts.push(new RedisTransport(repo, { jobId, token: claim.token, blockMs: 100 }));
  }
  return { keys, repos, ts, tokens };
}

beforeAll(async () => {
  cluster = await startRedisCluster(3, 1000);
});
afterEach(() => {
  conns.forEach((c) => c.disconnect());
  conns = [];
});
afterAll(async () => {
  await cluster?.stop(1000);
});

describe('the barrier timeout on a Redis Cluster (three masters)', () => {
  it('fails a barrier wait with no progress from the missing shard for the barrier timeout, naming it and the window', async () => {
    const jobId = await jobOffSeed('e');
    const { keys, repos, tokens } = await transports(jobId, 2);
    expect(conns[0]).toBeInstanceOf(Cluster);
    const t0 = new RedisTransport(repos[0], { jobId, token: tokens[0], blockMs: 100, barrierTimeoutMs: TIMEOUT_MS });
    const start = Date.now();
    const error = await outcomeWithin(t0.exchange(0, 0, new Map(), false), TIMEOUT_MS + SLACK_MS);
    const elapsed = Date.now() - start;
    expect(error).toBeInstanceOf(BarrierTimeoutError);
    const e = error as BarrierTimeoutError;
    expect([e.jobId, e.shard, e.window, e.missing]).toEqual([jobId, 0, 0, [1]]);
    expect(e.message).toBe(
      'waited 1.5 s at the barrier of window 0 for shard 1 with no progress (a write lost in a Redis failover, or no worker runs it)',
    );
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS);
    expect(elapsed).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    // Shard 0's publish reached the cluster; shard 1 has none.
    const raw = connect();
    expect(await raw.hmget(keys.barrier, 'pub:0', 'pub:1')).toEqual(['0', null]);
  });

  it.each(BARRIER_PROGRESS)('%s restarts the barrier timeout', async (_what, stem, progress) => {
    const jobId = await jobOffSeed(stem);
    const { repos, ts, tokens } = await transports(jobId, 2);
    // Both pass window 0; shard 0 waits at window 1, which shard 1 never publishes.
    const passed = await Promise.all([ts[0].exchange(0, 0, new Map(), false), ts[1].exchange(1, 0, new Map(), false)]);
    expect(passed.map((r) => r.allDone)).toEqual([false, false]);
    const t0 = new RedisTransport(repos[0], { jobId, token: tokens[0], blockMs: 100, barrierTimeoutMs: TIMEOUT_MS });
    const start = Date.now();
    const progressAfterMs = 1000;
    const waiting = outcomeWithin(t0.exchange(0, 1, new Map(), false), progressAfterMs + TIMEOUT_MS + SLACK_MS);
    await new Promise((r) => setTimeout(r, progressAfterMs));
    await progress(repos[1], tokens[1]);
    const error = await waiting;
    const elapsed = Date.now() - start;
    expect(error).toBeInstanceOf(BarrierTimeoutError);
    expect([(error as BarrierTimeoutError).window, (error as BarrierTimeoutError).missing]).toEqual([1, [1]]);
    // Without the restart it fails at TIMEOUT_MS (< progressAfterMs + TIMEOUT_MS).
    expect(elapsed).toBeGreaterThanOrEqual(progressAfterMs + TIMEOUT_MS);
    expect(elapsed).toBeLessThan(progressAfterMs + TIMEOUT_MS + SLACK_MS);
  });
});
