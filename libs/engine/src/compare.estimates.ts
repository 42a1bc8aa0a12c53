/**
 * The compare figures of replicated runs, as the coordinator serves them
 * next to {@link CompareFigures}: each figure the mean over replications
 * (paired by seed for the overheads), with its 95% interval and whether it
 * is converged. The same estimates `tlbsim compare --json` prints.
 */
import { cheapestCorrectOf, cheapestWithoutViolationOf, CompareFigures } from './compare.figures';
import type { RunReport } from './report';
import { ComparisonEstimates, comparisonEstimatesOf, verdictCandidateOfAll } from './replications';

/** {@link CompareFigures} over replications, with the intervals and convergence of the headline. */
export interface ReplicatedCompareFigures extends CompareFigures {
  /** Replications per policy. */
  replications: number;
  /** Their seeds, the same for every policy. */
  seeds: number[];
  /** Half-width of the 95% interval of each `timeOverheadVsFirst`, percentage points; null with one replication. */
  timeOverheadVsFirstCi95: (number | null)[];
  /** Whether each `timeOverheadVsFirst` is converged (docs/costs.md "Convergence"). */
  timeOverheadVsFirstConverged: boolean[];
  /** Every estimate of every policy, with the convergence of each overhead (as `tlbsim compare --json` `estimates`). */
  estimates: ComparisonEstimates;
}

/**
 * The figures of a finished comparison: `runs[p]` the replications of
 * policy p (the first the baseline), all on the same seeds.
 *
 * @throws RangeError when the policies did not run the same seeds
 */
export function replicatedCompareFigures(runs: readonly (readonly RunReport[])[]): ReplicatedCompareFigures {
  const e = comparisonEstimatesOf(runs);
  const candidates = e.policies.map(verdictCandidateOfAll);
  return {
    overheadVsFirst: e.overheadVsFirst.map((x) => x.mean),
    timeOverheadVsFirst: e.timeOverheadVsFirst.map((x) => x.mean),
    timePerAccessNs: e.policies.map((p) => p.timePerAccessNs.mean),
    cheapestCorrect: cheapestCorrectOf(candidates),
    cheapestWithoutViolation: cheapestWithoutViolationOf(candidates),
    verdicts: e.policies.map((p) => p.verdicts),
    replications: e.seeds.length,
    seeds: e.seeds,
    timeOverheadVsFirstCi95: e.timeOverheadVsFirst.map((x) => x.ci95),
    timeOverheadVsFirstConverged: e.timeOverheadConvergence.map((c) => c.converged),
    estimates: e,
  };
}
