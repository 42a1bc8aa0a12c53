import { POLICY_NAMES } from '@tlbsim/sim-core';
import {
  cycles,
  deepFreeze,
  flag,
  int,
  latency,
  oneOf,
  perSec,
  real,
  ScenarioDeclaration,
  ScenarioKeyDecl,
} from './scenario-key.decl';
import type { ScenarioPath } from './scenario.types';

/** The source of the TLB's shape: a recent x86 core's second-level TLB. */
const STLB = 'the STLB of a recent x86 core (Skylake: 1536 entries, 12-way)';
/** The source of a historical bug toggle's default. */
const FIXED = 'off: the fixed kernel';
/** The source of an estimate that docs/model.md discusses. */
const ESTIMATE = 'estimate, see docs/model.md';

/**
 * The one declaration of every scenario key (type, unit, default, range or
 * values, meaning, source of the default), shaped like the kernel's
 * `SimConfig` and typed against it: a key SimConfig has and this lacks, or
 * the reverse, does not compile. Everything else is derived from it: the
 * defaults ({@link SCENARIO_DEFAULTS}), the limits and enum tables
 * ({@link SCENARIO_LIMITS}, {@link SCENARIO_ENUMS}), the descriptions, the
 * DTO validation ({@link ScenarioField}) and so the error messages and the
 * JSON Schema, `docs/scenario.md`, and the dashboard's field hints (GET
 * /api/scenarios/fields). Keys are in the order of a validated scenario.
 */
