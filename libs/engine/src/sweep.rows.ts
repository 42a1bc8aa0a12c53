import type { SweepPlan, SweepPoint, SweepRow } from '@tlbsim/contracts';
import { overheadPercent } from './compare.figures';
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
  };
}

/**
 * Sorts rows by index and sets each one's `overheadVsFirst`: cycles per
 * access relative to the row of the first policy with the same grid values
 * and seed, in percent (`(perAccess / basePerAccess - 1) * 100`, 0 when the
 * baseline costs nothing); null while that row is missing. Same formula as
 * `tlbsim compare`.
 */
export function withOverhead(rows: readonly SweepRow[], policies: readonly string[]): SweepRow[] {
  const key = (r: SweepRow): string => `${JSON.stringify(r.grid)}|${r.seed}`;
  const base = new Map<string, number>();
  for (const r of rows) if (r.policy === policies[0]) base.set(key(r), r.cyclesPerAccess);
  return [...rows]
    .sort((a, b) => a.index - b.index)
    .map((r) => {
      const b = base.get(key(r));
      const overheadVsFirst = b === undefined ? null : overheadPercent(r.cyclesPerAccess, b);
      return { ...r, overheadVsFirst };
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
