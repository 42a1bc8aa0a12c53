/**
 * Compare page: the policies of a compare group side by side in the order
 * the user gave them (the first is the baseline, as in `tlbsim compare`),
 * the overheads against it, the cheapest policy with no violation, and bar
 * charts whose axes show the differences.
 */
import { api, CompareView, JobView, RunReport } from '../api';
import { barChart, BarBox } from '../charts';
import { h, replace } from '../dom';
import { int, isTerminal, pct, signedPct } from '../format';
import { poll } from '../poller';
import { classesOf } from '../violation-classes';
import { badge, jobProgress, jobViolations } from '../widgets';
import { compressedTag } from './real-units.view';

/** A row of the table: its label and the cell of one column (`i`: the column's place, 0 the baseline). */
type Row = [label: string | HTMLElement, cell: (r: RunReport, i: number) => string, key: string];

function hypercalls(r: RunReport): number {
  return r.metrics.hypercalls.flushGuestPhysicalAddressSpace + r.metrics.hypercalls.flushGuestPhysicalAddressList;
}

/** The rows of `tlbsim compare`, with the group's figures (computed by the coordinator, as the CLI computes them). */
function rows(view: CompareView): Row[] {
  const base = view.jobs[0]?.policy ?? 'first';
  const byClass = view.results.find((r) => r)?.violations.byClass ?? {};
  const rates = view.results.find((r) => r)?.metrics.rates;
  return [
    ['violations', (r) => int(r.violations.total), 'violations'],
    ...classesOf(byClass).map((c): Row => [
      `  ${c}`,
      (r) => int((r.violations.byClass as Record<string, number>)[c] ?? 0),
      `class-${c}`,
    ]),
    ['hypercalls (GPA space)', (r) => int(r.metrics.hypercalls.flushGuestPhysicalAddressSpace), 'hv-space'],
    ['hypercalls (GPA list)', (r) => int(r.metrics.hypercalls.flushGuestPhysicalAddressList), 'hv-list'],
    ['shootdown messages', (r) => int(r.metrics.shootdownMessages), 'shootdowns'],
    ['TLB misses', (r) => int(r.metrics.tlb.misses), 'misses'],
    ['nested walks', (r) => int(r.metrics.nestedWalks), 'walks'],
    ['cycles / access', (r) => r.metrics.cycles.perAccess.toFixed(2), 'cycles'],
    [`overhead vs ${base} (cycles)`, (_, i) => signedPct(view.overheadVsFirst?.[i], i === 0), 'overhead-cycles'],
    ['vCPU time / access (ns)', (_, i) => (view.timePerAccessNs?.[i] ?? null)?.toFixed(2) ?? '–', 'time-per-access'],
    [`overhead vs ${base} (vCPU time)`, (_, i) => signedPct(view.timeOverheadVsFirst?.[i], i === 0), 'overhead-time'],
    ['hypercall stalls (% of time)', (r) => pct(r.metrics.time?.percent.hypercallStalls), 'stalls'],
    ['L0 busy (%)', (r) => pct(r.metrics.l0?.busyPercent), 'l0-busy'],
    [
      h('span', {}, 'hypercalls / host / s ', compressedTag(rates)),
      (r) => int(r.metrics.rates?.hypercallsPerHostPerSec.achieved),
      'hypercall-rate',
    ],
    ['digest', (r) => r.digest.slice(0, 16), 'digest'],
  ];
}

/** The column head of a policy: its link, and a mark on the cheapest policy with no violation. */
function head(job: JobView, i: number, view: CompareView): HTMLElement {
  const best = view.cheapestCorrect === job.policy;
  return h(
    'th',
    { class: best ? 'best' : '', 'data-policy': job.policy },
    h('a', { href: `#/jobs/${job.id}`, class: 'mono', text: job.policy }),
    i === 0 ? h('div', { class: 'sub', text: 'baseline' }) : null,
    best ? h('div', { class: 'best-mark', 'data-testid': 'cheapest', text: 'cheapest with no violation' }) : null,
  );
}

