/** Sweep page: progress by points, a chart of one metric against one grid key (a line per policy), the table of rows. */
import { api, SweepRow, SweepView } from '../api';
import { ChartBox, lineChart, updateLineXY } from '../charts';
import { h, replace } from '../dom';
import { int, signedPct } from '../format';
import { poll } from '../poller';
import { SWEEP_METRICS, sweepSeries, sweepXScale } from '../sweep.series';
import { VIOLATION_CLASS_ORDER } from '../violation-classes';
import { badge, bar, violations } from '../widgets';
import { compressedTag } from './real-units.view';
import { summaryTable } from './sweep-summary.view';

/** True for a grid key that sets a rate (per second: compressed in a run with `run.timeCompression` > 1). */
function isRateKey(key: string): boolean {
  return /PerSec$/.test(key);
}

/** A row's compression, as the real-units tag reads it. */
function compression(r: SweepRow): { compressed: boolean; timeCompression: number } {
  const x = r.timeCompression ?? 1;
  return { compressed: x !== 1, timeCompression: x };
}

/** The rows as a table, the columns of `tlbsim sweep`, then the hypercall rate; per-second cells of compressed runs say so. */
function table(view: SweepView): HTMLElement {
  const head = [
    ...view.gridKeys,
    'policy',
    'seed',
    'violations',
    ...VIOLATION_CLASS_ORDER,
    'hypercalls',
    'vCPU ns/access',
    `vCPU time vs ${view.policies[0]}`,
    'cycles/access',
    `overhead vs ${view.policies[0]}`,
    'hypercalls / host / s',
  ];
  return h(
    'table',
    { 'data-testid': 'sweep-table' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...head.map((t, i) =>
          h('th', { class: i < view.gridKeys.length || i > view.gridKeys.length ? 'num' : '', text: t }),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      ...view.rows.map((r) =>
        h(
          'tr',
          { 'data-row': r.index },
          ...view.gridKeys.map((k) =>
            h(
              'td',
              { class: 'num mono' },
              String(r.grid[k]),
              isRateKey(k) && compression(r).compressed ? [' ', compressedTag(compression(r))] : null,
            ),
          ),
          h('td', { class: 'mono nowrap', text: r.policy }),
          h('td', { class: 'num', text: r.seed }),
          h('td', { class: 'num' }, violations(r.violations.total)),
          ...VIOLATION_CLASS_ORDER.map((c) => h('td', { class: 'num', text: int(r.violations.byClass[c] ?? 0) })),
          h('td', { class: 'num', text: int(r.hypercalls) }),
          h('td', { class: 'num', 'data-testid': 'sweep-time', text: r.timePerAccessNs?.toFixed(2) ?? '–' }),
          h('td', { class: 'num', text: signedPct(r.timeOverheadVsFirst, r.policy === view.policies[0]) }),
          h('td', { class: 'num', text: r.cyclesPerAccess.toFixed(2) }),
          h('td', { class: 'num', text: signedPct(r.overheadVsFirst, r.policy === view.policies[0]) }),
          h(
            'td',
            { class: 'num', 'data-testid': 'sweep-rate' },
            r.hypercallsPerHostPerSec === undefined ? '–' : int(r.hypercallsPerHostPerSec),
            r.hypercallsPerHostPerSec !== undefined && compression(r).compressed
              ? [' ', compressedTag(compression(r))]
              : null,
          ),
        ),
      ),
    ),
  );
}

/** The x-key and metric pickers. */
function pickers(
  view: SweepView,
  onChange: () => void,
): { el: HTMLElement; x: HTMLSelectElement; metric: HTMLSelectElement } {
  const keys = [...view.gridKeys, 'seed'];
  const x = h(
    'select',
    { 'data-testid': 'sweep-x', onchange: onChange },
    ...keys.map((k) => h('option', { value: k, text: k })),
  );
  const metric = h(
    'select',
    { 'data-testid': 'sweep-metric', onchange: onChange },
    ...SWEEP_METRICS.map((m) => h('option', { value: m.id, text: m.label })),
  );
  return {
    el: h('div', { class: 'row' }, h('label', {}, 'metric ', metric), h('label', {}, 'against ', x)),
    x,
    metric,
  };
}

/** Renders sweep `id`, polling until it ended; returns the cleanup. */
export function sweepPage(root: HTMLElement, id: string): () => void {
  const head = h('div');
  const controls = h('div');
  const chartSlot = h('div');
  const rows = h('div', { class: 'card' });
  const errors = h('div', { class: 'errors' });
  replace(
    root,
    h('h1', { text: 'Sweep' }),
    errors,
    h('div', { class: 'card' }, head),
    h('div', { class: 'card' }, controls, chartSlot),
    rows,
  );
  let box: ChartBox | null = null;
  let view: SweepView | null = null;
  let pick: ReturnType<typeof pickers> | null = null;
  const draw = (): void => {
    if (!view || !pick) return;
    const metric = SWEEP_METRICS.find((m) => m.id === pick!.metric.value) ?? SWEEP_METRICS[0];
    const { labels, series } = sweepSeries(view.rows, view.policies, pick.x.value, metric);
    const compressed = view.rows.filter((r) => compression(r).compressed);
    const perSecond = metric.perSecond || isRateKey(pick.x.value);
    const tag =
      perSecond && compressed.length > 0
        ? ` · ${compressed.length === view.rows.length ? '' : 'some runs '}compressed (x${compressed[0].timeCompression})`
        : '';
    box?.chart.destroy();
    const scale = sweepXScale(labels);
    const title = `${metric.label} vs ${pick.x.value}${tag}${scale === 'logarithmic' ? ' (log scale)' : ''}`;
    box = lineChart(
      title,
      metric.label,
      scale === 'category' ? labels : [],
      series,
      'chart-sweep',
      pick.x.value,
      scale,
    );
    if (scale !== 'category')
      updateLineXY(
        box,
        labels.map(Number),
        series.map((s) => s.data),
      );
    replace(chartSlot, box.el);
  };
  const stop = poll(
    () => api<SweepView>('GET', `api/sweeps/${id}`),
    (next) => {
      const changed = next.pointsDone !== view?.pointsDone || next.state !== view?.state;
      if (!pick) {
        pick = pickers(next, draw);
        replace(controls, pick.el);
      }
      view = next;
      replace(
        head,
        h(
          'div',
          { class: 'row' },
          h('strong', { text: next.name }),
          badge(next.state),
          h('span', { class: 'sub mono', text: next.id }),
        ),
        bar(next.points === 0 ? 0 : next.pointsDone / next.points, next.state),
        h('div', {
          class: 'sub',
          'data-testid': 'sweep-progress',
          text: `${next.pointsDone} / ${next.points} points · ${next.pointsPerSec.toFixed(1)} points/s`,
        }),
        next.error ? h('div', { class: 'errors', text: next.error }) : null,
      );
      if (changed) {
        draw();
        replace(rows, summaryTable(next), h('div', { class: 'table-scroll' }, table(next)));
      }
      return next.state === 'running';
    },
    errors,
  );
  return () => {
    stop();
    box?.chart.destroy();
  };
}
