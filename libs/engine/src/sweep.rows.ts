import type { SweepPlan, SweepPoint, SweepRow } from '@tlbsim/contracts';
import { overheadPercent, timePerAccessNs } from './compare.figures';
import { flushEventsOf } from './replications';
import { runInProcess } from './in-process.runner';
import type { RunReport } from './report';

/** The row of one finished sweep point (its `overheadVsFirst` is filled by {@link withOverhead}). */
export function sweepRowOf(point: Pick<SweepPoint, 'index' | 'grid' | 'policy' | 'seed'>, report: RunReport): SweepRow {
  const h = report.metrics.hypercalls;
  return {
    index: point.index,
    grid: point.grid,
    policy: point.policy,
    seed: point.seed,
    violations: { total: report.violations.total, byClass: { ...report.violations.byClass } },
    accesses: report.metrics.accesses,
    cyclesPerAccess: report.metrics.cycles.perAccess,
    hypercalls: h.flushGuestPhysicalAddressSpace + h.flushGuestPhysicalAddressList,
    digest: report.digest,
    coverage: {
      staleHits: report.metrics.staleHits,
      rootsReused: report.metrics.roots.pageReused,
      rootsReusedByOtherVm: report.metrics.roots.reusedByOtherVm,
    },
    overheadVsFirst: null,
    timeCompression: report.metrics.rates.timeCompression,
    hypercallsPerHostPerSec: report.metrics.rates.hypercallsPerHostPerSec.achieved,
    timePerAccessNs: timePerAccessNs(report),
    timeOverheadVsFirst: null,
    hypercallStallsPercent: report.metrics.time.percent.hypercallStalls,
    l0BusyPercent: report.metrics.l0.busyPercent,
    flushEvents: flushEventsOf(report),
  };
}

/**
 * Sorts rows by index and sets each one's `timeOverheadVsFirst` (the
 * headline: vCPU time per guest access) and `overheadVsFirst` (cycles per
 * access) relative to the row of the first policy with the same grid values
 * and seed, in percent (`(value / base - 1) * 100`, 0 when the baseline
 * costs nothing); null while that row is missing. Same formula as
 * `tlbsim compare`.
 */
export function withOverhead(rows: readonly SweepRow[], policies: readonly string[]): SweepRow[] {
  const key = (r: SweepRow): string => `${JSON.stringify(r.grid)}|${r.seed}`;
  const base = new Map<string, SweepRow>();
  for (const r of rows) if (r.policy === policies[0]) base.set(key(r), r);
  return [...rows]
    .sort((a, b) => a.index - b.index)
    .map((r) => {
      const b = base.get(key(r));
      const overheadVsFirst = b === undefined ? null : overheadPercent(r.cyclesPerAccess, b.cyclesPerAccess);
      const time = r.timePerAccessNs;
      const timeOverheadVsFirst =
        b === undefined || time === undefined || b.timePerAccessNs === undefined
          ? null
          : overheadPercent(time, b.timePerAccessNs);
      return { ...r, overheadVsFirst, timeOverheadVsFirst };
    });
}

/** Options of {@link runSweepInProcess}. */
export interface SweepRunOptions {
  /** Runs one point. @defaultValue a one-shard {@link runInProcess} */
  run?: (config: SweepPoint['config']) => Promise<RunReport>;
  /** Called after each point, with the points done so far. */
  onPoint?: (row: SweepRow, done: number) => void;
}

/**
 * Runs every point of a sweep in this process, one after the other (each a
 * one-shard in-process run: the digest does not depend on shards).
 * @returns the rows, in point order, with `overheadVsFirst`
 */
export async function runSweepInProcess(plan: SweepPlan, opts: SweepRunOptions = {}): Promise<SweepRow[]> {
  const rows: SweepRow[] = [];
  const run = opts.run ?? ((config) => runInProcess(config, { shards: 1 }));
  for (const point of plan.points) {
    const row = sweepRowOf(point, await run(point.config));
    rows.push(row);
    opts.onPoint?.(row, rows.length);
  }
  return withOverhead(rows, plan.policies);
}
