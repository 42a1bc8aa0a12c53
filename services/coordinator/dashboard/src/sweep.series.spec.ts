import type { SweepRow } from '@tlbsim/contracts';
import { SWEEP_METRICS, sweepSeries, sweepXScale } from './sweep.series';

const row = (
  index: number,
  rate: number,
  policy: string,
  seed: number,
  cpa: number,
  overhead: number | null,
): SweepRow => ({
  index,
  grid: { 'events.nestedTransitionsPerSec': rate, 'fleet.hosts': 1 },
  policy,
  seed,
  violations: { total: index, byClass: {} },
  accesses: 10,
  cyclesPerAccess: cpa,
  hypercalls: 2 * index,
  digest: 'd',
  coverage: { staleHits: 0, rootsReused: 0, rootsReusedByOtherVm: 0 },
  overheadVsFirst: overhead,
});

const metric = (id: string): (typeof SWEEP_METRICS)[number] => SWEEP_METRICS.find((m) => m.id === id)!;

describe('sweep metrics', () => {
  it('offer the headline first (vCPU time per access), then hypercall stalls and L0 busy; cycles after', () => {
    const ids = SWEEP_METRICS.map((m) => m.id);
    expect(ids[0]).toBe('timePerAccessNs');
    for (const id of ['timeOverheadVsFirst', 'hypercallStallsPercent', 'l0BusyPercent'])
      expect(ids.indexOf(id)).toBeLessThan(ids.indexOf('cyclesPerAccess'));
    const r = { timePerAccessNs: 12.5, hypercallStallsPercent: 3, l0BusyPercent: 24 } as SweepRow;
    expect([
      metric('timePerAccessNs').of(r),
      metric('hypercallStallsPercent').of(r),
      metric('l0BusyPercent').of(r),
    ]).toEqual([12.5, 3, 24]);
    // Rows stored before these figures existed leave a gap, not a zero.
    expect(metric('timePerAccessNs').of({} as SweepRow)).toBeNull();
  });
});

describe('sweepSeries', () => {
  const rows = [
    row(0, 0, 'a', 1, 10, 0),
    row(1, 0, 'b', 1, 12, 20),
    row(2, 0, 'a', 2, 20, 0),
    row(3, 0, 'b', 2, 22, 10),
    row(5, 2000, 'b', 1, 30, null),
    row(4, 2000, 'a', 1, 15, 0),
  ];

  it('draws one line per policy over the grid values in run order, averaging seeds', () => {
    const s = sweepSeries(rows, ['a', 'b'], 'events.nestedTransitionsPerSec', metric('cyclesPerAccess'));
    expect(s.labels).toEqual(['0', '2000']);
    expect(s.series).toEqual([
      { label: 'a', data: [15, 15] },
      { label: 'b', data: [17, 30] },
    ]);
  });

  it('leaves a gap where no row has a value, and can plot against the seed', () => {
    const overhead = SWEEP_METRICS.find((m) => m.id === 'overheadVsFirst')!;
    expect(sweepSeries(rows, ['a', 'b'], 'events.nestedTransitionsPerSec', overhead).series[1].data).toEqual([
      15,
      null,
    ]);
    expect(sweepSeries(rows, ['a'], 'seed', metric('cyclesPerAccess'))).toEqual({
      labels: ['1', '2'],
      series: [{ label: 'a', data: [12.5, 20] }],
    });
  });
});

describe('sweepXScale', () => {
  it('a log scale for positive numbers spanning two decades, else one slot per value', () => {
    expect(sweepXScale(['800', '4000', '16000'])).toBe('category');
    expect(sweepXScale(['80', '4000', '16000'])).toBe('logarithmic');
    expect(sweepXScale(['0', '100', '10000'])).toBe('category');
    expect(sweepXScale(['overhaul', 'pre-overhaul'])).toBe('category');
    expect(sweepXScale(['1'])).toBe('category');
  });
});
