import type { ScenarioDefaults } from './scenario.types';

/** Freezes an object and every object inside it. */
function deepFreeze<T extends object>(value: T): T {
  for (const inner of Object.values(value))
    if (typeof inner === 'object' && inner !== null) deepFreeze(inner as object);
  return Object.freeze(value);
}

/**
 * Defaults of every scenario field except `name` (which is required).
 * A scenario file only needs the keys it changes.
 *
 * @defaultValue see the literal below; `docs/scenario.md` is generated from it.
 */
export const SCENARIO_DEFAULTS: Readonly<ScenarioDefaults> = deepFreeze<ScenarioDefaults>({
  seed: 1,
  platform: {
    vendor: 'amd',
    l0: 'hyperv',
    enlightenedTlb: true,
    cpuGhz: 3,
    nestedCache: 'partition',
    schedQuantumUs: 3000,
  },
  kvm: { policy: 'overhaul', hvFlushListEntriesMax: 510, undersizedRangeFlush: false, freeBeforeFlush: false },
  fleet: { hosts: 1, vmsPerHost: 2, vcpusPerVm: 2, memoryMiBPerVm: 1024, l1VpsPerHost: 0 },
  tlb: { entries: 1536, ways: 12, nestedCacheEntries: 0 },
  workload: {
    accessesPerVcpu: 200000,
    workingSetPages: 1024,
    hotPages: 64,
    hotPercent: 80,
    processes: 4,
    pcid: true,
    cr3SwitchesPerMillionAccesses: 50,
    invlpgPerMillionAccesses: 20,
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
    hypercallPerVpCycles: 20000,
    ipiCycles: 2500,
    rootAllocCycles: 3000,
    amdNestedExitCycles: 18900,
    l0NestedFaultCycles: 3000,
    l0AsidFlushCycles: 8300,
  },
  run: {
    shards: 1,
    windowNs: 0,
    snapshotEveryWindows: 512,
    witnessesMax: 10,
    witnessesPerClass: 1,
    placement: 'block',
    simulatedMs: 0,
    timeCompression: 1,
    minShards: 0,
    warmupMs: 0,
    replications: 1,
  },
});

/**
 * The value of a dotted path in {@link SCENARIO_DEFAULTS}, or `undefined`.
 * `undefined` for `name` and unknown paths.
 */
export function scenarioDefault(path: string): unknown {
  let node: unknown = SCENARIO_DEFAULTS;
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null || !Object.prototype.hasOwnProperty.call(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}
