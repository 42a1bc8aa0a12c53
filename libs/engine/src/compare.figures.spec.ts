import {
  cheapestCorrect,
  compareFigures,
  overheadPercent,
  overheadVsFirst,
  timeOverheadVsFirst,
} from './compare.figures';
import type { RunReport } from './report';

/** What a run exposed: root pages reused (by another VM) and page-freeing events. */
interface Exposed {
  pageReused: number;
  reusedByOtherVm: number;
  mmuNotifierInvalidations: number;
  memslotDeletes: number;
}

/** Every class exposed once or more. */
const EVERY_CLASS: Exposed = { pageReused: 2, reusedByOtherVm: 1, mmuNotifierInvalidations: 1, memslotDeletes: 0 };

/** A report with only what the figures read. */
function report(
  policy: string,
  cyclesPerAccess: number,
  vcpuTimeNs: number,
  violations: number,
  exposed: Exposed = EVERY_CLASS,
): RunReport {
  const byClass = { 'cross-vm': 0, 'use-after-free': 0, 'stale-mapping': 0, 'stale-root': violations };
  return {
    policy,
    fleet: { vmsPerHost: 2 },
    violations: { total: violations, byClass, witnesses: [] },
    metrics: {
      cycles: { perAccess: cyclesPerAccess },
      time: { vcpuTimeNs },
      guestAccesses: 100,
      roots: { pageReused: exposed.pageReused, reusedByOtherVm: exposed.reusedByOtherVm },
      events: { mmuNotifierInvalidations: exposed.mmuNotifierInvalidations, memslotDeletes: exposed.memslotDeletes },
    },
  } as unknown as RunReport;
}

describe('compare figures', () => {
  const base = report('a', 10, 1000, 3);
  const fix = report('b', 12.5, 1500, 0);
  const other = report('c', 11, 1200, 0);

  it('gives overheads against the first report, in percent', () => {
    expect(overheadPercent(12, 10)).toBeCloseTo(20);
    expect(overheadPercent(5, 0)).toBe(0);
    expect(overheadVsFirst([base, fix])).toEqual([0, 25]);
    expect(timeOverheadVsFirst([base, fix, other])).toEqual([0, 50, expect.closeTo(20)]);
  });

  it('leaves missing reports (and everything while the first is missing) null', () => {
    expect(timeOverheadVsFirst([base, null, fix])).toEqual([0, null, 50]);
    expect(overheadVsFirst([null, fix])).toEqual([null, null]);
  });

  it('names the finished policy with no violation and the least vCPU time per access', () => {
    expect(cheapestCorrect([base, fix, other])).toBe('c');
    expect(cheapestCorrect([base, null, fix])).toBe('b');
    expect(cheapestCorrect([base])).toBeNull();
    expect(compareFigures([base, fix, null])).toMatchObject({
      overheadVsFirst: [0, 25, null],
      timeOverheadVsFirst: [0, 50, null],
      timePerAccessNs: [10, 15, null],
      cheapestCorrect: 'b',
      cheapestWithoutViolation: 'b',
    });
  });

  it('never names a policy correct when one of the violation classes was not exercised', () => {
    const quiet: Exposed = { pageReused: 0, reusedByOtherVm: 0, mmuNotifierInvalidations: 0, memslotDeletes: 0 };
    // Every way of leaving one class (or all) unexposed: the policy with no violation is not named.
    const gaps: Exposed[] = [
      quiet,
      { ...EVERY_CLASS, pageReused: 0, reusedByOtherVm: 0 }, // stale-root
      { ...EVERY_CLASS, mmuNotifierInvalidations: 0 }, // use-after-free, stale-mapping
    ];
    for (const gap of gaps) {
      const cheapButQuiet = report('cheap', 5, 500, 0, gap);
      const buggy = report('buggy', 10, 1000, 4);
      expect(cheapestCorrect([buggy, cheapButQuiet])).toBeNull();
      const figures = compareFigures([buggy, cheapButQuiet]);
      expect(figures.cheapestCorrect).toBeNull();
      expect(figures.cheapestWithoutViolation).toBe('cheap');
      expect(figures.verdicts[1]!.some((v) => !v.exercised)).toBe(true);
      // A dearer policy that was exercised everywhere is named instead.
      expect(cheapestCorrect([buggy, cheapButQuiet, report('exercised', 20, 2000, 0)])).toBe('exercised');
    }
  });

  it('gives 0 violations in N exposures a 95% upper bound of 3/N per exposure', () => {
    const v = compareFigures([report('a', 1, 100, 0, { ...EVERY_CLASS, pageReused: 30 })]).verdicts[0]!;
    expect(v.find((c) => c.class === 'stale-root')).toMatchObject({
      exposures: 30,
      violations: 0,
      exercised: true,
      upperBoundPerExposure: 0.1,
    });
  });
});
