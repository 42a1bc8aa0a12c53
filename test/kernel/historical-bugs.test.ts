import { runInProcess } from '@tlbsim/engine';
import { rootReuseSmall } from '../support/scenario.fixture';

/**
 * Named toggles for historical TLB-coherence bugs the model can express
 * (REFERENCES.md, "Other real TLB-coherence bugs").
 */
describe('kvm.undersizedRangeFlush ("Fix wrong gfn range of tlb flushing", 2022)', () => {
  const fixedRootReuse = ['seed=5', 'kvm.policy=overhaul+hv-flush-current'];

  it('makes MMU-notifier invalidations leave stale mappings behind on Hyper-V (seed 5)', async () => {
    const r = await runInProcess(rootReuseSmall([...fixedRootReuse, 'kvm.undersizedRangeFlush=true']));
    const c = r.violations.byClass;
    expect(c['stale-root']).toBe(0); // the root-reuse fix is in; only the range bug remains
    expect(c['use-after-free'] + c['cross-vm'] + c['stale-mapping']).toBeGreaterThan(0);
    const w = r.violations.witnesses.find((x) => x.class !== 'stale-root');
    expect(w!.lines.join('\n')).toContain('undersized range');
  });

  it('is invisible without it and on bare metal, where the remote flush is a full flush (seed 5)', async () => {
    const clean = await runInProcess(rootReuseSmall(fixedRootReuse));
    const bare = await runInProcess(
      rootReuseSmall([...fixedRootReuse, 'kvm.undersizedRangeFlush=true', 'platform.l0=none']),
    );
    expect(clean.violations.total).toBe(0);
    expect(bare.violations.total).toBe(0);
    expect(bare.metrics.events.mmuNotifierInvalidations).toBeGreaterThan(0);
  });
});

describe('kvm.freeBeforeFlush (pages freed before the remote flush completed, cf. Xen CVE-2026-23554)', () => {
  const fixedRootReuse = ['seed=5', 'kvm.policy=overhaul+hv-flush-current'];

  it('lets a vCPU reach a page already handed to another VM through a stale entry (seed 5)', async () => {
    const r = await runInProcess(rootReuseSmall([...fixedRootReuse, 'kvm.freeBeforeFlush=true']));
    const c = r.violations.byClass;
    expect(c['stale-root']).toBe(0);
    expect(c['use-after-free'] + c['cross-vm']).toBeGreaterThan(0);
    const w = r.violations.witnesses.find((x) => x.class === 'cross-vm' || x.class === 'use-after-free');
    const text = w!.lines.join('\n');
    expect(text).toContain('before the remote flush completed');
    expect(text).toContain('mm_page_free');
  });

  it("freeing after the flush (KVM's protocol) gives no violation (seed 5)", async () => {
    const r = await runInProcess(rootReuseSmall(fixedRootReuse));
    expect(r.violations.total).toBe(0);
    expect(r.metrics.events.mmuNotifierInvalidations).toBeGreaterThan(0);
  });
});
