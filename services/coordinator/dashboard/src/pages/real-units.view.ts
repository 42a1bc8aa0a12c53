/**
 * A report in real units on the dashboard: where the vCPUs' time went, L0's
 * load, the per-second rates with configured beside achieved, and the
 * "compressed (xN)" label every per-second figure of a run with
 * `run.timeCompression` > 1 carries (as the CLI prints them).
 */
import type { RunReport } from '../api';
import { h } from '../dom';
import { int, pct } from '../format';

type Rates = RunReport['metrics']['rates'];
type RateFigure = Rates['hypercallsPerHostPerSec'];

/** "compressed (x20)" for a run whose events ran N times faster than configured; "" for real rates (or a report without rates). */
export function compressedText(rates: Partial<Pick<Rates, 'compressed' | 'timeCompression'>> | undefined): string {
  return rates?.compressed && rates.timeCompression ? `compressed (x${rates.timeCompression})` : '';
}

/** The label of a per-second figure: nothing for real rates, else a "compressed (xN)" tag. */
export function compressedTag(
  rates: Partial<Pick<Rates, 'compressed' | 'timeCompression'>> | undefined,
): HTMLElement | null {
  const text = compressedText(rates);
  return text
    ? h('span', {
        class: 'compressed',
        'data-testid': 'compressed',
        title: 'events ran this many times faster than the configured real rates (run.timeCompression)',
        text,
      })
    : null;
}

/** The shares of vCPU time, in the CLI's order and words. */
const TIME_SHARES: [keyof RunReport['metrics']['time']['percent'], string][] = [
  ['guestAccesses', 'guest accesses'],
  ['walks', 'page walks'],
  ['exits', 'exits'],
  ['hypercallStalls', 'hypercall stalls'],
  ['rootWaits', 'root waits'],
  ['l0Interrupts', 'L0 interrupts'],
  ['descheduled', 'descheduled'],
];

const SHARE_COLORS = ['#2f6fde', '#1f9d55', '#c98a00', '#d64545', '#7b4bd6', '#0f9bb0', '#8a8f99'];

/** The shares of a report's vCPU time, in {@link TIME_SHARES} order, with their colours. */
export function timeShares(r: RunReport): { key: string; label: string; value: number; color: string }[] {
  const t = r.metrics.time;
  return TIME_SHARES.map(([key, label], i) => ({ key, label, value: t?.percent?.[key] ?? 0, color: SHARE_COLORS[i] }));
}

/** One bar of the shares of vCPU time, a segment per share (its title says which and how much). */
export function timeStack(r: RunReport): HTMLElement {
  return h(
    'div',
    { class: 'stack', 'aria-label': 'share of vCPU time' },
    ...timeShares(r)
      .filter((s) => s.value > 0)
      .map((s) =>
        h('div', {
          style: `width:${s.value}%;background:${s.color}`,
          title: `${s.label} ${pct(s.value)}`,
          'data-share': s.key,
        }),
      ),
  );
}

/** The legend of {@link timeStack}: a swatch and a name per share. */
export function timeLegend(): HTMLElement {
  return h(
    'div',
    { class: 'legend' },
    ...TIME_SHARES.map(([, label], i) =>
      h('span', {}, h('span', { class: 'swatch', style: `background:${SHARE_COLORS[i]}` }), label),
    ),
  );
}

/** Where the vCPUs' time went (a stacked bar and the shares) and L0's busy share; null for a report without them. */
export function timeView(r: RunReport): HTMLElement | null {
  const t = r.metrics.time;
  const l0 = r.metrics.l0;
  if (!t?.percent) return null;
  if (!(t.vcpuTimeNs > 0)) {
    return h(
      'div',
      { class: 'card', 'data-testid': 'time-breakdown' },
      h('h3', { text: 'Where the vCPUs\u2019 time went' }),
      h('p', { class: 'empty', text: 'no vCPU time recorded in this report' }),
    );
  }
  const shares = timeShares(r);
  const stack = timeStack(r);
  return h(
    'div',
    { class: 'card', 'data-testid': 'time-breakdown' },
    h('h3', { text: 'Where the vCPUs\u2019 time went (share of vCPU time)' }),
    stack,
    h(
      'table',
      {},
      h(
        'tbody',
        {},
        ...shares.map((s) =>
          h(
            'tr',
            { 'data-share': s.key },
            h('td', {}, h('span', { class: 'swatch', style: `background:${s.color}` }), s.label),
            h('td', { class: 'num', text: pct(s.value) }),
          ),
        ),
        h(
          'tr',
          {},
          h('td', { text: 'vCPU time per vCPU' }),
          h('td', { class: 'num', text: `${t.perVcpuMs.toFixed(3)} ms` }),
        ),
        l0
          ? h(
              'tr',
              { 'data-testid': 'l0-busy' },
              h('td', { text: 'L0 busy (serving flush hypercalls)' }),
              h('td', { class: 'num', text: `${pct(l0.busyPercent)} (mean queue ${int(l0.queueMeanNs)} ns)` }),
            )
          : null,
      ),
    ),
  );
}

/** Rates of the report the dashboard lists, in the CLI's words. */
const RATES: [keyof Rates, string][] = [
  ['hypercallsPerHostPerSec', 'hypercalls / host'],
  ['shootdownIpisPerHostPerSec', 'shootdown IPIs / host'],
  ['rootLoadsPerVcpuPerSec', 'root loads / vCPU'],
  ['nestedTransitionsPerVcpuPerSec', 'nested transitions / vCPU'],
  ['memslotUpdatesPerHostPerSec', 'memslot updates / host'],
  ['memslotDeletesPerHostPerSec', 'memslot deletes / host'],
  ['mmuNotifierInvalidationsPerHostPerSec', 'MMU-notifier invalidations / host'],
  ['smisPerHostPerSec', 'SMIs / host'],
  ['cr4WritesPerHostPerSec', 'CR4 writes / host'],
];

/**
 * A configured rate as the scenario file gives it and, when time is
 * compressed xN, the rate the run used: `100 x20 = 2,000` (the CLI's wording).
 */
function configuredText(f: RateFigure, compression: number): string {
  if (f.configured === undefined) return '–';
  if (compression <= 1 || f.configured === 0) return int(f.configured);
  return `${int(f.configured / compression)} x${compression} = ${int(f.configured)}`;
}

/** The per-second rates, configured beside achieved, labelled when compressed; null for a report without them. */
export function ratesView(r: RunReport): HTMLElement | null {
  const rates = r.metrics.rates;
  if (!rates) return null;
  const tag = compressedTag(rates);
  const rows = RATES.map(([key, label]) => [key, label, rates[key] as RateFigure | undefined] as const).filter(
    ([, , f]) => f !== undefined,
  );
  return h(
    'div',
    { class: 'card', 'data-testid': 'rates' },
    h('h3', {}, 'Rates per simulated second ', tag),
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { text: 'rate' }),
          h('th', { class: 'num', text: 'configured /s' }),
          h('th', { class: 'num', text: 'achieved /s' }),
        ),
      ),
      h(
        'tbody',
        {},
        ...rows.map(([key, label, f]) =>
          h(
            'tr',
            { 'data-rate': key },
            h('td', { text: label }),
            h('td', { class: 'num', text: configuredText(f!, rates.timeCompression) }),
            h('td', { class: 'num' }, int(f!.achieved), tag ? ' ' : null, tag ? compressedTag(rates) : null),
          ),
        ),
      ),
    ),
    h('div', {
      class: 'sub',
      text: `deferred events: ${int(rates.deferredEvents)} (mean delay ${int(rates.deferredMeanNs)} ns)`,
    }),
  );
}
