import { SimConfig } from './config';
import { C } from './counters';
import { ShardSim } from './shard';
import { smallConfig } from './testing/sim-config.fixture';

/**
 * `kvm_flush_remote_tlbs_with_address()` on Hyper-V: a range that needs more than
 * `kvm.hvFlushListEntriesMax` (HV_MAX_FLUSH_REP_COUNT) list entries of at
 * most 4096 pages each makes `hyperv_fill_flush_guest_mapping_list()` fail,
 * and KVM flushes the whole address space instead (kvm.actor.ts
 * `remoteFlush`). Cited by docs/flush-semantics.md. In v6.1-6.3 an
 * MMU-notifier invalidation flushes the whole address space
 * (`__kvm_handle_hva_range()` -> `kvm_flush_remote_tlbs()`); the range path
 * is the one of the `kvm.undersizedRangeFlush` era, so these runs turn it on.
 */

/** Pages of one MMU-notifier invalidation: 2 list entries of <= 4096 pages. */
const PAGES = 6000;

/**
 * A one-host, one-VM, two-vCPU scenario (AMD, Hyper-V, enlightened TLB,
 * `overhaul`) whose only host events are MMU-notifier invalidations of
 * {@link PAGES} pages. The footprint is 2 x 4096 pages, so a range fits.
 */
function config(hvFlushListEntriesMax: number, undersizedRangeFlush = true): SimConfig {
  return smallConfig({
    name: 'hv-flush-list',
    kvm: { hvFlushListEntriesMax, undersizedRangeFlush },
    // Flush routing, not its price: L0's refills at no cost keep the runs within the window limit.
    costs: { l0NestedFaultCycles: 0 },
    workload: { workingSetPages: 4096 },
    events: { mmuNotifierInvalidationsPerSec: 200000, mmuNotifierPages: PAGES },
  });
}

/** Runs a single shard to completion, feeding each window's outbound back as the next inbound. */
function run(cfg: SimConfig): number[] {
  const shard = new ShardSim(cfg, 0, 1);
  let inbound: Float64Array[] = [];
  for (let w = 0; w < 10000; w++) {
    const out = shard.runWindow(inbound);
    inbound = [...out.outbound.values()];
    if (out.done) return shard.partial().counters;
  }
  throw new Error('run did not finish in 10000 windows');
}

describe('HvCallFlushGuestPhysicalAddressList fallback to a whole-space flush', () => {
  it('a range needing more list entries than kvm.hvFlushListEntriesMax becomes GPA-space flushes, no list calls', () => {
    const c = run(config(1));
    expect(c[C.mmuNotifierInvalidations]).toBeGreaterThan(0);
    expect(c[C.hvListFallbacks]).toBeGreaterThan(0);
    expect(c[C.hvFlushSpace]).toBeGreaterThan(0);
    expect(c[C.hvFlushList]).toBe(0);
  });

  it('a range within kvm.hvFlushListEntriesMax entries is issued as list calls, with no fallback', () => {
    const c = run(config(510));
    expect(c[C.mmuNotifierInvalidations]).toBeGreaterThan(0);
    expect(c[C.hvListFallbacks]).toBe(0);
    expect(c[C.hvFlushList]).toBeGreaterThan(0);
    expect(c[C.hvFlushSpace]).toBe(0);
  });

  it('the boundary: exactly kvm.hvFlushListEntriesMax entries (2 for 6000 pages) is still a list call', () => {
    const c = run(config(2));
    expect(c[C.hvListFallbacks]).toBe(0);
    expect(c[C.hvFlushList]).toBeGreaterThan(0);
    expect(c[C.hvFlushSpace]).toBe(0);
  });

  it('without the range path (v6.1-6.3), an MMU-notifier invalidation is a GPA-space flush, whatever the range', () => {
    const c = run(config(510, false));
    expect(c[C.mmuNotifierInvalidations]).toBeGreaterThan(0);
    expect(c[C.hvFlushList]).toBe(0);
    expect(c[C.hvListFallbacks]).toBe(0);
    expect(c[C.hvFlushSpace]).toBeGreaterThan(0);
  });

  it('each GPA flush hypercall is applied on every vCPU of the partition (one shootdown message per vCPU)', () => {
    const vcpusPerHost = 2;
    for (const max of [1, 510]) {
      const c = run(config(max));
      const calls = c[C.hvFlushSpace] + c[C.hvFlushList];
      expect(calls).toBeGreaterThan(0);
      expect(c[C.shootdownMessages]).toBe(calls * vcpusPerHost);
    }
  });
});
