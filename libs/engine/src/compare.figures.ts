/**
 * The figures that answer "which policy, and by how much": overheads against
 * the first policy (the baseline) and the cheapest policy with no violation.
 * One place for `tlbsim compare`, sweep rows and the coordinator's compare
 * view (which the dashboard shows as it is).
 */
import type { RunReport } from './report';
import { ClassVerdict, classVerdictsOf, Exposures, exposuresOf, notExercised } from './exposures';

import { overheadPercent } from './estimate';

export { overheadPercent } from './estimate';

/** vCPU time per guest access of a report after its warm-up, ns (0 before any access). */
export function timePerAccessNs(r: RunReport): number {
  const accesses = r.metrics.measured?.guestAccesses ?? r.metrics.guestAccesses;
  return accesses > 0 ? r.metrics.time.vcpuTimeNs / accesses : 0;
}

/**
 * `of(report)` of each report relative to that of the first, in percent
 * (first: 0); null for a missing report, and for all of them while the
 * first is missing.
 */
function vsFirst<R extends RunReport | null>(reports: readonly R[], of: (r: RunReport) => number): (number | null)[] {
  const first = reports[0];
  if (!first) return reports.map(() => null);
  const base = of(first);
  return reports.map((r) => (r === null ? null : overheadPercent(of(r), base)));
}

/** Cycles per access of each report relative to the first one, in percent (first: 0; null where a report is missing). */
export function overheadVsFirst(reports: readonly RunReport[]): number[];
export function overheadVsFirst(reports: readonly (RunReport | null)[]): (number | null)[];
export function overheadVsFirst(reports: readonly (RunReport | null)[]): (number | null)[] {
  return vsFirst(reports, (r) => r.metrics.cycles.perAccess);
}

/**
 * vCPU time per guest access of each report relative to the first one, in
 * percent (first: 0; null where a report is missing): what a policy costs
 * in time, L0 queueing and interrupted VPs included (docs/costs.md).
 */
export function timeOverheadVsFirst(reports: readonly RunReport[]): number[];
export function timeOverheadVsFirst(reports: readonly (RunReport | null)[]): (number | null)[];
export function timeOverheadVsFirst(reports: readonly (RunReport | null)[]): (number | null)[] {
  return vsFirst(reports, timePerAccessNs);
}

/** What the cheapest-correct rule reads of one policy (over all its replications). */
export interface VerdictCandidate {
  policy: string;
  /** Violations over every run of the policy. */
  violations: number;
  /** vCPU time per guest access, ns (the mean over replications). */
  timePerAccessNs: number;
  /** Exposures per class over every run of the policy (exposures.ts). */
  exposures: Exposures;
}

/** The cheapest candidate that `ok` admits, by vCPU time per guest access. */
function cheapestOf(
  candidates: readonly (VerdictCandidate | null)[],
  ok: (c: VerdictCandidate) => boolean,
): string | null {
  let best: VerdictCandidate | null = null;
  for (const c of candidates) if (c && ok(c) && (!best || c.timePerAccessNs < best.timePerAccessNs)) best = c;
  return best?.policy ?? null;
}

/**
 * The rule behind every "cheapest correct policy": among the policies with
 * no violation whose runs exposed every violation class (a class never
 * exposed is "not exercised", never "no violation"), the one with the least
 * vCPU time per guest access; null when none qualifies.
 */
export function cheapestCorrectOf(candidates: readonly (VerdictCandidate | null)[]): string | null {
  return cheapestOf(candidates, (c) => c.violations === 0 && notExercised(c.exposures).length === 0);
}

/**
 * The cheapest policy with no violation, exercised or not: the answer to
 * "what does it cost", never a verdict on correctness (see
 * {@link cheapestCorrectOf}).
 */
export function cheapestWithoutViolationOf(candidates: readonly (VerdictCandidate | null)[]): string | null {
  return cheapestOf(candidates, (c) => c.violations === 0);
}

/** The {@link VerdictCandidate} of one run. */
export function verdictCandidateOf(r: RunReport): VerdictCandidate {
  return {
    policy: r.policy,
    violations: r.violations.total,
    timePerAccessNs: timePerAccessNs(r),
    exposures: exposuresOf(r),
  };
}

/**
 * {@link cheapestCorrectOf} of single runs (missing ones skipped).
 */
export function cheapestCorrect(reports: readonly (RunReport | null)[]): string | null {
  return cheapestCorrectOf(reports.map((r) => (r ? verdictCandidateOf(r) : null)));
}

/** The compare figures of a group of reports (one per policy, the first the baseline), as the HTTP API serves them. */
export interface CompareFigures {
  /** Cycles per access against the first policy, percent; null until both finished. */
  overheadVsFirst: (number | null)[];
  /** vCPU time per guest access against the first policy, percent; null until both finished. */
  timeOverheadVsFirst: (number | null)[];
  /** vCPU time per guest access, ns; null until finished. */
  timePerAccessNs: (number | null)[];
  /** The finished policy with no violation, every class exercised, and the least vCPU time per access, or null. */
  cheapestCorrect: string | null;
  /** The finished policy with no violation and the least vCPU time per access, exercised or not, or null. */
  cheapestWithoutViolation: string | null;
  /** Per policy: the verdict per violation class (violations in N exposures); null until finished. */
  verdicts: (ClassVerdict[] | null)[];
}

/** {@link CompareFigures} of reports in the user's order (null where a job has no report yet). */
export function compareFigures(reports: readonly (RunReport | null)[]): CompareFigures {
  const candidates = reports.map((r) => (r ? verdictCandidateOf(r) : null));
  return {
    overheadVsFirst: overheadVsFirst(reports),
    timeOverheadVsFirst: timeOverheadVsFirst(reports),
    timePerAccessNs: reports.map((r) => (r ? timePerAccessNs(r) : null)),
    cheapestCorrect: cheapestCorrectOf(candidates),
    cheapestWithoutViolation: cheapestWithoutViolationOf(candidates),
    verdicts: reports.map((r) => (r ? classVerdictsOf(r.violations.byClass, exposuresOf(r)) : null)),
  };
}
