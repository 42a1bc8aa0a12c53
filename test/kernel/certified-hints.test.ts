import { runInProcess } from '@tlbsim/engine';
import { accessLoopSwitches, kernelChecks, SimConfig } from '@tlbsim/sim-core';
import { rootReuseCompressed, shippedScenario } from '../support/scenario.fixture';

/**
 * The access loop's certified way hints (vcpu.actor.ts) take a hit without
 * reading its slot when nothing the check depends on changed. They must
 * never change a result: each setting below runs with them and without
 * them, and the two reports must be identical. Kernel checks are on (jest
 * setup), so every certified hit is also re-checked against its slot.
 */
describe('certified way hints change no result', () => {
  const cases: [string, SimConfig][] = [
    ['the bug, shared nested translations', rootReuseCompressed(['seed=5', 'workload.accessesPerVcpu=20000'])],
    [
      'overcommitted VPs with migrations (TLBs shared by vCPUs)',
      rootReuseCompressed([
        'seed=6',
        'workload.accessesPerVcpu=20000',
        'fleet.l1VpsPerHost=3',
        'events.vcpuMigrationsPerSec=200000',
        'platform.schedQuantumUs=10',
      ]),
    ],
    [
      'nested entries in the VP TLBs, memslot deletes and SMIs',
      rootReuseCompressed([
        'seed=7',
        'workload.accessesPerVcpu=20000',
        'platform.nestedCache=vp',
        'events.memslotDeletesPerSec=40000',
        'events.smiPerSec=40000',
      ]),
    ],
    ['Intel EPT on Hyper-V', shippedScenario('intel-ept-on-hyperv', ['workload.accessesPerVcpu=20000'])],
    ['L3 on vmcb02', shippedScenario('nested-l3-on-hyperv', ['workload.accessesPerVcpu=20000'])],
    ['bare metal', rootReuseCompressed(['seed=8', 'workload.accessesPerVcpu=20000', 'platform.l0=none'])],
  ];

  afterEach(() => {
    accessLoopSwitches.certifiedHints = true;
  });

  it.each(cases)('%s: the same report with and without them', async (label, cfg) => {
    expect(kernelChecks.enabled).toBe(true);
    accessLoopSwitches.certifiedHints = false;
    accessLoopSwitches.certifiedHitsChecked = 0;
    const plain = await runInProcess(cfg, { shards: 1 });
    expect(accessLoopSwitches.certifiedHitsChecked).toBe(0);
    accessLoopSwitches.certifiedHints = true;
    const certified = await runInProcess(cfg, { shards: 1 });
    // The fast path ran, and most hits took it (the SMI handler's SMRAM accesses take a slow path of their own).
    const workloadHits = plain.metrics.tlb.hits - (plain.metrics.events.smmAccesses ?? 0);
    expect(accessLoopSwitches.certifiedHitsChecked).toBeGreaterThan(workloadHits / 2);
    expect({ label, digest: certified.digest, metrics: certified.metrics }).toEqual({
      label,
      digest: plain.digest,
      metrics: plain.metrics,
    });
  });
});
