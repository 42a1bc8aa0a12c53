import { repartitionSnapshots, ShardSim, SimConfig } from '@tlbsim/sim-core';
import { digestOf, mergePartials, runInProcess } from '@tlbsim/engine';
import { rootReuseCompressed, rootReuseSmall } from '../support/scenario.fixture';

/**
 * Runs a scenario window by window on `plan[0].shards` shards and, at each
 * step's window, snapshots every shard, re-partitions the snapshots (with the
 * batches delivered for the next window) into the step's shard count and
 * continues from the restored shards: what `tlbsim resize` does, without
 * Redis. @returns the digest and the windows run
 */
function runResized(
  cfg: SimConfig,
  first: number,
  plan: readonly { atWindow: number; shards: number }[],
): { digest: string; windows: number; resized: number } {
  let shards = Array.from({ length: first }, (_, i) => new ShardSim(cfg, i, first));
  let inbound: Float64Array[][] = shards.map(() => []);
  const steps = [...plan];
  let resized = 0;
  for (;;) {
    const outs = shards.map((s, i) => s.runWindow(inbound[i]));
    const window = outs[0].window;
    if (outs.every((o) => o.done)) {
      const merged = mergePartials(
        shards.map((s) => s.partial()),
        cfg.run.witnessesMax,
      );
      return { digest: digestOf(merged, window + 1), windows: window + 1, resized };
    }
    inbound = shards.map(() => []);
    for (const o of outs) for (const [dst, batch] of o.outbound) inbound[dst].push(batch);
    if (steps.length > 0 && steps[0].atWindow === window) {
      const { shards: n } = steps.shift()!;
      const snaps = repartitionSnapshots(
        cfg,
        shards.map((s) => s.snapshot()),
        inbound,
        n,
      );
      shards = snaps.map((snap) => ShardSim.restore(cfg, snap));
      // The checkpoint a switch records for each new shard, without restoring it.
      snaps.forEach((snap, i) => expect(ShardSim.partialOf(cfg, snap)).toEqual(shards[i].partial()));
      inbound = shards.map(() => []);
      resized++;
    }
  }
}

describe('re-partitioning a running job (tlbsim resize, issue 14)', () => {
  it('2 -> 4 and 4 -> 1 mid-run give the digest of an uninterrupted run', async () => {
    const cfg = rootReuseSmall(['seed=42']);
    const base = await runInProcess(cfg, { shards: 1 });
    expect(base.violations.total).toBeGreaterThan(0);
    const third = Math.floor(base.metrics.windows / 3);
    const up = runResized(cfg, 2, [{ atWindow: third, shards: 4 }]);
    expect(up).toEqual({ digest: base.digest, windows: base.metrics.windows, resized: 1 });
    const down = runResized(cfg, 4, [{ atWindow: third, shards: 1 }]);
    expect(down).toEqual({ digest: base.digest, windows: base.metrics.windows, resized: 1 });
    const both = runResized({ ...cfg, run: { ...cfg.run, placement: 'round-robin' } }, 3, [
      { atWindow: 5, shards: 7 },
      { atWindow: 2 * third, shards: 2 },
    ]);
    expect(both).toEqual({ digest: base.digest, windows: base.metrics.windows, resized: 2 });
  });

  it.each([
    [
      'vCPUs migrating between VPs (in flight at the resize)',
      ['fleet.l1VpsPerHost=3', 'events.vcpuMigrationsPerSec=200000', 'platform.schedQuantumUs=10'],
    ],
    [
      'L3 on vmcb02 and SMIs',
      ['workload.l3TimePercent=40', 'events.nestedTransitionsPerSec=40000', 'events.smiPerSec=40000'],
    ],
  ])('%s: resizing every few windows keeps the digest', async (_label, o) => {
    const cfg = rootReuseCompressed(['seed=13', 'workload.accessesPerVcpu=20000', ...o]);
    const base = await runInProcess(cfg, { shards: 1 });
    expect(base.metrics.accesses).toBeGreaterThan(0);
    // 3 -> 3 is a plain snapshot and restore (a resumed shard): it used to lose the VPs' ASID state.
    const plan = [3, 2, 5, 1, 3, 4].map((shards, i) => ({ atWindow: 3 + i * 7, shards }));
    const r = runResized(cfg, 3, plan);
    expect(r).toEqual({ digest: base.digest, windows: base.metrics.windows, resized: plan.length });
  });

  it('refuses snapshots of different windows or an incomplete set', () => {
    const cfg = rootReuseSmall(['seed=42']);
    const a = new ShardSim(cfg, 0, 2);
    const b = new ShardSim(cfg, 1, 2);
    a.runWindow([]);
    expect(() => repartitionSnapshots(cfg, [a.snapshot(), b.snapshot()], [[], []], 3)).toThrow(
      'repartition: shard 1 is at window 0, shard 0 at 1',
    );
    expect(() => repartitionSnapshots(cfg, [a.snapshot()], [[]], 3)).toThrow(
      'repartition: snapshot of shard 0/2 in a set of 1',
    );
  });
});
