/** Compare page: the policies of a compare group side by side, with bar charts. */
import { api, CompareView, RunReport } from '../api';
import { barChart, ChartBox } from '../charts';
import { h, replace } from '../dom';
import { int, isTerminal } from '../format';
import { badge, jobProgress, violations } from '../widgets';

type Row = [string, (r: RunReport) => string];

const ROWS: Row[] = [
  ['violations', (r) => int(r.violations.total)],
  ...(['stale-root', 'use-after-free', 'cross-vm', 'stale-mapping'] as const).map((c): Row => [`  ${c}`, (r) => int(r.violations.byClass[c])]),
  ['hypercalls (GPA space)', (r) => int(r.metrics.hypercalls.flushGuestPhysicalAddressSpace)],
  ['hypercalls (GPA list)', (r) => int(r.metrics.hypercalls.flushGuestPhysicalAddressList)],
  ['shootdown messages', (r) => int(r.metrics.shootdownMessages)],
  ['TLB misses', (r) => int(r.metrics.tlb.misses)],
  ['nested walks', (r) => int(r.metrics.nestedWalks)],
  ['cycles / access', (r) => r.metrics.cycles.perAccess.toFixed(2)],
  ['total cycles', (r) => int(r.metrics.cycles.total)],
  ['digest', (r) => r.digest.slice(0, 16)],
];

function table(view: CompareView): HTMLElement {
  const cols = view.jobs;
  return h('table', { 'data-testid': 'compare-table' },
    h('thead', {}, h('tr', {}, h('th', { text: 'policy' }), ...cols.map((j) => h('th', {}, h('a', { href: `#/jobs/${j.id}`, class: 'mono', text: j.policy }))))),
    h('tbody', {},
      h('tr', {}, h('td', { text: 'state' }), ...cols.map((j) => h('td', {}, badge(j.state), jobProgress(j)))),
      h('tr', {}, h('td', { text: 'violations so far' }), ...cols.map((j) => h('td', {}, violations(j.violations)))),
      ...ROWS.map(([label, get]) => h('tr', {}, h('td', { text: label }), ...view.results.map((r) => h('td', { class: 'num mono', text: r ? get(r) : '…' }))))));
}

function charts(view: CompareView): ChartBox[] {
  const done = view.results.map((r, i) => [view.jobs[i].policy, r] as const).filter((x): x is readonly [string, RunReport] => x[1] !== null);
  if (done.length === 0) return [];
  const labels = done.map(([p]) => p);
  const hyper = (r: RunReport): number => r.metrics.hypercalls.flushGuestPhysicalAddressSpace + r.metrics.hypercalls.flushGuestPhysicalAddressList;
  return [
    barChart('Violations', labels, done.map(([, r]) => r.violations.total), 'chart-cmp-violations'),
    barChart('Hypercalls', labels, done.map(([, r]) => hyper(r)), 'chart-cmp-hypercalls'),
    barChart('TLB misses', labels, done.map(([, r]) => r.metrics.tlb.misses), 'chart-cmp-misses'),
    barChart('Cycles per access', labels, done.map(([, r]) => r.metrics.cycles.perAccess), 'chart-cmp-cycles'),
  ];
}

/** Renders compare group `groupId`, polling until every job ended; returns the cleanup. */
export function comparePage(root: HTMLElement, groupId: string): () => void {
  const body = h('div');
  const grid = h('div', { class: 'grid' });
  const errors = h('div', { class: 'errors' });
  replace(root, h('h1', { text: 'Compare policies' }), errors, h('div', { class: 'card' }, body), grid);
  let boxes: ChartBox[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  let drawn = -1;
  let closed = false;
  const tick = async (): Promise<void> => {
    try {
      const view = await api<CompareView>('GET', `api/compare/${groupId}`);
      if (closed) return;
      replace(body, h('div', { class: 'sub', text: `${view.jobs[0]?.name ?? ''} · group ${groupId}` }), table(view));
      const finished = view.results.filter(Boolean).length;
      if (finished !== drawn) {
        boxes.forEach((b) => b.chart.destroy());
        boxes = charts(view);
        replace(grid, ...boxes.map((b) => b.el));
        drawn = finished;
      }
      if (!view.jobs.every((j) => isTerminal(j.state))) timer = setTimeout(() => void tick(), 1000);
    } catch (e) {
      errors.textContent = e instanceof Error ? e.message : String(e);
      timer = setTimeout(() => void tick(), 3000);
    }
  };
  void tick();
  return () => {
    closed = true;
    if (timer) clearTimeout(timer);
    boxes.forEach((b) => b.chart.destroy());
  };
}
