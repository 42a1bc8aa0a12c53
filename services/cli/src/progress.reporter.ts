import { Command, Option } from 'commander';
import { SingleBar } from 'cli-progress';
import type { CliIo, RunProgress } from './cli.context';
import { fmtInt } from './format.util';

/** How progress is shown: `auto` is a bar on a terminal and nothing otherwise. */
export const PROGRESS_MODES = ['auto', 'bar', 'plain', 'none'] as const;

/** A value of `--progress`. */
export type ProgressMode = (typeof PROGRESS_MODES)[number];

/** Seconds between the lines of `--progress plain`. @defaultValue 1 */
export const PLAIN_PROGRESS_EVERY_MS = 1000;

/** A progress sink for one run. */
export interface ProgressReporter {
  /** Feeds the engine's progress callback. */
  update(progress: RunProgress): void;
  /** Removes the bar. */
  stop(): void;
}

/** Adds `--progress <mode>` to a command that runs simulations. */
export function addProgressOption(command: Command): Command {
  return command.addOption(
    new Option(
      '--progress <mode>',
      'progress on standard error: a bar on a terminal (auto), bar, plain (a line a second, for logs) or none',
    )
      .choices(PROGRESS_MODES)
      .default('auto'),
  );
}

/** What one progress sample shows, with counts clamped to their totals. */
export interface ProgressFields {
  percent: string;
  done: string;
  all: string;
  rate: string;
  eta: string;
  window: number;
  windows: number;
}

/** Seconds as `4s`, `3m05s`, `1h02m`; `?` when unknown. */
function fmtDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** A rate such as `1.2M`. */
function fmtRate(perSec: number): string {
  if (perSec >= 1e6) return `${(perSec / 1e6).toFixed(1)}M`;
  if (perSec >= 1e3) return `${(perSec / 1e3).toFixed(1)}k`;
  return perSec.toFixed(0);
}

/**
 * The fields of a sample `elapsedMs` after the start: accesses never shown
 * above their total, the window never above the estimate (which grows when
 * stalls make a run longer than nominal), rate and ETA from the accesses.
 */
export function progressFields(p: RunProgress, elapsedMs: number): ProgressFields {
  const all = Math.max(1, p.accessesTotal);
  const done = Math.min(p.accesses, all);
  const rate = elapsedMs > 0 ? (done / elapsedMs) * 1000 : 0;
  return {
    percent: ((done / all) * 100).toFixed(1),
    done: fmtInt(done),
    all: fmtInt(all),
    rate: fmtRate(rate),
    eta: fmtDuration(done >= all ? 0 : rate > 0 ? (all - done) / rate : null),
    window: p.window,
    windows: Math.max(p.windowsEstimate, p.window),
  };
}

/** One line of `--progress plain`. */
export function plainLine(label: string, f: ProgressFields): string {
  return `tlbsim: ${label} ${f.percent}% | ${f.done}/${f.all} accesses | ${f.rate} acc/s | ETA ${f.eta} | window ${f.window}/${f.windows}\n`;
}

/** `--progress plain`: `line(sample)` at most every {@link PLAIN_PROGRESS_EVERY_MS}, and the last one. */
function plainReporter<P>(io: CliIo, line: (p: P) => string, now: () => number): { update(p: P): void; stop(): void } {
  let lastMs = -Infinity;
  let last: P | null = null;
  return {
    update(p) {
      last = p;
      if (now() - lastMs < PLAIN_PROGRESS_EVERY_MS) return;
      lastMs = now();
      io.err(line(p));
      last = null;
    },
    stop() {
      if (last) io.err(line(last));
    },
  };
}

/** A cli-progress bar: percent, accesses, rate, ETA, window. */
function barReporter(stream: NodeJS.WritableStream, label: string, now: () => number): ProgressReporter {
  const bar = new SingleBar({
    stream,
    // {eta} and {percentage} are cli-progress's own tokens (bare seconds): ours go under other names.
    format: `${label} [{bar}] {pct}% | {done}/{all} accesses | {rate} acc/s | ETA {etaText} | window {window}/{windows}`,
    hideCursor: true,
    clearOnComplete: true,
    // Redrawn on updates too, not only on its timer (a busy event loop delays timers).
    forceRedraw: true,
  });
  const started = now();
  let running = false;
  return {
    update(p) {
      const f = progressFields(p, now() - started);
      const payload = { ...f, pct: f.percent, etaText: f.eta };
      const all = Math.max(1, p.accessesTotal);
      if (!running) {
        bar.start(all, Math.min(p.accesses, all), payload);
        running = true;
      } else {
        // The total moves with the estimate: the bar's fill and its percentage come from the same one.
        bar.setTotal(all);
        bar.update(Math.min(p.accesses, all), payload);
      }
    },
    stop() {
      if (running) bar.stop();
    },
  };
}

