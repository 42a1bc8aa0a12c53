/**
 * Exposures: how often a run put each violation class's hazard in front of
 * the policy, so that "no violation" is read against the chances it had
 * (docs/costs.md "Honest verdicts"). Counted from the report's counters,
 * the same way for every policy (the hazard arises whatever the policy then
 * does about it); not part of the digest.
 */
import { VIOLATION_CLASSES, ViolationClass } from '@tlbsim/sim-core';
import type { RunReport } from './report';

/** Exposures per violation class. */
export type Exposures = Record<ViolationClass, number>;

/**
 * The exposures of one run:
 * - `stale-root`: a root page freed and allocated again as a root (entries
 *   tagged with its nCR3 may survive): `metrics.roots.pageReused`;
 * - `cross-vm`: such a page reused as a root by another VM
 *   (`roots.reusedByOtherVm`), plus, with more than one VM per host, each
 *   invalidation or memslot delete that freed pages another VM may be given
 *   while a translation to them may be cached;
 * - `use-after-free`: each MMU-notifier invalidation or memslot delete (pages
 *   freed while a translation to them may be cached);
 * - `stale-mapping`: the same events (a mapping changed: the flush KVM owes
 *   must drop every cached translation of it).
 */
export function exposuresOf(r: RunReport): Exposures {
  const m = r.metrics;
  const freeing = m.events.mmuNotifierInvalidations + m.events.memslotDeletes;
  return {
    'cross-vm': m.roots.reusedByOtherVm + (r.fleet.vmsPerHost > 1 ? freeing : 0),
    'use-after-free': freeing,
    'stale-mapping': freeing,
    'stale-root': m.roots.pageReused,
  };
}

/** Exposures summed over runs (replications). */
export function exposuresOfAll(reports: readonly RunReport[]): Exposures {
  const sum = Object.fromEntries(VIOLATION_CLASSES.map((c) => [c, 0])) as Exposures;
  for (const r of reports) {
    const e = exposuresOf(r);
    for (const c of VIOLATION_CLASSES) sum[c] += e[c];
  }
  return sum;
}

/** The verdict on one class: violations against exposures. */
export interface ClassVerdict {
  class: ViolationClass;
  violations: number;
  exposures: number;
  /**
   * With no violation in N > 0 exposures: 3/N (at most 1), the 95% upper
   * bound of the violation probability per exposure (the rule of three);
   * null otherwise.
   */
  upperBoundPerExposure: number | null;
  /** False when the run had no exposure of this class: "not exercised", never "no violation". */
  exercised: boolean;
}

/** The verdict per class of runs with these violations and exposures. */
export function classVerdictsOf(violations: Record<ViolationClass, number>, exposures: Exposures): ClassVerdict[] {
  return VIOLATION_CLASSES.map((c) => ({
    class: c,
    violations: violations[c],
    exposures: exposures[c],
    upperBoundPerExposure: violations[c] === 0 && exposures[c] > 0 ? Math.min(1, 3 / exposures[c]) : null,
    exercised: exposures[c] > 0,
  }));
}

/** The classes the runs never exposed (a policy with any of them is not named correct). */
export function notExercised(exposures: Exposures): ViolationClass[] {
  return VIOLATION_CLASSES.filter((c) => exposures[c] === 0);
}
