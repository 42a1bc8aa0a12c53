/** Sweep page: progress by points, a chart of one metric against one grid key (a line per policy), the table of rows. */
import { api, SweepRow, SweepView } from '../api';
import { ChartBox, lineChart } from '../charts';
import { h, replace } from '../dom';
import { int } from '../format';
import { SWEEP_METRICS, sweepSeries } from '../sweep.series';
import { badge, bar, violations } from '../widgets';

const CLASSES = ['cross-vm', 'use-after-free', 'stale-mapping', 'stale-root'] as const;

function overhead(r: SweepRow, baseline: string): string {
  if (r.policy === baseline) return 'baseline';
  return r.overheadVsFirst === null ? '–' : `${r.overheadVsFirst >= 0 ? '+' : ''}${r.overheadVsFirst.toFixed(1)}%`;
}

/** The rows as a table, the same columns as `tlbsim sweep`. */
function table(view: SweepView): HTMLElement {
  const head = [...view.gridKeys, 'policy', 'seed', 'violations', ...CLASSES, 'hypercalls', 'cycles/access', `overhead vs ${view.policies[0]}`];
  return h('table', { 'data-testid': 'sweep-table' },
    h('thead', {}, h('tr', {}, ...head.map((t, i) => h('th', { class: i < view.gridKeys.length || i > view.gridKeys.length ? 'num' : '', text: t })))),
    h('tbody', {}, ...view.rows.map((r) => h('tr', { 'data-row': r.index },
      ...view.gridKeys.map((k) => h('td', { class: 'num mono', text: String(r.grid[k]) })),
      h('td', { class: 'mono', text: r.policy }), h('td', { class: 'num', text: r.seed }),
      h('td', { class: 'num' }, violations(r.violations.total)),
      ...CLASSES.map((c) => h('td', { class: 'num', text: int(r.violations.byClass[c] ?? 0) })),
      h('td', { class: 'num', text: int(r.hypercalls) }), h('td', { class: 'num', text: r.cyclesPerAccess.toFixed(2) }),
      h('td', { class: 'num', text: overhead(r, view.policies[0]) })))));
}

/** The x-key and metric pickers. */
function pickers(view: SweepView, onChange: () => void): { el: HTMLElement; x: HTMLSelectElement; metric: HTMLSelectElement } {
  const keys = [...view.gridKeys, 'seed'];
  const x = h('select', { 'data-testid': 'sweep-x', onchange: onChange }, ...keys.map((k) => h('option', { value: k, text: k })));
  const metric = h('select', { 'data-testid': 'sweep-metric', onchange: onChange }, ...SWEEP_METRICS.map((m) => h('option', { value: m.id, text: m.label })));
  return { el: h('div', { class: 'row' }, h('label', {}, 'metric ', metric), h('label', {}, 'against ', x)), x, metric };
}

/** Renders sweep `id`, polling until it ended; returns the cleanup. */
export function sweepPage(root: HTMLElement, id: string): () => void {
  const head = h('div');
  const controls = h('div');
  const chartSlot = h('div');
  const rows = h('div', { class: 'card' });
  const errors = h('div', { class: 'errors' });
  replace(root, h('h1', { text: 'Sweep' }), errors, h('div', { class: 'card' }, head), h('div', { class: 'card' }, controls, chartSlot), rows);
  let box: ChartBox | null = null;
  let view: SweepView | null = null;
  let pick: ReturnType<typeof pickers> | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let closed = false;
  const draw = (): void => {
    if (!view || !pick) return;
    const metric = SWEEP_METRICS.find((m) => m.id === pick!.metric.value) ?? SWEEP_METRICS[0];
    const { labels, series } = sweepSeries(view.rows, view.policies, pick.x.value, metric);
    box?.chart.destroy();
    box = lineChart(`${metric.label} vs ${pick.x.value}`, metric.label, labels, series, 'chart-sweep', pick.x.value);
    replace(chartSlot, box.el);
  };
  const tick = async (): Promise<void> => {
    try {
      const next = await api<SweepView>('GET', `api/sweeps/${id}`);
      if (closed) return;
      const changed = next.pointsDone !== view?.pointsDone || next.state !== view?.state;
      if (!pick) { pick = pickers(next, draw); replace(controls, pick.el); }
      view = next;
      replace(head, h('div', { class: 'row' }, h('strong', { text: next.name }), badge(next.state), h('span', { class: 'sub mono', text: next.id })),
        bar(next.points === 0 ? 0 : next.pointsDone / next.points, next.state),
        h('div', { class: 'sub', 'data-testid': 'sweep-progress', text: `${next.pointsDone} / ${next.points} points · ${next.pointsPerSec.toFixed(1)} points/s` }),
        next.error ? h('div', { class: 'errors', text: next.error }) : null);
      if (changed) { draw(); replace(rows, table(next)); }
      if (next.state === 'running') timer = setTimeout(() => void tick(), 1000);
    } catch (e) {
      errors.textContent = e instanceof Error ? e.message : String(e);
      timer = setTimeout(() => void tick(), 3000);
    }
  };
  void tick();
  return () => {
    closed = true;
    if (timer) clearTimeout(timer);
    box?.chart.destroy();
  };
}
