import { join } from 'path';
import type { ShardNeighbours, SimConfig } from '@tlbsim/sim-core';
import { loadScenarioFile } from '../scenario.loader';
import { SYNC_EVERY_WINDOWS } from '@tlbsim/jobs';
import { ExchangeRule, jobModelOf, LOOPBACK_COSTS, shardRuleOf, SNAPSHOT_CALIBRATED_COSTS } from './scaling.inputs';
import { publishRedisMs, simulateJobs } from './scaling.model';
import type { ExchangeCosts, JobModel, ModelInput } from './scaling.types';
import { checkAgainstMeasured, checkCurrentCode } from './scaling.projection';

const ROOT = join(__dirname, '..', '..', '..', '..');

function fleet(overrides: string[] = []): SimConfig {
  return loadScenarioFile(join(ROOT, 'scenarios', 'fleet.yaml'), overrides);
}

/** A job of `shards` shards, shortened to `windows` windows (the invariants do not depend on the length). */
function job(cfg: SimConfig, shards: number, windows: number, shardsPerWorker = 1): JobModel {
  return { ...jobModelOf(cfg, shards, { shardsPerWorker }), windows, snapshotEveryWindows: 256 };
}

/** Every exchange cost zero: the round trip, Redis, the client side, snapshots. */
const FREE: ExchangeCosts = Object.fromEntries(
  Object.keys(LOOPBACK_COSTS).map((k) => [k, 0]),
) as unknown as ExchangeCosts;

function one(j: JobModel, rule: ExchangeRule, costs: ExchangeCosts, extra: Partial<ModelInput> = {}) {
  return simulateJobs({ jobs: [j], costs, rule, ...extra }).jobs[0];
}

