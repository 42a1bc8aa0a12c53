import { C, ShardSim } from '@tlbsim/sim-core';
import { InMemoryTransport, mergePartials, RunReport, runInProcess, runShard, timePerAccessNs } from '@tlbsim/engine';
import { rootReuseSmall } from '../support/scenario.fixture';

/**
 * `run.warmupMs`: cost figures leave the warm-up out, violations and the
 * digest cover the whole run (docs/costs.md "Warm-up").
 */
describe('warm-up', () => {
  const seed = 7;
  const cfg = rootReuseSmall([`seed=${seed}`]);
  let whole: Promise<RunReport> | undefined;
  const runWhole = (): Promise<RunReport> => (whole ??= runInProcess(cfg, { shards: 1 }));
  /** A warm-up of a third of the whole run. */
  const warmupMsOf = (r: RunReport): number => Math.round(r.metrics.simulatedNs / 3e5) / 10;

  it(`leaves the warm-up out of cost figures and counts its violations (seed ${seed})`, async () => {
    const base = await runWhole();
    const warmupMs = warmupMsOf(base);
    const r = await runInProcess({ ...cfg, run: { ...cfg.run, warmupMs } }, { shards: 1 });
    expect(r.digest).toBe(base.digest);
    expect(base.violations.total).toBeGreaterThan(0);
    expect(r.violations).toEqual(base.violations);
    expect(r.metrics.accesses).toBe(base.metrics.accesses);
    const m = r.metrics.measured!;
    expect(m).toMatchObject({ warmupMs, warmupReached: true, toNs: base.metrics.simulatedNs });
    expect(m.fromNs).toBeGreaterThanOrEqual(warmupMs * 1e6);
    expect(m.fromNs).toBeLessThan(warmupMs * 1e6 + r.series!.windowNs);
    expect(m.accesses).toBeGreaterThan(0);
    expect(m.accesses).toBeLessThan(base.metrics.accesses);
    expect(r.metrics.cycles.total).toBeLessThan(base.metrics.cycles.total);
    // The figures are of the interval: cycles per access divide by its accesses, time shares still sum to 100.
    expect(r.metrics.cycles.perAccess).toBeCloseTo(r.metrics.cycles.total / m.accesses, 9);
    const shares = Object.values(r.metrics.time.percent).reduce((a, b) => a + b, 0);
    expect(shares).toBeCloseTo(100, 6);
    expect(timePerAccessNs(r)).toBeGreaterThan(0);
  });

  it(`gives the same cost figures for 1 and 3 shards (seed ${seed})`, async () => {
    const warmupMs = warmupMsOf(await runWhole());
    const c = { ...cfg, run: { ...cfg.run, warmupMs, placement: 'round-robin' as const } };
    const one = await runInProcess(c, { shards: 1 });
    const three = await runInProcess(c, { shards: 3 });
    expect(three.digest).toBe(one.digest);
    expect(three.metrics.measured).toEqual(one.metrics.measured);
    expect(three.metrics.cycles).toEqual(one.metrics.cycles);
    expect(three.metrics.time).toEqual(one.metrics.time);
  });

  it(`keeps the warm-up copy across a snapshot and restore (seed ${seed})`, async () => {
    const warmupMs = warmupMsOf(await runWhole());
    const c = { ...cfg, run: { ...cfg.run, warmupMs } };
    const direct = await runInProcess(c, { shards: 1 });
    const first = new ShardSim(c, 0, 1);
    const windows = Math.ceil((warmupMs * 1e6) / first.windowNs) + 5;
    for (let k = 0; k < windows; k++) first.runWindow([]);
    const resumed = ShardSim.restore(c, first.snapshot());
    const out = await runShard(resumed, new InMemoryTransport(1));
    const merged = mergePartials([out.partial], c.run.witnessesMax);
    expect(merged.warmup).toBeDefined();
    expect(merged.warmup![C.accesses]).toBeLessThan(merged.counters[C.accesses]);
    expect(out.windows).toBe(direct.metrics.windows);
    expect(merged.counters[C.accesses] - merged.warmup![C.accesses]).toBe(direct.metrics.measured!.accesses);
  });

  it('covers the whole run, and says so, when the run ends before its warm-up', async () => {
    const base = await runWhole();
    const r = await runInProcess({ ...cfg, run: { ...cfg.run, warmupMs: base.metrics.simulatedNs / 1e6 + 1 } });
    expect(r.metrics.measured).toMatchObject({ warmupReached: false, fromNs: 0 });
    expect(r.metrics.cycles).toEqual(base.metrics.cycles);
  });
});
