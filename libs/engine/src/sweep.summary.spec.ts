import type { SweepRow } from '@tlbsim/contracts';
import { sweepSummaryOf } from './sweep.summary';
import { withOverhead } from './sweep.rows';

/** A hand-made row: one grid point, one policy, one seed. */
function row(index: number, policy: string, seed: number, timePerAccessNs: number, flushEvents = 500): SweepRow {
  return {
    index,
    grid: { 'events.nestedTransitionsPerSec': 4000 },
    policy,
    seed,
    violations: { total: 0, byClass: {} },
    accesses: 1000,
    cyclesPerAccess: timePerAccessNs * 3,
    hypercalls: 0,
    digest: 'd',
    coverage: { staleHits: 0, rootsReused: 0, rootsReusedByOtherVm: 0 },
    overheadVsFirst: null,
    timePerAccessNs,
    hypercallStallsPercent: 1,
    l0BusyPercent: 2,
    flushEvents,
  };
}

describe('sweep summary', () => {
  it('pairs each policy with the first on the same seeds, and sets the rows headline overhead', () => {
    const rows = withOverhead(
      [
        row(0, 'a', 1, 10),
        row(1, 'b', 1, 9),
        row(2, 'a', 2, 20),
        row(3, 'b', 2, 18.2),
        row(4, 'a', 3, 40),
        row(5, 'b', 3, 35.6),
      ],
      ['a', 'b'],
    );
    expect(rows.map((r) => r.timeOverheadVsFirst)).toEqual([
      0,
      expect.closeTo(-10, 9),
      0,
      expect.closeTo(-9, 9),
      0,
      expect.closeTo(-11, 9),
    ]);
    const [a, b] = sweepSummaryOf(rows, ['a', 'b']);
    expect(a).toMatchObject({ policy: 'a', seeds: [1, 2, 3], converged: true });
    expect(a.timePerAccessNs.mean).toBeCloseTo(70 / 3, 9);
    // Per-seed overheads -10, -9, -11: mean -10, sd 1, t(2) 4.303 / sqrt(3) = 2.48 pp: wider than 2 pp.
    expect(b.timeOverheadVsFirst!.mean).toBeCloseTo(-10, 9);
    expect(b.timeOverheadVsFirst!.ci95).toBeCloseTo(2.484, 3);
    expect(b.converged).toBe(false);
    expect(b.reason).toMatch(/wider than ±2 pp/);
  });
});
