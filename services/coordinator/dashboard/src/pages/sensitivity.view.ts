/**
 * The compare page's sensitivity card: a button that asks the coordinator
 * for the sensitivity of the verdict (`POST /api/compare/:id/sensitivity`:
 * each unsourced cost parameter tried over its range, the re-runs on the
 * workers) and a tornado-style chart of the answer, one bar per parameter:
 * the range tried, split at the scenario's value, green where the verdict
 * holds and red past a break-even value (docs/costs.md "Sensitivity").
 */
import { api, ApiError, ParamSensitivity, SensitivityRun } from '../api';
import { h, replace } from '../dom';
import { si } from '../format';
import { poll } from '../poller';

/** The card, what the page tells it, and its cleanup. */
export interface SensitivityCard {
  el: HTMLElement;
  /** Whether the compare finished (the analysis starts from its verdict). */
  setReady(ready: boolean): void;
  stop(): void;
}

/** The share of each half of a bar where the verdict holds: toward min (left) and toward max (right), 0..1. */
export function heldShares(p: ParamSensitivity): { left: number; right: number } {
  const share = (toward: 'min' | 'max'): number => {
    const flip = p.flips.find((f) => f.toward === toward);
    const end = toward === 'min' ? p.range[0] : p.range[1];
    if (!flip || end === p.value) return 1;
    return Math.min(1, Math.max(0, (flip.breakEven - p.value) / (end - p.value)));
  };
  return { left: share('min'), right: share('max') };
}

/** `verdict holds over [0, 2k]`, or each break-even with the verdict past it. */
export function sensitivityText(p: ParamSensitivity): string {
  if (p.holds) return `verdict holds over [${si(p.range[0])}, ${si(p.range[1])}]`;
  return p.flips
    .map(
      (f) =>
        `break-even ≈ ${si(f.breakEven)} (${f.toward === 'max' ? 'above' : 'below'}: ${f.verdict ?? 'no policy without violations'})`,
    )
    .join('; ');
}

/** One half of a bar: the held share in green, the rest (past the break-even) in red. */
function half(side: 'left' | 'right', held: number): HTMLElement {
  return h(
    'div',
    { class: `tornado-half ${side}` },
    h('div', { class: 'tornado-bar holds', style: `width:${(held * 100).toFixed(1)}%` }),
    held < 1 ? h('div', { class: 'tornado-bar flips', style: `width:${((1 - held) * 100).toFixed(1)}%` }) : null,
  );
}

/** The tornado chart: the most fragile verdicts (least of the range held) on top. */
export function tornadoChart(run: SensitivityRun): HTMLElement {
  const params = [...(run.params ?? [])];
  const heldOf = (p: ParamSensitivity): number => {
    const s = heldShares(p);
    return s.left + s.right;
  };
  params.sort((a, b) => heldOf(a) - heldOf(b));
  return h(
    'div',
    { class: 'tornado', 'data-testid': 'sensitivity-chart' },
    ...params.map((p) => {
      const s = heldShares(p);
      return h(
        'div',
        { class: 'tornado-row', 'data-param': p.parameter, 'data-holds': String(p.holds), title: p.why },
        h('div', { class: 'tornado-label mono', text: p.parameter }),
        h(
          'div',
          { class: 'tornado-track' },
          h('span', { class: 'tornado-end sub', text: si(p.range[0]) }),
          half('left', s.left),
          h('div', { class: 'tornado-center', title: `scenario value ${p.value}` }),
          half('right', s.right),
          h('span', { class: 'tornado-end sub', text: si(p.range[1]) }),
        ),
        h('div', { class: 'tornado-text', 'data-testid': 'sensitivity-text', text: sensitivityText(p) }),
      );
    }),
  );
}

/** What the card says of a run: running with its re-runs so far, failed, or the verdict it followed. */
function statusText(run: SensitivityRun): string {
  if (run.state === 'running') return `running on the workers: ${run.reruns} re-runs of the comparison so far…`;
  if (run.state === 'failed') return `failed: ${run.error ?? 'unknown'}`;
  return `verdict followed: ${run.verdict ?? 'none (every policy has violations)'}; ${run.reruns} re-runs; bars split at the scenario's value, green where the verdict holds, red past a break-even value`;
}

/** The sensitivity card of compare `groupId`: shows an analysis started before, and starts one on a click. */
export function sensitivityCard(groupId: string): SensitivityCard {
  const path = `api/compare/${encodeURIComponent(groupId)}/sensitivity`;
  const status = h('div', { class: 'sub', 'data-testid': 'sensitivity-status' });
  const chart = h('div');
  const errors = h('div', { class: 'errors' });
  let stopPoll: (() => void) | null = null;
  const show = (run: SensitivityRun): boolean => {
    status.textContent = statusText(run);
    replace(chart, run.params ? tornadoChart(run) : null);
    button.disabled = run.state === 'running';
    return run.state === 'running';
  };
  const follow = (first: () => Promise<SensitivityRun>): void => {
    stopPoll?.();
    let load = first;
    stopPoll = poll(
      () => {
        const p = load();
        load = () => api<SensitivityRun>('GET', path);
        return p;
      },
      show,
      errors,
    );
  };
  const button = h('button', {
    'data-testid': 'sensitivity-button',
    disabled: true,
    text: 'Sensitivity of the verdict (re-runs on the workers)',
    onclick: () => follow(() => api<SensitivityRun>('POST', path)),
  });
  // An analysis started before (by this page or another client) shows at once; none is a 404.
  api<SensitivityRun>('GET', path).then(
    (run) => follow(async () => run),
    (e: unknown) => {
      if (!(e instanceof ApiError && e.status === 404)) errors.textContent = String(e);
    },
  );
  const el = h(
    'div',
    { class: 'card', 'data-testid': 'sensitivity' },
    h('h3', { class: 'chart-title', text: 'Sensitivity of the verdict to the unsourced cost parameters' }),
    h('div', {
      class: 'sub',
      text: 'each parameter without a public source (docs/costs.md) tried over its plausible range; where the cheapest policy changes, the break-even value by bisection',
    }),
    button,
    status,
    errors,
    chart,
  );
  return {
    el,
    setReady: (ready) => {
      if (!stopPoll) button.disabled = !ready;
    },
    stop: () => stopPoll?.(),
  };
}
