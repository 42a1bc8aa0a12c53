import { formatTrace } from './trace.formatter';
import { sampleRunReport } from './testing/report.fixture';

describe('formatTrace', () => {
  it('prints a header, the column heading and every line of each witness chain', () => {
    const text = formatTrace(sampleRunReport(), { max: 10 });
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe(`# tlbsim trace: sample, seed 7, policy overhaul, digest ${'ab'.repeat(32)}`);
    expect(lines[1]).toBe('# violations: 2; witnesses kept 1, shown 1 of 1 matching');
    expect(lines[2]).toBe(
      '# 1 kept of 2 violations: run.witnessesMax keeps more (--set run.witnessesMax=10, up to 1000)',
    );
    expect(lines[3]).toMatch(/^# +ACTOR HOST +TIMESTAMP {2}EVENT: DETAIL$/);
    expect(lines).toContain('# witness 1/1: stale-root on host 0 vm 1 vcpu 0 at 123,456 ns, page 0x1f000');
    expect(lines.slice(-3)).toEqual(sampleRunReport().violations.witnesses[0].lines);
  });

  it('says when a report is partial, and prints no chain when the filter matches none', () => {
    const text = formatTrace({ ...sampleRunReport(), partial: true }, { max: 10, violationClass: 'cross-vm' });
    expect(text).toContain(', partial: first 40 windows\n');
    expect(text).toContain('shown 0 of 0 matching\n# 1 kept of 2 violations: run.witnessesMax keeps more');
    expect(text).not.toContain('# witness');
  });
});
