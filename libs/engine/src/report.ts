/**
 * The public shape of a finished run, as printed by `tlbsim run --json`,
 * stored as a job's result and compared by `tlbsim compare`. These keys are a
 * public contract: add, never rename.
 */

import type { SeriesCounts } from '@tlbsim/contracts';
import type { SimConfig, ViolationClass, WitnessRecord } from '@tlbsim/sim-core';
import type { RunL0, RunRates, RunTime } from './real-units';
import type { RunMeasured } from './warmup';
import type { PolicyEstimates } from './replications';
import type { RunCoverage } from './coverage';

export type { RunCoverage } from './coverage';

export type { RateFigure, RunL0, RunRates, RunTime } from './real-units';
export type { RunMeasured } from './warmup';

export { VIOLATION_CLASSES } from '@tlbsim/sim-core';
export type { ViolationClass } from '@tlbsim/sim-core';

/**
 * The causal chain of one violation: the kernel's record (its `events` are
 * what the digest hashes) and those events rendered as kernel-trace-style
 * `lines` (witness.renderer.ts; not in the digest).
 */
export type Witness = WitnessRecord & { lines: string[] };

/** Counters of a run; cycles are derived from counters and cost parameters. */
export interface RunMetrics {
  accesses: number;
  tlb: { hits: number; misses: number; nestedHits: number };
  nestedWalks: number;
  staleHits: number;
  hypercalls: {
    flushGuestPhysicalAddressSpace: number;
    flushGuestPhysicalAddressList: number;
    listFallbacks: number;
  };
  shootdownMessages: number;
  flushes: {
    asid: number;
    asidEnlightened: number;
    inveptSingle: number;
    inveptGlobal: number;
    full: number;
    guest: number;
  };
  roots: { allocated: number; freed: number; pageReused: number; reusedByOtherVm: number };
  events: {
    memslotUpdates: number;
    mmuNotifierInvalidations: number;
    nestedTransitions: number;
    cr4Writes: number;
    cr3Switches: number;
    invlpg: number;
    /** Memslot DELETEs (memory unmapped and freed). */
    memslotDeletes: number;
    /** SMIs (each an SMM-role root load and a normal one at RSM). */
    smis: number;
    /** Nested VMRUNs into an L3 on vmcb02. */
    l3Entries: number;
    /** vCPUs moved to another virtual processor. */
    vcpuMigrations: number;
    /** Guest CR0.WP toggles (each unloads the roots unless the policy has +cr0wp-keep-roots). Absent in older reports. */
    cr0WpToggles?: number;
    /** Accesses the SMI handler made to SMRAM under the SMM-role root (included in `accesses`). Absent in older reports. */
    smmAccesses?: number;
  };
  /** The partition's shared nested translations: fills (one per nested walk under Hyper-V with `platform.nestedCache: partition`). */
  nestedCache: { fills: number };
  messages: { sent: number; crossShard: number };
  cycles: { total: number; perAccess: number; byOp: Record<string, number> };
  windows: number;
  simulatedNs: number;
  /**
   * The run ended at the stall limit (`run.simulatedMs` 0 and the vCPUs took
   * more than sim-core's STALL_FACTOR_MAX times their nominal time: typically
   * an L0 whose queue grows without end), at `simulatedNsMax`.
   */
  stallLimit: { hit: boolean; simulatedNsMax: number };
  /** Guest accesses the simulated ones stand for (`workload.accessSampling` each). */
  guestAccesses: number;
  /** Per-second figures (per second of simulated time; labelled when time is compressed). */
  rates: RunRates;
  /** Where the vCPUs' time went. */
  time: RunTime;
  /** L0 as a server of flush hypercalls. */
  l0: RunL0;
  /**
   * The interval `cycles`, `rates`, `time` and `l0` cover: the run after
   * `run.warmupMs` (docs/costs.md "Warm-up"). The counters above cover the
   * whole run. Absent in reports stored before it existed.
   */
  measured?: RunMeasured;
}

/** Cumulative counters at one sampled window of a run: contracts' series counters ({@link SeriesCounts}). */
export interface RunSeriesPoint extends SeriesCounts {
  /** Windows completed. */
  window: number;
  /** Simulated time at the end of that window. */
  timeNs: number;
}

