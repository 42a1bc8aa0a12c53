import { runInProcess } from '@tlbsim/engine';
import { shippedScenario } from '../support/scenario.fixture';

/**
 * Issue 24, flush paths as the kernel of v6.1-6.3 has them
 * (docs/flush-semantics.md, "Flush call sites").
 */
/** Shorter runs with MMU-notifier invalidations every few microseconds per host. */
const FAST = ['workload.accessesPerVcpu=50000', 'events.mmuNotifierInvalidationsPerSec=100000'];

describe('flush paths of v6.1-6.3', () => {
  it('AMD without the enlightened TLB makes no Hyper-V flush hypercall: svm_hv_hardware_setup() installs hv_remote_flush_tlb only with it', async () => {
    const r = await runInProcess(shippedScenario('hyperv-svm-root-reuse', ['kvm.policy=enlightened-tlb-off', ...FAST]));
    expect(r.metrics.events.mmuNotifierInvalidations).toBeGreaterThan(0);
    expect(r.metrics.hypercalls.flushGuestPhysicalAddressSpace).toBe(0);
    expect(r.metrics.hypercalls.flushGuestPhysicalAddressList).toBe(0);
    // The remote flush is KVM_REQ_TLB_FLUSH to every vCPU of the VM, then an ASID flush.
    expect(r.metrics.flushes.full).toBeGreaterThan(0);
    expect(r.metrics.shootdownMessages).toBeGreaterThan(0);
    expect(r.violations.total).toBe(0);
  });

  it('platform.enlightenedTlb=false is the same: no hypercall', async () => {
    const r = await runInProcess(shippedScenario('hyperv-svm-root-reuse', ['platform.enlightenedTlb=false', ...FAST]));
    expect(
      r.metrics.hypercalls.flushGuestPhysicalAddressSpace + r.metrics.hypercalls.flushGuestPhysicalAddressList,
    ).toBe(0);
  });

  it('Intel under Hyper-V still flushes remotely through the hypercalls', async () => {
    const r = await runInProcess(shippedScenario('intel-ept-on-hyperv', [...FAST]));
    expect(r.metrics.events.mmuNotifierInvalidations).toBeGreaterThan(0);
    expect(r.metrics.hypercalls.flushGuestPhysicalAddressSpace).toBeGreaterThan(0);
  });

  it('an MMU-notifier invalidation flushes the whole address space (__kvm_handle_hva_range -> kvm_flush_remote_tlbs), never the list hypercall', async () => {
    const r = await runInProcess(shippedScenario('hyperv-svm-root-reuse', [...FAST]));
    expect(r.metrics.events.mmuNotifierInvalidations).toBeGreaterThan(0);
    expect(r.metrics.hypercalls.flushGuestPhysicalAddressList).toBe(0);
    expect(r.metrics.hypercalls.flushGuestPhysicalAddressSpace).toBeGreaterThan(0);
  });
});
