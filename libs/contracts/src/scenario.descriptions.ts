import type { ScenarioPath } from './scenario.types';

/** One-line meaning of every scenario field, for the JSON Schema and `docs/scenario.md`. */
export const SCENARIO_DESCRIPTIONS: Readonly<Record<ScenarioPath, string>> = Object.freeze({
  name: 'Scenario name, printed in reports (required, 1 to 200 characters).',
  seed: 'The one seed every PRNG stream derives from; same seed, same digest.',
  'platform.vendor': 'CPU vendor: `amd` (flush_tlb_current is an ASID flush) or `intel` (INVEPT single-context).',
  'platform.l0': 'What runs below KVM: `hyperv` (KVM is an L1 hypervisor) or `none` (bare metal).',
  'platform.enlightenedTlb':
    'HV_X64_NESTED_ENLIGHTENED_TLB exposed to KVM: an ASID flush no longer flushes nested (nCR3-tagged) entries (AMD only).',
  'platform.cpuGhz': 'Clock used to turn cycles into nanoseconds in reports.',
  'platform.schedQuantumUs':
    'L1 scheduler quantum in microseconds: vCPUs sharing a virtual processor take turns this often (rounded to whole windows).',
  'platform.nestedCache':
    "Where nested (GPA -> HPA) translations live under Hyper-V: `partition` (L0's shadow NPT/EPT, shared by every virtual processor of the partition, dropped only by the GPA flush hypercalls) or `vp` (each virtual processor's TLB). Bare metal always behaves like `vp`.",
  'kvm.policy':
    'Flush policy of KVM: a base, then any of the modifiers +preserve-roots (edbdb43fc96b) and +cr0wp-keep-roots (01b31714bd90) in that order (see docs/model.md for the commit each one models).',
  'kvm.hvFlushListEntriesMax':
    'HV_MAX_FLUSH_REP_COUNT: ranges in one GPA-list hypercall before KVM falls back to a whole-space flush.',
  'kvm.freeBeforeFlush':
    'Historical bug toggle: pages unmapped by an MMU-notifier invalidation are freed before the remote TLB flush completed (the class of Xen CVE-2026-23554, "paging structures freed before the deferred flush completed").',
  'kvm.undersizedRangeFlush':
    'Historical bug toggle: range flushes cover only the first page of the range ("KVM: x86/mmu: Fix wrong gfn range of tlb flushing", 2022; visible only through the Hyper-V GPA-list hypercall).',
  'fleet.hosts': 'L1 hosts (Hyper-V partitions running KVM).',
  'fleet.vmsPerHost': 'L2 VMs per host.',
  'fleet.vcpusPerVm': 'vCPUs per VM.',
  'fleet.memoryMiBPerVm': 'Guest memory per VM in MiB.',
  'fleet.l1VpsPerHost':
    'Virtual processors of each L1 partition; vCPUs are time-sliced and migrated onto them (0: one per vCPU, pinned).',
  'tlb.entries': 'TLB entries per vCPU (must be a multiple of `tlb.ways`).',
  'tlb.ways': 'TLB associativity.',
  'tlb.nestedCacheEntries':
    "Capacity of each partition's shared nested translations (sized like shadow page tables, not like a TLB); 0: twice the host's guest footprint (every GPA of every VM under two roots).",
  'workload.accessesPerVcpu': 'Guest memory accesses each vCPU performs.',
  'workload.workingSetPages': 'Distinct 4 KiB guest pages each vCPU touches.',
  'workload.hotPages': 'Pages of the working set that receive `hotPercent` of the accesses.',
  'workload.hotPercent': 'Percentage of accesses that go to the hot pages.',
  'workload.processes': 'Guest processes (address spaces) per vCPU.',
  'workload.pcid': 'Guest uses PCID, so CR3 switches keep tagged TLB entries.',
  'workload.cr3SwitchesPerMillionAccesses': 'Guest CR3 switches per million accesses.',
  'workload.invlpgPerMillionAccesses': 'Guest INVLPG/INVPCID per million accesses.',
  'workload.l3TimePercent':
    "Share of each vCPU's time spent running an L3 guest of the L2 (vmcb02, guest-mode root), entered and left by the nested transitions.",
  'workload.smramPages':
    "SMRAM pages the SMI handler touches: the first pages of each vCPU's own working-set region, reached under the SMM-role root (at most the working set).",
  'workload.accessSampling':
    'Guest accesses one simulated access stands for; its time and cycles scale by it, so seconds of a fleet can be priced (see docs/costs.md for what sampling distorts).',
  'workload.accessIntervalNs':
    'The time of a guest access that hits in the TLB (2 ns: a 3 GHz core issuing a load or store to the second-level TLB path every ~6 cycles); misses, walks, exits and waits add their own time (time is cost, docs/costs.md).',
  'events.memslotUpdatesPerSec': 'Memslot updates per host per simulated second (fast zap of all roots).',
  'events.mmuNotifierInvalidationsPerSec':
    'MMU-notifier invalidations per host per simulated second (migration, swap, KSM).',
  'events.mmuNotifierPages': 'Guest pages per MMU-notifier invalidation.',
  'events.nestedTransitionsPerSec': 'Nested VMRUN/#VMEXIT transitions per host per simulated second.',
  'events.cr4WritesPerSec': 'Guest CR4 writes per host per simulated second.',
  'events.cr0WpTogglesPerSec':
    'Guest CR0.WP toggles per host per simulated second: before 01b31714bd90 (policy modifier cr0wp-keep-roots) each one resets the MMU context and unloads the roots.',
  'events.smiPerSec': 'SMIs per host per simulated second: SMI and RSM switch the vCPU to an SMM-role root and back.',
  'events.smmDurationUs':
    'Time the SMI handler runs per SMI, making SMRAM accesses under the SMM-role root, before RSM (0: RSM at once, no access). An estimate, not a measurement.',
  'events.memslotDeletesPerSec':
    "Memslot DELETEs per host per simulated second: the slot's pages are unmapped, fast-zapped, and freed once every vCPU left guest mode.",
  'events.vcpuMigrationsPerSec':
    "vCPU migrations between the partition's virtual processors per host per simulated second (a new ASID on AMD, KVM_REQ_TLB_FLUSH on Intel).",
  'events.memslotDeletePages': 'Guest pages of the slot a memslot DELETE removes (re-created with new backing pages).',
  'latency.ipiNs': 'Delivery latency of an IPI.',
  'latency.hypercallNs': 'Latency of a flush hypercall until every processor of the partition applied it.',
  'latency.kvmRequestNs': 'Latency of a KVM request (kvm_make_request + kick) to a vCPU.',
  'latency.rootFreeNs':
    "From a root's last put to its page's return to the allocator: the zap worker (tdp_mmu_zap_root_work) and the RCU grace period of call_rcu() in kvm_tdp_mmu_put_root(). KVM-internal, not part of the lookahead. An estimate (RCU grace periods are milliseconds on a busy host).",
  'costs.tlbHitCycles': 'Cycles of a TLB hit.',
  'costs.guestWalkCycles': 'Cycles of a guest (first-level) page walk.',
  'costs.nestedWalkCycles': 'Cycles of a nested (2D) page walk, up to 24 memory references.',
  'costs.vmExitCycles': 'Cycles of a VM exit and re-entry (AMD about 1.3k).',
  'costs.nestedExitCycles': 'Cycles of a nested exit round trip through L0 (8k to 19k).',
  'costs.asidFlushCycles': 'Cycles of an ASID flush (VMCB TLB_CONTROL).',
  'costs.inveptCycles': 'Cycles of an INVEPT.',
  'costs.hypercallBaseCycles': 'Base cycles of a Hyper-V flush hypercall.',
  'costs.hypercallPerVpCycles': 'Extra hypercall cycles per virtual processor of the partition.',
  'costs.ipiCycles': 'Cycles of sending and handling one IPI.',
  'costs.rootAllocCycles': 'Cycles of allocating and loading a new TDP MMU root.',
  'costs.amdNestedExitCycles':
    "A nested VMRUN or #VMEXIT through L0 on AMD (KVM on Hyper-V): no public figure; an estimate that borrows Intel's 18,900 until measured.",
  'costs.l0NestedFaultCycles':
    "L0 handling a nested page fault to refill one of the partition's shared translations (its shadow tables), on top of the hardware walk: an estimate.",
  'costs.l0AsidFlushCycles':
    "L0's work for a full ASID flush by L1 on AMD without the enlightened TLB (it drops the address space's shadow translations): an estimate, borrowed like inveptCycles.",
  'run.shards': 'Shards the actors are split into (never changes the result).',
  'run.windowNs': 'Simulation window; 0 means the lookahead (the smallest latency).',
  'run.snapshotEveryWindows': 'Shards snapshot their actors every this many windows.',
  'run.witnessesMax': 'Witnesses (causal event chains) kept per run.',
  'run.simulatedMs':
    'Stop every vCPU at this simulated time in milliseconds (0: only `workload.accessesPerVcpu` ends the run).',
  'run.timeCompression':
    'Event rates run this many times faster than configured (a short run showing what takes seconds); every per-second figure is labelled compressed.',
  'run.witnessesPerClass':
    'Witnesses kept per violation class beyond `run.witnessesMax`, so every class that occurred has at least this many.',
  'run.placement': 'How actors are spread over shards: `block` or `round-robin`.',
  'run.minShards':
    'Fewest shards a distributed job may start with when fewer slots than `run.shards` are free (0: all of `run.shards`); it grows to `run.shards` as workers join. Never changes the result.',
  'run.warmupMs':
    'Simulated milliseconds at the start that cost figures (time shares, rates, per-access cost, overhead) leave out; violations and witnesses still count the whole run (docs/costs.md).',
  'run.replications':
    'Runs from seeds derived from `seed` (the first is `seed`) whose cost figures are reported as a mean with a 95% interval; `compare` gives every policy the same seeds (docs/costs.md).',
});
