import { runInProcess } from '@tlbsim/engine';
import { rootReuseCompressed } from '../support/scenario.fixture';

/** Each model feature keeps the digest independent of shard count and placement. */
describe('determinism of the model features (issue 8)', () => {
  const features: [string, string[]][] = [
    ['shared nested translations', []],
    ['L3 on vmcb02', ['workload.l3TimePercent=40', 'events.nestedTransitionsPerSec=40000']],
    ['SMIs', ['events.smiPerSec=40000']],
    ['memslot deletes', ['events.memslotDeletesPerSec=40000']],
    [
      'overcommitted VPs with migrations',
      ['fleet.l1VpsPerHost=3', 'events.vcpuMigrationsPerSec=200000', 'platform.schedQuantumUs=10'],
    ],
    [
      'VP-held nested entries',
      ['platform.nestedCache=vp', 'fleet.l1VpsPerHost=4', 'events.vcpuMigrationsPerSec=100000'],
    ],
    ['Intel with migrations', ['platform.vendor=intel', 'fleet.l1VpsPerHost=4', 'events.vcpuMigrationsPerSec=100000']],
  ];

  it.each(features)('%s: same digest for 1, 2, 3 and 7 shards (seed 13)', async (_label, o) => {
    const cfg = rootReuseCompressed(['seed=13', 'workload.accessesPerVcpu=20000', ...o]);
    const base = await runInProcess(cfg, { shards: 1 });
    expect(base.metrics.accesses).toBeGreaterThan(0);
    for (const shards of [2, 3, 7]) {
      const placement = shards === 3 ? 'block' : 'round-robin';
      const r = await runInProcess({ ...cfg, run: { ...cfg.run, placement } }, { shards });
      expect({ shards, placement, digest: r.digest }).toEqual({ shards, placement, digest: base.digest });
    }
  });
});
