/** Number and time formatting of the dashboard. */
import type { FinalJobState, JobState } from '@tlbsim/contracts';

/** 1234567 -> "1.23M". */
export function si(n: number | null | undefined, digits = 3): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  const abs = Math.abs(n);
  for (const [div, unit] of [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ] as const) {
    if (abs >= div) return `${Number((n / div).toPrecision(digits))}${unit}`;
  }
  return String(Number(n.toPrecision(digits)));
}

/** 1234567 -> "1,234,567". */
export function int(n: number | null | undefined): string {
  return n === null || n === undefined ? '–' : Math.round(n).toLocaleString('en-US');
}

/** Seconds -> "1m 05s". */
export function duration(sec: number | null | undefined): string {
  if (sec === null || sec === undefined || !Number.isFinite(sec)) return '–';
  const s = Math.max(0, Math.round(sec));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** ISO time -> local "HH:MM:SS". */
export function clock(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleTimeString() : '–';
}

/** Simulated nanoseconds -> "12.3 µs". */
export function simTime(ns: number): string {
  if (ns >= 1e9) return `${(ns / 1e9).toFixed(3)} s`;
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(3)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(1)} µs`;
  return `${ns} ns`;
}

/**
 * Whether each job state is final. The bundle cannot import contracts'
 * `FINAL_JOB_STATES` (it would pull in the DTOs), so the list is checked
 * against it by type: a state added to or dropped from either fails tsc.
 */
const FINAL: { [S in JobState]: S extends FinalJobState ? true : false } = {
  queued: false,
  'waiting-for-workers': false,
  running: false,
  completed: true,
  failed: true,
  cancelled: true,
};

/** Every job state, in lifecycle order (checked against contracts' `JOB_STATES` through {@link FINAL}'s type). */
export const JOB_STATE_NAMES = Object.keys(FINAL) as JobState[];

/** True for states (or event types) after which nothing changes. */
export function isTerminal(state: string): boolean {
  return (FINAL as Record<string, boolean>)[state] === true;
}

/** 12.345 -> "12.35%" (two decimals, like the CLI). */
export function pct(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '–' : `${n.toFixed(2)}%`;
}

/** An overhead in percent against a baseline: "+12.3%", "-4.0%"; "baseline" for the baseline itself. */
export function signedPct(n: number | null | undefined, isBaseline = false): string {
  if (isBaseline) return 'baseline';
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  return `${n >= 0 ? '+' : ''}${n.toFixed(1)}%`;
}

/** A mean with its 95% interval (the engine's `Estimate`), as the dashboard reads it. */
export interface EstimateLike {
  mean: number;
  ci95: number | null;
}

/**
 * `12.84 ± 0.30`, or with `unit` '%' a signed overhead `-12.1% ± 1.3` (the
 * CLI's form); no `±` with one replication; '–' for none.
 */
export function estimateText(e: EstimateLike | null | undefined, digits = 2, unit = ''): string {
  if (!e || !Number.isFinite(e.mean)) return '–';
  const sign = unit === '%' && e.mean >= 0 ? '+' : '';
  return `${sign}${e.mean.toFixed(digits)}${unit}${e.ci95 === null ? '' : ` ± ${e.ci95.toFixed(digits)}`}`;
}
