import { runInProcess } from '@tlbsim/engine';
import { shippedScenario } from '../support/scenario.fixture';

/**
 * Issue 24: SMM runs code. With only SMIs as churn (l2-boot without memslot
 * updates or MMU-notifier invalidations, policy overhaul) root pages are
 * reused, 14 of them by another VM, yet before this change tlbsim reported 0
 * violations: no access ran under the SMM root. The SMI handler now runs
 * for events.smmDurationUs making SMRAM accesses under the SMM-role root.
 */
describe('SMM runs code under the SMM-role root', () => {
  const smiOnly = ['events.memslotUpdatesPerSec=0', 'events.mmuNotifierInvalidationsPerSec=0'];

  it('SMM-root reuse now shows: overhaul reports violations, cross-VM included', async () => {
    const r = await runInProcess(shippedScenario('l2-boot', smiOnly));
    expect(r.metrics.roots.reusedByOtherVm).toBeGreaterThan(0);
    expect(r.metrics.events.smmAccesses).toBeGreaterThan(0);
    expect(r.violations.byClass['stale-root']).toBeGreaterThan(0);
    expect(r.violations.byClass['cross-vm']).toBeGreaterThan(0);
    expect(r.violations.witnesses.some((w) => w.lines.some((l) => l.includes('role=smm')))).toBe(true);
  });

  it('with smmDurationUs 0 (RSM at once, the old model) the same churn shows nothing', async () => {
    const r = await runInProcess(shippedScenario('l2-boot', [...smiOnly, 'events.smmDurationUs=0']));
    expect(r.metrics.roots.pageReused).toBeGreaterThan(0);
    expect(r.violations.total).toBe(0);
  });

  it('the fix (e5c972c1fada) and preserved roots (edbdb43fc96b) each leave none', async () => {
    for (const policy of ['overhaul+hv-flush-current', 'overhaul+preserve-roots']) {
      const r = await runInProcess(shippedScenario('l2-boot', [...smiOnly, `kvm.policy=${policy}`]));
      expect(r.violations.total).toBe(0);
    }
  });
});
