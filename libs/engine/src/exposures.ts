/**
 * Exposures: how often a run put each violation class's hazard in front of
 * the policy, so that "no violation" is read against the chances it had
 * (docs/costs.md "Honest verdicts"). The checker counts them as it runs
 * (sim-core's violation.checker.ts) and the report carries them
 * (`violations.exposures`, in the digest); the same way for every policy
 * (the hazard arises whatever the policy then does about it).
 */
import { VIOLATION_CLASSES, ViolationClass } from '@tlbsim/sim-core';
import type { RunReport } from './report';

/** Exposures per violation class. */
export type Exposures = Record<ViolationClass, number>;

/**
 * The exposures of one run, as its checker counted them:
 * - `stale-root`: a root page allocated again as a root after guest
 *   accesses ran under its last root (entries tagged with its nCR3 may
 *   survive); a reuse of a page whose last root was never used is none;
 * - `cross-vm`: such a reuse by another VM, plus, with more than one VM per
 *   host, each unmap counted below (the freed pages may go to another VM);
 * - `use-after-free` and `stale-mapping`: each MMU-notifier invalidation or
 *   memslot DELETE of pages a vCPU may have a translation of cached (the
 *   vCPU whose region holds them had loaded a root).
 *
 * A report from before the checker counted them has no
 * `violations.exposures`: its exposures are then estimated from its
 * counters as they were then (every root page reuse, every unmap).
 */
export function exposuresOf(r: RunReport): Exposures {
  if (r.violations.exposures) return { ...r.violations.exposures };
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
