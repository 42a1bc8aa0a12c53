import type { SweepRow, SweepSummaryRow } from '@tlbsim/contracts';
import { convergenceOf, estimateOf, pairedOverheadOf } from './estimate';

/** The rows of one grid point (by its values' JSON) and policy, in seed order. */
function groupsOf(rows: readonly SweepRow[]): Map<string, SweepRow[]> {
  const groups = new Map<string, SweepRow[]>();
  for (const r of rows) {
    const key = `${JSON.stringify(r.grid)}|${r.policy}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  for (const g of groups.values()) g.sort((a, b) => a.seed - b.seed);
  return groups;
}

/** The headline time of a row (cycles' share for rows stored before it existed would mislead: 0 then). */
function timeOf(r: SweepRow): number {
  return r.timePerAccessNs ?? 0;
}

/**
 * A sweep's rows summed up per grid point and policy over their seeds
 * (replications): the headline figures as means with 95% intervals, the
 * overhead against the grid point's first policy paired by seed, and whether
 * it is converged. The statistics are estimate.ts's, like `compare`'s.
 */
export function sweepSummaryOf(rows: readonly SweepRow[], policies: readonly string[]): SweepSummaryRow[] {
  const groups = groupsOf(rows);
  const out: SweepSummaryRow[] = [];
  for (const g of groups.values()) {
    const first = g[0];
    const base = groups.get(`${JSON.stringify(first.grid)}|${policies[0]}`) ?? [];
    const paired = base.length === g.length && base.every((b, i) => b.seed === g[i].seed);
    const overhead = paired ? pairedOverheadOf(base.map(timeOf), g.map(timeOf)) : null;
    const events = [...base, ...(first.policy === policies[0] ? [] : g)].reduce((a, r) => a + (r.flushEvents ?? 0), 0);
    const convergence =
      overhead && first.policy !== policies[0] ? convergenceOf(overhead, 'overhead', events) : { converged: true };
    out.push({
      grid: first.grid,
      policy: first.policy,
      seeds: g.map((r) => r.seed),
      violations: g.reduce((a, r) => a + r.violations.total, 0),
      timePerAccessNs: estimateOf(g.map(timeOf)),
      timeOverheadVsFirst: overhead,
      converged: convergence.converged,
      ...(convergence.reason !== undefined && { reason: convergence.reason }),
      hypercallStallsPercent: estimateOf(g.map((r) => r.hypercallStallsPercent ?? 0)),
      l0BusyPercent: estimateOf(g.map((r) => r.l0BusyPercent ?? 0)),
      cyclesPerAccess: estimateOf(g.map((r) => r.cyclesPerAccess)),
    });
  }
  return out;
}
