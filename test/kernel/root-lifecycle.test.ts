import { runInProcess } from '@tlbsim/engine';
import { scenario } from '../support/scenario.fixture';

/** Root sharing, refcounts, fast zap, free and LIFO reuse, observed through counters. */
describe('root lifecycle', () => {
  // Roots freed at once (no RCU delay), so each free can be matched to the next allocation.
  const events = [
    'events.memslotUpdatesPerSec=50000',
    'workload.accessesPerVcpu=100000',
    'seed=3',
    'latency.rootFreeNs=0',
  ];

  it('vCPUs of a VM share one root; every fast zap replaces it and frees the old one', async () => {
    const r = await runInProcess(scenario('lifecycle', ['fleet.vmsPerHost=1', 'fleet.vcpusPerVm=4', ...events]));
    const { roots, events: ev } = r.metrics;
    expect(ev.memslotUpdates).toBeGreaterThan(3);
    // One root per generation at most: boot plus one per fast zap.
    expect(roots.allocated).toBeLessThanOrEqual(ev.memslotUpdates + 1);
    expect(roots.allocated).toBeGreaterThan(1);
    // Each root is freed once its last vCPU dropped it; at most the current one (and one
    // whose vCPUs are still mid-reload at the end) is left.
    expect(roots.allocated - roots.freed).toBeGreaterThanOrEqual(1);
    expect(roots.allocated - roots.freed).toBeLessThanOrEqual(2);
  });

  it('a one-vCPU VM gets its freed root page straight back (LIFO)', async () => {
    const r = await runInProcess(scenario('lifecycle', ['fleet.vmsPerHost=1', 'fleet.vcpusPerVm=1', ...events]));
    const { roots } = r.metrics;
    expect(roots.freed).toBeGreaterThan(3);
    expect(roots.pageReused).toBe(roots.freed);
    expect(roots.reusedByOtherVm).toBe(0);
  });

  it('with several VMs on a host, freed root pages are also reused by other VMs', async () => {
    const r = await runInProcess(scenario('lifecycle', ['fleet.vmsPerHost=4', 'fleet.vcpusPerVm=2', ...events]));
    expect(r.metrics.roots.reusedByOtherVm).toBeGreaterThan(0);
  });

  it('pre-overhaul flushes the root before its page is freed (a hypercall per free)', async () => {
    const r = await runInProcess(
      scenario('lifecycle', ['fleet.vmsPerHost=1', 'fleet.vcpusPerVm=1', 'kvm.policy=pre-overhaul', ...events]),
    );
    expect(r.metrics.hypercalls.flushGuestPhysicalAddressSpace).toBeGreaterThanOrEqual(r.metrics.roots.freed);
    expect(r.violations.total).toBe(0);
  });
});
