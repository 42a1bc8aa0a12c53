import type { RunReport } from '@tlbsim/engine';

/**
 * A small, hand-written {@link RunReport} for formatter and command tests
 * (not produced by the kernel). `policy` and `perAccess` vary the cost.
 */
export function sampleRunReport(policy = 'overhaul', perAccess = 10, violations = 2): RunReport {
  return {
    scenario: 'sample',
    seed: 7,
    policy,
    platform: { vendor: 'amd', l0: 'hyperv', enlightenedTlb: true },
    fleet: { hosts: 1, vmsPerHost: 2, vcpusPerVm: 2, vcpus: 4 },
    shards: 1,
    digest: 'ab'.repeat(32),
    violations: {
      total: violations,
      byClass: { 'cross-vm': 0, 'use-after-free': 0, 'stale-mapping': 0, 'stale-root': violations },
      witnesses:
        violations === 0
          ? []
          : [
              {
                class: 'stale-root',
                host: 0,
                vm: 1,
                vcpu: 0,
                timeNs: 123456,
                pageHpa: '0x1f000',
                events: [],
                lines: [
                  'kvm_mmu_free_root: root=0x1f000 inc=3',
                  'kvm_mmu_load: root=0x1f000 inc=4 flush=asid-enlightened',
                  'tlb_hit: stale nCR3=0x1f000 inc=3',
                ],
              },
            ],
    },
    metrics: {
      accesses: 8000,
      tlb: { hits: 7000, misses: 1000, nestedHits: 600 },
      nestedWalks: 400,
      staleHits: violations,
      hypercalls: { flushGuestPhysicalAddressSpace: 3, flushGuestPhysicalAddressList: 5, listFallbacks: 1 },
      shootdownMessages: 32,
      flushes: { asid: 10, asidEnlightened: 10, inveptSingle: 0, inveptGlobal: 0, full: 0, guest: 4 },
      roots: { allocated: 6, freed: 4, pageReused: 2, reusedByOtherVm: 0 },
      events: {
        memslotUpdates: 1,
        mmuNotifierInvalidations: 2,
        nestedTransitions: 0,
        cr4Writes: 0,
        cr3Switches: 8,
        invlpg: 3,
        memslotDeletes: 0,
        smis: 0,
        l3Entries: 0,
        vcpuMigrations: 0,
      },
      nestedCache: { fills: 300 },
      messages: { sent: 50, crossShard: 0 },
      cycles: {
        total: perAccess * 8000,
        perAccess,
        byOp: { nestedWalk: perAccess * 5000, tlbHit: perAccess * 1000, hypercall: perAccess * 2000 },
      },
      windows: 40,
      simulatedNs: 80000,
      stallLimit: { hit: false, simulatedNsMax: 200000000 },
      guestAccesses: 8000,
      rates: {
        timeCompression: 1,
        compressed: false,
        hypercallsPerHostPerSec: { achieved: 100000 },
        shootdownIpisPerHostPerSec: { achieved: 400000 },
        rootLoadsPerVcpuPerSec: { achieved: 12500 },
        nestedTransitionsPerVcpuPerSec: { configured: 0, achieved: 0 },
        memslotUpdatesPerHostPerSec: { configured: 12500, achieved: 12500 },
        memslotDeletesPerHostPerSec: { configured: 0, achieved: 0 },
        mmuNotifierInvalidationsPerHostPerSec: { configured: 25000, achieved: 25000 },
        smisPerHostPerSec: { configured: 0, achieved: 0 },
        cr4WritesPerHostPerSec: { configured: 0, achieved: 0 },
        deferredEvents: 0,
        deferredMeanNs: 0,
      },
      time: {
        vcpuTimeNs: 320000 * (perAccess / 10),
        perVcpuMs: 0.08 * (perAccess / 10),
        percent: {
          guestAccesses: 60,
          walks: 25,
          exits: 5,
          hypercallStalls: 5,
          rootWaits: 5,
          l0Interrupts: 0,
          descheduled: 0,
        },
      },
      l0: { busyPercent: 3, queueMeanNs: 0 },
    },
  };
}
