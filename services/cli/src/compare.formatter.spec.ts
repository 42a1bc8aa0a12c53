import { comparisonResult, formatComparison, overheadVsFirst } from './compare.formatter';
import { sampleRunReport } from './testing/report.fixture';

describe('compare formatter', () => {
  const reports = [sampleRunReport('overhaul', 10, 2), sampleRunReport('overhaul+hv-flush-current', 12.5, 0)];

  it('computes overhead of cycles per access against the first policy', () => {
    expect(overheadVsFirst(reports)).toEqual([0, 25]);
    expect(overheadVsFirst([sampleRunReport('a', 0), sampleRunReport('b', 3)])).toEqual([0, 0]);
  });

  it('builds the --json object', () => {
    expect(comparisonResult(reports)).toMatchObject({
      scenario: 'sample',
      seed: 7,
      policies: ['overhaul', 'overhaul+hv-flush-current'],
      reports,
      overheadVsFirst: [0, 25],
    });
  });

  it('renders one column per policy and every row', () => {
    const text = formatComparison(reports);
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
      'overhead vs overhaul',
    ]) {
      expect(text).toContain(label);
    }
    expect(text).toContain('+25.0%');
    expect(text).toContain('baseline');
    expect(text).not.toContain('\u001b[');
  });
});
