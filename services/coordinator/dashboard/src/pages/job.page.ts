/** Job page: live progress per shard, charts over simulated time, final counters, witnesses. */
import { api, ApiError, JobEvent, JobView, RunReport } from '../api';
import { ChartBox, lineChart, LineSeries, updateLineXY } from '../charts';
import { h, replace } from '../dom';
import { clock, isTerminal, simTime } from '../format';
import { JobSeries, SeriesPoint } from '../series';
import { badge, bar, confirmCancel, hasRun, jobProgress, jobViolations, slotsText } from '../widgets';
import { partialLabel, reportSections } from './job.report';
import { EventStreamClient } from '../event-stream.client';

interface Charts {
  hit: ChartBox;
  walks: ChartBox;
  flush: ChartBox;
  viol: ChartBox;
}

function shardTable(job: JobView): HTMLElement {
  const est = Math.max(1, job.progress.windowsEstimate);
  return h(
    'table',
    { 'data-testid': 'shards' },
    h(
      'thead',
      {},
      h('tr', {}, ...['Shard', 'State', 'Progress', 'Window', 'Worker', 'Resumes'].map((t) => h('th', { text: t }))),
    ),
    h(
      'tbody',
      {},
      ...job.perShard.map((s) =>
        h(
          'tr',
          {},
          h('td', { text: String(s.shard) }),
          h('td', {}, badge(s.state)),
          h('td', {}, bar(s.state === 'completed' ? 1 : s.window / est, s.state, 'shard-progress')),
          h('td', { class: 'num', text: String(s.window) }),
          h('td', { class: 'mono', text: s.worker ?? '–' }),
          h('td', { class: 'num', text: String(s.resumes) }),
        ),
      ),
    ),
  );
}

/**
 * Windows a cancelled or failed job's partial report covers, or null. Read
 * defensively: older coordinators send no `partialWindows`.
 */
function partialWindowsOf(job: JobView): number | null {
  const n = (job as JobView & { partialWindows?: number | null }).partialWindows;
  return typeof n === 'number' ? n : null;
}

/** The label of a job's violation count: final only once the job completed. */
function violationsLabel(job: JobView): string {
  if (job.state === 'completed') return 'violations';
  if (isTerminal(job.state)) return partialWindowsOf(job) === null ? 'violations' : 'violations (partial report)';
  return 'violations so far';
}

function header(job: JobView, onCancel: () => void): HTMLElement {
  const partial = partialLabel(job.state, partialWindowsOf(job));
  const group = job.groupId ? h('a', { href: `#/compare/${job.groupId}`, text: 'compare group' }) : null;
  return h(
    'div',
    { class: 'card' },
    h(
      'div',
      { class: 'row' },
      h('h1', { text: job.name }),
      badge(job.state),
      h('span', { class: 'mono', text: job.policy }),
      group,
      isTerminal(job.state) ? null : h('button', { class: 'danger', text: 'Cancel', onclick: onCancel }),
      hasRun(job) ? h('a', { href: `api/jobs/${job.id}/export`, text: 'export' }) : null,
      job.state === 'completed'
        ? h('a', {
            href: `api/jobs/${job.id}/trace`,
            text: 'trace',
            title: 'the timeline of the run as Chrome trace-event JSON: open it in https://ui.perfetto.dev',
            'data-testid': 'trace-link',
          })
        : null,
    ),
    jobProgress(job),
    partial ? h('div', { class: 'partial', 'data-testid': 'partial', text: partial }) : null,
    h(
      'dl',
      { class: 'kv' },
      h('dt', { 'data-testid': 'violations-label', text: violationsLabel(job) }),
      h('dd', {}, jobViolations(job)),
      job.slots ? [h('dt', { text: 'worker slots' }), h('dd', { 'data-testid': 'slots', text: slotsText(job) })] : null,
      h('dt', { text: 'job' }),
      h('dd', { class: 'mono', text: job.id }),
      h('dt', { text: 'seed / shards' }),
      h('dd', { text: `${job.seed} / ${job.shards}` }),
      h('dt', { text: 'submitted / started / finished' }),
      h('dd', { text: `${clock(job.createdAt)} / ${clock(job.startedAt)} / ${clock(job.finishedAt)}` }),
      job.digest ? [h('dt', { text: 'digest' }), h('dd', { class: 'mono', text: job.digest })] : null,
      job.error ? [h('dt', { text: 'error' }), h('dd', { class: 'errors', text: job.error })] : null,
    ),
  );
}

