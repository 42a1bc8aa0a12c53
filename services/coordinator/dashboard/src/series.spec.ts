import type { JobEvent, SeriesCounts } from '@tlbsim/contracts';
import { JobSeries } from './series';

const ZERO: SeriesCounts = {
  accesses: 0,
  tlbHits: 0,
  tlbMisses: 0,
  nestedWalks: 0,
  hypercalls: 0,
  shootdownMessages: 0,
  violations: 0,
};
const ev = (shard: number, window: number, c: Partial<SeriesCounts>): JobEvent => ({
  id: `${window}-${shard}`,
  type: 'window-completed',
  at: '',
  jobId: 'j',
  shard,
  window,
  worker: 'w',
  ...ZERO,
  ...c,
});

describe('JobSeries', () => {
  it('sums shards and turns cumulative counters into per-point deltas', () => {
    const s = new JobSeries();
    expect(s.add({ id: '0', type: 'submitted', at: '', jobId: 'j' })).toBe(false);
    s.add(ev(0, 9, { tlbHits: 90, tlbMisses: 10, violations: 0, hypercalls: 1 }));
    s.add(ev(1, 9, { tlbHits: 80, tlbMisses: 20, violations: 2, hypercalls: 1 }));
    s.add(ev(0, 19, { tlbHits: 180, tlbMisses: 20, violations: 1, hypercalls: 3 }));
    s.add(ev(1, 19, { tlbHits: 170, tlbMisses: 30, violations: 4, hypercalls: 2 }));
    const [a, b] = s.points();
    expect(a).toMatchObject({ window: 9, span: 10, hitRate: 85, violations: 2, violationsTotal: 2, hypercalls: 2 });
    expect(b).toMatchObject({ window: 19, span: 10, hitRate: 90, violations: 3, violationsTotal: 5, hypercalls: 3 });
  });

  it('uses the latest sample of a lagging shard and merges points beyond the cap', () => {
    const s = new JobSeries();
    for (let w = 0; w < 100; w++) s.add(ev(0, w, { violations: w }));
    s.add(ev(1, 10, { violations: 1000 }));
    const points = s.points(10);
    expect(points).toHaveLength(10);
    expect(points[points.length - 1]).toMatchObject({ window: 99, violationsTotal: 99 + 1000 });
  });
});

describe('JobSeries.useReportSeries', () => {
  it('charts a finished run from its report series, replacing live samples', () => {
    const s = new JobSeries();
    s.add(ev(0, 0, { accesses: 5, tlbHits: 5 }));
    const pt = (window: number, accesses: number, tlbHits: number, violations: number) => ({
      window,
      timeNs: window * 2000,
      accesses,
      tlbHits,
      tlbMisses: accesses - tlbHits,
      nestedWalks: 0,
      hypercalls: 0,
      shootdownMessages: 0,
      violations,
    });
    s.useReportSeries([pt(10, 100, 90, 0), pt(20, 200, 150, 4)]);
    const points = s.points();
    expect(points.map((p) => p.window)).toEqual([9, 19]);
    expect(points[0].hitRate).toBeCloseTo(90);
    expect(points[1].hitRate).toBeCloseTo(60); // (150-90) / (200-100)
    expect(points[1].violations).toBe(4);
    expect(points[1].violationsTotal).toBe(4);
  });
});
