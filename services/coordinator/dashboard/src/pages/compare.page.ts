/**
 * Compare page: the policies of a compare group side by side in the order
 * the user gave them (the first is the baseline, as in `tlbsim compare`),
 * the overheads against it, the cheapest policy with no violation, and bar
 * charts whose axes show the differences.
 */
import { api, ClassVerdict, CompareView, RunReport } from '../api';
import { barChart, BarBox, POLICY_COLORS } from '../charts';
import { h, replace } from '../dom';
import { int, isTerminal, pct } from '../format';
import { poll } from '../poller';
import { classesOf } from '../violation-classes';
import { badge, jobProgress, jobViolations } from '../widgets';
import { compressedTag, timeLegend, timeStack } from './real-units.view';
import { sensitivityCard } from './sensitivity.view';
import { figure, notes, overheadText, policiesOf } from './compare.figures.view';

/** Whether every run of the compare finished (then the page stops polling). */
function finished(view: CompareView): boolean {
  if (view.points) return view.points.state !== 'running';
  return view.jobs.every((j) => isTerminal(j.state));
}

/** A row of the table: its label and the cell of one column (`i`: the column's place, 0 the baseline). */
type Row = [label: string | HTMLElement, cell: (r: RunReport, i: number) => string, key: string];

function hypercalls(r: RunReport): number {
  return r.metrics.hypercalls.flushGuestPhysicalAddressSpace + r.metrics.hypercalls.flushGuestPhysicalAddressList;
}

