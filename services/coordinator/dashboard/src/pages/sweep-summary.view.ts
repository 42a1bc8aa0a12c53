/**
 * The sweep page's summary: per grid point and policy over its seeds
 * (replications), the headline figures as `mean ± 95% half-width` and the
 * overhead against the first policy, paired by seed, marked `*` when it is
 * not converged (computed by the coordinator with the CLI's statistics).
 */
import type { SweepView } from '../api';
import { h } from '../dom';
import { estimateText as est } from '../format';

/** The summary table, or nothing for a sweep with one seed per point. */
export function summaryTable(view: SweepView): HTMLElement | null {
  const summary = view.summary ?? [];
  if (view.seeds <= 1 || summary.length === 0) return null;
  const base = view.policies[0];
  const head = [...view.gridKeys, 'policy', 'seeds', 'violations', 'vCPU ns/access', `vCPU time vs ${base}`];
  return h(
    'div',
    {},
    h('div', {
      class: 'sub',
      text: `over the seeds of each point: ± a 95% interval (Student's t), overheads paired by seed; * not converged`,
    }),
    h(
      'table',
      { 'data-testid': 'sweep-summary' },
      h('thead', {}, h('tr', {}, ...head.map((t) => h('th', { text: t })))),
      h(
        'tbody',
        {},
        ...summary.map((s) =>
          h(
            'tr',
            { title: s.reason ?? '' },
            ...view.gridKeys.map((k) => h('td', { class: 'num mono', text: String(s.grid[k]) })),
            h('td', { class: 'mono', text: s.policy }),
            h('td', { class: 'num', text: String(s.seeds.length) }),
            h('td', { class: 'num', text: String(s.violations) }),
            h('td', { class: 'num mono', text: est(s.timePerAccessNs) }),
            h('td', {
              class: 'num mono',
              'data-testid': 'sweep-summary-overhead',
              text: s.policy === base ? 'baseline' : `${est(s.timeOverheadVsFirst, 1, '%')}${s.converged ? '' : ' *'}`,
            }),
          ),
        ),
      ),
    ),
  );
}