function makeCharts(): Charts {
  const chart = (title: string, unit: string, series: LineSeries[], testId: string): ChartBox =>
    lineChart(title, unit, [], series, testId, X_UNIT, 'linear');
  return {
    hit: chart('TLB hit rate', '%', [{ label: 'hit rate %', data: [] }], 'chart-hit-rate'),
    walks: chart(TITLES.walks, 'walks/s', [{ label: 'nested walks', data: [] }], 'chart-nested-walks'),
    flush: chart(
      TITLES.flush,
      'per second',
      [
        { label: 'hypercalls', data: [] },
        { label: 'shootdown messages', data: [] },
      ],
      'chart-flushes',
    ),
    viol: chart(
      `${TITLES.viol} (and cumulative)`,
      'violations/s',
      [
        { label: 'per second', data: [], color: '#d64545' },
        { label: 'cumulative', data: [], color: '#7b4bd6', right: true },
      ],
      'chart-violations',
    ),
  };
}

/** Looks for an ended job's report, 300 ms apart, before the page stops looking (it may be stored an instant late). */
const RESULT_LOOKS_MAX = 20;

/** The x axis of the job's charts: simulated time, live and final alike (the report's unit). */
const X_UNIT = 'simulated time (ms)';

/** Chart titles: counts per second of simulated time, as the report's rates. */
const TITLES = {
  walks: 'Nested page walks per simulated second',
  flush: 'Hypercalls and shootdown messages per simulated second',
  viol: 'Violations per simulated second',
};

/**
 * Draws the points against simulated time: window n ends at
 * `(n + 1) * windowNs`; counts become rates per simulated second of the
 * windows each point covers. Nothing until `windowNs` is known.
 */
function drawCharts(c: Charts, points: SeriesPoint[], windowNs: number | null): void {
  if (!windowNs) return;
  const xs = points.map((p) => Number((((p.window + 1) * windowNs) / 1e6).toPrecision(6)));
  const perSec = (v: number, p: SeriesPoint): number => v / ((p.span * windowNs) / 1e9);
  updateLineXY(c.hit, xs, [points.map((p) => p.hitRate)]);
  updateLineXY(c.walks, xs, [points.map((p) => perSec(p.nestedWalks, p))]);
  updateLineXY(c.flush, xs, [
    points.map((p) => perSec(p.hypercalls, p)),
    points.map((p) => perSec(p.shootdownMessages, p)),
  ]);
  updateLineXY(c.viol, xs, [points.map((p) => perSec(p.violations, p)), points.map((p) => p.violationsTotal)]);
}

/** The report of a finished job: a completed one's, or a cancelled or failed one's partial report; null when there is none (409/404). */
async function resultOf(job: JobView): Promise<RunReport | null> {
  try {
    return await api<RunReport>('GET', `api/jobs/${job.id}/result`);
  } catch (e) {
    if (job.state !== 'completed' && e instanceof ApiError && (e.status === 409 || e.status === 404)) return null;
    throw e;
  }
}

/** The charts' heading, with the length of a window once it is known. */
function chartsHeading(windowNs: number | null): string {
  const w = windowNs ? `; one window = ${simTime(Math.round(windowNs))}` : '';
  return `Over simulated time (x axis: ${X_UNIT}; counts per simulated second${w})`;
}

/** Replaces a chart with a sentence (e.g. "no violations") once the report shows it would draw only zeros. */
function markEmpty(box: ChartBox, title: string, testId: string, text: string): void {
  if (box.el.querySelector(`[data-testid=${testId}]`)) return;
  (box.el.firstElementChild as HTMLElement).style.display = 'none';
  box.el.append(
    h('h3', { class: 'chart-title', text: title }),
    h('p', { class: 'empty', 'data-testid': testId, text }),
  );
}

/** Says "no …" instead of the charts of a finished run whose counters are all zero. */
function markEmptyCharts(c: Charts, r: RunReport): void {
  const m = r.metrics;
  if (r.violations.total === 0) markEmpty(c.viol, TITLES.viol, 'chart-violations-empty', 'no violations');
  if (m.nestedWalks === 0) markEmpty(c.walks, TITLES.walks, 'chart-nested-walks-empty', 'no nested walks');
  if (
    m.hypercalls.flushGuestPhysicalAddressSpace + m.hypercalls.flushGuestPhysicalAddressList + m.shootdownMessages ===
    0
  ) {
    markEmpty(c.flush, TITLES.flush, 'chart-flushes-empty', 'no hypercalls or shootdown messages');
  }
}

