import type { SimConfig } from '../config';

/** Groups of a config that a test may override field by field. */
export type ConfigPatch = {
  [K in keyof SimConfig]?: SimConfig[K] extends object ? Partial<SimConfig[K]> : SimConfig[K];
};

/**
 * A small, complete kernel config for unit specs (one host, one VM, two
 * vCPUs, AMD + Hyper-V + enlightened TLB, `overhaul`, no events), with
 * `patch` merged group by group. Specs in sim-core cannot use the
 * contracts' defaults (sim-core imports nothing), so this literal is theirs;
 * test/sim-config-fixture.test.ts holds it to the declared defaults
 * (SCENARIO_KEYS) except the keys it lists as chosen small on purpose.
 */
export function smallConfig(patch: ConfigPatch = {}): SimConfig {
  const base: SimConfig = {
    name: 'spec',
    seed: 3,
    platform: {
      vendor: 'amd',
      l0: 'hyperv',
      enlightenedTlb: true,
      cpuGhz: 3,
      nestedCache: 'partition',
      schedQuantumUs: 3000,
    },
    kvm: { policy: 'overhaul', hvFlushListEntriesMax: 510, undersizedRangeFlush: false, freeBeforeFlush: false },
    fleet: { hosts: 1, vmsPerHost: 1, vcpusPerVm: 2, memoryMiBPerVm: 64, l1VpsPerHost: 0 },
    tlb: { entries: 256, ways: 8, nestedCacheEntries: 4096 },
    workload: {
      accessesPerVcpu: 20000,
      workingSetPages: 4096,
      hotPages: 64,
      hotPercent: 80,
      processes: 2,
      pcid: true,
      cr3SwitchesPerMillionAccesses: 0,
      invlpgPerMillionAccesses: 0,
      accessIntervalNs: 2,
      l3TimePercent: 0,
      accessSampling: 1,
      smramPages: 16,
    },
    events: {
      memslotUpdatesPerSec: 0,
      mmuNotifierInvalidationsPerSec: 0,
      mmuNotifierPages: 16,
      nestedTransitionsPerSec: 0,
      cr4WritesPerSec: 0,
      cr0WpTogglesPerSec: 0,
      smiPerSec: 0,
      smmDurationUs: 20,
      memslotDeletesPerSec: 0,
      memslotDeletePages: 64,
      vcpuMigrationsPerSec: 0,
    },
    latency: { ipiNs: 2000, hypercallNs: 5000, kvmRequestNs: 2000, rootFreeNs: 1000000 },
    costs: {
      tlbHitCycles: 1,
      guestWalkCycles: 100,
      nestedWalkCycles: 600,
      vmExitCycles: 1300,
      nestedExitCycles: 18900,
      asidFlushCycles: 200,
      inveptCycles: 8300,
      hypercallBaseCycles: 20000,
      hypercallPerVpCycles: 2000,
      ipiCycles: 2500,
      rootAllocCycles: 3000,
      amdNestedExitCycles: 18900,
      l0NestedFaultCycles: 3000,
      l0AsidFlushCycles: 8300,
    },
    run: {
      shards: 1,
      windowNs: 0,
      snapshotEveryWindows: 2048,
      witnessesMax: 10,
      witnessesPerClass: 1,
      placement: 'block',
      simulatedMs: 0,
      timeCompression: 1,
      minShards: 0,
      warmupMs: 0,
      replications: 1,
      snapshots: 'full',
    },
  };
  const out = { ...base } as Record<string, unknown>;
  for (const [k, v] of Object.entries(patch)) {
    out[k] = typeof v === 'object' && v !== null ? { ...(base as unknown as Record<string, object>)[k], ...v } : v;
  }
  return out as unknown as SimConfig;
}