export const SCENARIO_KEYS: ScenarioDeclaration = deepFreeze<ScenarioDeclaration>({
  name: {
    kind: 'string',
    maxLength: 200,
    description: 'Scenario name, printed in reports (required, 1 to 200 characters).',
    source: 'required: no default',
  },
  seed: int(
    { default: 1, min: 0, max: 4294967295, unit: '' },
    'The one seed every PRNG stream derives from; same seed, same digest.',
  ),
  platform: {
    vendor: oneOf(
      ['amd', 'intel'],
      'amd',
      'CPU vendor: `amd` (flush_tlb_current is an ASID flush) or `intel` (INVEPT single-context).',
    ),
    l0: oneOf(
      ['hyperv', 'none'],
      'hyperv',
      'What runs below KVM: `hyperv` (KVM is an L1 hypervisor) or `none` (bare metal).',
    ),
    enlightenedTlb: flag(
      true,
      'HV_X64_NESTED_ENLIGHTENED_TLB exposed to KVM: an ASID flush no longer flushes nested (nCR3-tagged) entries (AMD only).',
    ),
    cpuGhz: real(
      { default: 3, min: 0.1, max: 10, unit: 'GHz' },
      'Clock used to turn cycles into nanoseconds in reports.',
    ),
    nestedCache: oneOf(
      ['partition', 'vp'],
      'partition',
      "Where nested (GPA -> HPA) translations live under Hyper-V: `partition` (L0's shadow NPT/EPT, shared by every virtual processor of the partition, dropped only by the GPA flush hypercalls) or `vp` (each virtual processor's TLB). Bare metal always behaves like `vp`.",
    ),
    schedQuantumUs: int(
      { default: 3000, min: 1, max: 1000000, unit: 'us', source: 'estimate' },
      'L1 scheduler quantum in microseconds: vCPUs sharing a virtual processor take turns this often (rounded to whole windows).',
    ),
  },
  kvm: {
    policy: oneOf(
      POLICY_NAMES,
      'overhaul',
      'Flush policy of KVM: a base, then any of the modifiers +preserve-roots (edbdb43fc96b) and +cr0wp-keep-roots (01b31714bd90) in that order (see docs/model.md for the commit each one models).',
    ),
    hvFlushListEntriesMax: int(
      { default: 510, min: 1, max: 4096, unit: 'ranges', source: 'kernel constant HV_MAX_FLUSH_REP_COUNT' },
      'HV_MAX_FLUSH_REP_COUNT: ranges in one GPA-list hypercall before KVM falls back to a whole-space flush.',
    ),
    undersizedRangeFlush: flag(
      false,
      'Historical bug toggle: range flushes cover only the first page of the range ("KVM: x86/mmu: Fix wrong gfn range of tlb flushing", 2022; visible only through the Hyper-V GPA-list hypercall).',
      FIXED,
    ),
    freeBeforeFlush: flag(
      false,
      'Historical bug toggle: pages unmapped by an MMU-notifier invalidation are freed before the remote TLB flush completed (the class of Xen CVE-2026-23554, "paging structures freed before the deferred flush completed").',
      FIXED,
    ),
  },
  fleet: {
    hosts: int({ default: 1, min: 1, max: 4096, unit: 'hosts' }, 'L1 hosts (Hyper-V partitions running KVM).'),
    vmsPerHost: int({ default: 2, min: 1, max: 1024, unit: 'VMs' }, 'L2 VMs per host.'),
    vcpusPerVm: int({ default: 2, min: 1, max: 1024, unit: 'vCPUs' }, 'vCPUs per VM.'),
    memoryMiBPerVm: int({ default: 1024, min: 16, max: 1048576, unit: 'MiB' }, 'Guest memory per VM in MiB.'),
    l1VpsPerHost: int(
      { default: 0, min: 0, max: 1048576, unit: 'virtual processors' },
      'Virtual processors of each L1 partition; vCPUs are time-sliced and migrated onto them (0: one per vCPU, pinned).',
    ),
  },
  tlb: {
    entries: int(
      { default: 1536, min: 16, max: 65536, unit: 'entries', source: STLB },
      'TLB entries per vCPU (must be a multiple of `tlb.ways`).',
    ),
    ways: int({ default: 12, min: 1, max: 64, unit: 'ways', source: STLB }, 'TLB associativity.'),
    nestedCacheEntries: int(
      { default: 0, min: 0, max: 4194304, unit: 'entries' },
      "Capacity of each partition's shared nested translations (sized like shadow page tables, not like a TLB); 0: twice the host's guest footprint (every GPA of every VM under two roots).",
    ),
  },
  workload: {
    accessesPerVcpu: int(
      { default: 200000, min: 1, max: 1e9, unit: 'accesses' },
      'Guest memory accesses each vCPU performs.',
    ),
    workingSetPages: int(
      { default: 1024, min: 1, max: 1048576, unit: 'pages' },
      'Distinct 4 KiB guest pages each vCPU touches.',
    ),
    hotPages: int(
      { default: 64, min: 1, max: 1048576, unit: 'pages' },
      'Pages of the working set that receive `hotPercent` of the accesses.',
    ),
    hotPercent: real({ default: 80, min: 0, max: 100, unit: '%' }, 'Percentage of accesses that go to the hot pages.'),
    processes: int({ default: 4, min: 1, max: 64, unit: 'processes' }, 'Guest processes (address spaces) per vCPU.'),
    pcid: flag(true, 'Guest uses PCID, so CR3 switches keep tagged TLB entries.'),
    cr3SwitchesPerMillionAccesses: real(
      { default: 50, min: 0, max: 1e6, unit: 'per million accesses' },
      'Guest CR3 switches per million accesses.',
    ),
    invlpgPerMillionAccesses: real(
      { default: 20, min: 0, max: 1e6, unit: 'per million accesses' },
      'Guest INVLPG/INVPCID per million accesses.',
    ),
    accessIntervalNs: int(
      { default: 2, min: 1, max: 1e6, unit: 'ns', source: 'estimate: a 3 GHz core, an access every ~6 cycles' },
      'The time of a guest access that hits in the TLB (2 ns: a 3 GHz core issuing a load or store to the second-level TLB path every ~6 cycles); misses, walks, exits and waits add their own time (time is cost, docs/costs.md).',
    ),
    l3TimePercent: real(
      { default: 0, min: 0, max: 95, unit: '%' },
      "Share of each vCPU's time spent running an L3 guest of the L2 (vmcb02, guest-mode root), entered and left by the nested transitions.",
    ),
    accessSampling: int(
      { default: 1, min: 1, max: 1000000, unit: 'accesses' },
      'Guest accesses one simulated access stands for; its time and cycles scale by it, so seconds of a fleet can be priced (see docs/costs.md for what sampling distorts).',
    ),
    smramPages: int(
      { default: 16, min: 1, max: 4096, unit: 'pages', source: ESTIMATE },
      "SMRAM pages the SMI handler touches: the first pages of each vCPU's own working-set region, reached under the SMM-role root (at most the working set).",
    ),
  },
  events: {
    memslotUpdatesPerSec: perSec('Memslot updates per host per simulated second (fast zap of all roots).'),
    mmuNotifierInvalidationsPerSec: perSec(
      'MMU-notifier invalidations per host per simulated second (migration, swap, KSM).',
    ),
    mmuNotifierPages: int(
      { default: 16, min: 1, max: 65536, unit: 'pages' },
      'Guest pages per MMU-notifier invalidation.',
    ),
    nestedTransitionsPerSec: perSec('Nested VMRUN/#VMEXIT transitions per host per simulated second.'),
    cr4WritesPerSec: perSec('Guest CR4 writes per host per simulated second.'),
    cr0WpTogglesPerSec: perSec(
      'Guest CR0.WP toggles per host per simulated second: before 01b31714bd90 (policy modifier cr0wp-keep-roots) each one resets the MMU context and unloads the roots.',
    ),
    smiPerSec: perSec('SMIs per host per simulated second: SMI and RSM switch the vCPU to an SMM-role root and back.'),
    smmDurationUs: real(
      { default: 20, min: 0, max: 1e5, unit: 'us', source: ESTIMATE },
      'Time the SMI handler runs per SMI, making SMRAM accesses under the SMM-role root, before RSM (0: RSM at once, no access). An estimate, not a measurement.',
    ),
    memslotDeletesPerSec: perSec(
      "Memslot DELETEs per host per simulated second: the slot's pages are unmapped, fast-zapped, and freed once every vCPU left guest mode.",
    ),
    memslotDeletePages: int(
      { default: 64, min: 1, max: 65536, unit: 'pages' },
      'Guest pages of the slot a memslot DELETE removes (re-created with new backing pages).',
    ),
    vcpuMigrationsPerSec: perSec(
      "vCPU migrations between the partition's virtual processors per host per simulated second (a new ASID on AMD, KVM_REQ_TLB_FLUSH on Intel).",
    ),
  },
  latency: {
    ipiNs: latency(2000, 'Delivery latency of an IPI.'),
    hypercallNs: latency(5000, 'Latency of a flush hypercall until every processor of the partition applied it.'),
    kvmRequestNs: latency(2000, 'Latency of a KVM request (kvm_make_request + kick) to a vCPU.'),
    rootFreeNs: int(
      { default: 1000000, min: 0, max: 1e9, unit: 'ns', source: ESTIMATE },
      "From a root's last put to its page's return to the allocator: the zap worker (tdp_mmu_zap_root_work) and the RCU grace period of call_rcu() in kvm_tdp_mmu_put_root(). KVM-internal, not part of the lookahead. An estimate (RCU grace periods are milliseconds on a busy host).",
    ),
  },
  costs: {
    tlbHitCycles: cycles(1, 'Cycles of a TLB hit.'),
    guestWalkCycles: cycles(100, 'Cycles of a guest (first-level) page walk.'),
    nestedWalkCycles: cycles(600, 'Cycles of a nested (2D) page walk, up to 24 memory references.'),
    vmExitCycles: cycles(1300, 'Cycles of a VM exit and re-entry (AMD about 1.3k).'),
    nestedExitCycles: cycles(18900, 'Cycles of a nested exit round trip through L0 (8k to 19k).'),
    asidFlushCycles: cycles(200, 'Cycles of an ASID flush (VMCB TLB_CONTROL).'),
    inveptCycles: cycles(8300, 'Cycles of an INVEPT.'),
    hypercallBaseCycles: cycles(20000, 'Base cycles of a Hyper-V flush hypercall.'),
    hypercallPerVpCycles: cycles(20000, 'Extra hypercall cycles per virtual processor of the partition.'),
    ipiCycles: cycles(2500, 'Cycles of sending and handling one IPI.'),
    rootAllocCycles: cycles(3000, 'Cycles of allocating and loading a new TDP MMU root.'),
    amdNestedExitCycles: cycles(
      18900,
      "A nested VMRUN or #VMEXIT through L0 on AMD (KVM on Hyper-V): no public figure; an estimate that borrows Intel's 18,900 until measured.",
    ),
    l0NestedFaultCycles: cycles(
      3000,
      "L0 handling a nested page fault to refill one of the partition's shared translations (its shadow tables), on top of the hardware walk: an estimate.",
    ),
    l0AsidFlushCycles: cycles(
      8300,
      "L0's work for a full ASID flush by L1 on AMD without the enlightened TLB (it drops the address space's shadow translations): an estimate, borrowed like inveptCycles.",
    ),
  },
  run: {
    shards: int(
      { default: 1, min: 1, max: 1024, unit: 'shards' },
      'Shards the actors are split into (never changes the result).',
    ),
    windowNs: int(
      { default: 0, min: 0, max: 1e9, unit: 'ns' },
      'Simulation window; 0 means the lookahead (the smallest latency).',
    ),
    snapshotEveryWindows: int(
      {
        default: 2048,
        min: 1,
        max: 1e6,
        unit: 'windows',
        // A window of a 512-vCPU shard of fleet.yaml is ~1.6 ms of compute at 100,000 accesses per vCPU (quiet
        // machine): 2048 windows are ~3.3 s that a crashed shard redoes. Each snapshot (~30 MB) costs the machine
        // about a second of CPU (encode, copies, Redis's write, AOF and its rewrites): on 2 workers, 21% of the
        // run at 2048 and 55% at 1024 against none (docs/scaling.md section 9), so 1024 does not pay for its redo.
        source: 'measured: snapshot cost against redone work after a crash (npm run bench -- --only snapshot)',
      },
      'Shards snapshot their actors every this many windows (a crash redoes at most this many).',
    ),
    snapshots: oneOf(
      ['full', 'incremental'],
      'full',
      'How distributed shards store snapshots: `full` (whole each time) or `incremental` (a full one, then the words changed since the previous one, appended to it; a full one again after 15 or once they weigh as much). Incremental pays when an interval changes less than about 40% of the state: the churn `npm run bench -- --only snapshot` prints. Never changes the result.',
    ),
    witnessesMax: int(
      { default: 10, min: 0, max: 1000, unit: 'witnesses' },
      'Witnesses (causal event chains) kept per run.',
    ),
    witnessesPerClass: int(
      { default: 1, min: 0, max: 100, unit: 'witnesses' },
      'Witnesses kept per violation class beyond `run.witnessesMax`, so every class that occurred has at least this many.',
    ),
    placement: oneOf(['block', 'round-robin'], 'block', 'How actors are spread over shards: `block` or `round-robin`.'),
    simulatedMs: real(
      { default: 0, min: 0, max: 600000, unit: 'ms' },
      'Stop every vCPU at this simulated time in milliseconds (0: only `workload.accessesPerVcpu` ends the run).',
    ),
    timeCompression: real(
      { default: 1, min: 1, max: 1000000, unit: 'x' },
      'Event rates run this many times faster than configured (a short run showing what takes seconds); every per-second figure is labelled compressed.',
    ),
    minShards: int(
      { default: 0, min: 0, max: 1024, unit: 'shards' },
      'Fewest shards a distributed job may start with when fewer slots than `run.shards` are free (0: all of `run.shards`); it grows to `run.shards` as workers join. Never changes the result.',
    ),
    warmupMs: real(
      { default: 0, min: 0, max: 600000, unit: 'ms' },
      'Simulated milliseconds at the start that cost figures (time shares, rates, per-access cost, overhead) leave out; violations and witnesses still count the whole run (docs/costs.md).',
    ),
    replications: int(
      { default: 1, min: 1, max: 100, unit: 'runs' },
      'Runs from seeds derived from `seed` (the first is `seed`) whose cost figures are reported as a mean with a 95% interval; `compare` gives every policy the same seeds (docs/costs.md).',
    ),
  },
});

/** Every declared key with its dotted path, in declaration order (`name`, `seed`, then each group's keys). */
export function declaredKeys(): [ScenarioPath, ScenarioKeyDecl][] {
  const out: [string, ScenarioKeyDecl][] = [];
  for (const [top, value] of Object.entries(SCENARIO_KEYS) as [
    string,
    ScenarioKeyDecl | Record<string, ScenarioKeyDecl>,
  ][]) {
    if ('kind' in value && typeof value.kind === 'string') out.push([top, value as ScenarioKeyDecl]);
    else for (const [key, decl] of Object.entries(value)) out.push([`${top}.${key}`, decl as ScenarioKeyDecl]);
  }
  return out as [ScenarioPath, ScenarioKeyDecl][];
}

const BY_PATH: ReadonlyMap<string, ScenarioKeyDecl> = new Map(declaredKeys());

/** The declaration of the key at a dotted path, or `undefined` for a path that is not a key. */
export function scenarioKey(path: string): ScenarioKeyDecl | undefined {
  return BY_PATH.get(path);
}
