import { formatReport } from './report.formatter';
import { sampleRunReport } from './testing/report.fixture';

describe('formatReport', () => {
  const text = formatReport(sampleRunReport());

  it('prints scenario, seed, policy, platform and digest', () => {
    expect(text).toMatch(/^tlbsim run: sample\n/);
    expect(text).toMatch(/seed\s+7/);
    expect(text).toMatch(/policy\s+overhaul/);
    expect(text).toContain('amd, L0 hyperv, enlightened TLB on');
    expect(text).toContain('ab'.repeat(32));
  });

  it('prints counters, violations by class and witness lines', () => {
    expect(text).toContain('1,000 (miss rate 12.5%)');
    expect(text).toContain('GPA space 3, GPA list 5');
    expect(text).toMatch(
      /Violations: 2 total\n {2}\(one violation per stale TLB entry.*\)\n\s+cross-vm\s+0\n\s+use-after-free\s+0\n\s+stale-mapping\s+0\n\s+stale-root\s+2/,
    );
    expect(text).toContain('#1 stale-root: host 0 vm 1 vcpu 0 at 123,456 ns, page 0x1f000');
    expect(text).toContain('      kvm_mmu_load: root=0x1f000 inc=4 flush=asid-enlightened');
  });

  it('prints the cost summary with the top operations, most expensive first', () => {
    expect(text).toMatch(/cycles total\s+80,000/);
    expect(text).toMatch(/cycles per access\s+10\.00/);
    expect(text.indexOf('nestedWalk')).toBeLessThan(text.indexOf('hypercall '));
    expect(text).toContain('50,000 (62.5%)');
  });

  it('says none when there are no violations, and can hide witnesses', () => {
    expect(formatReport(sampleRunReport('x', 1, 0))).toContain('Violations: none');
    expect(formatReport(sampleRunReport(), { witnesses: 0 })).not.toContain('Witnesses');
  });

  it('prints witnesses in time order, the first of every class even beyond --witnesses, and filters by class and VM', () => {
    const report = sampleRunReport();
    const w = (cls: 'cross-vm' | 'stale-root' | 'use-after-free', vm: number, timeNs: number) => ({
      class: cls,
      host: 0,
      vm,
      vcpu: 0,
      timeNs,
      pageHpa: '0x1000',
      events: [],
      lines: [`event of ${cls} at ${timeNs}`],
    });
    // Stored as a run keeps them: the first by time, then the first of each class appended.
    report.violations.witnesses = [
      w('stale-root', 0, 10),
      w('stale-root', 1, 20),
      w('stale-root', 0, 30),
      w('cross-vm', 1, 25),
      w('use-after-free', 0, 5000),
    ];
    const heads = (text: string): string[] => text.split('\n').filter((l) => /^ {2}#\d/.test(l));
    const two = formatReport(report, { witnessSelection: { max: 2 } });
    expect(heads(two)).toEqual([
      '  #1 stale-root: host 0 vm 0 vcpu 0 at 10 ns, page 0x1000',
      '  #2 stale-root: host 0 vm 1 vcpu 0 at 20 ns, page 0x1000',
      '  #3 cross-vm: host 0 vm 1 vcpu 0 at 25 ns, page 0x1000',
      '  #4 use-after-free: host 0 vm 0 vcpu 0 at 5,000 ns, page 0x1000',
    ]);
    expect(two).toContain('Witnesses (4 of 5 kept, in time order)');
    const vm1 = formatReport(report, { witnessSelection: { max: 10, vm: 1 } });
    expect(heads(vm1).map((l) => l.split(':')[0])).toEqual(['  #1 stale-root', '  #2 cross-vm']);
    expect(vm1).toContain('Witnesses of VM 1\n');
    const cls = formatReport(report, { witnessSelection: { max: 1, violationClass: 'stale-root' } });
    expect(heads(cls)).toHaveLength(1);
    expect(cls).toContain('Witnesses of class stale-root (1 of 3 kept, in time order)');
  });

  it('says a report is partial', () => {
    const report = { ...sampleRunReport(), partial: true };
    expect(formatReport(report)).toMatch(/partial\s+yes: the job did not complete; this covers its first 40 windows/);
    expect(formatReport(sampleRunReport())).not.toContain('partial');
  });
});
