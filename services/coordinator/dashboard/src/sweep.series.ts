/** Turning a sweep's rows into chart series: one metric against one grid key, one line per policy. */
import type { SweepRow } from '@tlbsim/contracts';

/** A metric the sweep chart can draw, with how to read it from a row. */
export interface SweepMetric {
  id: string;
  label: string;
  of: (row: SweepRow) => number | null;
  /** A per-second figure (labelled compressed for runs with `run.timeCompression` > 1). */
  perSecond?: boolean;
}

/**
 * The metrics offered by the sweep page, the first is the default: the
 * headline (vCPU time per guest access, and its overhead, as `tlbsim compare`
 * and `tlbsim sweep` rank by), hypercall stalls and L0 busy, then cycles
 * (secondary) and counts.
 */
export const SWEEP_METRICS: readonly SweepMetric[] = [
  { id: 'timePerAccessNs', label: 'vCPU time per access (ns)', of: (r) => r.timePerAccessNs ?? null },
  {
    id: 'timeOverheadVsFirst',
    label: 'vCPU time vs first policy (%)',
    of: (r) => r.timeOverheadVsFirst ?? null,
  },
  {
    id: 'hypercallStallsPercent',
    label: 'hypercall stalls (% of vCPU time)',
    of: (r) => r.hypercallStallsPercent ?? null,
  },
  { id: 'l0BusyPercent', label: 'L0 busy (%)', of: (r) => r.l0BusyPercent ?? null },
  { id: 'cyclesPerAccess', label: 'cycles per access', of: (r) => r.cyclesPerAccess },
  { id: 'overheadVsFirst', label: 'overhead vs first policy (%)', of: (r) => r.overheadVsFirst },
  { id: 'violations', label: 'violations', of: (r) => r.violations.total },
  { id: 'hypercalls', label: 'hypercalls', of: (r) => r.hypercalls },
  {
    id: 'hypercallsPerHostPerSec',
    label: 'hypercalls / host / s',
    of: (r) => r.hypercallsPerHostPerSec ?? null,
    perSecond: true,
  },
];

/** Chart input: x labels and one series per policy. */
export interface SweepSeries {
  labels: string[];
  series: { label: string; data: (number | null)[] }[];
}

/** The value of `key` in a row: a grid key, or `seed`. */
function xOf(row: SweepRow, key: string): string {
  return key === 'seed' ? String(row.seed) : String(row.grid[key]);
}

/**
 * `metric` against `xKey` (a grid key or `seed`), one series per policy: at
 * each x value the mean over the rows of that policy (other grid keys and
 * seeds averaged), null where no finished row has a value. X values keep
 * the order in which the sweep ran them.
 */
export function sweepSeries(
  rows: readonly SweepRow[],
  policies: readonly string[],
  xKey: string,
  metric: SweepMetric,
): SweepSeries {
  const labels: string[] = [];
  for (const r of [...rows].sort((a, b) => a.index - b.index)) {
    const x = xOf(r, xKey);
    if (!labels.includes(x)) labels.push(x);
  }
  const series = policies.map((policy) => ({
    label: policy,
    data: labels.map((x) => {
      const values = rows
        .filter((r) => r.policy === policy && xOf(r, xKey) === x)
        .map(metric.of)
        .filter((v): v is number => v !== null);
      return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
    }),
  }));
  return { labels, series };
}

/**
 * How the sweep chart spaces its x values: by value on a log scale when
 * they are all positive numbers spanning two decades or more (800, 4000,
 * 16000 are not evenly apart), else one slot per value in sweep order.
 */
export function sweepXScale(labels: readonly string[]): 'category' | 'logarithmic' {
  const xs = labels.map(Number);
  if (xs.length < 2 || xs.some((x) => !Number.isFinite(x) || x <= 0)) return 'category';
  return Math.max(...xs) / Math.min(...xs) >= 100 ? 'logarithmic' : 'category';
}
