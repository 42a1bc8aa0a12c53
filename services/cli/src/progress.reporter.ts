import { SingleBar } from 'cli-progress';
import type { CliIo, RunProgress } from './cli.context';
import { fmtInt } from './format.util';

/** A progress sink for one run; a no-op when standard error is not a terminal. */
export interface ProgressReporter {
  /** Feeds the engine's progress callback. */
  update(progress: RunProgress): void;
  /** Removes the bar. */
  stop(): void;
}

/**
 * A cli-progress bar on `io.progressStream` (standard error, only when it is
 * a TTY), labelled e.g. with the policy; nothing otherwise.
 */
export function createProgressReporter(io: CliIo, label: string): ProgressReporter {
  const stream = io.progressStream;
  if (!stream) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar({
    stream,
    format: `${label} [{bar}] {percentage}% | window {window}/{windowsEstimate} | {done}/{all} accesses`,
    hideCursor: true,
    clearOnComplete: true,
  });
  let started = false;
  return {
    update(p) {
      const payload = { window: p.window, windowsEstimate: p.windowsEstimate, done: fmtInt(p.accesses), all: fmtInt(p.accessesTotal) };
      if (!started) {
        bar.start(Math.max(1, p.accessesTotal), p.accesses, payload);
        started = true;
      } else {
        bar.update(p.accesses, payload);
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
