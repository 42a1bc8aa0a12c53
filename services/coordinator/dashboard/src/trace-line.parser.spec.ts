import { buildScenario, parseScenarioText } from '@tlbsim/contracts';
import { runInProcess } from '@tlbsim/engine';
import { readFileSync } from 'fs';
import { join } from 'path';
import { parseTraceLine } from './trace-line.parser';

describe('parseTraceLine', () => {
  it('parses every witness line of a real run of the shipped bug, time stamps in order', async () => {
    const text = readFileSync(
      join(__dirname, '..', '..', '..', '..', 'scenarios', 'hyperv-svm-root-reuse.yaml'),
      'utf8',
    );
    const cfg = buildScenario(parseScenarioText(text, 'yaml'), [
      'workload.accessesPerVcpu=50000',
      'fleet.vcpusPerVm=1',
    ]);
    const report = await runInProcess(cfg);
    const witnesses = report.violations.witnesses;
    expect(witnesses.length).toBeGreaterThan(0);
    for (const w of witnesses) {
      const parsed = w.lines.map((line) => [line, parseTraceLine(line)] as const);
      expect(parsed.filter(([, p]) => p === null).map(([line]) => line)).toEqual([]);
      const steps = parsed.map(([, p]) => p!);
      for (let i = 1; i < steps.length; i++) expect(steps[i].timeNs).toBeGreaterThanOrEqual(steps[i - 1].timeNs);
      // The chain ends at the stale hit, at the violation's own time, on its vCPU.
      const last = steps[steps.length - 1];
      expect([last.event, last.timeNs, last.task]).toEqual(['tlb_stale_hit', w.timeNs, `vcpu-${w.vm}.${w.vcpu}`]);
      expect(last.detail).toMatch(new RegExp(`: ${w.class}$`));
      expect(Number(last.host)).toBe(w.host);
    }
  });

  it('splits a line at the first colon after the event and keeps the rest whole', () => {
    const line =
      '      vcpu-5.0 [001] 0.000008115: flush_tlb_current: svm_flush_tlb_current: ASID flush, enlightened TLB (nested entries kept)';
    expect(parseTraceLine(line)).toEqual({
      task: 'vcpu-5.0',
      host: '001',
      time: '0.000008115',
      timeNs: 8115,
      event: 'flush_tlb_current',
      detail: 'svm_flush_tlb_current: ASID flush, enlightened TLB (nested entries kept)',
    });
    expect(parseTraceLine('        kvm-h12 [012] 3.000000001: kvm_mmu_load: root=#5')?.timeNs).toBe(3_000_000_001);
    expect(parseTraceLine('free text without a time stamp')).toBeNull();
  });
});