/** The rows of `tlbsim compare`, with the group's figures (computed by the coordinator, as the CLI computes them). */
function rows(view: CompareView): Row[] {
  const base = policiesOf(view)[0] ?? 'first';
  const byClass = view.results.find((r) => r)?.violations.byClass ?? {};
  const rates = view.results.find((r) => r)?.metrics.rates;
  const n = view.replications ?? 1;
  // Counters are the first replication's (the scenario's seed); the figures above them are means with intervals.
  const seedNote = n > 1 ? ` (seed ${view.seeds?.[0] ?? ''})` : '';
  return [
    // The headline first: vCPU time per guest access and its overhead; cycles after.
    [
      'vCPU time / access (ns)',
      (r, i) =>
        figure(
          view,
          i,
          r,
          (p) => p.timePerAccessNs,
          () => (view.timePerAccessNs?.[i] ?? null)?.toFixed(2) ?? '–',
        ),
      'time-per-access',
    ],
    [`overhead vs ${base} (vCPU time)`, (_, i) => overheadText(view, i, 'time'), 'overhead-time'],
    [
      'hypercall stalls (% of time)',
      (r, i) =>
        figure(
          view,
          i,
          r,
          (p) => p.hypercallStallsPercent,
          (x) => pct(x.metrics.time?.percent.hypercallStalls),
        ),
      'stalls',
    ],
    [
      'L0 busy (%)',
      (r, i) =>
        figure(
          view,
          i,
          r,
          (p) => p.l0BusyPercent,
          (x) => pct(x.metrics.l0?.busyPercent),
        ),
      'l0-busy',
    ],
    [
      'cycles / access',
      (r, i) =>
        figure(
          view,
          i,
          r,
          (p) => p.cyclesPerAccess,
          (x) => x.metrics.cycles.perAccess.toFixed(2),
        ),
      'cycles',
    ],
    [`overhead vs ${base} (cycles)`, (_, i) => overheadText(view, i, 'cycles'), 'overhead-cycles'],
    [
      n > 1 ? `violations (all ${n} runs)` : 'violations',
      (r, i) => int(view.estimates?.policies[i]?.violations ?? r.violations.total),
      'violations',
    ],
    ...classesOf(byClass).map((c): Row => [
      `  ${c}`,
      (_, i) => classVerdictText(view.verdicts?.[i]?.find((v) => v.class === c)),
      `class-${c}`,
    ]),
    [`hypercalls (GPA space)${seedNote}`, (r) => int(r.metrics.hypercalls.flushGuestPhysicalAddressSpace), 'hv-space'],
    [`hypercalls (GPA list)${seedNote}`, (r) => int(r.metrics.hypercalls.flushGuestPhysicalAddressList), 'hv-list'],
    [`shootdown messages${seedNote}`, (r) => int(r.metrics.shootdownMessages), 'shootdowns'],
    [`TLB misses${seedNote}`, (r) => int(r.metrics.tlb.misses), 'misses'],
    [`nested walks${seedNote}`, (r) => int(r.metrics.nestedWalks), 'walks'],
    [
      h('span', {}, 'hypercalls / host / s ', compressedTag(rates)),
      (r) => int(r.metrics.rates?.hypercallsPerHostPerSec.achieved),
      'hypercall-rate',
    ],
    [`digest${seedNote}`, (r) => r.digest.slice(0, 16), 'digest'],
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
function head(policy: string, i: number, view: CompareView): HTMLElement {
  const best = view.cheapestCorrect === policy;
  const unverified = !view.cheapestCorrect && view.cheapestWithoutViolation === policy;
  const job = view.jobs[i];
  return h(
    'th',
    { class: best ? 'best' : '', 'data-policy': policy },
    job
      ? h('a', { href: `#/jobs/${job.id}`, class: 'mono', text: policy })
      : h('span', { class: 'mono', text: policy }),
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

/** The state row: each job's state and progress, or the compare job's points. */
function stateRow(view: CompareView): HTMLElement {
  const pts = view.points;
  const cells = pts
    ? policiesOf(view).map(() =>
        h('td', {}, badge(pts.state), h('span', { class: 'sub', text: ` ${int(pts.done)} / ${int(pts.total)} runs` })),
      )
    : view.jobs.map((j) => h('td', {}, badge(j.state), jobProgress(j)));
  return h('tr', {}, h('td', { text: 'state' }), ...cells);
}

function table(view: CompareView): HTMLElement {
  const cols = policiesOf(view);
  const allDone = finished(view);
  return h(
    'table',
    { 'data-testid': 'compare-table' },
    h('thead', {}, h('tr', {}, h('th', { text: 'policy' }), ...cols.map((p, i) => head(p, i, view)))),
    h(
      'tbody',
      {},
      stateRow(view),
      // The live count until every report is in (then the report rows say it); a compare job has no live count.
      view.points || (allDone && view.results.every(Boolean))
        ? null
        : h(
            'tr',
            {},
            h('td', { text: allDone ? 'violations' : 'violations so far' }),
            ...view.jobs.map((j) => h('td', {}, jobViolations(j))),
          ),
      ...rows(view).map(([label, get, key]) =>
        h(
          'tr',
          { 'data-row': key },
          h('td', {}, label),
          ...view.results.map((r, i) =>
            h('td', {
              class: `num mono${view.cheapestCorrect === cols[i] ? ' best' : ''}`,
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
  const policies = policiesOf(view);
  const i = policies.indexOf(policy);
  return i === 0 ? '(the baseline)' : `(${overheadText(view, i, 'time')} vCPU time vs ${policies[0] ?? ''})`;
}

/**
 * One sentence that answers the compare: the cheapest correct policy (no
 * violation, every violation class exercised) and by how much; or why none
 * is named: a policy whose runs never met a hazard is "not exercised",
 * never correct (docs/costs.md "Honest verdicts").
 */
function verdict(view: CompareView): HTMLElement {
  const policies = policiesOf(view);
  // A compare job's figures come once every run is in; a group's per job.
  const done = view.points ? (view.estimates ? policies.length : 0) : view.results.filter(Boolean).length;
  const waiting = done < policies.length ? ` (of the ${done} finished so far)` : '';
  const violationsOf = (i: number): number | null =>
    view.estimates?.policies[i]?.violations ?? view.results[i]?.violations.total ?? null;
  const clean = policies.filter((_, i) => violationsOf(i) === 0);
  let text: string;
  if (done === 0) text = 'waiting for the first results…';
  else if (view.cheapestCorrect)
    text = `cheapest correct policy${waiting} (no violation, every class exercised): ${view.cheapestCorrect} ${overheadOf(view, view.cheapestCorrect)}`;
  else if (clean.length === 0) text = `every finished policy has violations${waiting}`;
  else {
    const why = clean
      .map((p) => {
        const gaps = view.verdicts?.[policies.indexOf(p)]?.filter((v) => !v.exercised).map((v) => v.class) ?? [];
        return `${p}: ${gaps.join(', ')} not exercised`;
      })
      .join('; ');
    const w = view.cheapestWithoutViolation;
    const cost = w ? `; cheapest with no violation, not a verdict on correctness: ${w} ${overheadOf(view, w)}` : '';
    text = `no policy named correct${waiting}: the runs were too short or too quiet to expose every hazard (${why})${cost}`;
  }
  return h('p', { class: 'verdict', 'data-testid': 'verdict', text });
}

function charts(view: CompareView): BarBox[] {
  const policies = policiesOf(view);
  const done = view.results
    .map((r, i) => [policies[i], r] as const)
    .filter((x): x is readonly [string, RunReport] => x[1] !== null);
  if (done.length === 0) return [];
  const labels = done.map(([p]) => p);
  const colors = done.map(([p]) => POLICY_COLORS[policies.indexOf(p) % POLICY_COLORS.length]);
  const overheads = done.map(([p]) => view.timeOverheadVsFirst?.[policies.indexOf(p)] ?? 0);
  const bar = (title: string, values: number[], testId: string, emptyText: string, fromZero = false): BarBox =>
    barChart(title, labels, values, testId, emptyText, { colors, fromZero });
  return [
    // The headline, from zero: how much more (or less) vCPU time per guest access than the baseline.
    bar(
      `vCPU time per access vs ${policies[0] ?? 'the first'} (%)`,
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
  const sensitivity = sensitivityCard(groupId);
  replace(root, h('h1', { text: 'Compare policies' }), errors, h('div', { class: 'card' }, body), sensitivity.el, grid);
  let boxes: BarBox[] = [];
  let drawn = -1;
  const stop = poll(
    () => api<CompareView>('GET', `api/compare/${groupId}`),
    (view) => {
      const name = view.jobs[0]?.name ?? view.results.find(Boolean)?.scenario ?? '';
      replace(
        body,
        h('div', { class: 'sub', text: `${name} · compare ${groupId} · first policy is the baseline` }),
        verdict(view),
        table(view),
        notes(view),
      );
      sensitivity.setReady(Boolean(view.estimates));
      const done = view.results.filter(Boolean).length + (view.estimates ? 1 : 0);
      if (done !== drawn) {
        boxes.forEach((b) => b.chart?.destroy());
        boxes = charts(view);
        replace(grid, ...boxes.map((b) => b.el));
        drawn = done;
      }
      return !finished(view);
    },
    errors,
  );
  return () => {
    stop();
    sensitivity.stop();
    boxes.forEach((b) => b.chart?.destroy());
  };
}
