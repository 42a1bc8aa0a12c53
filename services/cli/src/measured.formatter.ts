import type { RunReport } from '@tlbsim/engine';
import { fmtFixed } from './format.util';

/**
 * The line that says what interval a report's cost figures cover: after its
 * warm-up (`run.warmupMs`), while counters and violations cover the whole
 * run; empty for reports stored before the interval was recorded.
 */
export function measuredLine(r: RunReport): string[] {
  const m = r.metrics.measured;
  if (!m) return [];
  const span = `${fmtFixed(m.fromNs / 1e6, 3)} .. ${fmtFixed(m.toNs / 1e6, 3)} ms simulated`;
  if (m.warmupMs <= 0) return [`  cost figures cover the whole run, ${span} (no warm-up left out: run.warmupMs 0)`];
  if (!m.warmupReached)
    return [
      `  cost figures cover the whole run, ${span}: it ended before its ${fmtFixed(m.warmupMs, 3)} ms warm-up did (lengthen run.simulatedMs)`,
    ];
  return [
    `  cost figures cover ${span}: the first ${fmtFixed(m.warmupMs, 3)} ms are warm-up, left out (violations and counters cover the whole run)`,
  ];
}
