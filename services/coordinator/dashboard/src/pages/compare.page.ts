/**
 * Compare page: the policies of a compare group side by side in the order
 * the user gave them (the first is the baseline, as in `tlbsim compare`),
 * the overheads against it, the cheapest policy with no violation, and bar
 * charts whose axes show the differences.
 */
import { api, ClassVerdict, CompareView, JobView, RunReport } from '../api';
import { barChart, BarBox, POLICY_COLORS } from '../charts';
import { h, replace } from '../dom';
import { int, isTerminal, pct, signedPct } from '../format';
import { poll } from '../poller';
import { classesOf } from '../violation-classes';
import { badge, jobProgress, jobViolations } from '../widgets';
import { compressedTag, timeLegend, timeStack } from './real-units.view';

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
    // The headline first: vCPU time per guest access and its overhead; cycles after.
    ['vCPU time / access (ns)', (_, i) => (view.timePerAccessNs?.[i] ?? null)?.toFixed(2) ?? '–', 'time-per-access'],
    [`overhead vs ${base} (vCPU time)`, (_, i) => signedPct(view.timeOverheadVsFirst?.[i], i === 0), 'overhead-time'],
    ['hypercall stalls (% of time)', (r) => pct(r.metrics.time?.percent.hypercallStalls), 'stalls'],
    ['L0 busy (%)', (r) => pct(r.metrics.l0?.busyPercent), 'l0-busy'],
    ['cycles / access', (r) => r.metrics.cycles.perAccess.toFixed(2), 'cycles'],
    [`overhead vs ${base} (cycles)`, (_, i) => signedPct(view.overheadVsFirst?.[i], i === 0), 'overhead-cycles'],
    ['violations', (r) => int(r.violations.total), 'violations'],
    ...classesOf(byClass).map((c): Row => [
      `  ${c}`,
      (_, i) => classVerdictText(view.verdicts?.[i]?.find((v) => v.class === c)),
      `class-${c}`,
    ]),
    ['hypercalls (GPA space)', (r) => int(r.metrics.hypercalls.flushGuestPhysicalAddressSpace), 'hv-space'],
    ['hypercalls (GPA list)', (r) => int(r.metrics.hypercalls.flushGuestPhysicalAddressList), 'hv-list'],
    ['shootdown messages', (r) => int(r.metrics.shootdownMessages), 'shootdowns'],
    ['TLB misses', (r) => int(r.metrics.tlb.misses), 'misses'],
    ['nested walks', (r) => int(r.metrics.nestedWalks), 'walks'],
    [
      h('span', {}, 'hypercalls / host / s ', compressedTag(rates)),
      (r) => int(r.metrics.rates?.hypercallsPerHostPerSec.achieved),
      'hypercall-rate',
    ],
    ['digest', (r) => r.digest.slice(0, 16), 'digest'],
  ];
}

/** `0 in 12 (≤ 0.25 per exposure)` / `3 in 12` / `not exercised`, with the violations when the class never arose. */
function classVerdictText(v: ClassVerdict | undefined): string {
  if (!v) return '–';
  if (!v.exercised) return `${int(v.violations)} · not exercised`;
  const bound = v.upperBoundPerExposure === null ? '' : ` (≤ ${v.upperBoundPerExposure.toPrecision(2)} per exposure)`;
  return `${int(v.violations)} in ${int(v.exposures)} exposures${bound}`;
}

/**
 * The column head of a policy: its link, and a mark on the cheapest correct
 * policy (no violation, every class exercised); without one, on the cheapest
 * with no violation, saying it is no verdict.
 */