/**
 * A run's counters over simulated time, sampled every `everyWindows`
 * windows (about 200 points) and at the last window. The same for any
 * shard count; not part of the digest.
 */
export interface RunSeries {
  windowNs: number;
  everyWindows: number;
  points: RunSeriesPoint[];
}

/** The report of a run: `tlbsim run --json` prints exactly this. */
export interface RunReport {
  scenario: string;
  seed: number;
  policy: string;
  platform: { vendor: string; l0: string; enlightenedTlb: boolean };
  fleet: { hosts: number; vmsPerHost: number; vcpusPerVm: number; vcpus: number };
  shards: number;
  digest: string;
  violations: {
    total: number;
    byClass: Record<ViolationClass, number>;
    /**
     * Per class, the exposures the checker counted: how often the run put
     * that class's hazard in front of the policy (docs/costs.md "Honest
     * verdicts"; exposures.ts). Absent in reports of versions before the
     * checker counted them.
     */
    exposures?: Record<ViolationClass, number>;
    witnesses: Witness[];
  };
  metrics: RunMetrics;
  /**
   * How much the run exercised: accesses per vCPU and per VM, vCPUs below
   * the threshold, and a warning when the verdict covers too little to mean
   * anything (docs/model.md, "Coverage"). Always set by this build; absent
   * only in reports stored by an older one.
   */
  coverage?: RunCoverage;
  /**
   * Set when the run was stopped early (`run --stop-at-first-violation`,
   * hunt, shrink): the windows run and the simulated time reached. The
   * counters and digest are those of the truncated run.
   */
  stoppedAt?: { window: number; simulatedNs: number };
  /**
   * True only for the report of a distributed job that was cancelled or
   * failed: it covers the windows every shard had done (`metrics.windows`,
   * also in `stoppedAt`), with the violations and witnesses found so far;
   * `tlbsim replay --until-window <metrics.windows>` reproduces its digest.
   */
  partial?: boolean;
  /**
   * `run --replications N` (N > 1): every cost figure over the N runs from
   * the replication seeds as a mean with a 95% interval, each run's digest
   * and the violations of all of them (this report is the first run's, at
   * the scenario's own seed). Absent for one replication.
   */
  replications?: PolicyEstimates;
  /** Counters over simulated time (for charts); not part of the digest. */
  series?: RunSeries;
  /**
   * Distributed runs only: how the shards' messages travelled through Redis.
   * Depends on placement and timing, so it is kept out of the digest.
   */
  transport?: RunTransportStats;
  /**
   * Added last by the command that printed the report (`run`, `submit
   * --wait`, `wait`, `replay`): host time, simulated time, speed and the
   * resolved scenario. Host time differs from run to run: it is measured
   * outside the kernel and never part of the digest.
   */
  summary?: RunSummary;
}

/** How a run went on the host, and what it ran (see {@link RunReport.summary}). */
export interface RunSummary {
  /** Wall-clock seconds the run took on the host (a distributed job's: from its first shard's start to its end); null when not known. */
  hostSeconds: number | null;
  /** Simulated milliseconds the run covered. */
  simulatedMs: number;
  /** Simulated accesses per second of host time; null when the host time is not known. */
  accessesPerHostSec: number | null;
  /** The scenario after defaults and overrides (what `--print-config` prints); null when not known. */
  config: SimConfig | null;
}

/** Message transport accounting of a distributed run, summed over shards. */
export interface RunTransportStats {
  /** Messages published by shards (each counted once, re-runs after a resume included exactly once). */
  messagesSent: number;
  /** Messages delivered to shards after de-duplication; equals `messagesSent` when nothing was lost or applied twice. */
  messagesReceived: number;
  /** Resent copies dropped by receivers. */
  duplicatesDropped: number;
  /** Redis round trips of the shards' window exchanges. */
  redisRoundTrips: number;
  /** Time shards spent waiting at window barriers, summed over shards. */
  barrierWaitMs: number;
  /** Wall time from the first shard start to the end of the job. */
  wallMs: number;
}
