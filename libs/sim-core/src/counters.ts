import { assert } from './assert';

/**
 * Counter slots. Each shard sums its actors' counts into one Float64Array;
 * shards' arrays add up to the run's counters, so the totals cannot depend on
 * placement. Every counter holds an integer (times in picoseconds, see
 * {@link ps}), so shards' sums are exact in any order. Cycles are derived
 * later from these counts (costs.ts).
 */
export const C = {
  accesses: 0,
  tlbHits: 1,
  tlbMisses: 2,
  nestedHits: 3,
  nestedWalks: 4,
  staleHits: 5,
  hvFlushSpace: 6,
  hvFlushList: 7,
  hvListFallbacks: 8,
  shootdownMessages: 9,
  flushAsid: 10,
  flushAsidEnlightened: 11,
  inveptSingle: 12,
  inveptGlobal: 13,
  flushFull: 14,
  flushGuest: 15,
  rootsAllocated: 16,
  rootsFreed: 17,
  rootPageReused: 18,
  rootReusedByOtherVm: 19,
  memslotUpdates: 20,
  mmuNotifierInvalidations: 21,
  nestedTransitions: 22,
  cr4Writes: 23,
  cr3Switches: 24,
  invlpg: 25,
  messagesSent: 26,
  crossShardMessages: 27,
  hypercallCycles: 28,
  stallNs: 29,
  violationsCrossVm: 30,
  violationsUseAfterFree: 31,
  violationsStaleMapping: 32,
  violationsStaleRoot: 33,
  checkerDismissed: 34,
  reports: 35,
  rootReuseValid: 36,
  memslotDeletes: 37,
  smis: 38,
  nestedCacheFills: 39,
  l3Entries: 40,
  pgdSwitches: 41,
  vcpuMigrations: 42,
  asidReassignments: 43,
  /** vCPU time off its VP (another vCPU's turn) or idle, ps. */
  timeDescheduledPs: 44,
  /** vCPU time in guest accesses at the hit cost (`workload.accessIntervalNs`), ps. */
  timeAccessPs: 45,
  /** vCPU time in guest and nested page walks, ps. */
  timeWalkPs: 46,
  /** vCPU time in exits: nested transitions, CR4 writes, INVEPT, ASID flushes, vmcb switches, ps. */
  timeExitPs: 47,
  /** vCPU time stalled on synchronous flush hypercalls, ps. */
  timeHypercallPs: 48,
  /** vCPU time waiting for a root (`kvm_mmu_load`), ps. */
  timeRootWaitPs: 49,
  /** vCPU time lost while L0 applied a partition-wide flush on its VP, ps. */
  timeInterruptPs: 50,
  /** Sum over vCPUs of the time each took to finish, ps. */
  vcpuTimePs: 51,
  /** Roots loaded by vCPUs (`kvm_mmu_load`). */
  rootLoads: 52,
  /** Time L0 spent serving flush hypercalls, ps (all hosts). */
  l0BusyPs: 53,
  /** Time hypercalls waited for L0 before service, ps. */
  l0QueuePs: 54,
  /** Timed events that fell due while their vCPU was stalled or off its VP and happened later. */
  eventsDeferred: 55,
  /** Total delay of those events, ps. */
  eventsDeferredPs: 56,
  /** Guest accesses the simulated ones stand for (`workload.accessSampling` each). */
  guestAccesses: 57,
  /** vCPUs that finished (their access count is known; see coverage.ts). */
  vcpusFinished: 58,
  /** vCPUs that finished having made no guest access at all. */
  vcpusIdle: 59,
  /** vCPUs that finished with fewer than `COVERAGE_ACCESSES_PER_VCPU_MIN` accesses (the idle ones included). */
  vcpusBelowCoverage: 60,
  /** Guest CR0.WP toggles (each unloads the roots before 01b31714bd90). */
  cr0WpToggles: 61,
  /** Accesses the SMI handler made to SMRAM under the SMM-role root (also in `accesses`). */
  smmAccesses: 62,
  /**
   * Exposures the checker saw, per violation class (violation.checker.ts
   * {@link ViolationChecker.rootReused}, {@link ViolationChecker.pagesChanged}):
   * how often the run put that class's hazard in front of the policy.
   */
  exposuresCrossVm: 63,
  exposuresUseAfterFree: 64,
  exposuresStaleMapping: 65,
  exposuresStaleRoot: 66,
} as const;

/** Number of counter slots. */
export const COUNTER_SLOTS = 67;

// Every slot has exactly one name and the slots are 0..COUNTER_SLOTS-1: a
// counter added without raising COUNTER_SLOTS would write past the array.
assert(Object.keys(C).length === COUNTER_SLOTS, 'one counter name per slot');
assert(
  new Set(Object.values(C)).size === COUNTER_SLOTS && Math.max(...Object.values(C)) === COUNTER_SLOTS - 1,
  'counter slots are 0..COUNTER_SLOTS-1, each used once',
);

/** A name for each slot, in slot order (for canonical JSON). */
export const COUNTER_NAMES: string[] = (() => {
  const names: string[] = new Array(COUNTER_SLOTS);
  for (const [k, v] of Object.entries(C)) names[v] = k;
  return names;
})();

/** Nanoseconds as the integer picoseconds a time counter holds. */
export function ps(ns: number): number {
  return Math.round(ns * 1000);
}