function head(job: JobView, i: number, view: CompareView): HTMLElement {
  const best = view.cheapestCorrect === job.policy;
  const unverified = !view.cheapestCorrect && view.cheapestWithoutViolation === job.policy;
  return h(
    'th',
    { class: best ? 'best' : '', 'data-policy': job.policy },
    h('a', { href: `#/jobs/${job.id}`, class: 'mono', text: job.policy }),
    i === 0 ? h('div', { class: 'sub', text: 'baseline' }) : null,
    best ? h('div', { class: 'best-mark', 'data-testid': 'cheapest', text: 'cheapest correct' }) : null,
    unverified
      ? h('div', {
          class: 'sub',
          'data-testid': 'cheapest-unverified',
          text: 'cheapest with no violation, not exercised',
        })
      : null,
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

/** `(the baseline)` / `(-12.1% vCPU time vs <base>)` of policy `policy`. */
function overheadOf(view: CompareView, policy: string): string {
  const i = view.jobs.findIndex((j) => j.policy === policy);
  return i === 0
    ? '(the baseline)'
    : `(${signedPct(view.timeOverheadVsFirst?.[i])} vCPU time vs ${view.jobs[0]?.policy ?? ''})`;
}

/**
 * One sentence that answers the compare: the cheapest correct policy (no
 * violation, every violation class exercised) and by how much; or why none
 * is named: a policy whose runs never met a hazard is "not exercised",
 * never correct (docs/costs.md "Honest verdicts").
 */
function verdict(view: CompareView): HTMLElement {
  const done = view.results.filter(Boolean).length;
  const waiting = done < view.jobs.length ? ` (of the ${done} finished so far)` : '';
  const clean = view.jobs.filter((_, i) => view.results[i] && view.results[i]!.violations.total === 0);
  let text: string;
  if (done === 0) text = 'waiting for the first results…';
  else if (view.cheapestCorrect)
    text = `cheapest correct policy${waiting} (no violation, every class exercised): ${view.cheapestCorrect} ${overheadOf(view, view.cheapestCorrect)}`;
  else if (clean.length === 0) text = `every finished policy has violations${waiting}`;
  else {
    const why = clean
      .map((j) => {
        const gaps = view.verdicts?.[view.jobs.indexOf(j)]?.filter((v) => !v.exercised).map((v) => v.class) ?? [];
        return `${j.policy}: ${gaps.join(', ')} not exercised`;
      })
      .join('; ');
    const w = view.cheapestWithoutViolation;
    const cost = w ? `; cheapest with no violation, not a verdict on correctness: ${w} ${overheadOf(view, w)}` : '';
    text = `no policy named correct${waiting}: the runs were too short or too quiet to expose every hazard (${why})${cost}`;
  }
  return h('p', { class: 'verdict', 'data-testid': 'verdict', text });
}

function charts(view: CompareView): BarBox[] {
  const done = view.results
    .map((r, i) => [view.jobs[i].policy, r] as const)
    .filter((x): x is readonly [string, RunReport] => x[1] !== null);
  if (done.length === 0) return [];
  const labels = done.map(([p]) => p);
  const colors = done.map(([p]) => POLICY_COLORS[view.jobs.findIndex((j) => j.policy === p) % POLICY_COLORS.length]);
  const overheads = done.map(([p]) => view.timeOverheadVsFirst?.[view.jobs.findIndex((j) => j.policy === p)] ?? 0);
  const bar = (title: string, values: number[], testId: string, emptyText: string, fromZero = false): BarBox =>
    barChart(title, labels, values, testId, emptyText, { colors, fromZero });
  return [
    // The headline, from zero: how much more (or less) vCPU time per guest access than the baseline.
    bar(
      `vCPU time per access vs ${view.jobs[0]?.policy ?? 'the first'} (%)`,
      overheads,
      'chart-cmp-overhead',
      'no difference in vCPU time',
      true,
    ),
    timeComparison(done),
    barChart(
      'Violations',
      labels,
      done.map(([, r]) => r.violations.total),
      'chart-cmp-violations',
      'no violations',
      { colors },
    ),
    barChart(
      'Hypercalls',
      labels,
      done.map(([, r]) => hypercalls(r)),
      'chart-cmp-hypercalls',
      'no hypercalls',
      { colors },
    ),
    barChart(
      'TLB misses',
      labels,
      done.map(([, r]) => r.metrics.tlb.misses),
      'chart-cmp-misses',
      'no TLB misses',
      { colors },
    ),
    barChart(
      'Cycles per access',
      labels,
      done.map(([, r]) => r.metrics.cycles.perAccess),
      'chart-cmp-cycles',
      'no cycles counted',
      { colors },
    ),
  ];
}

/** Where each policy's vCPU time went, one stacked bar per policy, side by side (a card, no chart to destroy). */
function timeComparison(done: readonly (readonly [string, RunReport])[]): BarBox {
  const el = h(
    'div',
    { class: 'card', 'data-testid': 'time-compare' },
    h('h3', { class: 'chart-title', text: 'Where the vCPUs\u2019 time went, per policy' }),
    ...done.map(([policy, r]) =>
      h(
        'div',
        { class: 'time-row', 'data-policy': policy },
        h('div', { class: 'mono sub', text: policy }),
        timeStack(r),
      ),
    ),
    timeLegend(),
  );
  return { el, chart: null };
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