/** A job that never ran has no charts to draw: one sentence instead, until it starts. */
function showNotRun(job: JobView, notRun: HTMLElement, grid: HTMLElement): void {
  const ran = hasRun(job);
  notRun.style.display = ran ? 'none' : '';
  grid.style.display = ran ? '' : 'none';
  if (!ran)
    notRun.textContent = isTerminal(job.state)
      ? `not run: the job was ${job.state} before any shard started`
      : 'not run yet: the charts start with its first window';
}

/** Renders job `id` into `root`, following its event stream; returns the cleanup. */
export function jobPage(root: HTMLElement, id: string): () => void {
  const top = h('div');
  const shards = h('div', { class: 'card' });
  const charts = makeCharts();
  const report = h('div');
  const errors = h('div', { class: 'errors' });
  const heading = h('h2', { 'data-testid': 'charts-heading', text: chartsHeading(null) });
  let windowNs: number | null = null;
  const grid = h('div', { class: 'grid' }, charts.hit.el, charts.walks.el, charts.flush.el, charts.viol.el);
  const notRun = h('p', { class: 'card empty', 'data-testid': 'not-run' });
  replace(root, errors, top, h('h2', { text: 'Shards' }), shards, heading, notRun, grid, report);
  const series = new JobSeries();
  let closed = false;
  let ended = false;
  let last: JobView | null = null;
  let refresh: ReturnType<typeof setTimeout> | null = null;
  const fail = (e: unknown): void => void (errors.textContent = e instanceof Error ? e.message : String(e));
  const cancel = (): void => {
    if (confirmCancel(last ?? { id, name: '' })) void api('DELETE', `api/jobs/${id}`).then(load).catch(fail);
  };

  const showReport = (r: RunReport, job: JobView): void => {
    if (r.series) series.useReportSeries(r.series.points);
    windowNs ??= r.series?.windowNs ?? (r.metrics.windows > 0 ? r.metrics.simulatedNs / r.metrics.windows : null);
    drawCharts(charts, series.points(), windowNs);
    heading.textContent = chartsHeading(windowNs);
    markEmptyCharts(charts, r);
    replace(report, ...reportSections(r, job.state));
  };
  let resultLooks = 0;
  async function load(): Promise<void> {
    const job = await api<JobView>('GET', `api/jobs/${id}`);
    if (closed) return;
    last = job;
    if (windowNs === null && job.windowNs) {
      windowNs = job.windowNs;
      heading.textContent = chartsHeading(windowNs);
      drawCharts(charts, series.points(), windowNs);
    }
    replace(top, header(job, cancel));
    replace(shards, shardTable(job));
    showNotRun(job, notRun, grid);
    if (isTerminal(job.state) && !report.hasChildNodes()) {
      const r = await resultOf(job);
      if (r && !closed) showReport(r, job);
      // A job seen ended an instant before its (partial) report is stored: look again, a bounded number of times
      // (a job cancelled before it ran has none at all).
      else if (!r && resultLooks++ < RESULT_LOOKS_MAX) scheduleLoad();
    }
    if (ended && !isTerminal(job.state)) scheduleLoad();
  }
  const scheduleLoad = (): void => {
    if (refresh) return;
    refresh = setTimeout(() => {
      refresh = null;
      load().catch(fail);
    }, 300);
  };

  const source = new EventStreamClient(`api/jobs/${id}/events`);
  let redraw = false;
  source.onmessage = (m) => {
    const event = JSON.parse(m.data as string) as JobEvent;
    if (series.add(event) && !redraw) {
      redraw = true;
      requestAnimationFrame(() => {
        redraw = false;
        drawCharts(charts, series.points(), windowNs);
      });
    }
    if (isTerminal(event.type)) {
      ended = true;
      source.close();
    }
    scheduleLoad();
  };
  source.onerror = () => {
    if (source.closed) scheduleLoad();
  };
  load().catch(fail);
  return () => {
    closed = true;
    source.close();
    if (refresh) clearTimeout(refresh);
    for (const c of Object.values(charts)) c.chart.destroy();
  };
}
