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
    expect(text).toMatch(/Violations: 2 total\n\s+cross-vm\s+0\n\s+use-after-free\s+0\n\s+stale-mapping\s+0\n\s+stale-root\s+2/);
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
});
