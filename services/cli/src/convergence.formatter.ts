import type { Convergence, RunMeasured } from '@tlbsim/engine';

/**
 * What would get a figure converged: more replications, a longer measured
 * interval (as `run.simulatedMs`, when the report says what interval it
 * measured), or, with no flush event at all, higher event rates.
 */
export function convergenceAdvice(c: Convergence, measured: RunMeasured | undefined): string {
  const steps: string[] = [];
  if (c.replicationsNeeded !== undefined) steps.push(`--replications ${c.replicationsNeeded}`);
  const f = c.lengthFactorNeeded;
  if (f !== undefined && !Number.isFinite(f))
    steps.push('raise the event rates (no flush event behind it: a longer run will not help)');
  else if (f !== undefined && measured) {
    const ms = (measured.fromNs + (measured.toNs - measured.fromNs) * f) / 1e6;
    steps.push(`run.simulatedMs=${Math.ceil(ms)} (the measured interval ${f}x longer)`);
  } else if (f !== undefined) steps.push(`a run ${f}x longer`);
  return steps.join(', or ');
}

/**
 * One line per overhead that is not converged (docs/costs.md
 * "Convergence"): which, why, and what would get it there. Overhead `i`
 * is of `policies[i]` against `policies[0]`.
 */
export function notConvergedLines(
  policies: readonly string[],
  convergence: readonly Convergence[],
  measured: RunMeasured | undefined,
): string[] {
  return convergence.flatMap((c, i) =>
    c.converged
      ? []
      : [
          `* not converged: ${policies[i]} vs ${policies[0]}: ${c.reason}; to get there: ${convergenceAdvice(c, measured)}`,
        ],
  );
}
