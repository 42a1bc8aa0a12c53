import type { ClassVerdict, PolicyEstimates } from '@tlbsim/engine';
import { fmtInt } from './format.util';

/** `0 in 12 (95% upper bound 0.25 per exposure)` / `3 in 12` / `not exercised`. */
function classText(v: ClassVerdict): string {
  if (!v.exercised) return `${v.class} not exercised${v.violations > 0 ? ` (${fmtInt(v.violations)} violations)` : ''}`;
  const bound =
    v.upperBoundPerExposure === null ? '' : ` (95% upper bound ${fmtBound(v.upperBoundPerExposure)} per exposure)`;
  return `${v.class} ${fmtInt(v.violations)} in ${fmtInt(v.exposures)} exposure${v.exposures === 1 ? '' : 's'}${bound}`;
}

function fmtBound(x: number): string {
  return x >= 0.1 ? x.toFixed(2) : x.toPrecision(2);
}

/** One line per policy: its violations per class against the exposures its runs had (docs/costs.md "Honest verdicts"). */
export function verdictLines(policies: readonly PolicyEstimates[]): string[] {
  return [
    'violations per class in the exposures the runs had (an exposure: the hazard arose; not exercised: it never did):',
    ...policies.map((p) => `  ${p.policy}: ${p.verdicts.map(classText).join('; ')}`),
  ];
}

/** Why a policy with no violation is not named correct: the classes it was never exposed to. */
export function notExercisedText(p: PolicyEstimates): string {
  return p.verdicts
    .filter((v) => !v.exercised)
    .map((v) => v.class)
    .join(', ');
}

/**
 * The closing line of a comparison: the cheapest correct policy (no
 * violation, every class exercised) with its overhead, or why none is
 * named; a policy whose runs exercised nothing is never named.
 */
export function verdictLine(
  policies: readonly PolicyEstimates[],
  correct: string | null,
  withoutViolation: string | null,
  overheadOf: (policy: string) => string,
): string {
  if (correct !== null)
    return `cheapest correct policy (no violation, every class exercised): ${correct} (${overheadOf(correct)})`;
  const clean = policies.filter((p) => p.violations === 0);
  if (clean.length === 0) return 'every policy has violations';
  const why = clean.map((p) => `${p.policy}: ${notExercisedText(p)} not exercised`).join('; ');
  const cheapest = policies.find((p) => p.policy === withoutViolation);
  const exercisedSome = cheapest !== undefined && cheapest.verdicts.some((v) => v.exercised);
  const cost = exercisedSome
    ? `; cheapest with no violation, not a verdict on correctness: ${withoutViolation} (${overheadOf(withoutViolation!)})`
    : '';
  return `no policy named correct: no violation, but the runs were too short or too quiet to expose every hazard (${why}): lengthen the run (run.simulatedMs), add replications or raise the event rates${cost}`;
}
