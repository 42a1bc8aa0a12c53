import { SCENARIO_LIMITS } from '@tlbsim/contracts';
import type { RunReport, WitnessSelection } from '@tlbsim/engine';
import { fmtInt } from './format.util';

/**
 * What the witness listings (the report, `tlbsim trace`) say when fewer
 * witnesses are shown than asked for because the run kept only a few of
 * its violations (`run.witnessesMax`, plus `run.witnessesPerClass` of
 * each class): how many were kept, and how to keep more.
 */

/**
 * The hint, e.g. `3 kept of 32,082 violations: run.witnessesMax keeps more
 * (--set run.witnessesMax=10, up to 1000)`; empty when every violation was
 * kept, or the selection shows as many as it asked for.
 * @param shown - witnesses the selection shows
 */
export function witnessesKeptHint(report: RunReport, sel: WitnessSelection, shown: number): string {
  const kept = report.violations.witnesses.length;
  const total = report.violations.total;
  if (kept >= total) return '';
  const asked = sel.max ?? kept;
  if (shown >= asked && sel.vm === undefined && sel.violationClass === undefined) return '';
  const max = SCENARIO_LIMITS['run.witnessesMax'].max;
  const want = Math.min(max, Math.max(asked, kept + 1));
  return `${fmtInt(kept)} kept of ${fmtInt(total)} violations: run.witnessesMax keeps more (--set run.witnessesMax=${want}, up to ${max})`;
}

/**
 * The one line that tells the two counts apart: a violation is one stale
 * TLB entry (per cause: reused root, changed mapping), reported at its
 * first use; stale hits count every access through such an entry.
 */
export const STALE_HITS_NOTE =
  'one violation per stale TLB entry and cause, at its first use; stale hits count every access served by a stale entry';
