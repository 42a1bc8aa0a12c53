import {
  cheapestCorrect,
  compareFigures,
  overheadPercent,
  overheadVsFirst,
  timeOverheadVsFirst,
} from './compare.figures';
import type { RunReport } from './report';

/** A report with only what the figures read. */
function report(
  policy: string,
  cyclesPerAccess: number,
  vcpuTimeNs: number,
  violations: number,
  guestAccesses = 100,
): RunReport {
  return {
    policy,
    violations: { total: violations, byClass: {}, witnesses: [] },
    metrics: { cycles: { perAccess: cyclesPerAccess }, time: { vcpuTimeNs }, guestAccesses },
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
    expect(compareFigures([base, fix, null])).toEqual({
      overheadVsFirst: [0, 25, null],
      timeOverheadVsFirst: [0, 50, null],
      timePerAccessNs: [10, 15, null],
      cheapestCorrect: 'b',
    });
  });
});
