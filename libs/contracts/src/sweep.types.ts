/**
 * Shapes of parameter sweeps (`tlbsim sweep`, `POST /api/sweeps`), shared by
 * the CLI, the workers, the HTTP API and the dashboard. JSON keys here are a
 * public contract: add, never rename.
 */

/** A value of a grid key, as coerced from its text (like `--set`). */
export type GridValue = string | number | boolean;

/** One row of a sweep table: one grid point under one policy and one seed. */
export interface SweepRow {
  /** Position of the point in the sweep (grid values outermost, then seed, then policy). */
  index: number;
  /** The grid key values of this point, by dotted key. */
  grid: Record<string, GridValue>;
  policy: string;
  seed: number;
  violations: { total: number; byClass: Record<string, number> };
  /** Guest accesses simulated. */
  accesses: number;
  /** Modelled cycles per guest access. */
  cyclesPerAccess: number;
  /** GPA-space plus GPA-list flush hypercalls. */
  hypercalls: number;
  /** The run's digest. */
  digest: string;
  /** How much the run exercised the flush rules (what `tlbsim hunt` steers by). */
  coverage: { staleHits: number; rootsReused: number; rootsReusedByOtherVm: number };
  /**
   * Cycles per access relative to the first policy of the same grid point
   * and seed, in percent (0 for that first policy); null until it finished.
   */
  overheadVsFirst: number | null;
  /**
   * `run.timeCompression` of the point's run: its events ran this many times
   * faster than configured, so its per-second figures are compressed (1:
   * real rates). Absent from rows stored before it existed.
   */
  timeCompression?: number;
  /** GPA-space plus GPA-list flush hypercalls per host per second of simulated time (compressed when `timeCompression` > 1). */
  hypercallsPerHostPerSec?: number;
  /**
   * The headline cost: vCPU time per guest access after the warm-up, ns
   * (what `tlbsim compare` ranks by). Absent from rows stored before it existed.
   */
  timePerAccessNs?: number;
  /**
   * vCPU time per guest access relative to the first policy of the same
   * grid point and seed, in percent (0 for that first policy; null until it
   * finished): the headline overhead.
   */
  timeOverheadVsFirst?: number | null;
  /** Share of vCPU time spent in hypercall stalls after the warm-up, percent. */
  hypercallStallsPercent?: number;
  /** L0's busy share after the warm-up, percent (mean over hosts). */
  l0BusyPercent?: number;
  /** Flush events (hypercalls plus root loads) after the warm-up: what a cost difference rests on. */
  flushEvents?: number;
}

/** A figure over a sweep group's seeds: mean and 95% interval half-width (null with one seed). */
export interface SweepEstimate {
  mean: number;
  ci95: number | null;
  n: number;
}

/**
 * One grid point under one policy over all its seeds (`tlbsim sweep
 * --replications N` or `--seeds N`): the headline figures as means with
 * 95% intervals, the overhead paired by seed with the first policy.
 */
export interface SweepSummaryRow {
  grid: Record<string, GridValue>;
  policy: string;
  seeds: number[];
  /** Violations over all seeds. */
  violations: number;
  timePerAccessNs: SweepEstimate;
  /** Against the first policy of the grid point, paired by seed; null while a run of either is missing. */
  timeOverheadVsFirst: SweepEstimate | null;
  /** Whether {@link timeOverheadVsFirst} is converged (docs/costs.md "Convergence"), and if not why. */
  converged: boolean;
  reason?: string;
  hypercallStallsPercent: SweepEstimate;
  l0BusyPercent: SweepEstimate;
  cyclesPerAccess: SweepEstimate;
}

/** States of a sweep. */
export const SWEEP_STATES = ['running', 'completed', 'failed'] as const;

/** A sweep state. */
export type SweepState = (typeof SWEEP_STATES)[number];

/** A sweep as `GET /api/sweeps/:id` and `tlbsim sweep --redis` see it. */
export interface SweepView {
  id: string;
  /** Scenario name. */
  name: string;
  state: SweepState;
  createdAt: string;
  finishedAt: string | null;
  /** Dotted keys of the grid, in the order given. */
  gridKeys: string[];
  /** Policies of each grid point; the first is the baseline of `overheadVsFirst`. */
  policies: string[];
  /** Seeds per grid point and policy. */
  seeds: number;
  /** Points in the sweep (grid combinations x policies x seeds). */
  points: number;
  /** Points finished so far. */
  pointsDone: number;
  /** Points finished per second of wall time since the sweep was created. */
  pointsPerSec: number;
  /** Why the sweep failed, else null. */
  error: string | null;
  /** Finished rows, by `index`. */
  rows: SweepRow[];
  /**
   * Per grid point and policy over its finished seeds: the headline figures
   * with 95% intervals and the convergence of the paired overhead (as
   * `tlbsim sweep --json` `summary`). Absent from views of older coordinators.
   */
  summary?: SweepSummaryRow[];
}

/**
 * What a sweep-like job is: a sweep, a hunt, a shrink, or a compare's
 * replications (`tlbsim compare --redis`, `POST /api/compare` with
 * replications; one point per policy and seed), all run as points on the
 * workers.
 */
export const SWEEP_KINDS = ['sweep', 'hunt', 'shrink', 'compare'] as const;

/** A kind of sweep-like job. */
export type SweepKind = (typeof SWEEP_KINDS)[number];

/**
 * One entry of the event stream of a sweep, hunt or shrink
 * (`GET /api/sweeps/:id/events`, `/api/hunts/:id/events`,
 * `/api/shrinks/:id/events`): `progress` after each point, then
 * `completed` or `failed`.
 */
export interface SweepEvent {
  /** The stream id. */
  id: string;
  type: 'progress' | 'completed' | 'failed';
  /** Wall-clock ISO time the event was appended. */
  at: string;
  sweepId: string;
  kind: SweepKind;
  /** Points finished so far. */
  pointsDone: number;
  /** Points of the sweep; for hunts and shrinks, the points asked for so far. */
  points: number;
  /** Most points the job may run (a sweep's points, a hunt's budget), or null when not known ahead. */
  pointsMax: number | null;
  /** Points finished per second of wall time since the job was created. */
  pointsPerSec: number;
  /**
   * The best so far: for a sweep the point with the most violations, for a
   * hunt the run that came closest to a violation, for a shrink the
   * smallest violating run; null before there is one.
   */
  best: Record<string, unknown> | null;
  /** For `failed`. */
  error?: string;
}
