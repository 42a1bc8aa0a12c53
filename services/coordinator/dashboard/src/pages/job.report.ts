/** The finished part of the job page: final counters, costs by operation and violation witnesses. */
import type { RunReport } from '../api';
import { h } from '../dom';
import { int, simTime } from '../format';
import { parseTraceLine } from '../trace-line.parser';
import { classesOf } from '../violation-classes';
import { ratesView, timeView } from './real-units.view';

type Witness = RunReport['violations']['witnesses'][number];

function kv(pairs: [string, string][]): HTMLElement {
  return h('dl', { class: 'kv' }, ...pairs.flatMap(([k, v]) => [h('dt', { text: k }), h('dd', { text: v })]));
}

/** Final counters of a run, grouped. */
export function countersView(r: RunReport): HTMLElement {
  const m = r.metrics;
  const hv = m.hypercalls;
  const byClass = Object.entries(r.violations.byClass).map(([k, v]) => [k, int(v)] as [string, string]);
  return h(
    'div',
    { class: 'card', 'data-testid': 'counters' },
    h(
      'div',
      { class: 'counters' },
      kv([['violations', int(r.violations.total)], ...byClass]),
      kv([
        ['accesses', int(m.accesses)],
        ['TLB hits', int(m.tlb.hits)],
        ['TLB misses', int(m.tlb.misses)],
        ['nested hits', int(m.tlb.nestedHits)],
        ['nested walks', int(m.nestedWalks)],
      ]),
      kv([
        ['GPA-space flushes', int(hv.flushGuestPhysicalAddressSpace)],
        ['GPA-list flushes', int(hv.flushGuestPhysicalAddressList)],
        ['list fallbacks', int(hv.listFallbacks)],
        ['shootdown messages', int(m.shootdownMessages)],
      ]),
      kv([
        ['cycles', int(m.cycles.total)],
        ['cycles / access', m.cycles.perAccess.toFixed(2)],
        ['windows', int(m.windows)],
        ['simulated time', simTime(m.simulatedNs)],
      ]),
      kv([
        ['roots allocated', int(m.roots.allocated)],
        ['roots freed', int(m.roots.freed)],
        ['root pages reused', int(m.roots.pageReused)],
        ['reused by other VM', int(m.roots.reusedByOtherVm)],
      ]),
    ),
    h('div', { class: 'sub mono', text: `digest ${r.digest}` }),
  );
}

/**
 * One step of a witness: the time stamp column (simulated seconds as the
 * kernel printed them, nanoseconds since the chain's first step as a
 * tooltip), the task, the event and the rest. A line in another format is
 * shown whole.
 */
function stepView(line: string, startNs: number | null): HTMLElement {
  const step = parseTraceLine(line);
  if (!step) return h('li', { class: 'mono' }, line);
  const since = startNs === null ? '' : ` (+${simTime(step.timeNs - startNs)} since the first step)`;
  return h(
    'li',
    { class: 'mono', 'data-time-ns': String(step.timeNs) },
    h('span', {
      class: 'time',
      'data-testid': 'witness-time',
      title: `${simTime(step.timeNs)}${since}`,
      text: step.time,
    }),
    h('span', { class: 'task muted', text: step.task }),
    h('span', { class: 'event', text: step.event }),
    step.detail,
  );
}

/** One witness as a timeline, open when `open`. */
function witnessView(w: Witness, i: number, open: boolean): HTMLElement {
  const summary = h(
    'summary',
    {},
    h('span', { class: 'cls', text: w.class }),
    ` #${i + 1} · host ${w.host} · vm ${w.vm} · vcpu ${w.vcpu} · at ${simTime(w.timeNs)} · page `,
    h('span', { class: 'mono', text: w.pageHpa }),
  );
  const startNs = w.lines.length > 0 ? (parseTraceLine(w.lines[0])?.timeNs ?? null) : null;
  const steps = w.lines.map((line) => stepView(line, startNs));
  return h(
    'details',
    { class: 'witness', 'data-testid': 'witness', 'data-class': w.class, open },
    summary,
    h('ol', { class: 'timeline' }, ...steps),
  );
}

/**
 * The witnesses of a run (the violations kept with their causal chains),
 * grouped by class in severity order: the first witness of each class
 * open, the others collapsed.
 */
