import { comparisonResult, formatComparison, overheadVsFirst } from './compare.formatter';
import { sampleRunReport } from './testing/report.fixture';

describe('compare formatter', () => {
  const reports = [sampleRunReport('overhaul', 10, 2), sampleRunReport('overhaul+hv-flush-current', 12.5, 0)];

  it('computes overhead of cycles per access against the first policy', () => {
    expect(overheadVsFirst(reports)).toEqual([0, 25]);
    expect(overheadVsFirst([sampleRunReport('a', 0), sampleRunReport('b', 3)])).toEqual([0, 0]);
  });

  it('builds the --json object', () => {
    expect(comparisonResult(reports.map((r) => [r]))).toMatchObject({
      scenario: 'sample',
      seed: 7,
      policies: ['overhaul', 'overhaul+hv-flush-current'],
      reports,
      overheadVsFirst: [0, 25],
      overheadVsFirstCi95: [null, null],
      replications: 1,
      seeds: [7],
    });
  });

  it('pairs replications by seed: the interval is of the per-seed overheads', () => {
    const at = (policy: string, perAccess: number, seed: number): ReturnType<typeof sampleRunReport> => ({
      ...sampleRunReport(policy, perAccess, 0),
      seed,
    });
    const runs = [
      [at('a', 10, 1), at('a', 20, 2), at('a', 40, 3)],
      [at('b', 11, 1), at('b', 22, 2), at('b', 44, 3)],
    ];
    const r = comparisonResult(runs);
    // Every pair is +10% although the costs scatter by 4x: a paired difference has no spread here.
    expect(r.overheadVsFirst[1]).toBeCloseTo(10, 9);
    expect(r.overheadVsFirstCi95[1]).toBeCloseTo(0, 9);
    expect(r.seeds).toEqual([1, 2, 3]);
    expect(() => comparisonResult([runs[0], [...runs[1]].reverse()])).toThrow(/seeds/);
  });

  it('renders one column per policy and every row', () => {
    const text = formatComparison(comparisonResult(reports.map((r) => [r])));
    expect(text).toContain('overhaul+hv-flush-current');
    for (const label of [
      'violations',
      'stale-root',
      'cross-vm',
      'hypercalls: GPA space',
      'hypercalls: GPA list',
      'shootdown messages',
      'TLB misses',
      'nested walks',
      'cycles / access',
      'cycles vs overhaul',
      'vCPU time vs overhaul',
    ]) {
      expect(text).toContain(label);
    }
    // The headline (vCPU time) comes before the secondary cycles.
    expect(text.indexOf('vCPU time vs overhaul')).toBeLessThan(text.indexOf('cycles vs overhaul'));
    expect(text).toContain('1 replication (seed 7): no interval');
    expect(text).toContain('+25.0%');
    expect(text).toContain('baseline');
    expect(text).not.toContain('\u001b[');
  });
});
