/**
 * The partial report of a job that failed (or was cancelled) is built from
 * the shards' checkpoints at the latest window all of them recorded, with
 * the digest of the in-process run stopped after that window; a job with no
 * common checkpoint keeps none (its /result stays 409).
 */
import { buildScenario } from '@tlbsim/contracts';
import { InMemoryTransport, runInProcess, runShard } from '@tlbsim/engine';
import {
  createRedis,
  EventStreamRepository,
  JobFinalizerService,
  JobKeys,
  JobMeta,
  JobRepository,
  SchedulerRepository,
  ShardExchangeRepository,
  TlbRedis,
} from '@tlbsim/jobs';
import { ShardPartial, ShardSim, SimConfig } from '@tlbsim/sim-core';
import { startRedis, TestRedis } from './support/redis-server';

const PREFIX = 'partial';
let server: TestRedis;
let redis: TlbRedis;

beforeAll(async () => {
  server = await startRedis();
  redis = createRedis(server.url);
});
afterAll(async () => {
  redis.disconnect();
  await server.stop();
});

/** The shards' partials after `windows` windows, as running shards record them. */
async function partialsAfter(cfg: SimConfig, shards: number, windows: number): Promise<ShardPartial[]> {
  const transport = new InMemoryTransport(shards, (w) => w + 1 >= windows);
  const sims = Array.from({ length: shards }, (_, i) => new ShardSim(cfg, i, shards));
  return (await Promise.all(sims.map((s) => runShard(s, transport)))).map((r) => r.partial);
}

async function job(
  id: string,
  cfg: SimConfig,
  shards: number,
): Promise<{ meta: JobMeta; jobs: JobRepository; finalizer: JobFinalizerService }> {
  const jobs = new JobRepository(redis, PREFIX);
  const meta: JobMeta = {
    id,
    name: cfg.name,
    policy: cfg.kvm.policy,
    seed: cfg.seed,
    shards,
    groupId: null,
    createdAt: new Date().toISOString(),
    accessesTotal: 0,
    windowsEstimate: 0,
    config: { ...cfg, run: { ...cfg.run, shards } },
    retentionSec: 60,
  };
  await jobs.create(meta);
  const finalizer = new JobFinalizerService(
    jobs,
    new EventStreamRepository(redis, PREFIX),
    new SchedulerRepository(redis, PREFIX),
    60,
  );
  return { meta, jobs, finalizer };
}

describe('partial reports', () => {
  const cfg = buildScenario(
    {
      name: 'hot',
      fleet: { hosts: 2, vmsPerHost: 2, vcpusPerVm: 2 },
      workload: { accessesPerVcpu: 5000000 },
      events: { memslotUpdatesPerSec: 20000, mmuNotifierInvalidationsPerSec: 20000 },
    },
    [],
  );

  it('a failed job keeps the report of the latest window every shard checkpointed, with the in-process digest of that window', async () => {
    const { meta, jobs, finalizer } = await job('f1', cfg, 2);
    const keys = new JobKeys(PREFIX, meta.id);
    const repos = [0, 1].map((s) => new ShardExchangeRepository(redis, keys, s, 2));
    // Shard 0 went on to window 1280; shard 1 had recorded up to 1024 (past the first violations, which wait for a
    // freed root's RCU grace period, latency.rootFreeNs: 1 ms, 500 windows).
    for (const [w, shardsAt] of [
      [768, [0, 1]],
      [1024, [0, 1]],
      [1280, [0]],
    ] as const) {
      const parts = await partialsAfter(meta.config, 2, w);
      for (const s of shardsAt) await repos[s].saveCheckpoint(w, JSON.stringify(parts[s]), []);
    }
    expect(await finalizer.fail(meta, 'shard 1: boom')).toBe(true);
    const [record] = await jobs.results([meta.id]);
    expect(record).toMatchObject({ state: 'failed', error: 'shard 1: boom', digest: null });
    const report = JSON.parse(record!.report!);
    expect(report).toMatchObject({ partial: true, stoppedAt: { window: 1024 }, metrics: { windows: 1024 } });
    const expected = await runInProcess(cfg, { untilWindow: 1024 });
    expect(report.digest).toBe(expected.digest);
    expect(report.violations.total).toBeGreaterThan(0);
    expect(report.violations).toEqual(expected.violations);
    // The checkpoints went with the job's other running keys.
    expect(await redis.exists(keys.checkpoints)).toBe(0);
  });

  it('a job cancelled before every shard checkpointed keeps no report', async () => {
    const { meta, jobs, finalizer } = await job('c1', cfg, 2);
    const parts = await partialsAfter(meta.config, 2, 1);
    await new ShardExchangeRepository(redis, new JobKeys(PREFIX, meta.id), 0, 2).saveCheckpoint(
      1,
      JSON.stringify(parts[0]),
      [],
    );
    expect(await finalizer.cancel(meta)).toBe(true);
    const [record] = await jobs.results([meta.id]);
    expect(record).toMatchObject({ state: 'cancelled', report: null });
  });
});