export function witnessesView(r: RunReport): HTMLElement {
  const ws = r.violations.witnesses;
  if (ws.length === 0)
    return h('p', {
      class: 'muted',
      text: r.violations.total > 0 ? 'No witnesses kept (run.witnessesMax = 0).' : 'No violations: no witnesses.',
    });
  const more =
    r.violations.total > ws.length
      ? h('p', { class: 'muted', text: `showing ${ws.length} of ${int(r.violations.total)} violations` })
      : null;
  const byClass = r.violations.byClass as Record<string, number>;
  const groups = classesOf(byClass)
    .map((cls) => ({ cls, items: ws.map((w, i) => ({ w, i })).filter(({ w }) => w.class === cls) }))
    .filter((g) => g.items.length > 0);
  return h(
    'div',
    { 'data-testid': 'witnesses' },
    more,
    ...groups.map(({ cls, items }) =>
      h(
        'section',
        { class: 'witness-class', 'data-class': cls },
        h(
          'h3',
          {},
          h('span', { class: 'cls', text: cls }),
          ` · ${int(byClass[cls] ?? items.length)} violation(s), ${items.length} witness(es) kept`,
        ),
        ...items.map(({ w, i }, k) => witnessView(w, i, k === 0)),
      ),
    ),
  );
}

/**
 * Cycles by operation, most expensive first, with their share of the total
 * (what the CLI prints under "Costs").
 */
export function costsView(r: RunReport): HTMLElement {
  const c = r.metrics.cycles;
  const ops = Object.entries(c.byOp ?? {}).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  const share = (n: number): string => (c.total > 0 ? `${((100 * n) / c.total).toFixed(1)}%` : '–');
  return h(
    'div',
    { class: 'card', 'data-testid': 'costs' },
    h('div', { class: 'sub', text: `${int(c.total)} cycles in total, ${c.perAccess.toFixed(2)} per access` }),
    ops.length === 0
      ? h('p', { class: 'muted', text: 'no cycles counted' })
      : h(
          'table',
          {},
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { text: 'operation' }),
              h('th', { class: 'num', text: 'cycles' }),
              h('th', { class: 'num', text: 'share' }),
              h('th', { text: '' }),
            ),
          ),
          h(
            'tbody',
            {},
            ...ops.map(([op, cycles]) =>
              h(
                'tr',
                { 'data-op': op },
                h('td', { class: 'mono', text: op }),
                h('td', { class: 'num', text: int(cycles) }),
                h('td', { class: 'num', text: share(cycles) }),
                h(
                  'td',
                  { class: 'share-cell' },
                  h('div', { class: 'share-bar', style: `width:${c.total > 0 ? (100 * cycles) / c.total : 0}%` }),
                ),
              ),
            ),
          ),
        ),
  );
}

/**
 * "partial report (cancelled at window N)" for a report with `partial:
 * true` (a cancelled or failed job's), else null. Read defensively: the
 * key is absent from complete reports and from older coordinators.
 */
export function partialReportText(r: RunReport, state: string): string | null {
  if ((r as RunReport & { partial?: boolean }).partial !== true) return null;
  return partialLabel(state, r.stoppedAt?.window ?? r.metrics.windows);
}

/** "partial report (cancelled at window N)" (or "failed at"); null when `windows` is null (no partial report). */
export function partialLabel(state: string, windows: number | null): string | null {
  return windows === null
    ? null
    : `partial report (${state === 'failed' ? 'failed' : 'cancelled'} at window ${windows})`;
}

/** Every section of a finished job's report, in the CLI's order: counters, time and rates, costs, witnesses. */
export function reportSections(r: RunReport, state: string): HTMLElement[] {
  const partial = partialReportText(r, state);
  return [
    partial
      ? h('div', {
          class: 'partial',
          'data-testid': 'report-partial',
          text: `${partial}: the counters, violations and witnesses found until then`,
        })
      : null,
    r.coverage?.warning
      ? h('div', {
          class: 'partial',
          'data-testid': 'report-coverage-warning',
          text: `low coverage: ${r.coverage.warning}`,
        })
      : null,
    h('h2', { text: partial ? 'Counters (partial)' : 'Final counters' }),
    countersView(r),
    h('h2', { text: 'Time and rates' }),
    h('div', { class: 'grid' }, timeView(r), ratesView(r)),
    h('h2', { text: 'Costs by operation' }),
    costsView(r),
    h('h2', { text: 'Violation witnesses' }),
    witnessesView(r),
  ].filter((x): x is HTMLElement => x !== null);
}