/** What `--progress bar` says, once, when standard error is not a terminal (it prints plain lines instead). */
export const BAR_WITHOUT_TERMINAL_LINE =
  'tlbsim: --progress bar needs a terminal and standard error is not one: plain lines instead\n';

/**
 * The mode actually used: `bar` without a terminal becomes `plain` (saying
 * so once: a bar drawn on a pipe or file would show nothing), `auto` is a
 * bar on a terminal and `none` without one.
 */
export function effectiveMode(io: CliIo, mode: ProgressMode): 'bar' | 'plain' | 'none' {
  if (mode === 'auto') return io.progressStream ? 'bar' : 'none';
  if (mode === 'bar' && !io.progressStream) {
    io.err(BAR_WITHOUT_TERMINAL_LINE);
    return 'plain';
  }
  return mode;
}

/**
 * The reporter of `mode`: a bar on `io.progressStream` (standard error when
 * it is a terminal) for `auto` and `bar`, periodic lines on standard error
 * for `plain` (and `bar` without a terminal), nothing for `none` (or `auto`
 * without a terminal).
 */
export function createProgressReporter(
  io: CliIo,
  label: string,
  mode: ProgressMode = 'auto',
  now: () => number = Date.now,
): ProgressReporter {
  const used = effectiveMode(io, mode);
  if (used === 'plain') {
    const started = now();
    return plainReporter<RunProgress>(io, (p) => plainLine(label, progressFields(p, now() - started)), now);
  }
  if (used === 'none' || !io.progressStream) return { update: () => undefined, stop: () => undefined };
  return barReporter(io.progressStream, label, now);
}

/** Progress of a sweep, hunt or shrink on the workers (from its event stream). */
export interface PointsProgress {
  /** Points finished. */
  done: number;
  /** Points known so far (a hunt's or shrink's grow a batch at a time). */
  points: number;
  /** Most points it may run (a sweep's points, a hunt's budget), or null when not known ahead. */
  pointsMax: number | null;
  /** Points per second since the job was created. */
  perSec: number;
  /** The best so far, in a few words; empty when there is none. */
  best: string;
}

/** A progress sink for the points of one job. */
export interface PointsReporter {
  update(progress: PointsProgress): void;
  stop(): void;
}

/** The fields of a points sample: the total is the most points when known, else those known so far. */
export function pointsFields(p: PointsProgress): {
  percent: string;
  done: string;
  all: string;
  rate: string;
  eta: string;
  best: string;
} {
  const all = Math.max(1, p.pointsMax ?? p.points, p.done);
  return {
    percent: ((p.done / all) * 100).toFixed(1),
    done: fmtInt(p.done),
    all: `${fmtInt(all)}${p.pointsMax === null ? '+' : ''}`,
    rate: p.perSec.toFixed(1),
    eta: fmtDuration(p.done >= all ? 0 : p.perSec > 0 ? (all - p.done) / p.perSec : null),
    best: p.best ? ` | best ${p.best}` : '',
  };
}

/** One line of `--progress plain` for points. */
export function plainPointsLine(label: string, p: PointsProgress): string {
  const f = pointsFields(p);
  return `tlbsim: ${label} ${f.percent}% | ${f.done}/${f.all} points | ${f.rate} points/s | ETA ${f.eta}${f.best}\n`;
}

/**
 * The reporter of the points of a job on the workers: a bar (percent,
 * points, points/s, ETA, best so far) for `auto` on a terminal and `bar`,
 * a line a second for `plain`, nothing for `none`.
 */
export function createPointsReporter(
  io: CliIo,
  label: string,
  mode: ProgressMode = 'auto',
  now: () => number = Date.now,
): PointsReporter {
  const used = effectiveMode(io, mode);
  if (used === 'plain') return plainReporter<PointsProgress>(io, (p) => plainPointsLine(label, p), now);
  const stream = io.progressStream;
  if (used === 'none' || !stream) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar({
    stream,
    format: `${label} [{bar}] {pct}% | {done}/{all} points | {rate} points/s | ETA {etaText}{best}`,
    hideCursor: true,
    clearOnComplete: true,
    forceRedraw: true,
  });
  let running = false;
  return {
    update(p) {
      const f = pointsFields(p);
      const all = Math.max(1, p.pointsMax ?? p.points, p.done);
      const payload = { ...f, pct: f.percent, etaText: f.eta };
      if (!running) {
        bar.start(all, p.done, payload);
        running = true;
      } else {
        bar.setTotal(all);
        bar.update(p.done, payload);
      }
    },
    stop() {
      if (running) bar.stop();
    },
  };
}
