import { runInProcess } from '@tlbsim/engine';
import { shippedScenario } from '../support/scenario.fixture';

/**
 * The checker must never accuse a correct policy: every non-buggy setup,
 * under heavy memslot and MMU-notifier traffic, across seeds, shard counts
 * and VM shapes, reports zero violations.
 */
describe('no false positives', () => {
  const correct: [string, string[]][] = [
    ['overhaul+hv-flush-current', ['kvm.policy=overhaul+hv-flush-current']],
    ['pre-overhaul', ['kvm.policy=pre-overhaul']],
    ['overhaul+flush-on-alloc', ['kvm.policy=overhaul+flush-on-alloc']],
    ['enlightenment off', ['platform.enlightenedTlb=false']],
    ['Intel', ['platform.vendor=intel', 'events.nestedTransitionsPerSec=200000']],
    ['bare metal', ['platform.l0=none']],
    ['fix + list fallbacks', ['kvm.policy=overhaul+hv-flush-current', 'kvm.hvFlushListEntriesMax=1', 'events.mmuNotifierPages=5000']],
    ['fix without PCID', ['kvm.policy=overhaul+hv-flush-current', 'workload.pcid=false']],
  ];
  const cases = [3, 11].flatMap((seed) => [1, 3].flatMap((vcpus) => correct.map(([label, o]) => [label, seed, vcpus, o] as const)));

  it.each(cases)('%s: seed %i, %i vCPU(s) per VM', async (_label, seed, vcpus, overrides) => {
    const cfg = shippedScenario('hyperv-svm-root-reuse', [
      'workload.accessesPerVcpu=40000', `seed=${seed}`, `fleet.vcpusPerVm=${vcpus}`,
      'events.memslotUpdatesPerSec=100000', 'events.mmuNotifierInvalidationsPerSec=200000', ...overrides,
    ]);
    const r = await runInProcess(cfg, { shards: 1 + (seed % 3) });
    expect(r.metrics.events.memslotUpdates + r.metrics.events.mmuNotifierInvalidations).toBeGreaterThan(5);
    expect(r.violations.byClass).toEqual({ 'cross-vm': 0, 'use-after-free': 0, 'stale-mapping': 0, 'stale-root': 0 });
  });
});
