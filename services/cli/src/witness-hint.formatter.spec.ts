import { formatReport } from './report.formatter';
import { sampleRunReport } from './testing/report.fixture';
import { STALE_HITS_NOTE, witnessesKeptHint } from './witness-hint.formatter';

describe('witnesses kept', () => {
  const report = sampleRunReport(); // 2 violations, 1 witness kept

  it('says how many were kept of how many violations, and how to keep more, when fewer are shown than asked', () => {
    expect(witnessesKeptHint(report, { max: 10 }, 1)).toBe(
      '1 kept of 2 violations: run.witnessesMax keeps more (--set run.witnessesMax=10, up to 1000)',
    );
    expect(formatReport(report, { witnessSelection: { max: 10 } })).toContain(
      'Witnesses\n  1 kept of 2 violations: run.witnessesMax keeps more (--set run.witnessesMax=10, up to 1000)\n  #1 stale-root',
    );
  });

  it('and when a filter finds none among the kept ones', () => {
    expect(formatReport(report, { witnessSelection: { max: 3, vm: 7 } })).toContain(
      'Witnesses: none of VM 7 among the 1 kept (1 kept of 2 violations: run.witnessesMax keeps more (--set run.witnessesMax=3, up to 1000))',
    );
  });

  it('says nothing when every violation was kept or the selection shows what it asked for', () => {
    expect(witnessesKeptHint(report, { max: 1 }, 1)).toBe('');
    const all = { ...report, violations: { ...report.violations, total: 1 } };
    expect(witnessesKeptHint(all, { max: 10 }, 1)).toBe('');
  });

  it('the report tells violations and stale hits apart in one line', () => {
    expect(formatReport(report)).toContain(`Violations: 2 total\n  (${STALE_HITS_NOTE})\n`);
  });
});