function table(view: CompareView): HTMLElement {
  const cols = view.jobs;
  const allDone = cols.every((j) => isTerminal(j.state));
  return h(
    'table',
    { 'data-testid': 'compare-table' },
    h('thead', {}, h('tr', {}, h('th', { text: 'policy' }), ...cols.map((j, i) => head(j, i, view)))),
    h(
      'tbody',
      {},
      h('tr', {}, h('td', { text: 'state' }), ...cols.map((j) => h('td', {}, badge(j.state), jobProgress(j)))),
      // The live count until every report is in (then the report rows say it).
      allDone && view.results.every(Boolean)
        ? null
        : h(
            'tr',
            {},
            h('td', { text: allDone ? 'violations' : 'violations so far' }),
            ...cols.map((j) => h('td', {}, jobViolations(j))),
          ),
      ...rows(view).map(([label, get, key]) =>
        h(
          'tr',
          { 'data-row': key },
          h('td', {}, label),
          ...view.results.map((r, i) =>
            h('td', {
              class: `num mono${view.cheapestCorrect === cols[i]?.policy ? ' best' : ''}`,
              text: r ? get(r, i) : '…',
            }),
          ),
        ),
      ),
    ),
  );
}

/** One sentence that answers the compare: which policy, by how much. */
function verdict(view: CompareView): HTMLElement {
  const done = view.results.filter(Boolean).length;
  const waiting = done < view.jobs.length ? ` (of the ${done} finished so far)` : '';
  const i = view.jobs.findIndex((j) => j.policy === view.cheapestCorrect);
  const base = view.jobs[0]?.policy ?? '';
  const text =
    done === 0
      ? 'waiting for the first results…'
      : i < 0
        ? `every finished policy has violations${waiting}`
        : i === 0
          ? `cheapest policy with no violation${waiting}: ${view.cheapestCorrect} (the baseline)`
          : `cheapest policy with no violation${waiting}: ${view.cheapestCorrect} (${signedPct(view.timeOverheadVsFirst?.[i])} vCPU time vs ${base})`;
  return h('p', { class: 'verdict', 'data-testid': 'verdict', text });
}

function charts(view: CompareView): BarBox[] {
  const done = view.results
    .map((r, i) => [view.jobs[i].policy, r] as const)
    .filter((x): x is readonly [string, RunReport] => x[1] !== null);
  if (done.length === 0) return [];
  const labels = done.map(([p]) => p);
  return [
    barChart(
      'Violations',
      labels,
      done.map(([, r]) => r.violations.total),
      'chart-cmp-violations',
      'no violations',
    ),
    barChart(
      'Hypercalls',
      labels,
      done.map(([, r]) => hypercalls(r)),
      'chart-cmp-hypercalls',
      'no hypercalls',
    ),
    barChart(
      'TLB misses',
      labels,
      done.map(([, r]) => r.metrics.tlb.misses),
      'chart-cmp-misses',
      'no TLB misses',
    ),
    barChart(
      'Cycles per access',
      labels,
      done.map(([, r]) => r.metrics.cycles.perAccess),
      'chart-cmp-cycles',
      'no cycles counted',
    ),
  ];
}

/** Renders compare group `groupId`, polling until every job ended; returns the cleanup. */
export function comparePage(root: HTMLElement, groupId: string): () => void {
  const body = h('div');
  const grid = h('div', { class: 'grid' });
  const errors = h('div', { class: 'errors' });
  replace(root, h('h1', { text: 'Compare policies' }), errors, h('div', { class: 'card' }, body), grid);
  let boxes: BarBox[] = [];
  let drawn = -1;
  const stop = poll(
    () => api<CompareView>('GET', `api/compare/${groupId}`),
    (view) => {
      replace(
        body,
        h('div', {
          class: 'sub',
          text: `${view.jobs[0]?.name ?? ''} · group ${groupId} · first policy is the baseline`,
        }),
        verdict(view),
        table(view),
      );
      const finished = view.results.filter(Boolean).length;
      if (finished !== drawn) {
        boxes.forEach((b) => b.chart?.destroy());
        boxes = charts(view);
        replace(grid, ...boxes.map((b) => b.el));
        drawn = finished;
      }
      return !view.jobs.every((j) => isTerminal(j.state));
    },
    errors,
  );
  return () => {
    stop();
    boxes.forEach((b) => b.chart?.destroy());
  };
}
