/** Small pieces shared by the pages. */
import type { JobView } from './api';
import { h } from './dom';
import { duration, int, isTerminal, si } from './format';

/** A state badge. */
export function badge(state: string): HTMLElement {
  return h('span', { class: `badge ${state}`, 'data-testid': 'state', text: state });
}

/** A progress bar (0..1) labelled with the percentage. */
export function bar(fraction: number, state: string, testId = 'progress'): HTMLElement {
  const pct = Math.max(0, Math.min(100, Math.floor(fraction * 1000) / 10));
  const shown = state === 'completed' ? 100 : pct;
  return h(
    'div',
    {
      class: `progress ${state}`,
      role: 'progressbar',
      'aria-valuemin': 0,
      'aria-valuemax': 100,
      'aria-valuenow': shown,
      'data-testid': testId,
    },
    h('div', { class: 'fill', style: `width:${shown}%` }),
    h('div', { class: 'label', text: `${shown}%` }),
  );
}

/** "needs 4 slots, 2 live" (all shards of a job run at once, so it starts only when they fit). */
export function slotsText(job: JobView): string {
  const s = job.slots;
  if (!s) return `needs ${job.slotsNeeded ?? job.shards} slots`;
  return `needs ${s.needed} slots, ${s.live} live${s.free < s.live ? `, ${s.free} free` : ''}`;
}

/** The progress of a job: bar, then ETA and simulated accesses/s. */
export function jobProgress(job: JobView): HTMLElement {
  const p = job.progress;
  const waiting = job.state === 'waiting-for-workers' ? `waiting for workers: ${slotsText(job)}` : null;
  const detail = isTerminal(job.state)
    ? `${si(p.accesses)} accesses`
    : (waiting ?? `ETA ${duration(p.etaSec)} · ${si(p.accessesPerSec)} acc/s`);
  return h(
    'div',
    {},
    bar(p.fraction, job.state),
    h('div', { class: 'sub', 'data-testid': 'progress-detail', text: detail }),
  );
}

/**
 * True once a shard of the job started (or it completed): `jobHasRun` of
 * `@tlbsim/contracts`, repeated here because the dashboard bundles no
 * runtime code of that package.
 */
export function hasRun(job: Pick<JobView, 'state' | 'startedAt'>): boolean {
  return job.state === 'completed' || job.startedAt !== null;
}

/** A job's violation count ({@link violations}), or "not run" (neutral) for a job that never ran. */
export function jobViolations(job: JobView): HTMLElement {
  if (!hasRun(job)) return h('span', { class: 'violations not-run', 'data-testid': 'violations', text: 'not run' });
  return violations(job.violations);
}

/** The violation count, red when non-zero. */
export function violations(n: number): HTMLElement {
  return h('span', { class: `violations ${n > 0 ? 'some' : 'none'}`, 'data-testid': 'violations', text: int(n) });
}

/** Asks before cancelling a job (a cancelled job cannot be resumed); true when the user confirmed. */
export function confirmCancel(job: Pick<JobView, 'id' | 'name'>): boolean {
  return window.confirm(
    `Cancel job ${job.name} (${job.id})? Its shards stop at their next window; this cannot be undone.`,
  );
}
