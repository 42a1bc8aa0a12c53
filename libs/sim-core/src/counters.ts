/**
 * Counter slots. Each shard sums its actors' counts into one Float64Array;
 * shards' arrays add up to the run's counters, so the totals cannot depend on
 * placement. Every cost is derived later from these counts (costs.ts), which
 * keeps floating point out of the access loop.
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
  descheduledNs: 44,
} as const;

/** Number of counter slots. */
export const COUNTER_SLOTS = 45;

/** A name for each slot, in slot order (for canonical JSON). */
export const COUNTER_NAMES: string[] = (() => {
  const names: string[] = new Array(COUNTER_SLOTS);
  for (const [k, v] of Object.entries(C)) names[v] = k;
  return names;
})();
