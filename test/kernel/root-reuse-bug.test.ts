import { runInProcess } from '@tlbsim/engine';
import { rootReuseSmall } from '../support/scenario.fixture';

/**
 * The bug tlbsim was born from: KVM TDP MMU root reuse on Hyper-V with the
 * enlightened TLB (fixed upstream by e5c972c1fada). Every run prints its seed
 * on failure through the test name.
 */
describe('TDP MMU root reuse on Hyper-V, enlightened TLB', () => {
  const seeds = [42, 7];

  it.each(seeds)('overhaul on AMD + Hyper-V + enlightened TLB has stale-root violations (seed %i)', async (seed) => {
    const r = await runInProcess(rootReuseSmall([`seed=${seed}`]));
    expect(r.violations.byClass['stale-root']).toBeGreaterThan(0);
    expect(r.metrics.roots.pageReused).toBeGreaterThan(0);
    expect(r.violations.total).toBe(Object.values(r.violations.byClass).reduce((a, b) => a + b, 0));
  });

  it.each([
    ['overhaul+hv-flush-current (the fix)', ['kvm.policy=overhaul+hv-flush-current']],
    ['the enlightenment off', ['platform.enlightenedTlb=false']],
    ['policy enlightened-tlb-off', ['kvm.policy=enlightened-tlb-off']],
    ['Intel (INVEPT single-context on load)', ['platform.vendor=intel']],
    ['pre-overhaul (flush before free)', ['kvm.policy=pre-overhaul']],
    ['flush-on-alloc (alternative fix)', ['kvm.policy=overhaul+flush-on-alloc']],
    ['bare-metal L0', ['platform.l0=none']],
  ])('%s has no violations (seed 42)', async (_label, overrides) => {
    const r = await runInProcess(rootReuseSmall(['seed=42', ...overrides]));
    expect(r.violations.byClass).toEqual({ 'cross-vm': 0, 'use-after-free': 0, 'stale-mapping': 0, 'stale-root': 0 });
    expect(r.metrics.staleHits).toBe(0);
    // The same events still happened, so the fix was exercised, not skipped.
    expect(r.metrics.roots.freed).toBeGreaterThan(0);
    expect(r.metrics.events.memslotUpdates).toBeGreaterThan(0);
  });

  it('the fix costs hypercalls: one GPA-space flush per root load at least', async () => {
    const buggy = await runInProcess(rootReuseSmall(['seed=42']));
    const fixed = await runInProcess(rootReuseSmall(['seed=42', 'kvm.policy=overhaul+hv-flush-current']));
    // Without the fix, GPA-space flushes come only from MMU-notifier invalidations (kvm_flush_remote_tlbs:
    // one per distinct tracked root of the VM, at most one per vCPU).
    expect(buggy.metrics.hypercalls.flushGuestPhysicalAddressSpace).toBeLessThanOrEqual(
      buggy.metrics.events.mmuNotifierInvalidations * buggy.fleet.vcpusPerVm,
    );
    expect(fixed.metrics.hypercalls.flushGuestPhysicalAddressSpace).toBeGreaterThanOrEqual(
      fixed.metrics.roots.allocated,
    );
    expect(fixed.metrics.shootdownMessages).toBeGreaterThan(buggy.metrics.shootdownMessages);
    expect(fixed.metrics.cycles.byOp.hypercalls).toBeGreaterThan(buggy.metrics.cycles.byOp.hypercalls);
  });

  it('a stale-root witness names the reused root page and tells the causal chain', async () => {
    const r = await runInProcess(rootReuseSmall(['seed=42']));
    const w = r.violations.witnesses.find((x) => x.class === 'stale-root');
    expect(w).toBeDefined();
    const text = w!.lines.join('\n');
    /** Time of the first line (after `from`) naming `event`. */
    const timeOf = (event: string, from = 0): number => {
      const line = w!.lines.slice(from).find((l) => l.includes(`: ${event}: `));
      expect(line).toBeDefined();
      return Number(/ (\d+\.\d+): /.exec(line!)![1]);
    };
    const allocOld = timeOf('kvm_tdp_mmu_alloc_root');
    const fill = timeOf('tlb_fill');
    const zap = timeOf('kvm_mmu_zap_all_fast');
    const put = timeOf('kvm_tdp_mmu_put_root');
    const allocNew = timeOf('kvm_tdp_mmu_alloc_root', 1);
    const load = timeOf('kvm_mmu_load');
    const flush = timeOf('flush_tlb_current');
    const hit = timeOf('tlb_stale_hit');
    // Causal order: the entry is filled under the old root before it is freed;
    // the vCPU may keep using an invalidated root until it services the request.
    expect(allocOld).toBeLessThanOrEqual(fill);
    expect(fill).toBeLessThanOrEqual(put);
    expect(zap).toBeLessThanOrEqual(put);
    expect(put).toBeLessThanOrEqual(allocNew);
    expect(allocNew).toBeLessThanOrEqual(load);
    expect(load).toBeLessThanOrEqual(flush);
    expect(flush).toBeLessThanOrEqual(hit);
    // The page freed by put_root is the page the new root reuses: the witness's pageHpa.
    expect(text).toContain(`page hpa=${w!.pageHpa} freed with no TLB flush`);
    expect(text).toMatch(new RegExp(`root=#\\d+ hpa=${w!.pageHpa} page reused`));
    expect(text).toContain(`nCR3=${w!.pageHpa}`);
    expect(text).toContain('enlightened TLB (nested entries kept)');
    // Timeline lines are sorted by time.
    const times = w!.lines.map((l) => Number(/ (\d+\.\d+): /.exec(l)![1]));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });
});
