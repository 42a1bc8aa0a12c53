import type { RunReport } from '@tlbsim/engine';
import { alignPairs, fmtInt } from './format.util';
import { fmtEstimate } from './estimate.formatter';

/**
 * The `Replications` section of a run report (`run --replications N`):
 * the seeds, the violations of every run, and the cost figures as means
 * with 95% intervals; empty for one replication.
 */
export function replicationLines(r: RunReport): string[] {
  const e = r.replications;
  if (!e) return [];
  const c = e.timePerAccessConvergence;
  return [
    '',
    `Replications: ${e.seeds.length} runs, seeds ${e.seeds.join(', ')} (the report above is the first); ± is a 95% interval (Student's t)`,
    ...alignPairs([
      ['violations, all runs', fmtInt(e.violations)],
      [
        'vCPU time / access',
        `${fmtEstimate(e.timePerAccessNs, 3)} ns${c.converged ? '' : ` (not converged: ${c.reason})`}`,
      ],
      ['cycles / access', fmtEstimate(e.cyclesPerAccess, 2)],
      ['hypercall stalls', `${fmtEstimate(e.hypercallStallsPercent, 2)} % of vCPU time`],
      ['L0 busy', `${fmtEstimate(e.l0BusyPercent, 2)} %`],
      ['hypercalls / host / s', fmtEstimate(e.hypercallsPerHostPerSec, 0)],
    ]),
  ];
}