describe('scaling model', () => {
  it('is deterministic for a seed, and the seed is what moves the noise', () => {
    const j = job(fleet(['run.placement=round-robin']), 4, 300, 2);
    const input: ModelInput = { jobs: [j], costs: LOOPBACK_COSTS, rule: 'every-window', noiseSigma: 0.3, seed: 5 };
    expect(simulateJobs(input)).toEqual(simulateJobs(input));
    expect(simulateJobs({ ...input, seed: 6 }).jobs[0].wallMs).not.toBe(simulateJobs(input).jobs[0].wallMs);
  });

  it('at zero exchange cost, twice the cores halves the wall time', () => {
    for (const placement of ['block', 'round-robin']) {
      const cfg = fleet([`run.placement=${placement}`]);
      const two = one(job(cfg, 8, 200, 2), 'every-window', FREE);
      const one1 = one(job(cfg, 8, 200, 1), 'every-window', FREE);
      expect(one1.wallMs / two.wallMs).toBeCloseTo(0.5, 9);
    }
  });

  it('with Redis free and shards isolated, the wall time is the compute-bound time', () => {
    const j = job(fleet(), 8, 600);
    expect(j.neighbours.into.every((i) => i.length === 0)).toBe(true);
    const costs = { ...LOOPBACK_COSTS, ...FREE, workerOverheadMsPerWindow: 0.05 };
    for (const rule of ['sparse', 'every-window'] as const) {
      const r = one(j, rule, costs);
      expect(r.wallMs).toBeCloseTo(r.computeBoundMs, 6);
    }
  });

  it('never ends before the compute-bound time, and no Redis is busier than always', () => {
    for (const [cfg, shards] of [
      [fleet(['run.placement=round-robin']), 4],
      [fleet(), 16],
    ] as const) {
      const r = simulateJobs({
        jobs: [job(cfg, shards, 300)],
        costs: LOOPBACK_COSTS,
        rule: 'every-window',
        noiseSigma: 0.3,
      });
      expect(r.jobs[0].wallMs).toBeGreaterThanOrEqual(r.jobs[0].computeBoundMs);
      expect(Math.max(...r.redisUtilisation)).toBeLessThanOrEqual(1);
    }
  });

  it('the sparse rule never yields more Redis work or round trips than publishing every window', () => {
    const cases: [SimConfig, number][] = [
      [fleet(), 2],
      [fleet(), 8],
      [fleet(), 16],
      [fleet(['run.placement=round-robin']), 4],
      [fleet(['fleet.hosts=12']), 8],
    ];
    for (const [cfg, shards] of cases) {
      const j = job(cfg, shards, 700);
      const sparse = one(j, 'sparse', LOOPBACK_COSTS, { noiseSigma: 0.2 });
      const every = one(j, 'every-window', LOOPBACK_COSTS, { noiseSigma: 0.2 });
      expect(sparse.redisBusyMs).toBeLessThanOrEqual(every.redisBusyMs);
      expect(sparse.roundTripsPerShardWindow).toBeLessThanOrEqual(every.roundTripsPerShardWindow);
    }
  });

  it('publishing every window is one round trip per shard-window; an isolated shard under the sparse rule publishes at sync and checkpoint windows only', () => {
    const j = job(fleet(), 2, 700);
    expect(one(j, 'every-window', LOOPBACK_COSTS).roundTripsPerShardWindow).toBe(1);
    const rule = shardRuleOf(j.neighbours, 0, 'sparse', 256);
    const published = Array.from({ length: 700 }, (_, w) => w).filter((w) => rule.publishes(w, w === 699));
    const expected = Array.from({ length: 700 }, (_, w) => w).filter(
      (w) => (w + 1) % SYNC_EVERY_WINDOWS === 0 || [1, 2, 4, 8, 16, 32].includes(w + 1) || w === 699,
    );
    expect(published).toEqual(expected);
    expect(one(j, 'sparse', LOOPBACK_COSTS).roundTripsPerShardWindow).toBeCloseTo(expected.length / 700, 9);
  });

  it('more jobs on one master cannot make a job faster, and spreading them over masters cannot make it slower', () => {
    const cfg = fleet(['run.placement=round-robin']);
    const jobs = (masters: number) =>
      Array.from({ length: 4 }, (_, i) => ({ ...job(cfg, 4, 200), master: i % masters }));
    const alone = one(job(cfg, 4, 200), 'every-window', LOOPBACK_COSTS);
    const shared = simulateJobs({ jobs: jobs(1), costs: LOOPBACK_COSTS, rule: 'every-window' });
    const spread = simulateJobs({ jobs: jobs(4), costs: LOOPBACK_COSTS, rule: 'every-window', masters: 4 });
    const slowest = (r: typeof shared) => Math.max(...r.jobs.map((x) => x.wallMs));
    expect(slowest(shared)).toBeGreaterThanOrEqual(alone.wallMs);
    expect(slowest(spread)).toBeLessThanOrEqual(slowest(shared));
  });

  it("a publish's Redis cost grows at most linearly in the shard's neighbours (the O(d) script of 99d61da)", () => {
    const allToAll = (d: number): ShardNeighbours => {
      const others = (s: number) => Array.from({ length: d + 1 }, (_, i) => i).filter((i) => i !== s);
      const each = Array.from({ length: d + 1 }, (_, s) => others(s));
      return { shards: d + 1, into: each, outOf: each };
    };
    const load = { vcpus: 64, kernelMsPerWindow: 1, bytesOutPerWindow: 0, bytesInPerWindow: 0 };
    const cost = (d: number) => publishRedisMs(allToAll(d), load, LOOPBACK_COSTS, 0, 1);
    const perNeighbour = cost(1) - cost(0);
    expect(perNeighbour).toBeGreaterThan(0);
    for (const d of [2, 3, 7, 15, 31, 63, 127, 255])
      expect((cost(d) - cost(0)) / d).toBeLessThanOrEqual(perNeighbour * (1 + 1e-9));
  });

  it('holds the error docs/scaling.md section 8 states against the measured runs: 10 % without cross-shard traffic, 35 % spanning', () => {
    const rows = checkAgainstMeasured();
    expect(rows.filter((r) => r.role === 'calibrated on')).toHaveLength(1);
    for (const r of rows) {
      expect(r.modelRoundTrips).toBe(1);
      expect(Math.abs(r.errorPct)).toBeLessThanOrEqual(r.run.includes('round-robin') ? 35 : 10);
    }
  });

  it('holds its out-of-sample error against the runs of d2cf199: 16 % without cross-shard traffic, 35 % spanning', () => {
    for (const r of checkCurrentCode())
      expect(Math.abs(r.errorPct)).toBeLessThanOrEqual(r.run.includes('round-robin') ? 35 : 16);
  });

  it('the calibrated snapshot cost reproduces the measured cost of 2048-window snapshots on 2 workers, and costs a core only where Redis shares them', () => {
    const [, , at2048, none] = checkCurrentCode(SNAPSHOT_CALIBRATED_COSTS);
    expect(at2048.snapshotEvery).toBe(2048);
    expect(none.snapshotEvery).toBe('none');
    expect(at2048.modelSec - none.modelSec).toBeCloseTo(11.53 - 9.95, 1);
    const j = job(fleet(), 8, 600);
    for (const rule of ['sparse', 'every-window'] as const)
      expect(one(j, rule, SNAPSHOT_CALIBRATED_COSTS, { noiseSigma: 0.2 })).toEqual(
        one(j, rule, LOOPBACK_COSTS, { noiseSigma: 0.2 }),
      );
  });
});
