/**
 * The compare page's figures over replications: each policy's estimate
 * (`12.84 ± 0.30`), the overhead against the baseline (`-12.1% ± 1.3`, `*`
 * when not converged) and the notes under the table (the seeds, and what
 * would make each overhead converge), as `tlbsim compare` prints them.
 */
import type { CompareView, RunReport } from '../api';
import { h } from '../dom';
import { estimateText, EstimateLike, signedPct } from '../format';

/** The policies in the order given (a coordinator before compare jobs sent only `jobs`). */
export function policiesOf(view: CompareView): string[] {
  return view.policies ?? view.jobs.map((j) => j.policy);
}

/**
 * `-12.1% ± 1.3` against the baseline, with ` *` when not converged
 * (docs/costs.md "Convergence"); the single run's figure while there are no
 * estimates.
 */
export function overheadText(view: CompareView, i: number, of: 'time' | 'cycles'): string {
  if (i === 0) return 'baseline';
  const e = view.estimates;
  if (!e) return signedPct(of === 'time' ? view.timeOverheadVsFirst?.[i] : view.overheadVsFirst?.[i]);
  const est = of === 'time' ? e.timeOverheadVsFirst[i] : e.overheadVsFirst[i];
  const mark = of === 'time' && !e.timeOverheadConvergence[i]?.converged ? ' *' : '';
  return `${estimateText(est, 1, '%')}${mark}`;
}

/** A per-policy figure: its estimate over replications when there are some, else the first run's value. */
export function figure(
  view: CompareView,
  i: number,
  r: RunReport,
  est: (e: NonNullable<CompareView['estimates']>['policies'][number]) => EstimateLike,
  single: (r: RunReport) => string,
  digits = 2,
): string {
  const p = view.estimates?.policies[i];
  return p ? estimateText(est(p), digits) : single(r);
}

/** Under the table: the replications behind the figures, and each overhead that is not converged and why. */
export function notes(view: CompareView): HTMLElement {
  const n = view.replications ?? 1;
  const e = view.estimates;
  const lines: string[] = [
    n > 1
      ? `${n} replications per policy, seeds ${(view.seeds ?? []).join(', ')} (the same for every policy: overheads are paired); ± is a 95% interval (Student's t)`
      : '1 replication: no interval (a compare with replications runs them on the workers, each policy on each seed)',
  ];
  const policies = policiesOf(view);
  e?.timeOverheadConvergence.forEach((c, i) => {
    if (c.converged) return;
    const more = [
      c.replicationsNeeded ? `${c.replicationsNeeded} replications` : '',
      c.lengthFactorNeeded && Number.isFinite(c.lengthFactorNeeded) ? `a ${c.lengthFactorNeeded}x longer run` : '',
    ]
      .filter(Boolean)
      .join(' or ');
    lines.push(`* ${policies[i]}: not converged: ${c.reason ?? ''}${more ? ` (${more} would get there)` : ''}`);
  });
  return h('div', { 'data-testid': 'compare-notes' }, ...lines.map((t) => h('div', { class: 'sub', text: t })));
}
